package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/replaygate/replaygate/errs"
)

var update = flag.Bool("update", false, "rewrite golden files")

// env is a fixed environment for tests.
func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

// head is a valid start of a spec: cases append from line 4 on.
const head = "version: 1\n" +
	"traffic: {path: t.parquet, id: rid, timestamp: ts}\n" +
	"candidate: {model: {type: xgboost, path: m.json}}\n"

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		env  map[string]string
		want string // the whole message
		path string // Error.Path
		hint string // part of the hint
	}{
		{
			name: "unknown top-level key",
			in:   head + "checkz: {}\n",
			want: "spec.yaml:4:1: checkz: unknown key",
			path: "checkz",
			hint: "did you mean checks?",
		},
		{
			name: "unknown top-level key far from any",
			in:   head + "bogus: 1\n",
			want: "spec.yaml:4:1: bogus: unknown key",
			path: "bogus",
			hint: "valid keys at the top level: candidate, checks, labels, production, reference, replay, reports, traffic, version",
		},
		{
			name: "unknown nested key with suggestion",
			in: head + "checks:\n  contract:\n    features:\n" +
				"      age: {min: 0, max_nul_rate: 0.1}\n",
			want: "spec.yaml:7:21: checks.contract.features.age.max_nul_rate: unknown key",
			path: "checks.contract.features.age.max_nul_rate",
			hint: "did you mean max_null_rate?",
		},
		{
			name: "min on a timestamp column",
			in:   head + "checks:\n  contract:\n    features:\n      ts: {type: timestamp, min: 0}\n",
			want: "spec.yaml:7:29: checks.contract.features.ts.min: min/max on a timestamp column",
			path: "checks.contract.features.ts.min",
			hint: "freshness",
		},
		{
			name: "a category listed twice",
			in:   head + "checks:\n  contract:\n    features:\n      c: {values: [a, \"\", a]}\n",
			want: "spec.yaml:7:27: checks.contract.features.c.values[2]: \"a\" is listed twice (also at index 0)",
			path: "checks.contract.features.c.values[2]",
			hint: "remove the second one",
		},
		{
			name: "unknown nested key in block style",
			in:   head + "replay:\n  mode: max\n  concurency: 4\n",
			want: "spec.yaml:6:3: replay.concurency: unknown key",
			path: "replay.concurency",
			hint: "did you mean concurrency?",
		},
		{
			name: "string where a number belongs",
			in: head + "checks:\n  contract:\n    features:\n" +
				"      age:\n        min: ten\n",
			want: `spec.yaml:8:14: checks.contract.features.age.min: expected a number, got "ten"`,
			path: "checks.contract.features.age.min",
			hint: "write a number",
		},
		{
			name: "quoted number",
			in:   head + "replay:\n  sample: \"0.5\"\n",
			want: `spec.yaml:5:11: replay.sample: expected a number, got string "0.5"`,
			path: "replay.sample",
			hint: "remove the quotes",
		},
		{
			name: "fraction where a whole number belongs",
			in:   head + "replay: {concurrency: 2.5}\n",
			want: `spec.yaml:4:23: replay.concurrency: expected a whole number, got "2.5"`,
			path: "replay.concurrency",
			hint: "whole number",
		},
		{
			name: "scalar where a list belongs",
			in:   "version: 1\ntraffic:\n  path: t.csv\n  id: rid\n  segments: country\n",
			want: `spec.yaml:5:13: traffic.segments: expected a list, got "country"`,
			path: "traffic.segments",
			hint: "[country]",
		},
		{
			name: "scalar where a mapping belongs",
			in:   "version: 1\ntraffic: {path: t.csv, id: rid}\ncandidate:\n  model: m.json\n",
			want: `spec.yaml:4:10: candidate.model: expected a mapping, got "m.json"`,
			path: "candidate.model",
			hint: "{type: xgboost, path: model.json}",
		},
		{
			name: "missing version",
			in:   "traffic: {path: t.csv, id: rid}\n",
			want: "spec.yaml:1:1: version: required key is missing",
			path: "version",
			hint: "add version: 1",
		},
		{
			name: "wrong version",
			in:   "# gate\nversion: 2\ntraffic: {path: t.csv, id: rid}\n",
			want: "spec.yaml:2:10: version: unsupported spec version 2; this version of replaygate reads spec version 1",
			path: "version",
			hint: "set version: 1",
		},
		{
			name: "missing traffic",
			in:   "version: 1\ncandidate: {model: {type: xgboost, path: m.json}}\n",
			want: "spec.yaml:1:1: traffic: required key is missing",
			path: "traffic",
			hint: "add a traffic section",
		},
		{
			name: "missing traffic.path",
			in:   "version: 1\n\ntraffic:\n  id: rid\n",
			want: "spec.yaml:3:1: traffic.path: required key is missing",
			path: "traffic.path",
			hint: "add path:",
		},
		{
			name: "missing traffic.id",
			in:   "version: 1\ntraffic:\n  path: t.csv\n",
			want: "spec.yaml:2:1: traffic.id: required key is missing",
			path: "traffic.id",
			hint: "request-id column",
		},
		{
			name: "missing candidate",
			in:   "version: 1\ntraffic: {path: t.csv, id: rid}\n",
			want: "spec.yaml:1:1: candidate: required key is missing",
			path: "candidate",
			hint: "add candidate:",
		},
		{
			name: "model without type",
			in:   "version: 1\ntraffic: {path: t.csv, id: rid}\ncandidate:\n  model:\n    path: m.json\n",
			want: "spec.yaml:4:3: candidate.model.type: required key is missing",
			path: "candidate.model.type",
			hint: "type: xgboost",
		},
		{
			name: "xgboost model without path",
			in:   "version: 1\ntraffic: {path: t.csv, id: rid}\ncandidate:\n  model: {type: xgboost}\n",
			want: "spec.yaml:4:3: candidate.model.path: required key is missing",
			path: "candidate.model.path",
			hint: "add path:",
		},
		{
			name: "column model without column",
			in:   "version: 1\ntraffic: {path: t.csv, id: rid}\nproduction:\n  model: {type: column}\ncandidate: {model: {type: xgboost, path: m.json}}\n",
			want: "spec.yaml:4:3: production.model.column: required key is missing",
			path: "production.model.column",
			hint: "add column:",
		},
		{
			name: "unknown model type",
			in:   "version: 1\ntraffic: {path: t.csv, id: rid}\ncandidate:\n  model:\n    type: xgbost\n    path: m.json\n",
			want: `spec.yaml:5:11: candidate.model.type: unknown model type "xgbost"`,
			path: "candidate.model.type",
			hint: "did you mean xgboost? valid model types: xgboost, column",
		},
		{
			name: "http model without a protocol",
			in: "version: 1\ntraffic: {path: t.csv, id: rid}\ncandidate:\n" +
				"  model: {type: http, url: http://127.0.0.1:8080/v2/models/ctr/infer, timeout: 50ms}\n",
			want: `spec.yaml:4:3: candidate.model.protocol: required key is missing`,
			path: "candidate.model.protocol",
			hint: "kserve-v2",
		},
		{
			name: "http model with an unknown protocol",
			in: "version: 1\ntraffic: {path: t.csv, id: rid}\ncandidate:\n" +
				"  model: {type: http, protocol: kserve, url: http://127.0.0.1:8080/v2/models/ctr/infer}\n",
			want: `spec.yaml:4:33: candidate.model.protocol: unknown protocol "kserve"`,
			path: "candidate.model.protocol",
			hint: "kserve-v2",
		},
		{
			name: "exec model without a command",
			in:   "version: 1\ntraffic: {path: t.csv, id: rid}\ncandidate:\n  model:\n    type: exec\n",
			want: `spec.yaml:4:3: candidate.model.command: required key is missing`,
			path: "candidate.model.command",
			hint: "python3",
		},
		{
			name: "http key on an xgboost model",
			in:   "version: 1\ntraffic: {path: t.csv, id: rid}\ncandidate:\n  model:\n    type: xgboost\n    path: m.json\n    timeout: 50ms\n",
			want: "spec.yaml:7:5: candidate.model.timeout: timeout is not used by xgboost models",
			path: "candidate.model.timeout",
			hint: "type, path",
		},
		{
			name: "bad duration",
			in:   head + "checks:\n  contract:\n    freshness: {max_age: 5 min}\n",
			want: `spec.yaml:6:26: checks.contract.freshness.max_age: expected a duration like 50ms, 1.5s, 24h or 7d, got "5 min"`,
			path: "checks.contract.freshness.max_age",
			hint: "ns, us, ms, s, m, h or d",
		},
		{
			name: "duration without unit",
			in:   head + "checks:\n  contract:\n    freshness:\n      max_age: 24\n",
			want: `spec.yaml:7:16: checks.contract.freshness.max_age: expected a duration like 50ms, 1.5s, 24h or 7d, got "24"`,
			path: "checks.contract.freshness.max_age",
			hint: "with a unit",
		},
		{
			name: "negative duration",
			in:   head + "checks:\n  contract:\n    freshness:\n      max_span: -1d\n",
			want: "spec.yaml:7:17: checks.contract.freshness.max_span: max_span must be positive, got -1d",
			path: "checks.contract.freshness.max_span",
			hint: "positive duration",
		},
		{
			name: "freshness without max_age or max_span",
			in:   head + "checks:\n  contract:\n    freshness:\n      column: ts\n",
			want: "spec.yaml:6:5: checks.contract.freshness.max_age: required key is missing",
			path: "checks.contract.freshness.max_age",
			hint: "max_span",
		},
		{
			name: "freshness without a column",
			in: "version: 1\ntraffic: {path: t.csv, id: rid}\ncandidate: {model: {type: xgboost, path: m.json}}\n" +
				"checks:\n  contract:\n    freshness: {max_age: 24h}\n",
			want: "spec.yaml:6:5: checks.contract.freshness.column: required key is missing",
			path: "checks.contract.freshness.column",
			hint: "traffic.timestamp",
		},
		{
			name: "bad freshness now",
			in:   head + "checks:\n  contract:\n    freshness: {max_age: 1h, now: yesterday}\n",
			want: `spec.yaml:6:35: checks.contract.freshness.now: now is not an RFC 3339 time: "yesterday"`,
			path: "checks.contract.freshness.now",
			hint: "RFC 3339",
		},
		{
			name: "min greater than max",
			in: head + "checks:\n  contract:\n    features:\n" +
				"      age:\n        min: 120\n        max: 0\n",
			want: "spec.yaml:9:14: checks.contract.features.age.max: max 0 is less than min 120",
			path: "checks.contract.features.age.max",
			hint: "swap min and max",
		},
		{
			name: "output min greater than max",
			in:   head + "checks:\n  contract:\n    output: {min: 1, max: 0.5}\n",
			want: "spec.yaml:6:27: checks.contract.output.max: max 0.5 is less than min 1",
			path: "checks.contract.output.max",
			hint: "swap",
		},
		{
			name: "rate above one",
			in: head + "checks:\n  contract:\n    features:\n" +
				"      age: {max_null_rate: 1.5}\n",
			want: "spec.yaml:7:28: checks.contract.features.age.max_null_rate: max_null_rate must be in [0, 1], got 1.5",
			path: "checks.contract.features.age.max_null_rate",
			hint: "between 0 and 1",
		},
		{
			name: "negative rate",
			in: head + "checks:\n  contract:\n    features:\n" +
				"      age: {min: 0, max_out_of_range_rate: -0.1}\n",
			want: "spec.yaml:7:44: checks.contract.features.age.max_out_of_range_rate: max_out_of_range_rate must be in [0, 1], got -0.1",
			path: "checks.contract.features.age.max_out_of_range_rate",
			hint: "between 0 and 1",
		},
		{
			name: "max_unseen_rate without values",
			in: head + "checks:\n  contract:\n    features:\n" +
				"      country: {max_unseen_rate: 0.01}\n",
			want: "spec.yaml:7:17: checks.contract.features.country.max_unseen_rate: max_unseen_rate needs values",
			path: "checks.contract.features.country.max_unseen_rate",
			hint: "add values",
		},
		{
			name: "empty values list",
			in: head + "checks:\n  contract:\n    features:\n" +
				"      country: {values: []}\n",
			want: "spec.yaml:7:25: checks.contract.features.country.values: empty list",
			path: "checks.contract.features.country.values",
			hint: "list the allowed values",
		},
		{
			name: "duplicate value",
			in: head + "checks:\n  contract:\n    features:\n" +
				"      country: {values: [US, DE, US]}\n",
			want: `spec.yaml:7:34: checks.contract.features.country.values[2]: "US" is listed twice (also at index 0)`,
			path: "checks.contract.features.country.values[2]",
			hint: "remove the second one",
		},
		{
			name: "unknown feature type",
			in: head + "checks:\n  contract:\n    features:\n" +
				"      age: {type: integer}\n",
			want: `spec.yaml:7:19: checks.contract.features.age.type: unknown feature type "integer"`,
			path: "checks.contract.features.age.type",
			hint: "valid values: int, float, string, bool, timestamp",
		},
		{
			name: "min on a string column",
			in: head + "checks:\n  contract:\n    features:\n" +
				"      country: {type: string, min: 1}\n",
			want: "spec.yaml:7:31: checks.contract.features.country.min: min/max on a string column",
			path: "checks.contract.features.country.min",
			hint: "values",
		},
		{
			name: "bad severity",
			in:   head + "checks:\n  contract:\n    output: {severity: error}\n",
			want: `spec.yaml:6:24: checks.contract.output.severity: unknown severity "error"`,
			path: "checks.contract.output.severity",
			hint: "valid values: fail, warn",
		},
		{
			name: "unknown replay mode",
			in:   head + "replay:\n  mode: fastest\n",
			want: `spec.yaml:5:9: replay.mode: unknown replay mode "fastest"`,
			path: "replay.mode",
			hint: "valid values: max, rate, recorded",
		},
		{
			name: "rate mode without rate",
			in:   head + "replay:\n  mode: rate\n",
			want: "spec.yaml:4:1: replay.rate: required key is missing",
			path: "replay.rate",
			hint: "rows per second",
		},
		{
			name: "recorded mode without timestamp",
			in:   "version: 1\ntraffic: {path: t.csv, id: rid}\ncandidate: {model: {type: xgboost, path: m.json}}\nreplay: {mode: recorded}\n",
			want: "spec.yaml:4:16: replay.mode: mode recorded replays the logged arrival times, but traffic.timestamp is not set",
			path: "replay.mode",
			hint: "traffic.timestamp",
		},
		{
			name: "sample out of range",
			in:   head + "replay: {sample: 0}\n",
			want: "spec.yaml:4:18: replay.sample: sample must be in (0, 1], got 0",
			path: "replay.sample",
			hint: "more than 0, at most 1",
		},
		{
			name: "negative batch size",
			in:   head + "replay: {batch_size: -1}\n",
			want: "spec.yaml:4:22: replay.batch_size: batch_size must be positive",
			path: "replay.batch_size",
			hint: "8192",
		},
		{
			name: "quoted boolean",
			in:   head + "replay: {mode: rate, rate: 10, realtime: \"true\"}\n",
			want: `spec.yaml:4:42: replay.realtime: expected true or false, got string "true"`,
			path: "replay.realtime",
			hint: "remove the quotes",
		},
		{
			name: "YAML 1.1 boolean",
			in:   head + "replay: {mode: rate, rate: 10, realtime: yes}\n",
			want: `spec.yaml:4:42: replay.realtime: expected true or false, got "yes"`,
			path: "replay.realtime",
			hint: "write true or false",
		},
		{
			name: "boolean from a list",
			in:   head + "replay: {realtime: [true]}\n",
			want: "spec.yaml:4:20: replay.realtime: expected true or false, got a list",
			path: "replay.realtime",
			hint: "",
		},
		{
			name: "unknown report format",
			in:   head + "reports:\n  formats: [terminal, pdf]\n",
			want: `spec.yaml:5:23: reports.formats[1]: unknown report format "pdf"`,
			path: "reports.formats[1]",
			hint: "valid values: terminal, json, junit, markdown, html",
		},
		{
			name: "report format not supported yet",
			in:   head + "reports:\n  formats:\n    - json\n    - junitxml\n",
			want: `spec.yaml:7:7: reports.formats[1]: unknown report format "junitxml"`,
			path: "reports.formats[1]",
			hint: "terminal, json",
		},
		{
			name: "skew features is all or a list",
			in:   head + "checks:\n  contract: {}\n  skew:\n    features: age\n",
			want: "spec.yaml:7:15: checks.skew.features: expected a list, got \"age\"",
			path: "checks.skew.features",
			hint: "[age]",
		},
		{
			name: "robustness check not supported yet",
			in:   head + "checks: {robustness: {sample: 1000}}\n",
			want: "spec.yaml:4:10: checks.robustness: not supported by this version of replaygate yet",
			path: "checks.robustness",
			hint: "must not pass unchecked",
		},
		{
			name: "top-level fallback not supported yet",
			in:   head + "fallback:\n  on: [error]\n",
			want: "spec.yaml:4:1: fallback: not supported by this version of replaygate yet",
			path: "fallback",
			hint: "remove fallback",
		},
		{
			name: "empty segment",
			in:   "version: 1\ntraffic:\n  path: t.csv\n  id: rid\n  segments: [country, \"\"]\n",
			want: "spec.yaml:5:23: traffic.segments[1]: empty name",
			path: "traffic.segments[1]",
			hint: "remove the empty entry",
		},
		{
			name: "duplicate segment",
			in:   "version: 1\ntraffic:\n  path: t.csv\n  id: rid\n  segments: [country, platform, country]\n",
			want: `spec.yaml:5:33: traffic.segments[2]: "country" is listed twice (also at index 0)`,
			path: "traffic.segments[2]",
			hint: "remove the second one",
		},
		{
			name: "empty key",
			in:   head + "replay:\n  \"\": 1\n",
			want: "spec.yaml:5:3: replay: empty key",
			path: "replay",
			hint: "write a name before the colon",
		},
		{
			name: "duplicate key",
			in:   head + "replay:\n  seed: 1\n  seed: 2\n",
			want: "spec.yaml:6:3: replay.seed: duplicate key (first defined at line 5:3)",
			path: "replay.seed",
			hint: "remove one",
		},
		{
			name: "labels without a column to default to",
			in:   head + "labels:\n  path: labels.csv\n",
			want: "spec.yaml:4:1: labels.column: required key is missing",
			path: "labels.column",
			hint: "traffic.label",
		},
		{
			name: "unset env var",
			in: "version: 1\ntraffic: {path: t.csv, id: rid}\ncandidate:\n  model:\n" +
				"    type: xgboost\n    path: m.json\nreports: {dir: \"out/${BUILD_ID}\"}\n",
			want: "spec.yaml:7:21: reports.dir: ${BUILD_ID} is not set",
			path: "reports.dir",
			hint: "export BUILD_ID",
		},
		{
			name: "unset env var after a set one and an escape",
			in:   head + "reports:\n  dir: ${A}/$${B}/${C}\n",
			env:  map[string]string{"A": "alpha-value"},
			want: "spec.yaml:5:19: reports.dir: ${C} is not set",
			path: "reports.dir",
			hint: "${C:-value}",
		},
		{
			name: "bad variable reference",
			in:   head + "reports:\n  dir: out/${1X}\n",
			want: `spec.yaml:5:12: reports.dir: "${1X}" is not a valid variable reference`,
			path: "reports.dir",
			hint: "$$ for a literal $",
		},
		{
			name: "unterminated variable reference",
			in:   head + "reports:\n  dir: out/${X\n",
			want: "spec.yaml:5:12: reports.dir: unterminated ${ (no closing })",
			path: "reports.dir",
			hint: "close the reference",
		},
		{
			name: "expanded value is not echoed",
			in:   head + "replay:\n  rate: ${SECRET}\n",
			env:  map[string]string{"SECRET": "hunter2"},
			want: `spec.yaml:5:9: replay.rate: expected a number, got "${SECRET}"`,
			path: "replay.rate",
			hint: "write a number",
		},
		{
			name: "expanded number out of range is not echoed",
			in:   head + "replay:\n  sample: ${SAMPLE}\n",
			env:  map[string]string{"SAMPLE": "7"},
			want: `spec.yaml:5:11: replay.sample: sample must be in (0, 1], got "${SAMPLE}"`,
			path: "replay.sample",
			hint: "at most 1",
		},
		{
			name: "unknown alias",
			in:   head + "replay: {mode: *fast}\n",
			want: "spec.yaml:4:16: replay.mode: unknown alias *fast",
			path: "replay.mode",
			hint: "&fast",
		},
		{
			name: "unsupported tag",
			in:   head + "replay: {mode: !fast max}\n",
			want: "spec.yaml:4:16: replay.mode: unsupported YAML tag !fast",
			path: "replay.mode",
			hint: "remove the tag",
		},
		{
			name: "yaml syntax error",
			in:   "version: 1\ntraffic: {path: t.csv, id: rid\ncandidate: {}\n",
			want: "spec.yaml:3:1: invalid YAML: ',' or '}' must be specified",
			hint: "indentation, quotes and brackets",
		},
		{
			name: "variable in a flow mapping without quotes",
			in:   "version: 1\ntraffic: {path: ${DATA}/t.csv, id: rid}\n",
			want: "spec.yaml:2:18: invalid YAML: ',' or '}' must be specified",
			hint: `{path: "${DATA}/t.csv"}`,
		},
		{
			name: "control character in a key",
			in:   head + "replay: {\"mo\\nde\": max}\n",
			want: `spec.yaml:4:10: replay.mo\nde: unknown key`,
			path: `replay.mo\nde`,
			hint: "did you mean mode?",
		},
		{
			name: "unterminated quote",
			in:   "version: 1\ntraffic:\n  path: \"t.csv\n",
			want: "spec.yaml:3:9: invalid YAML: could not find end character of double-quoted text",
			hint: "quotes",
		},
		{
			name: "tab indentation",
			in:   "version: 1\ntraffic:\n\tpath: t.csv\n",
			want: `spec.yaml:3:1: invalid YAML: found character '\t' that cannot start any token`,
			hint: "indent with spaces",
		},
		{
			name: "empty file",
			in:   "",
			want: "spec.yaml:1:1: spec is empty",
			hint: "start the spec with version: 1",
		},
		{
			name: "only comments",
			in:   "# a spec\n\n# nothing yet\n",
			want: "spec.yaml:1:1: spec is empty",
			hint: "start the spec with version: 1",
		},
		{
			name: "a list, not a mapping",
			in:   "- version: 1\n- traffic: {}\n",
			want: "spec.yaml:1:1: the spec must be a mapping of keys, got a list",
			hint: "a spec is a mapping of keys",
		},
		{
			name: "a scalar, not a mapping",
			in:   "just text\n",
			want: `spec.yaml:1:1: the spec must be a mapping of keys, got "just text"`,
			hint: "a spec is a mapping of keys",
		},
		{
			name: "nesting too deep",
			in:   head + "replay: " + strings.Repeat("[", 70) + strings.Repeat("]", 70) + "\n",
			want: "spec.yaml:4:73: nesting deeper than 64 levels",
			hint: "unbalanced [ or {",
		},
		{
			name: "too many keys in one mapping",
			in:   "version: 1\n" + strings.Repeat("k: v\n", MaxSiblings),
			want: "spec.yaml:10001:1: more than 10000 lines at one level",
			hint: "split the spec",
		},
		{
			name: "multi-document file",
			in:   head + "---\n" + head,
			want: "spec.yaml:4:1: found a second YAML document",
			hint: "one YAML document",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := parse([]byte(tt.in), "spec.yaml", env(tt.env))
			if err == nil {
				t.Fatalf("no error; got %+v", s)
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *spec.Error", err)
			}
			if se.Path != tt.path {
				t.Errorf("path = %q, want %q", se.Path, tt.path)
			}
			if hint := errs.HintOf(err); !strings.Contains(hint, tt.hint) {
				t.Errorf("hint %q does not contain %q", hint, tt.hint)
			}
			if code := errs.Code(err); code != errs.CodeInput {
				t.Errorf("exit code %d, want %d", code, errs.CodeInput)
			}
			for _, v := range tt.env {
				if strings.Contains(err.Error(), v) || strings.Contains(errs.HintOf(err), v) {
					t.Errorf("error echoes the value of an environment variable: %s", err)
				}
			}
		})
	}
}

