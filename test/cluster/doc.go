// Package cluster holds the multi-process tests of linkpool: real
// `linkpool serve` processes on loopback ports, sharing one PostgreSQL
// database (or one SQLite file), behind a small round-robin proxy written
// in the tests, killed with SIGKILL under load, and starved of their
// database. It has no code besides its tests and benchmarks.
//
// Tests:
//
//	cluster_test.go  three instances behind the proxy: the link and refresh
//	                 flows across instances, lockout, key rotation, and an
//	                 instance killed mid-load
//	crash_test.go    one instance killed mid-load and restarted on the same
//	                 data, on SQLite and on PostgreSQL
//	outage_test.go   PostgreSQL stopped and SQLite made unwritable under a
//	                 running instance
//	skill_test.go    serve with the SmartLamp skill mounted for a pool: a
//	                 /lamps toggle reaches the Login with Amazon and event
//	                 gateway stand-in (alexasim.Gateway) as a ChangeReport
//
// Benchmarks:
//
//	bench_test.go    BenchmarkLoad: one workload on SQLite, PostgreSQL and
//	                 two PostgreSQL instances behind the proxy
//	scaling_test.go  its -load.markdown mode (`make scaling-tables`): the
//	                 three workloads of docs/scaling.md, printed as the
//	                 doc's tables with date, commit and machine
//
// TestMain builds the linkpool binary once; the helpers in
// process_test.go, proxy_test.go and flows_test.go run and drive it.
package cluster
