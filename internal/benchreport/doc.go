// Package benchreport measures linkpool against the physical bounds of
// the machine it runs on and renders the comparison as the Markdown block
// of docs/scaling.md between BeginMarker and EndMarker (`make
// bench-report`, test/cluster BenchmarkReport).
//
// The bounds are what a request cannot go faster than on this machine:
// an RS256 or ES256 signature with the token signer of internal/token
// (token.Keys.Sign), an RS256 verification, one argon2id verify at the pool's
// default parameters (internal/password) alone and at the server's hash
// concurrency, a write+fsync of a small file in the data directory, and
// a SQLite commit with the store's settings (WAL, synchronous=FULL).
// MeasureBounds measures them, each for a fixed time, on one core and on
// all cores.
//
// The achieved rates come from real HTTP against a `linkpool serve`
// process, driven by a load generator in another process: refreshes
// (internal/loadtest) with rotation off and on, for RS256 and ES256; the
// link flow (hosted sign-in and code exchange); and ReportState and
// TurnOn directives against the SmartLamp skill (RunDirectives). Report
// relates each rate to the bound that limits it (Rows) and prints both
// with the percentage; CheckMarkdown checks that a block has the form
// WriteMarkdown prints.
//
// Files: bounds.go (MeasureBounds), directives.go (RunDirectives),
// report.go (Report, Rows, WriteMarkdown), check.go (the doc block).
package benchreport
