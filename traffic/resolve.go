package traffic

import (
	"errors"
	"fmt"
	"github.com/replaygate/replaygate/internal/suggest"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/replaygate/replaygate/errs"
)

// Format names reported in FileInfo.Format.
const (
	FormatParquet     = "parquet"
	FormatArrow       = "arrow"        // Arrow IPC file format
	FormatArrowStream = "arrow-stream" // Arrow IPC stream format
	FormatCSV         = "csv"
	FormatCSVGzip     = "csv.gz"
	FormatJSONL       = "jsonl"
	FormatJSONLGzip   = "jsonl.gz"
)

// kind is the parser a file needs, before its bytes are looked at.
type kind int

const (
	kindUnknown kind = iota
	kindParquet
	kindArrow // IPC file or stream, told apart by the magic bytes
	kindArrowStream
	kindCSV
	kindJSONL
)

// extensions maps a lower-case file name suffix to its parser. Text formats
// also accept a ".gz" suffix on top (see kindOf).
var extensions = map[string]kind{
	".parquet": kindParquet,
	".pq":      kindParquet,
	".arrow":   kindArrow,
	".feather": kindArrow,
	".ipc":     kindArrow,
	".arrows":  kindArrowStream,
	".csv":     kindCSV,
	".jsonl":   kindJSONL,
	".ndjson":  kindJSONL,
	".json":    kindJSONL,
}

