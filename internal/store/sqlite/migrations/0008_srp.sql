-- SRP sign-in (USER_SRP_AUTH). srp_verifier is the user's SRP verifier
-- sealed with the master key (bound to the pool and sub), empty until a
-- password is set or proved; srp_salt is its salt in hex.
ALTER TABLE users ADD COLUMN srp_salt TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN srp_verifier BLOB NOT NULL DEFAULT x'';

-- Challenge sessions (Cognito's Session and SRP secret block) already
-- answered, kept until they expire so that none is answered twice, on
-- any instance.
CREATE TABLE consumed_auth_sessions (
	id         TEXT    NOT NULL PRIMARY KEY,
	expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX consumed_auth_sessions_expires_at_idx ON consumed_auth_sessions (expires_at);
