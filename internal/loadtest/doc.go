// Package loadtest drives a running linkpool pool from outside, over
// HTTP, the way Alexa and its users do, and measures it. `linkpool bench`
// is its command line; the multi-instance tests use its browser and
// token client.
//
// A run first prepares linked users: each signs up through the hosted
// sign-up form (the pool must confirm sign-ups itself, see
// ErrNeedsAutoConfirm), and the authorization code the flow ends with is
// exchanged for tokens with PKCE (RFC 7636). Then Concurrency workers run
// a weighted mix of operations for Duration:
//
//	refresh  refresh_token grant (RFC 6749 §6); keeps a rotated token
//	code     sign-in through the hosted form in a fresh browser, then the
//	         authorization_code grant (RFC 6749 §4.1.3): a new link
//	signup   self sign-up of a new user, then the code grant
//
// Alexa refreshes each linked user's access token about once an hour,
// so refresh dominates a skill's traffic (DefaultMix). The report gives
// per operation the count, successes per second, latency percentiles of
// successful operations and failures by OAuth error code (or page
// status, or transport failure).
//
// scaling.go renders the throughput tables of docs/scaling.md from the
// reports of test/cluster's BenchmarkLoad (`make scaling-tables`), with
// the date, commit and machine they were measured on, and checks that
// the doc's block between its markers has that form.
//
// Files: target.go (token endpoint client), browser.go (hosted pages),
// mix.go, run.go, report.go, scaling.go.
package loadtest
