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
//	cognitojs_test.go amazon-cognito-identity-js, as an app uses it
//	                 (../cognitojs/flows.js under node), against serve:
//	                 sign-up with the mailed code, sign-in, GetUser,
//	                 refresh, global sign-out, refusals; the tokens checked
//	                 with the pool's JWKS. TestCognitoJSUserPasswordAuth
//	                 signs in with USER_PASSWORD_AUTH, TestCognitoJSSRP with
//	                 the library's default USER_SRP_AUTH and adds an
//	                 administrator-created user's NEW_PASSWORD_REQUIRED.
//	                 Without node or ../cognitojs/node_modules (`make
//	                 cognitojs`) they skip, and fail under CI=true
//	cognitojs_mfa_test.go the same library with TOTP MFA
//	                 (../cognitojs/mfa.js): in a pool that requires MFA,
//	                 MFA_SETUP with associateSoftwareToken and
//	                 verifySoftwareToken, then totpRequired answered by
//	                 sendMFACode 'SOFTWARE_TOKEN_MFA' with codes the test
//	                 computes; a wrong and a replayed code refused
//	amplify_test.go  Amplify JavaScript v6 (../cognitojs/amplify.mjs), with
//	                 its own SRP: sign-up, SRP sign-in, attributes, refresh,
//	                 updatePassword and SRP with the new password, global
//	                 sign-out, NEW_PASSWORD_REQUIRED, refusals
//	apiweb_test.go   one user, two doors: an API sign-up (aws-sdk-go-v2)
//	                 links with Alexa on the hosted pages (`linkpool alexa
//	                 link`), a hosted sign-up signs in through InitiateAuth
//	                 and GetUser shows the same sub and attributes
//
// Benchmarks:
//
//	bench_test.go    BenchmarkLoad: one workload on SQLite, PostgreSQL and
//	                 two PostgreSQL instances behind the proxy
//	scaling_test.go  its -load.markdown mode (`make scaling-tables`): the
//	                 three workloads of docs/scaling.md, printed as the
//	                 doc's tables with date, commit and machine
//	benchreport_test.go BenchmarkReport (`make bench-report`): the physical
//	                 bounds (internal/benchreport), then refreshes, links
//	                 and skill directives through HTTP against one
//	                 instance, each rate against its bound; TestBenchReport
//	                 runs it for 1 s per workload
//
// TestMain builds the linkpool binary once; the helpers in
// process_test.go, proxy_test.go and flows_test.go run and drive it.
package cluster
