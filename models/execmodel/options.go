package execmodel

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/replaygate/replaygate/errs"
)

// Defaults applied by New to zero options.
const (
	DefaultTimeout     = 5 * time.Second
	DefaultBatch       = 1
	DefaultMaxRestarts = 3
	DefaultProcesses   = 1
)

// maxProcesses bounds Options.Processes.
const maxProcesses = 256

// Options configure a Model.
type Options struct {
	Command     []string      // argv of the model process, run without a shell (required)
	Features    []string      // traffic columns sent, in model order (required)
	IDColumn    string        // traffic column whose value is a request's id; "" = the row number
	Batch       int           // request lines written before the responses are read; default 1
	Timeout     time.Duration // per batch, from the first write to the last response; default 5s
	MaxRestarts int           // restarts after a crash or a hang before the run stops; default 3, -1 = none
	Processes   int           // model processes run in parallel; default 1
	Dir         string        // working directory of the process; "" = the current one
}

func (o *Options) fill() {
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Batch == 0 {
		o.Batch = DefaultBatch
	}
	switch o.MaxRestarts {
	case 0:
		o.MaxRestarts = DefaultMaxRestarts
	case -1:
		o.MaxRestarts = 0
	}
	if o.Processes == 0 {
		o.Processes = DefaultProcesses
	}
}

const hintCommand = `candidate.model.command is the model program and its arguments as a list, run without a shell, e.g. [python3, serve.py]`

// validate checks o, defaults already filled in.
func (o *Options) validate() error {
	if len(o.Command) == 0 || strings.TrimSpace(o.Command[0]) == "" {
		return errs.Input(hintCommand, "exec model: no command")
	}
	name := strings.Join(o.Command, " ")
	if len(o.Features) == 0 {
		return errs.Input("list the traffic columns the model takes, in model order, in candidate.features",
			"exec model %s: no features", name)
	}
	seen := make(map[string]int, len(o.Features))
	for i, f := range o.Features {
		if strings.TrimSpace(f) == "" {
			return errs.Input("candidate.features names one traffic column per model input", "exec model %s: feature %d is empty", name, i)
		}
		if j, dup := seen[f]; dup {
			return errs.Input("each column is sent once; remove the repeat", "exec model %s: features %d and %d are both %q", name, j, i, f)
		}
		seen[f] = i
	}
	switch {
	case o.Timeout < 0:
		return errs.Input("candidate.model.timeout is a positive duration such as 2s", "exec model %s: negative timeout %v", name, o.Timeout)
	case o.Batch < 0:
		return errs.Input("candidate.model.batch is the number of rows per request, 1 or more", "exec model %s: batch %d", name, o.Batch)
	case o.MaxRestarts < 0:
		return errs.Input("candidate.model.max_restarts is 0 or more (-1 for none)", "exec model %s: max_restarts %d", name, o.MaxRestarts)
	case o.Processes < 0 || o.Processes > maxProcesses:
		return errs.Input(fmt.Sprintf("candidate.model.processes is between 1 and %d", maxProcesses), "exec model %s: processes %d", name, o.Processes)
	}
	return nil
}

// fingerprint identifies what is scored: the argv and the columns sent.
func fingerprint(argv, features []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "exec\n%d\n", len(argv))
	for _, a := range argv {
		fmt.Fprintf(h, "%q\n", a)
	}
	for _, f := range features {
		fmt.Fprintf(h, "%q\n", f)
	}
	return fmt.Sprintf("sha256:%x", h.Sum(nil))
}
