// Package starter writes the starter spec of `replaygate init`: a commented
// YAML spec whose traffic roles, candidate and data contract come from a
// profile of the traffic (see checks/contract's ProfileOf, GuessRoles and
// Infer). The output is deterministic for a given input (no timestamps, map
// keys sorted) and loads with spec.Parse as written.
package starter