func TestFullSpecGolden(t *testing.T) {
	data, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := parse(data, "testdata/full.yaml", env(nil))
	if err != nil {
		t.Fatalf("%v (hint: %s)", err, errs.HintOf(err))
	}
	got, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = bytes.ReplaceAll(got, []byte(s.Dir), []byte("$DIR"))
	got = append(got, '\n')
	golden := "testdata/full.golden.json"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./spec -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("spec differs from %s (run with -update after checking):\n%s", golden, got)
	}

	// Values checked by hand, independently of the golden file.
	wantDir, _ := filepath.Abs("testdata")
	if s.Dir != wantDir || s.Path != "testdata/full.yaml" {
		t.Errorf("Dir, Path = %q, %q", s.Dir, s.Path)
	}
	if want := filepath.Join(wantDir, "logs/*.parquet"); s.Traffic.Path != want {
		t.Errorf("traffic.path = %q, want %q", s.Traffic.Path, want)
	}
	if s.Reference.Path != "/data/training.parquet" {
		t.Errorf("reference.path = %q", s.Reference.Path)
	}
	if s.Labels.ID != "request_id" || s.Labels.Column != "clicked" {
		t.Errorf("labels defaults: %+v", s.Labels)
	}
	if s.Replay.Mode != "max" || *s.Replay.Sample != 0.25 || s.Replay.Seed != -7 {
		t.Errorf("replay: %+v", s.Replay)
	}
	f := s.Checks.Contract.Freshness
	if f.Column != "ts" || f.MaxAge.Duration != 60*time.Hour || f.MaxSpan.Duration != 7*24*time.Hour || f.Severity != "fail" {
		t.Errorf("freshness: %+v", f)
	}
	age := s.Checks.Contract.Features["age"]
	if age.Severity != "warn" || *age.Min != 0 || *age.Max != 120 || *age.MaxOutOfRange != 0 || age.MaxNullRate != nil {
		t.Errorf("age: %+v", age)
	}
	if c := s.Checks.Contract.Features["country"]; *c.MaxUnseenRate != 0.001 {
		t.Errorf("country: %+v", c)
	}
	if p := s.Checks.Contract.Features["platform"]; !reflect.DeepEqual(p.Values, []string{"ios", "android", "web"}) || *p.MaxUnseenRate != 0 {
		t.Errorf("platform: %+v", p)
	}
	if s.Reports.Dir != "reports/${BUILD}" {
		t.Errorf("reports.dir = %q", s.Reports.Dir)
	}
}

