// Package enginebench measures what the replay engine adds per row over
// calling a model directly: reading batches from a source, dispatching them
// to workers, building the score, latency and error columns and handing
// the scored batches to a sink in order.
//
//	go test ./bench/enginebench -run '^$' -bench . -benchtime 10x
//
// It holds benchmarks only.
package enginebench