// SupportedExtensions lists the file name endings Open understands.
func SupportedExtensions() []string {
	return []string{".parquet", ".pq", ".arrow", ".feather", ".ipc", ".arrows",
		".csv", ".csv.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".json", ".json.gz"}
}

func supportedList() string { return strings.Join(SupportedExtensions(), " ") }

// kindOf tells the parser for a path from its name, and whether the name
// says it is gzip-compressed.
func kindOf(path string) (kind, bool) {
	name := strings.ToLower(filepath.Base(path))
	gz := false
	if strings.HasSuffix(name, ".gz") {
		gz = true
		name = strings.TrimSuffix(name, ".gz")
	}
	k, ok := extensions[filepath.Ext(name)]
	if !ok {
		return kindUnknown, gz
	}
	if gz && k != kindCSV && k != kindJSONL {
		return kindUnknown, gz
	}
	return k, gz
}

// hidden reports names that directory listings and globs skip: dot files
// and the "_SUCCESS"-style markers that Spark and Hadoop leave next to data.
func hidden(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// Resolve returns the files a pattern names, sorted by path: a single file,
// a directory (every supported, non-hidden file directly inside it), or a
// glob (filepath.Match syntax, plus "**" for any number of directories).
// Globs and directories skip hidden files and files with an unsupported
// extension; a single file with an unsupported extension is an error.
// Naming no file at all is an input error.
func Resolve(pattern string) ([]string, error) {
	if pattern == "" {
		return nil, errs.Input("set the traffic path to a file, a directory or a glob", "empty traffic path")
	}
	if !hasMeta(pattern) {
		st, err := os.Stat(pattern)
		switch {
		case err != nil:
			if errors.Is(err, fs.ErrNotExist) {
				return nil, errs.Input("check the path; relative paths in a spec resolve against the spec's folder",
					"no file matches %q", pattern)
			}
			return nil, errs.Input("", "%s: %v", pattern, unwrapPathError(err))
		case st.IsDir():
			return listDir(pattern)
		default:
			if k, _ := kindOf(pattern); k == kindUnknown {
				return nil, errs.Input("supported: "+supportedList(),
					"%s: unsupported file type", pattern)
			}
			return []string{pattern}, nil
		}
	}
	matches, err := glob(pattern)
	if err != nil {
		return nil, err
	}
	var out []string
	skipped := 0
	for _, m := range matches {
		if k, _ := kindOf(m); k == kindUnknown {
			skipped++
			continue
		}
		out = append(out, m)
	}
	if len(out) == 0 {
		if skipped > 0 {
			return nil, errs.Input("supported: "+supportedList(),
				"no file matches %q (%d matching files skipped: unsupported extension)", pattern, skipped)
		}
		return nil, errs.Input("check the pattern; relative paths in a spec resolve against the spec's folder",
			"no file matches %q", pattern)
	}
	sort.Strings(out)
	return out, nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func hasMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

func listDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, errs.Input("", "%s: %v", dir, unwrapPathError(err))
	}
	var out []string
	skipped := 0
	for _, e := range entries {
		if hidden(e.Name()) || e.IsDir() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if e.Type()&fs.ModeSymlink != 0 {
			if st, err := os.Stat(p); err != nil || st.IsDir() {
				continue
			}
		}
		if k, _ := kindOf(p); k == kindUnknown {
			skipped++
			continue
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		msg := fmt.Sprintf("no traffic file in directory %q", dir)
		if skipped > 0 {
			msg += fmt.Sprintf(" (%d files skipped: unsupported extension)", skipped)
		}
		return nil, errs.Input("supported: "+supportedList(), "%s", msg)
	}
	sort.Strings(out)
	return out, nil
}

// glob expands pattern. Without "**" it is filepath.Glob minus hidden files
// and directories; with "**" it walks the directory tree below the pattern's
// fixed prefix and matches path segments, "**" matching zero or more of them.
func glob(pattern string) ([]string, error) {
	bad := func() error {
		return errs.Input("glob syntax: * ? [a-z] and ** for any depth", "bad glob pattern %q", pattern)
	}
	if !strings.Contains(pattern, "**") {
		ms, err := filepath.Glob(pattern)
		if err != nil {
			return nil, bad()
		}
		var out []string
		for _, m := range ms {
			if hidden(filepath.Base(m)) {
				continue
			}
			if st, err := os.Stat(m); err != nil || st.IsDir() {
				continue
			}
			out = append(out, m)
		}
		return out, nil
	}

	clean := filepath.ToSlash(filepath.Clean(pattern))
	segs := strings.Split(clean, "/")
	for _, s := range segs {
		if s != "**" {
			if _, err := filepath.Match(s, ""); err != nil {
				return nil, bad()
			}
		}
	}
	// The fixed prefix: leading segments without glob characters.
	i := 0
	for i < len(segs) && !hasMeta(segs[i]) {
		i++
	}
	root := strings.Join(segs[:i], "/")
	switch {
	case root == "" && strings.HasPrefix(clean, "/"):
		root = "/"
	case root == "":
		root = "."
	}
	rest := segs[i:]
	var out []string
	err := filepath.WalkDir(filepath.FromSlash(root), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == filepath.FromSlash(root) {
				return err
			}
			return nil // unreadable subdirectory: skip it
		}
		if p != filepath.FromSlash(root) && hidden(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(filepath.FromSlash(root), p)
		if err != nil {
			return nil
		}
		if matchSegments(rest, strings.Split(filepath.ToSlash(rel), "/")) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, errs.Input("", "%s: %v", pattern, unwrapPathError(err))
	}
	return out, nil
}

// matchSegments matches path segments against pattern segments, where a
// "**" pattern segment matches any number (zero included) of path segments.
func matchSegments(pat, path []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for len(pat) > 0 && pat[0] == "**" {
				pat = pat[1:]
			}
			if len(pat) == 0 {
				return true
			}
			for k := 0; k <= len(path); k++ {
				if matchSegments(pat, path[k:]) {
					return true
				}
			}
			return false
		}
		if len(path) == 0 {
			return false
		}
		if ok, _ := filepath.Match(pat[0], path[0]); !ok {
			return false
		}
		pat, path = pat[1:], path[1:]
	}
	return len(path) == 0
}

// ClosestName returns the name in have closest to want, or "" when none is
// close enough to be a plausible typo (see suggest.Closest).
func ClosestName(want string, have []string) string { return suggest.Closest(want, have) }
