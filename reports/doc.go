// Package reports renders a checks.Result: the terminal summary people read
// in a shell or a CI log; result.json, the file every other report is
// re-rendered from (replaygate report --result result.json); JUnit XML for
// CI test views; a Markdown summary for pull requests and GitHub's job
// summary; and one self-contained HTML file with PNG charts for reviewers.
//
// A renderer reads nothing but the Result it is given: no clock, no
// environment, no file system. The same Result renders to the same bytes,
// charts included (Charts draws every plot of the result with gonum/plot;
// WriteCharts and AppendStepSummary are the only functions that write
// files, to the paths their callers give).
//
// Each format lives in its own file and is listed once in the registry
// (registry.go), which Render, Formats and FileName consult. Adding a format
// means adding a file with its renderer and one line to the registry.
package reports