func TestDefaults(t *testing.T) {
	s, err := Load("testdata/minimal.yaml")
	if err != nil {
		t.Fatalf("%v (hint: %s)", err, errs.HintOf(err))
	}
	r := s.Replay
	if r.Mode != "max" || *r.Sample != 1 || r.Seed != 0 || r.Concurrency != 0 || r.BatchSize != 8192 || r.Speedup != 0 {
		t.Errorf("replay defaults: %+v (sample %v)", r, *r.Sample)
	}
	if s.Reports.Dir != "out" || !reflect.DeepEqual(s.Reports.Formats, []string{"terminal", "json"}) {
		t.Errorf("reports defaults: %+v", s.Reports)
	}
	if s.Checks.Contract != nil || s.Labels != nil || s.Production != nil || s.Fallback != nil {
		t.Errorf("optional sections should stay nil: %+v", s)
	}
	if s.Candidate.Model.Column != "score" || s.Candidate.Model.Path != "" {
		t.Errorf("column model: %+v", s.Candidate.Model)
	}

	// The open-loop modes read shorter batches unless told otherwise.
	for _, tc := range []struct {
		replay string
		want   int
	}{
		{"replay: {mode: rate, rate: 100}\n", OpenLoopBatchSize},
		{"replay: {mode: recorded}\n", OpenLoopBatchSize},
		{"replay: {mode: rate, rate: 100, batch_size: 4096}\n", 4096},
		{"replay: {mode: max}\n", DefaultBatchSize},
	} {
		s, err := parse([]byte(head+tc.replay), "spec.yaml", env(nil))
		if err != nil {
			t.Fatalf("%q: %v (hint: %s)", tc.replay, err, errs.HintOf(err))
		}
		if s.Replay.BatchSize != tc.want {
			t.Errorf("%q: batch_size %d, want %d", tc.replay, s.Replay.BatchSize, tc.want)
		}
	}

	// An empty section present in the file is configured, with defaults.
	s, err = parse([]byte(head+"checks:\n  contract:\n    output:\n    features:\n      age:\n"), "spec.yaml", env(nil))
	if err != nil {
		t.Fatalf("%v (hint: %s)", err, errs.HintOf(err))
	}
	c := s.Checks.Contract
	if c.Output == nil || c.Output.Severity != "fail" || c.Output.Min != nil {
		t.Errorf("output: %+v", c.Output)
	}
	if age, ok := c.Features["age"]; !ok || age.Severity != "fail" || age.MaxUnseenRate != nil || age.MaxOutOfRange != nil {
		t.Errorf("age: %+v (present %v)", age, ok)
	}
}

