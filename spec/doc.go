// Package spec loads, defaults and validates replaygate's YAML spec file
// (the format is described in DESIGN.md §1 and the README).
//
// Decoding is strict: an unknown key, a duplicate key, a value of the wrong
// type, a missing required key or a value outside its allowed set is an
// error that names the file, line and column, the key path, and carries a
// hint with the likely fix, for example
//
//	gate.yaml:12:7: checks.contract.features.age.max_nul_rate: unknown key
//	hint: did you mean max_null_rate?
//
// ${VAR} and ${VAR:-default} in values are read from the environment (not
// in keys); $$ is a literal $. Expanded values are never echoed in messages,
// since they may hold secrets.
//
// Anchors, aliases and merge keys (<<) work; top-level keys that start with
// "x-" are ignored, so that they can hold anchors shared by the spec.
// Inside {...} and [...], quote values that use ${VAR}: "${DATA}/t.csv".
//
// Sections of the design that this version does not run yet (the fallback
// and robustness checks, top-level fallback) are rejected with a
// "not supported by this version yet" error instead of being ignored, so a
// configured gate never passes unchecked.
//
// Load reads nothing but the spec: input files are checked by the validate
// command, which can point back at the spec with Spec.Pos.
package spec
