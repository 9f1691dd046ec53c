// Package apptest is the test kit of the repository: the parts every
// package's tests used to build by hand, built once.
//
// It is test support. Only _test.go files and the packages under test/
// import it; no production package may (test/layers checks this).
//
// Files:
//   - require.go: the rule for a missing dependency (Missing: skip, or
//     fail under CI=true) and the checks built on it: RequireChromium,
//     RequireNode, RequireAWSCLI, RequirePostgres, Immutable (chattr +i);
//     FreeAddr for servers started as programs.
//   - keys.go: signing keys generated once per process (KeyGenerator,
//     NewKeys), so that no test case waits for RSA key generation.
//   - log.go: a captured log (Log) and the check that no secret reached
//     it (Log.NoSecrets, FindSecret).
//   - mail.go: an in-memory mail.Sender (Mailbox) and its codes.
//   - passkey.go: a virtualwebauthn credential whose public key a
//     relying party accepts (PasskeyCredential).
//   - browser.go: a browser that signs in through the hosted form
//     (Browser, SignIn, Redirect), over internal/hostedform.
//   - app.go: a configured internal/app on a SQLite file in t.TempDir(),
//     with a sealed master key, a test clock, pre-generated signing keys,
//     cheap password hashing, the captured log and mail, served on a
//     loopback httptest server (New).
package apptest
