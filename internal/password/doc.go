// Package password hashes and verifies user passwords with argon2id
// (RFC 9106) and stores them as PHC strings:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// with salt and hash in unpadded standard base64. DefaultParams are the
// OWASP Password Storage Cheat Sheet minimum for argon2id (19 MiB, two
// passes, one lane), a 16-byte salt and a 32-byte key.
//
// Each hash holds 19 MiB for about 25 ms, so a Hasher bounds how many run
// at once with a semaphore: a flood of sign-in attempts queues instead of
// exhausting memory, and queued callers give up when their context ends.
// Verify takes the cost parameters from the stored string but refuses
// absurd ones, so a crafted hash cannot be used to exhaust the server.
// VerifyDummy spends the same work for a user who does not exist, so
// response time does not reveal which usernames are registered.
package password