// TestDesignExample loads the spec of DESIGN.md §1 (without the sections this
// version rejects) to prove that the documented format parses.
func TestDesignExample(t *testing.T) {
	s, err := Load("testdata/design.yaml")
	if err != nil {
		t.Fatalf("%v (hint: %s)", err, errs.HintOf(err))
	}
	if s.Traffic.ID != "request_id" || s.Traffic.Baseline.LatencyMS != "prod_latency_ms" {
		t.Errorf("traffic: %+v", s.Traffic)
	}
	if !reflect.DeepEqual(s.Candidate.Features, []string{"age", "income", "..."}) {
		t.Errorf("candidate.features = %q", s.Candidate.Features)
	}
	if s.Replay.Rate != 500 || s.Replay.Speedup != 10 || s.Replay.Concurrency != 8 || s.Replay.Seed != 42 {
		t.Errorf("replay: %+v", s.Replay)
	}
	c := s.Checks.Contract
	if age := c.Features["age"]; age.Type != "int" || *age.Max != 120 || *age.MaxNullRate != 0.01 {
		t.Errorf("age: %+v", age)
	}
	if c.Freshness.MaxAge.Duration != 24*time.Hour || *c.Output.Max != 1 {
		t.Errorf("contract: %+v %+v", c.Freshness, c.Output)
	}
	if s.Reports.Dir != "out/" {
		t.Errorf("reports.dir = %q", s.Reports.Dir)
	}
}

