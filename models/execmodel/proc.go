package execmodel

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/replaygate/replaygate/errs"
)

// killGrace is how long Close waits after SIGTERM before SIGKILL.
var killGrace = 2 * time.Second

// maxLine bounds a response line; a longer one is read as garbage.
const maxLine = 1 << 20

// Bounds of the stderr tail kept per process.
const (
	tailLines = 50
	tailBytes = 8 << 10
)

// tooLong stands for a response line longer than maxLine.
var tooLong = []byte("\x00line too long")

// proc is one running model process.
type proc struct {
	cmd    *exec.Cmd
	stdin  *os.File
	stdout *os.File
	lines  chan []byte   // response lines; closed at EOF on stdout
	quit   chan struct{} // closed when the process is discarded
	done   chan struct{} // closed once Wait returned
	stderr *ring
	once   sync.Once
}

// startProc starts argv in dir.
func startProc(argv []string, dir string) (*proc, error) {
	name := strings.Join(argv, " ")
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	if cmd.Err != nil {
		return nil, startError(name, argv[0], cmd.Err)
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, errs.Run("", "exec model %s: %v", name, err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, errs.Run("", "exec model %s: %v", name, err)
	}
	p := &proc{
		cmd: cmd, stdin: inW, stdout: outR,
		lines: make(chan []byte), quit: make(chan struct{}), done: make(chan struct{}),
		stderr: &ring{},
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, p.stderr
	// Wait returns at most this long after the process exits even when a
	// child of it still holds stderr open.
	cmd.WaitDelay = time.Second
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return nil, startError(name, argv[0], err)
	}
	go func() {
		cmd.Wait()
		close(p.done)
	}()
	go p.read()
	return p, nil
}

func startError(name, prog string, err error) error {
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return errs.Run(hintCommand+"; give a path (./serve.py) or install the program",
			"exec model %s: command %q not found in $PATH", name, prog)
	case errors.Is(err, os.ErrNotExist):
		return errs.Run(hintCommand+"; a relative path is relative to candidate.model.dir, or to the current directory",
			"exec model %s: %q does not exist", name, prog)
	case errors.Is(err, os.ErrPermission):
		return errs.Run("make the program executable (chmod +x) or run it through its interpreter, e.g. [python3, serve.py]",
			"exec model %s: %q is not executable", name, prog)
	}
	return errs.Run(hintCommand, "exec model %s: cannot start: %v", name, err)
}

// read sends stdout's lines to p.lines until EOF or discard.
func (p *proc) read() {
	defer close(p.lines)
	r := bufio.NewReaderSize(p.stdout, 64<<10)
	for {
		line, err := readLine(r)
		if line != nil {
			select {
			case p.lines <- line:
			case <-p.quit:
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// readLine returns the next line without its end of line, tooLong for a
// line longer than maxLine (read to its end), and an error at EOF (with
// the unterminated last line, if any).
func readLine(r *bufio.Reader) ([]byte, error) {
	var buf []byte
	long := false
	for {
		frag, err := r.ReadSlice('\n')
		if !long {
			if len(buf)+len(frag) > maxLine+1 {
				long, buf = true, nil
			} else {
				buf = append(buf, frag...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if long {
			return tooLong, err
		}
		buf = bytes.TrimRight(buf, "\r\n")
		if err != nil && len(buf) == 0 {
			return nil, err
		}
		if buf == nil {
			buf = []byte{}
		}
		return buf, err
	}
}

// exited reports whether the process has been waited for.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// status describes how the process ended; call after done.
func (p *proc) status() string {
	if st := p.cmd.ProcessState; st != nil {
		return st.String()
	}
	return "unknown status"
}

// stop ends the process: its stdin is closed, then after SIGTERM it has
// grace to exit before SIGKILL (at once when grace is 0). It returns once
// the process has been waited for.
func (p *proc) stop(grace time.Duration) {
	p.once.Do(func() {
		p.stdin.Close()
		if grace > 0 && !p.exited() {
			p.cmd.Process.Signal(syscall.SIGTERM)
			t := time.NewTimer(grace)
			select {
			case <-p.done:
			case <-t.C:
			}
			t.Stop()
		}
		if !p.exited() {
			p.cmd.Process.Kill()
		}
		<-p.done
		close(p.quit)
		p.stdout.Close()
	})
}

// ring keeps the last lines a process wrote to stderr: at most tailLines
// lines and tailBytes bytes.
type ring struct {
	mu      sync.Mutex
	lines   []string
	size    int
	partial []byte
}

func (r *ring) Write(b []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			r.partial = append(r.partial, b...)
			if len(r.partial) > tailBytes {
				r.partial = r.partial[len(r.partial)-tailBytes:]
			}
			break
		}
		r.partial = append(r.partial, b[:i]...)
		r.push(string(bytes.TrimRight(r.partial, "\r")))
		r.partial = r.partial[:0]
		b = b[i+1:]
	}
	return n, nil
}

func (r *ring) push(s string) {
	if len(s) > tailBytes {
		s = s[len(s)-tailBytes:]
	}
	r.lines = append(r.lines, s)
	r.size += len(s)
	for len(r.lines) > tailLines || r.size > tailBytes {
		r.size -= len(r.lines[0])
		r.lines = r.lines[1:]
	}
}

// tail returns up to n of the last non-blank lines.
func (r *ring) tail(n int) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	all := append([]string(nil), r.lines...)
	if len(bytes.TrimSpace(r.partial)) > 0 {
		all = append(all, string(r.partial))
	}
	var out []string
	for i := len(all) - 1; i >= 0 && len(out) < n; i-- {
		if strings.TrimSpace(all[i]) != "" {
			out = append(out, all[i])
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

var _ io.Writer = (*ring)(nil)
