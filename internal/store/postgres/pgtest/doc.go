// Package pgtest gives tests a fresh PostgreSQL database of their own,
// and, for tests that take the database away, a server of their own.
//
// URL creates a database named linkpool_test_<random> on the server at
// DefaultURL, or at the URL in the environment variable
// LINKPOOL_TEST_POSTGRES_URL, and drops it when the test ends. When the
// server is unreachable the test is skipped, except under CI=true, where
// a missing database must fail the build rather than let the PostgreSQL
// backend go untested.
//
// StartCluster runs a private server (initdb and pg_ctl) in the test's
// temporary directory on a free loopback port, which the test can Stop
// and Start to see how linkpool behaves while its database is down,
// without disturbing tests that share the machine's server. Without the
// server programs it skips, or fails under CI=true.
package pgtest
