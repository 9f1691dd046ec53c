// Package pgtest gives tests a fresh PostgreSQL database of their own.
//
// URL creates a database named linkpool_test_<random> on the server at
// DefaultURL, or at the URL in the environment variable
// LINKPOOL_TEST_POSTGRES_URL, and drops it when the test ends. When the
// server is unreachable the test is skipped, except under CI=true, where
// a missing database must fail the build rather than let the PostgreSQL
// backend go untested.
package pgtest
