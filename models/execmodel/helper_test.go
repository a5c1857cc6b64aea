package execmodel

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the model process: with EXECMODEL_HELPER set
// it runs runHelper instead of the tests.
func TestMain(m *testing.M) {
	if mode := os.Getenv("EXECMODEL_HELPER"); mode != "" {
		os.Exit(runHelper(mode))
	}
	os.Exit(m.Run())
}

type helperReq struct {
	ID       string              `json:"id"`
	Features map[string]*float64 `json:"features"`
}

// helperScore is the echo model: the sum of the non-null features in
// name order; a negative "a" is a model error, an "a" of 999 a null score.
func helperScore(r helperReq) map[string]any {
	if a := r.Features["a"]; a != nil && *a < 0 {
		return map[string]any{"id": r.ID, "error": "negative a"}
	}
	if a := r.Features["a"]; a != nil && *a == 999 {
		return map[string]any{"id": r.ID, "score": nil}
	}
	names := make([]string, 0, len(r.Features))
	for k := range r.Features {
		names = append(names, k)
	}
	slices.Sort(names)
	sum := 0.0
	for _, k := range names {
		if v := r.Features[k]; v != nil {
			sum += *v
		}
	}
	return map[string]any{"id": r.ID, "score": sum}
}

// runHelper is the model process. Modes:
//
//	echo     answer every request with helperScore
//	reverse  answer each EXECMODEL_BATCH requests in reverse order
//	crash    answer EXECMODEL_AFTER requests, then write to stderr and exit 3
//	hang     answer EXECMODEL_AFTER requests, then stop answering
//	         (EXECMODEL_IGNORE_TERM=1: and ignore SIGTERM)
//	garbage  write a non-JSON line before answering request EXECMODEL_AFTER+1
//	dup      per EXECMODEL_BATCH requests: answer the first twice, skip the second
//	unknown  per EXECMODEL_BATCH requests: answer the second with id "bogus"
//	env      answer with an error holding $EXECMODEL_TOKEN and the directory
//
// With EXECMODEL_LINGER=1 it keeps running after its stdin is closed.
func runHelper(mode string) int {
	after, _ := strconv.Atoi(os.Getenv("EXECMODEL_AFTER"))
	batch, _ := strconv.Atoi(os.Getenv("EXECMODEL_BATCH"))
	if os.Getenv("EXECMODEL_IGNORE_TERM") == "1" {
		signal.Ignore(syscall.SIGTERM)
	}
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	fmt.Fprintln(os.Stderr, "model loaded")
	var pending []helperReq
	n := 0
	for in.Scan() {
		var r helperReq
		if err := json.Unmarshal(in.Bytes(), &r); err != nil {
			fmt.Fprintln(os.Stderr, "bad request:", err)
			return 2
		}
		n++
		switch mode {
		case "crash":
			if n > after {
				fmt.Fprintf(os.Stderr, "Traceback (most recent call last):\nRuntimeError: boom on request %d\n", n)
				return 3
			}
		case "hang":
			if n > after {
				time.Sleep(time.Hour)
			}
		case "garbage":
			if n == after+1 {
				fmt.Fprintln(out, "debug: this is not json")
			}
		case "env":
			wd, _ := os.Getwd()
			enc.Encode(map[string]any{"id": r.ID, "error": os.Getenv("EXECMODEL_TOKEN") + " " + wd})
			out.Flush()
			continue
		}
		pending = append(pending, r)
		if mode == "reverse" || mode == "dup" || mode == "unknown" {
			if len(pending) < batch {
				continue
			}
		}
		for i := range pending {
			j := i
			if mode == "reverse" {
				j = len(pending) - 1 - i
			}
			resp := helperScore(pending[j])
			switch {
			case mode == "dup" && i == 1:
				resp = helperScore(pending[0])
			case mode == "unknown" && i == 1:
				resp["id"] = "bogus"
			}
			enc.Encode(resp)
		}
		pending = pending[:0]
		out.Flush()
	}
	if os.Getenv("EXECMODEL_LINGER") == "1" {
		time.Sleep(time.Hour)
	}
	return 0
}
