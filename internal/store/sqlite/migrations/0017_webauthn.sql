-- Passkeys (pool.WebAuthnCredential): one row per credential, its id
-- unique in the pool (the primary key), the public key and what the
-- authenticator reported at registration; nothing in a row is secret.
-- transports is a JSON array ('[]' when none); aaguid is empty when the
-- authenticator gave none. Deleting the user (and so the pool) deletes
-- its credentials by foreign-key cascade.
CREATE TABLE webauthn_credentials (
	pool_id          TEXT    NOT NULL,
	id               BLOB    NOT NULL,
	sub              TEXT    NOT NULL,
	public_key       BLOB    NOT NULL,
	attestation_type TEXT    NOT NULL,
	aaguid           BLOB    NOT NULL,
	sign_count       INTEGER NOT NULL,
	transports       TEXT    NOT NULL,
	attachment       TEXT    NOT NULL,
	user_present     INTEGER NOT NULL,
	user_verified    INTEGER NOT NULL,
	backup_eligible  INTEGER NOT NULL,
	backup_state     INTEGER NOT NULL,
	name             TEXT    NOT NULL,
	rp_id            TEXT    NOT NULL,
	created_at       INTEGER NOT NULL,
	last_used_at     INTEGER NOT NULL,
	PRIMARY KEY (pool_id, id),
	FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
) STRICT;
-- ListWebAuthnCredentials in its order, DeleteWebAuthnCredentials and the
-- cascade from users.
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (pool_id, sub, created_at, id);

-- The factor a hosted-UI session passed after its first
-- (store.Session.SecondFactor); '' for none and for sessions from before.
ALTER TABLE sessions ADD COLUMN second_factor TEXT NOT NULL DEFAULT '';
