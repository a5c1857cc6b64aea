// Package checks defines what every check shares: the Check accumulator
// (Observe batches, Merge shards, Result once), the Outcome of a rule, the
// Suite that feeds scored batches to every configured check, and the Result
// that every report renders. The checks themselves live in sub-packages.
package checks
