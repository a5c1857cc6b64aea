// Package segments implements the segments check: model performance of the
// candidate against the production baseline on the same rows, overall and
// per segment, with a paired bootstrap confidence interval of each change.
//
// # Segments
//
// Every row belongs to the overall segment, to one segment per Config.By
// column (its value, e.g. country=BR) and to one per Config.Crosses entry
// (its value combination, e.g. country=BR,platform=ios). A null value is
// the segment "(null)". Outcomes come in a fixed order: metrics in config
// order; for each, overall first, then each By column and each cross in
// config order with their values sorted, "(other)" last. Names look like
// auc[overall], auc[country=BR], auc[country=BR,platform=ios].
//
// A column or cross keeps at most Config.MaxValues (default 100) segments;
// rows of values first seen after that go to the "(other)" segment, and the
// overall outcome warns how many rows it holds. Which values get their own
// segment past the limit depends on the order the rows arrive in (and on
// merges); below it, nothing does.
//
// # Rows
//
// A row with a null label has no feedback yet: it counts in its segments'
// label coverage ("1,840 labelled of 2,100 rows (87.6%)") and nowhere else.
// A label other than 0 or 1 is left out and warned about.
//
// With the regression metrics rmse, mae and r2 the label column holds the
// target, any finite number (a non-finite one is left out and warned
// about), and the scores are the two models' predictions. A configuration
// lists either regression metrics or binary-classification ones, not both. A labelled row
// without both a finite candidate score (Config.ScoreColumn, default
// candidate_score) and a finite baseline score (Config.BaselineScore) is
// left out and counted in the message. Every metric, positive_rate
// included, is computed on the remaining rows, so all metrics of a segment
// describe the same rows; Outcome.Rows is their number.
//
// A segment with fewer than Config.MinRows (default 500) such rows is skip,
// with the count, never pass; so is auc or pr_auc on a segment with a single
// class, and any metric undefined on the segment's rows.
//
// # Statistics
//
// Value is the candidate's metric, Baseline the baseline's, Delta their
// difference (candidate − baseline). Point estimates are exact (the
// functions of package stats, equal to scikit-learn's) while the labelled
// rows fit in Config.ExactRows (default 1,000,000; about 17 bytes per row,
// 24 with regression metrics, plus 4 per By column or cross). Past it the
// rows are dropped and auc and pr_auc come from the bootstrap's binned
// scores (within about 1e-4), with a warning; the other metrics are sums
// and stay exact up to floating-point rounding (r2 from the sums of the
// target and its square).
//
// CI is the interval of the change from a paired Poisson bootstrap
// (stats.PairedBootstrap): each row gets the same Config.Replicates
// (default 200) Poisson(1) weights for both models, drawn from
// stats.RowKey of its Config.IDColumn value and Config.Seed, so a run, its
// shards and their merge resample alike. One bootstrap state per segment;
// a row's weights are drawn once and shared by its segments. AUC and PR-AUC
// replicates are binned on stats' default probability grid, so scores must
// lie in [0, 1] (otherwise those outcomes are error).
//
// The intervals are corrected for the number of segments tested, per
// metric, with Bonferroni (stats.CorrectSegments): with m segments tested
// at confidence 1 − α (Config.Confidence, default 0.95), each interval is
// the percentile interval at 1 − α/m, and the m intervals hold their true
// changes together with probability at least 1 − α. Bonferroni rather than
// Holm because the gate reads significance off the interval the report
// shows. Segments that are skipped do not count in m. When Replicates is
// below stats.MinReplicates(m, confidence) the overall outcome warns that
// the interval ends are near the extreme replicates.
//
// # Gates
//
// Config.Gates holds per metric a min or max on the candidate's value and a
// max_drop (higher-is-better metrics) or max_rise (lower-is-better) on the
// change. Each is judged by stats.MetricGate.Evaluate with the corrected
// interval: fail when past the limit and the interval excludes no change on
// the harmful side; warn when past the limit without significance (for min
// and max too: a value below min that production shares is a warning, not
// a regression of the candidate); pass otherwise. Several limits on one
// metric give one outcome with the worst verdict. A metric without a gate
// is an informational pass. When the interval could not be computed the
// outcome warns, and a limit on the change cannot fail. A gate on a metric
// that is not in Config.Metrics fails with "metric not found".
//
// # Merging
//
// Merge adds counts and bootstrap states and appends the exact rows, so the
// merge of any split of a stream gives the outcomes of one pass: counts,
// AUC and its interval exactly, float sums (log loss, Brier, ECE) to
// floating-point rounding.
package segments
