package spec

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// Resolve turns a spec-relative input path into one usable from the working
// directory: relative paths are joined to Spec.Dir, absolute paths and URLs
// are returned unchanged. Glob patterns survive. Resolve never touches the
// filesystem and is idempotent.
func (s *Spec) Resolve(p string) string {
	if p == "" || s.Dir == "" || filepath.IsAbs(p) || strings.Contains(p, "://") {
		return p
	}
	return filepath.Join(s.Dir, p)
}

// resolveInputs resolves every input path of the spec against Dir.
func (s *Spec) resolveInputs() {
	s.Traffic.Path = s.Resolve(s.Traffic.Path)
	if s.Labels != nil {
		s.Labels.Path = s.Resolve(s.Labels.Path)
	}
	if s.Reference != nil {
		s.Reference.Path = s.Resolve(s.Reference.Path)
	}
	if s.Candidate.Model.Type == "xgboost" {
		s.Candidate.Model.Path = s.Resolve(s.Candidate.Model.Path)
	}
	if s.Production != nil && s.Production.Model.Type == "xgboost" {
		s.Production.Model.Path = s.Resolve(s.Production.Model.Path)
	}
}

// Pos returns "file:line:col" of the key (or, for list items, the value) at
// a key path such as "checks.contract.features.age" or "traffic.segments[1]",
// so that callers can point at the spec line a problem comes from. For a
// path that is not in the file (a default) it returns the position of the
// nearest enclosing key that is, and just the file name when there is none
// or the spec was not parsed from text.
func (s *Spec) Pos(path string) string {
	if s.pos == nil {
		return s.Path
	}
	for p := path; p != ""; p = parent(p) {
		l, ok := s.pos.keys[p]
		if !ok || l.line == 0 {
			l, ok = s.pos.vals[p]
		}
		if ok && l.line > 0 {
			return fmt.Sprintf("%s:%d:%d", s.pos.file, l.line, l.col)
		}
	}
	return s.pos.file
}

// FeatureNames returns the columns of checks.contract.features in the order
// the spec lists them.
func (s *Spec) FeatureNames() []string {
	if s.Checks.Contract == nil {
		return nil
	}
	names := make([]string, 0, len(s.Checks.Contract.Features))
	for n := range s.Checks.Contract.Features {
		names = append(names, n)
	}
	sort.Strings(names)
	if s.pos != nil {
		at := func(n string) loc { return s.pos.keys["checks.contract.features."+n] }
		sort.SliceStable(names, func(i, j int) bool {
			a, b := at(names[i]), at(names[j])
			return a.line < b.line || a.line == b.line && a.col < b.col
		})
	}
	return names
}

// Columns returns every traffic column the spec names, deduplicated, in a
// stable order: id, timestamp, label, segments, baseline score and latency,
// contract features (in spec order), the freshness column, the candidate's
// and production's listed features, and the scores column of column models.
// The columns a model reads are added by the caller from the model itself.
func (s *Spec) Columns() []string {
	var out []string
	seen := map[string]bool{}
	add := func(cols ...string) {
		for _, c := range cols {
			if c != "" && !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	t := s.Traffic
	add(t.ID, t.Timestamp, t.Label)
	add(t.Segments...)
	if t.Baseline != nil {
		add(t.Baseline.Score, t.Baseline.LatencyMS)
	}
	add(s.FeatureNames()...)
	if c := s.Checks.Contract; c != nil && c.Freshness != nil {
		add(c.Freshness.Column)
	}
	add(s.Candidate.Features...)
	if s.Production != nil {
		add(s.Production.Features...)
	}
	// A column model reads a traffic column, unless its scores come from a
	// separate file joined on the request id.
	if m := s.Candidate.Model; m.Type == "column" && m.Path == "" {
		add(m.Column)
	}
	if s.Production != nil && s.Production.Model.Type == "column" && s.Production.Model.Path == "" {
		add(s.Production.Model.Column)
	}
	return out
}
