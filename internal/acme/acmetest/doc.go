// Package acmetest runs Pebble, Let's Encrypt's test certificate
// authority, in process for tests of internal/acme: its ACME server on a
// loopback port, a DNS server that answers 127.0.0.1 for every name (so
// that names like auth.example.test reach the test's listeners), and
// stable challenge ports in front of listeners that change when a test
// restarts a server.
//
// Files: pebble.go (the CA), dns.go (the resolver), forward.go (the
// challenge ports).
package acmetest
