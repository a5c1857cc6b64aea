// Package contract implements the data-contract check and the profile
// inference behind `replaygate init`.
//
// # The check
//
// Check accumulates over scored record batches (traffic columns plus
// candidate_score and candidate_error) and turns spec.Contract into one
// checks.Outcome per rule:
//
//	<feature>.type         the column exists and has the declared type
//	<feature>.min          non-null values >= min
//	<feature>.max          non-null values <= max
//	<feature>.null_rate    nulls / rows <= max_null_rate
//	<feature>.unseen_rate  non-null values outside `values` / non-null rows <= max_unseen_rate
//	output.finite          scored rows whose score is NaN, ±Inf or null: none allowed
//	output.range           scored, finite rows outside [min, max]: none allowed
//	freshness.max_age      now − newest timestamp <= max_age
//	freshness.max_span     newest − oldest timestamp <= max_span
//
// Semantics, in the order a reader of a report needs them:
//
//   - A broken rule is fail, or warn when its severity is "warn". An empty
//     severity means fail.
//   - A rule evaluated over zero rows is skip with a message starting "no
//     rows", never pass.
//   - NaN in a float column counts as null: it adds to the null rate and is
//     not seen by min, max or values.
//   - min and max break when the share of non-null rows outside the bound is
//     above max_out_of_range_rate (default 0, so one row breaks them). The
//     outcome's Value is the observed minimum (or maximum); ±Inf is reported
//     in the message and leaves Value unset, so a Value is always finite.
//   - values compare as strings: integers in base 10 ("7", not "07"), bools
//     as "true"/"false", floats in their shortest decimal form, without an
//     exponent from 1e-4 to 1e15 (1.0 is "1", 1e6 is "1000000"; a float32
//     column is formatted at 32 bits, so 0.1 is "0.1"), strings exactly.
//   - Types: int is any Arrow integer type; float is float16/32/64, and an
//     integer column is accepted too; string is utf8, large_utf8, utf8_view
//     or a dictionary of strings; bool is bool; timestamp is an Arrow
//     timestamp (any unit and zone), date32 or date64, or a string column
//     whose every non-null value is an RFC 3339 timestamp (CSV and JSON
//     traffic carry timestamps as text). An all-null column (Arrow type null)
//     satisfies every type.
//   - A column that is missing from a batch, or whose type does not fit, makes
//     <feature>.type break and the feature's value rules skip with the reason.
//     A feature without a declared type still gets a .type outcome when its
//     column is missing or cannot carry its rules (min/max need a number).
//   - Rows with a candidate_error are not the output contract's business (the
//     replay reports them); the output messages count them. A scored row with
//     a null score counts as not finite. A score column that is not numeric
//     makes the output rules error: the replay wrote something unexpected.
//   - Freshness reads an Arrow timestamp (a timestamp without a zone is read
//     as UTC), date32/date64, or RFC 3339 strings; strings that do not parse
//     are ignored and reported as a warning. "now" is freshness.now when set,
//     else Options.Now (the run's start). A freshness column that is missing
//     or of an unusable type breaks the freshness rules.
//
// Examples are up to 5 row ids per broken rule, first in stream order: the
// value of Options.IDColumn, or "row N" with N the 0-based position of the
// row in the observed stream when there is no id column (or the id is null).
// Merge treats the other check's rows as following this check's rows, so
// merging the checks of consecutive parts of a stream gives exactly the
// outcomes of one pass over the whole stream.
//
// The state is bounded: counters, extremes, at most 5 examples and 5 unseen
// values per rule. Observe has typed loops per Arrow type and does not
// allocate per row.
//
// # Inference
//
// ProfileOf summarises a batch stream in bounded memory (types, nulls,
// ranges, up to DistinctCap distinct values per column); Infer turns a
// profile into a starter spec.Contract and GuessRoles guesses which columns
// are the request id, timestamp, label, segments and logged baseline score
// and latency. The rules Infer follows are documented on Infer.
package contract
