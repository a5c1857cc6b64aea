// Package commands holds replaygate's command-line interface: each command
// turns its flags into options and calls a library (pipeline, reports,
// starter). No statistics and no formatting live here.
package commands