func TestEnvExpansion(t *testing.T) {
	tests := []struct {
		name, value string
		env         map[string]string
		want        string
	}{
		{"set", "${D}/x", map[string]string{"D": "data"}, "data/x"},
		{"default when unset", "${D:-logs}/x", nil, "logs/x"},
		{"default when empty", "${D:-logs}/x", map[string]string{"D": ""}, "logs/x"},
		{"set beats default", "${D:-logs}/x", map[string]string{"D": "prod"}, "prod/x"},
		{"empty default", "x${D:-}y", nil, "xy"},
		{"set but empty", "x${D}y", map[string]string{"D": ""}, "xy"},
		{"escape", "$${D}/$$", nil, "${D}/$"},
		{"lone dollar", "a$b$", nil, "a$b$"},
		{"two in a row", "${A}${B}", map[string]string{"A": "1", "B": "2"}, "12"},
		{"not recursive", "${A}", map[string]string{"A": "${B}"}, "${B}"},
		{"quoted", `"${A} b"`, map[string]string{"A": "a"}, "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := "version: 1\ntraffic: {path: t.csv, id: rid}\ncandidate: {model: {type: column, column: s}}\nreports:\n  dir: " + tt.value + "\n"
			s, err := parse([]byte(in), "spec.yaml", env(tt.env))
			if err != nil {
				t.Fatalf("%v (hint: %s)", err, errs.HintOf(err))
			}
			if s.Reports.Dir != tt.want {
				t.Errorf("got %q, want %q", s.Reports.Dir, tt.want)
			}
		})
	}

	// Numbers and durations may come from the environment, quoted or not;
	// keys are never expanded.
	in := head + "replay:\n  rate: ${RATE}\n  sample: \"${SAMPLE:-0.5}\"\n  mode: max\n" +
		"checks:\n  contract:\n    freshness: {max_age: \"${AGE:-36h}\"}\n"
	s, err := parse([]byte(in), "spec.yaml", env(map[string]string{"RATE": "250"}))
	if err != nil {
		t.Fatalf("%v (hint: %s)", err, errs.HintOf(err))
	}
	if s.Replay.Rate != 250 || *s.Replay.Sample != 0.5 || s.Checks.Contract.Freshness.MaxAge.Duration != 36*time.Hour {
		t.Errorf("replay %+v, freshness %+v", s.Replay, s.Checks.Contract.Freshness)
	}
	_, err = parse([]byte(head+"replay:\n  ${KEY}: 1\n"), "spec.yaml", env(map[string]string{"KEY": "seed"}))
	if err == nil || !strings.Contains(err.Error(), "replay.${KEY}: unknown key") {
		t.Errorf("a key was expanded: %v", err)
	}
}

