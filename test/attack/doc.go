// Package attack keeps the attacks linkpool was put through from the
// outside as tests; it has no code of its own. Each test starts the whole
// server in-process (app.New over a real SQLite file, the SmartLamp skill
// and its /lamps page mounted, a loopback HTTP server) and attacks it only
// through HTTP, as someone on the network would:
//
//	redirect_test.go     redirect URI variants at /oauth2/authorize and /logout
//	pkce_test.go         PKCE downgrades at /oauth2/authorize and /oauth2/token
//	jwt_test.go          forged and misused JWTs at /oauth2/userInfo and the skill
//	csrf_test.go         cross-site and token-less form posts, framing
//	enumeration_test.go  account enumeration by message and by timing
//	oversize_test.go     oversized and deeply nested input
//
// harness_test.go starts the server, with mail going to a real SMTP server
// (relay_test.go can put it a network round trip away), and fails any test
// whose server logged a token, code, secret or password. docs/security.md
// lists what each attack defends. Timing comparisons are statistical
// (quartiles of interleaved samples against the cost of one password
// hash), never wall-clock bounds.
package attack
