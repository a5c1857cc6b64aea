// Package pipeline wires a spec into one streaming run: it opens the
// traffic, loads the models, builds the configured checks, replays the
// traffic through the models batch by batch, feeds the scored batches to the
// checks (and to a scored-rows file when asked), and returns the Result
// every report renders. Commands call it; it holds no formatting.
package pipeline
