// Package reports renders a checks.Result: the terminal summary people read
// in a shell or a CI log, and result.json, the file every other report is
// re-rendered from (replaygate report --result result.json).
//
// A renderer reads nothing but the Result it is given: no clock, no
// environment, no file system. The same Result renders to the same bytes.
//
// Each format lives in its own file and is listed once in the registry
// (registry.go), which Render, Formats and FileName consult. Adding a format
// means adding a file with its renderer and one line to the registry.
package reports