func TestAnchorsAndMerge(t *testing.T) {
	in := "version: 1\n" +
		"x-models:\n" +
		"  base: &base {type: xgboost, path: m.json}\n" +
		"traffic: {path: t.csv, id: rid}\n" +
		"candidate:\n" +
		"  model:\n" +
		"    <<: *base\n" +
		"    path: candidate.json\n" +
		"production:\n" +
		"  model: *base\n"
	s, err := parse([]byte(in), "/specs/gate.yaml", env(nil))
	if err != nil {
		t.Fatalf("%v (hint: %s)", err, errs.HintOf(err))
	}
	if s.Candidate.Model.Type != "xgboost" || s.Candidate.Model.Path != "/specs/candidate.json" {
		t.Errorf("candidate: %+v", s.Candidate.Model)
	}
	if s.Production.Model.Path != "/specs/m.json" {
		t.Errorf("production: %+v", s.Production.Model)
	}
	// An error inside merged keys names the key path where it is used.
	bad := strings.Replace(in, "path: m.json", "path: m.json, url: x", 1)
	_, err = parse([]byte(bad), "gate.yaml", env(nil))
	if err == nil || err.Error() != "gate.yaml:3:45: candidate.model.url: url is not used by xgboost models" {
		t.Errorf("got %v", err)
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"50ms", 50 * time.Millisecond, false},
		{"1.5s", 1500 * time.Millisecond, false},
		{"24h", 24 * time.Hour, false},
		{"1h30m", 90 * time.Minute, false},
		{"7d", 7 * 24 * time.Hour, false},
		{"2d12h", 60 * time.Hour, false},
		{"1.5d", 36 * time.Hour, false},
		{"1d1d", 48 * time.Hour, false},
		{"10us", 10 * time.Microsecond, false},
		{"10µs", 10 * time.Microsecond, false},
		{"-1d", -24 * time.Hour, false},
		{"+2s", 2 * time.Second, false},
		{"0", 0, false},
		{"", 0, true},
		{"5", 0, true},
		{"5 min", 0, true},
		{"1x", 0, true},
		{"d", 0, true},
		{".d", 0, true},
		{"1.2.3s", 0, true},
		{"-", 0, true},
		{"1d-2h", 0, true},
		{"200000d", 0, true},
		{"100000d100000d", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestDurationText(t *testing.T) {
	for in, want := range map[time.Duration]string{
		24 * time.Hour:          "24h",
		90 * time.Minute:        "1h30m",
		time.Minute:             "1m",
		50 * time.Millisecond:   "50ms",
		0:                       "0s",
		time.Hour + time.Second: "1h0m1s",
	} {
		if got := (Duration{in}).String(); got != want {
			t.Errorf("Duration(%v).String() = %q, want %q", in, got, want)
		}
	}
	var d Duration
	if err := json.Unmarshal([]byte(`"2d"`), &d); err != nil || d.Duration != 48*time.Hour {
		t.Errorf("json: %v %v", d, err)
	}
	var v struct {
		T Duration `yaml:"t"`
	}
	if err := yaml.Unmarshal([]byte("t: 1.5d\n"), &v); err != nil || v.T.Duration != 36*time.Hour {
		t.Errorf("yaml: %v %v", v.T, err)
	}
	if err := yaml.Unmarshal([]byte("t: soon\n"), &v); err == nil {
		t.Error("yaml: no error for a bad duration")
	}
}

func TestResolve(t *testing.T) {
	s := &Spec{Dir: "/srv/gates"}
	for in, want := range map[string]string{
		"traffic/*.parquet":     "/srv/gates/traffic/*.parquet",
		"../data/t.csv":         "/srv/data/t.csv",
		"/abs/t.parquet":        "/abs/t.parquet",
		"s3://bucket/t.parquet": "s3://bucket/t.parquet",
		"":                      "",
	} {
		if got := s.Resolve(in); got != want {
			t.Errorf("Resolve(%q) = %q, want %q", in, got, want)
		}
		if got := s.Resolve(s.Resolve(in)); got != want {
			t.Errorf("Resolve is not idempotent on %q: %q", in, got)
		}
	}
}

func TestColumnsAndPos(t *testing.T) {
	in := "version: 1\n" +
		"traffic:\n" +
		"  path: t.csv\n" +
		"  id: rid\n" +
		"  timestamp: ts\n" +
		"  segments: [country, platform]\n" +
		"  baseline: {score: prod_score}\n" +
		"candidate:\n" +
		"  model: {type: column, column: shadow}\n" +
		"  features: [zeta, age]\n" +
		"checks:\n" +
		"  contract:\n" +
		"    features:\n" +
		"      zeta: {min: 0}\n" +
		"      country: {values: [US]}\n" +
		"      age: {max: 120}\n" +
		"    freshness: {max_age: 1h}\n"
	s, err := parse([]byte(in), "gate.yaml", env(nil))
	if err != nil {
		t.Fatalf("%v (hint: %s)", err, errs.HintOf(err))
	}
	want := []string{"rid", "ts", "country", "platform", "prod_score", "zeta", "age", "shadow"}
	if got := s.Columns(); !reflect.DeepEqual(got, want) {
		t.Errorf("Columns() = %q, want %q", got, want)
	}
	if got := s.FeatureNames(); !reflect.DeepEqual(got, []string{"zeta", "country", "age"}) {
		t.Errorf("FeatureNames() = %q", got)
	}
	for path, want := range map[string]string{
		"checks.contract.features.age":     "gate.yaml:16:7",
		"checks.contract.features.age.max": "gate.yaml:16:13",
		"traffic.segments[1]":              "gate.yaml:6:23",
		"traffic":                          "gate.yaml:2:1",
		"checks.contract.freshness.column": "gate.yaml:17:5", // defaulted: points at freshness
		"reports.formats":                  "gate.yaml",      // not in the file
	} {
		if got := s.Pos(path); got != want {
			t.Errorf("Pos(%q) = %q, want %q", path, got, want)
		}
	}
	if got := (&Spec{Path: "x.yaml"}).Pos("traffic"); got != "x.yaml" {
		t.Errorf("Pos on a spec built in code = %q", got)
	}
}

func TestLoad(t *testing.T) {
	_, err := Load("testdata/does-not-exist.yaml")
	if err == nil || errs.Code(err) != errs.CodeInput ||
		err.Error() != "testdata/does-not-exist.yaml: cannot read spec: no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(p, bytes.Repeat([]byte("#\n"), MaxSize), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized file: %v", err)
	}
	// Load reads the environment.
	t.Setenv("REPLAYGATE_TEST_DIR", "from-env")
	p = filepath.Join(dir, "env.yaml")
	spec := "version: 1\ntraffic: {path: \"${REPLAYGATE_TEST_DIR}/t.csv\", id: rid}\ncandidate: {model: {type: column, column: s}}\n"
	if err := os.WriteFile(p, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "from-env", "t.csv"); s.Traffic.Path != want {
		t.Errorf("traffic.path = %q, want %q", s.Traffic.Path, want)
	}
}

func TestSuggest(t *testing.T) {
	valid := []string{"type", "min", "max", "max_null_rate", "values", "max_unseen_rate", "max_out_of_range_rate", "severity"}
	for in, want := range map[string]string{
		"max_nul_rate":  "max_null_rate",
		"max-null-rate": "max_null_rate",
		"MaxNullRate":   "max_null_rate",
		"sevrity":       "severity",
		"vlaues":        "values",
		"mx":            "max",
		"color":         "",
	} {
		if got := suggest(in, valid); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestParseVariants parses the same spec written in equivalent ways.
func TestParseVariants(t *testing.T) {
	base := "version: 1\ntraffic:\n  path: t.csv\n  id: rid\ncandidate:\n  model: {type: column, column: s}\n"
	for name, in := range map[string]string{
		"plain":               base,
		"crlf":                strings.ReplaceAll(base, "\n", "\r\n"),
		"bom":                 "\xef\xbb\xbf" + base,
		"document markers":    "# gate\n---\n" + base + "...\n",
		"yaml directive":      "%YAML 1.2\n---\n" + base,
		"trailing empty doc":  base + "---\n# nothing\n",
		"explicit nulls":      base + "replay:\nchecks: {}\nreports: ~\n",
		"quoted keys":         strings.Replace(base, "path:", "\"path\":", 1),
		"block list":          base + "reports:\n  formats:\n    - json\n    - terminal\n",
		"comments everywhere": "version: 1 # v\ntraffic: # t\n  path: t.csv # p\n  id: rid\ncandidate: # c\n  model: {type: column, column: s} # m\n",
	} {
		t.Run(name, func(t *testing.T) {
			s, err := parse([]byte(in), "spec.yaml", env(nil))
			if err != nil {
				t.Fatalf("%v (hint: %s)", err, errs.HintOf(err))
			}
			if filepath.Base(s.Traffic.Path) != "t.csv" || s.Traffic.ID != "rid" || s.Candidate.Model.Column != "s" || s.Labels != nil {
				t.Errorf("got %+v", s)
			}
		})
	}
}

// TestAgreesWithGoccyDecoder decodes valid specs with goccy/go-yaml's own
// strict decoder and checks that the spec decoder reads the same values
// (before defaults and path resolution).
func TestAgreesWithGoccyDecoder(t *testing.T) {
	for _, p := range []string{"testdata/design.yaml", "testdata/minimal.yaml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var want Spec
		if err := yaml.UnmarshalWithOptions(data, &want, yaml.Strict()); err != nil {
			t.Fatalf("%s: goccy: %v", p, err)
		}
		d := &decoder{file: p, src: string(data), lookup: env(nil),
			pos: &positions{keys: map[string]loc{}, vals: map[string]loc{}, shown: map[string]scalar{}}}
		root, err := d.parseYAML(data)
		if err != nil {
			t.Fatal(err)
		}
		var got Spec
		if err := d.decodeRoot(root, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", p, got, want)
		}
	}
}

func TestLatencySection(t *testing.T) {
	in := head + "checks:\n  latency: {p50: 5ms, p99: 25ms, max_error_rate: 0.001, severity: warn}\n"
	s, err := Parse([]byte(in), "spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	l := s.Checks.Latency
	if l == nil || l.P50.Duration != 5*time.Millisecond || l.P99.Duration != 25*time.Millisecond || *l.MaxErrorRate != 0.001 || l.Severity != "warn" {
		t.Fatalf("latency = %+v", l)
	}
	_, err = Parse([]byte(head+"checks:\n  latency: {max_p99_ratio_to_baseline: 1.2}\n"), "spec.yaml")
	if err == nil || !strings.Contains(err.Error(), "spec.yaml:5:13: checks.latency.max_p99_ratio_to_baseline") || !strings.Contains(errs.HintOf(err), "traffic.baseline.latency_ms") {
		t.Fatalf("ratio without a baseline column: %v", err)
	}
	_, err = Parse([]byte(head+"checks:\n  latency: {p99: 0s}\n"), "spec.yaml")
	if err == nil || !strings.Contains(err.Error(), "checks.latency.p99") {
		t.Fatalf("zero p99: %v", err)
	}
}

func TestSkewFeaturesAll(t *testing.T) {
	for _, tc := range []struct {
		features string
		want     FeatureSelection
	}{
		{"all", nil},
		{"'all'", nil},
		{"[age, country]", FeatureSelection{"age", "country"}},
		{"[all]", FeatureSelection{"all"}}, // a column called all
	} {
		in := head + "reference: {path: train.parquet}\nchecks:\n  skew:\n    features: " + tc.features + "\n"
		s, err := Parse([]byte(in), "spec.yaml")
		if err != nil {
			t.Fatalf("features: %s: %v", tc.features, err)
		}
		if got := s.Checks.Skew.Features; !reflect.DeepEqual(got, tc.want) {
			t.Errorf("features: %s = %#v, want %#v", tc.features, got, tc.want)
		}
	}
}

func TestRealtime(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  bool
	}{
		{"true", true}, {"True", true}, {"TRUE", true},
		{"false", false}, {"False", false}, {"null", false}, {"${ON}", true}, {"${OFF}", false},
	} {
		in := head + "replay:\n  mode: rate\n  rate: 10\n  realtime: " + tc.value + "\n"
		s, err := parse([]byte(in), "spec.yaml", env(map[string]string{"ON": "true", "OFF": "false"}))
		if err != nil {
			t.Fatalf("realtime: %s: %v", tc.value, err)
		}
		if s.Replay.Realtime != tc.want {
			t.Errorf("realtime: %s = %v, want %v", tc.value, s.Replay.Realtime, tc.want)
		}
	}
	if s, err := Parse([]byte(head), "spec.yaml"); err != nil || s.Replay.Realtime {
		t.Fatalf("realtime is on by default (%v)", err)
	}
}
