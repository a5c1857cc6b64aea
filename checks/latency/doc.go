// Package latency implements the latency check: percentiles, error and
// timeout rates and throughput of a replay, gated against limits and
// compared with the latency production logged for the same requests.
//
// # Outcomes
//
// Check accumulates over scored record batches and reports, for the
// candidate (prefix "latency"; "<role>_latency" for another Options.Role):
//
//	latency.p50 .p90 .p95 .p99 .p999   percentiles, Value in ms; gate: observed <= limit
//	latency.max                        the exact maximum, Value in ms; gate: observed <= limit
//	latency.error_rate                 errored rows / rows; gate: <= max_error_rate
//	latency.timeout_rate               rows of error class "timeout" / rows; gate: <= max_timeout_rate
//	latency.throughput                 rows / run duration, rows per second (informational)
//	latency.p99_ratio_to_baseline      candidate p99 / logged production p99; gate optional
//	baseline_latency.p50 .p99 .max     the logged production latency (informational)
//	service_time.p50 .p99 .max         <role>_service_ms, when present (informational)
//
// The ratio and baseline outcomes appear when Config.BaselineColumn is set;
// the service-time outcomes when the column appeared in any batch. An
// outcome without a gate is an informational pass. A broken gate is fail,
// or warn when Config.Severity is "warn". Over zero rows every outcome is
// skip with the message "no rows", never pass. Throughput is skipped until
// the pipeline calls SetDuration (a `check --scored` run does not know how
// long the replay took). A latency column that is not numeric makes the
// distribution outcomes error. When a baseline exists, each percentile
// outcome also carries the baseline's percentile (Baseline) and the
// difference (Delta), in ms.
//
// # Columns
//
// <role>_latency_ms (float64, or any numeric type) is each request's latency
// measured from its intended send time, so queueing inside a stalled model
// or a saturated client is counted (no coordinated omission); for in-process
// models it is the row's share of its batch's compute time. <role>_error is
// null (or "") for a scored row, else "class: message"; the class is the
// text before the first ": ", or "error" without one. A row counts as timed
// out when its class is "timeout". <role>_service_ms, when the engine
// records it, is the time from the actual send to the response.
// Config.BaselineColumn names the traffic column with the latency that
// production logged, in ms.
//
// # Which rows the gated distribution holds
//
// The latency.* percentiles are over every row with a latency: scored rows
// and errored rows alike. An error answered by the server (http_status 500,
// decode, shape, non_finite) took as long as it took, and a user waited
// for it. A timed-out request is counted at its timeout latency (the
// engine records the time from intended send to the deadline), so a
// stalled server raises p99 and max instead of vanishing from them. Fast
// failures (a refused connection) pull the percentiles down: the error-rate
// gate is what catches those. Summary.Scored holds the distribution of the
// scored rows alone; every percentile message says how many errored rows
// it includes.
//
// Rows whose latency is null, or whose batch has no latency column, are
// left out and counted. NaN, ±Inf and negative values are invalid: left out,
// counted, and reported in the messages. Observe never fails on bad values.
//
// # Precision
//
// Latencies are recorded in an HdrHistogram of whole microseconds from 1 µs
// to 1 h with 3 significant digits (about 190 KB per distribution; merging
// adds counts, so merged state equals one pass exactly). A value is rounded
// to the nearest microsecond; values under 1 µs (including 0) are recorded
// as 1 µs and values over 1 h as 1 h, and both are counted and reported.
// Below 2,048 µs every microsecond has its own bucket; above, a bucket is at
// most 1/1024 of its values wide. A reported percentile is therefore within
// 0.1% of the true order statistic for latencies of 0.5 ms and more, and
// within 0.5 µs below that. The minimum, the maximum and the mean (of the
// rounded microseconds) are exact.
//
// Percentile definition (HdrHistogram's ValueAtQuantile): with n recorded
// values sorted ascending, the rank is r = floor(p/100·n + 0.5), kept in
// [1, n]; the result is the highest value of the bucket holding the r-th
// value (a nearest-rank percentile, rounded to the bucket's upper edge). The
// check then keeps it within the exact [min, max], so p999 never exceeds
// max. A percentile gate passes when the observed value is at most the
// limit or falls in the same bucket as the limit: the histogram cannot tell
// them apart. The max gate compares the exact maximum.
//
// # Merging
//
// Merge adds counts, histograms and error classes and keeps the longer run
// duration of the two, so merging the checks of any split of a stream gives
// exactly the outcomes and Summary of one pass. At most 16 error classes are
// kept by name and later ones count as "other"; only past 16 classes can the
// split decide which names are kept.
package latency
