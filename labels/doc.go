// Package labels joins late-arriving labels onto traffic batches by request
// id.
//
// Labels often arrive after the traffic they describe, in a separate file
// keyed by request id. Load reads such a file (any format the traffic
// package reads: Parquet, Arrow, CSV, JSON Lines) into an in-memory hash
// table from id to label; Join and Source then add the label column to
// every traffic batch.
//
// # Ids
//
// Ids may be strings or integers, in either file. They are compared as
// text, integers written in base 10, so a label file whose ids CSV inferred
// as int64 joins with traffic whose ids are strings "42". A null id in the
// label file is an input error; a null id in the traffic has no label.
// Duplicate ids in the label file are an input error naming the file, the
// number of duplicated ids and up to five of them.
//
// # Labels
//
// Labels are numbers or booleans (true = 1, false = 0) and are stored as
// float64. A null or NaN label is kept as "no label": the id is known, the
// joined value is null. A string label column is an input error.
//
// # Unlabelled rows
//
// Traffic rows whose id has no label (absent from the table, or present
// with a null label) get a null label; they are never dropped. Stats counts
// the rows seen, matched and unmatched so a caller can report them.
//
// # Memory
//
// Memory is bounded by the label table, not by the traffic: the traffic is
// streamed batch by batch. The table holds one map entry per label row:
// a 16-byte string header and an 8-byte float64 per slot plus the map's
// control bytes and spare capacity, plus a copy of the id's bytes. Measured
// with BenchmarkLoadMemory (Go 1.26, amd64), one million 12-byte ids cost
// about 72 bytes per row, so 10 million labels fit in well under 1 GiB.
package labels
