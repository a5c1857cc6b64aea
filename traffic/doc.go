// Package traffic opens logged traffic as one stream of Arrow record
// batches, and writes scored batches back out.
//
// # Inputs
//
// Open takes a single file, a directory (every supported file directly
// inside it, non-recursive) or a glob (filepath.Match syntax plus "**" for
// any number of directories). Files are read in path order and form one
// stream with one schema. Directory listings and globs skip hidden files
// (names starting with "." or "_", such as Spark's _SUCCESS) and files with
// an extension Open does not read. Naming no file at all is an input error.
//
// Formats, by extension:
//
//	.parquet .pq              Parquet, read one row group at a time
//	.arrow .feather .ipc      Arrow IPC file format; a stream is detected by
//	                          its first bytes (the file format starts "ARROW1")
//	.arrows                   Arrow IPC stream format
//	.csv                      CSV with a header row
//	.jsonl .ndjson .json      JSON Lines: one object per line
//	.csv.gz .jsonl.gz ...     gzip-compressed text; gzip is also detected by
//	                          its magic bytes whatever the name
//
// Options.Columns selects and orders the columns (Parquet reads only their
// column chunks; the text readers decode only those fields; Arrow IPC
// batches are projected after reading). A column that a file lacks is an
// input error naming the file and the closest existing column.
//
// Batches hold at most Options.BatchSize rows (8192 by default). Reading
// happens on one goroutine at most two batches ahead of the caller, so
// memory stays bounded by a few batches plus one Parquet page per column,
// whatever the input size. Files() reports each file's path, format, row
// count and the sha256 of its bytes (as stored, compressed or not) once
// Next has returned io.EOF.
//
// # Types
//
// Parquet and Arrow files carry their types, which are kept, including
// timestamp units and time zones, with two exceptions that make life simpler
// for consumers: dictionary-encoded columns are decoded to their value type
// (a dictionary of strings is read as plain strings) and large strings are
// read as strings.
//
// CSV and JSON Lines types are inferred from the first InferRows (1000) rows
// of each file:
//
//   - CSV: a column is int64 if every non-null value in the prefix parses as
//     a base-10 64-bit integer, else float64 if every value parses as a float
//     ("NaN", "Inf" and exponents included), else bool if every value is
//     true or false (any case), else a timestamp if every value is RFC 3339
//     (a space may replace the T), else string. Timestamps are microseconds;
//     with an offset or Z they are timestamp[us, tz=UTC], without one they
//     are naive timestamp[us] read as UTC; a mix is UTC.
//   - CSV nulls: the empty cell, and in non-string columns also blank
//     cells, NA, N/A, null, NULL, None and <NA>; numbers, booleans and
//     timestamps may have surrounding spaces. In string columns only the empty cell is
//     null, so that a country code "NA" stays a value. "NaN" is the float
//     NaN, not a null.
//   - JSON Lines: keys become columns in order of first appearance. Numbers
//     are int64 when every literal in the prefix is an integer (no '.', 'e'
//     or 'E', fits 64 bits), else float64; true/false are bool; strings are
//     timestamps under the CSV rules, else string; null and absent keys are
//     nulls. Nested objects and arrays, and columns mixing kinds, are string
//     columns holding the values' JSON text. A key first seen after the
//     prefix is an error unless Options.Columns leaves it out.
//   - A column with no value in the prefix takes its type from the other
//     files, and is a string column if no file has a value; when every file
//     that has it holds no data rows at all (a header-only CSV), it has the
//     Arrow null type, which every consumer accepts as all-missing.
//
// Because a prefix can mislead, a later value that does not parse as the
// column's type is an input error naming file:line (and the byte column in
// CSV) and the column, never a silent null.
//
// Across files, a column must have the same type in every file, with these
// exceptions:
//
//   - nullability never conflicts;
//   - int64 and float64 unify to float64 when at least one of the two types
//     was inferred from text;
//   - a timestamp inferred from text takes the declared timestamp type of a
//     Parquet or Arrow file;
//   - a JSON Lines file (and an empty text file) may lack a column: its rows
//     hold nulls there.
//
// Any other difference, and a column missing from a Parquet, Arrow or CSV
// file, is an input error naming both files and the column.
//
// # Damaged input
//
// A truncated or corrupt file is an input error naming the file, never a
// panic: panics inside the Parquet and Arrow decoders are recovered, Arrow
// IPC metadata (including the Arrow schema stored in Parquet files) is
// verified before arrow-go decodes it, decoded Arrow arrays are checked
// against their buffers, and no single buffer allocated while decoding a
// file may exceed 16 times the file's size (or 512 MiB for small files).
// Malformed text is an input error with file:line.
//
// # Outputs
//
// Create writes by extension: Parquet (.parquet, .pq; zstd, 128Ki-row row
// groups, the Arrow schema stored so every type round-trips), Arrow IPC
// (.arrow, .feather, .ipc file format; .arrows stream format), CSV (.csv,
// .csv.gz) and JSON Lines (.jsonl, .ndjson, .jsonl.gz). Parquet and Arrow
// round-trip values and types exactly. Text carries no types, so reading a
// CSV or JSON Lines file back infers them again: integers, floats (written
// with a decimal point or exponent, so 1.0 stays a float), booleans and
// strings come back as written; timestamps come back as timestamp[us] (UTC
// when they had a time zone, naive otherwise), losing sub-microsecond
// digits; dates come back as strings; other integer and float widths come
// back as int64 and float64; an all-null column comes back as strings. In
// CSV, a string column whose values all look like numbers comes back as
// numbers, and an empty string and a null are the same empty cell. In JSON
// Lines, NaN and infinities are written as null.
package traffic
