// Command replaygate replays logged production traffic against candidate
// models and gates on contract, skew, segment and latency checks.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/replaygate/replaygate/commands"
	"github.com/replaygate/replaygate/errs"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := commands.App(buildVersion()).RunContext(ctx, os.Args)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode prints err (with its hint) and returns the exit code it maps to:
// 0 pass, 1 gate failed, 3 usage/spec/input error, 4 the run could not complete.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return errs.CodePass
	}
	var coder cli.ExitCoder
	var e *errs.Error
	if !errors.As(err, &e) && errors.As(err, &coder) {
		// urfave/cli's own errors (unknown command) are usage errors.
		msg := err.Error()
		if name, ok := strings.CutPrefix(msg, "No help topic for '"); ok {
			msg = fmt.Sprintf("unknown command %q", strings.TrimSuffix(strings.SplitN(name, "'", 2)[0], "'"))
		}
		fmt.Fprintf(stderr, "replaygate: %s\nhint: run `replaygate --help` for the list of commands\n", msg)
		return errs.CodeInput
	}
	printErr(stderr, err)
	return errs.Code(err)
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// printErr writes one "replaygate: ..." line per error (joined errors are
// printed one by one), each followed by its hint.
func printErr(w io.Writer, err error) {
	for {
		var e *errs.Error
		if errors.As(err, &e) && e.Err != nil && e.Hint == "" {
			if _, ok := e.Err.(interface{ Unwrap() []error }); ok {
				err = e.Err
				continue
			}
		}
		break
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, one := range j.Unwrap() {
			printErr(w, one)
		}
		return
	}
	fmt.Fprintf(w, "replaygate: %s\n", err)
	if h := errs.HintOf(err); h != "" {
		fmt.Fprintf(w, "hint: %s\n", h)
	}
}
