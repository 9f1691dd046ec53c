-- Passkeys (pool.WebAuthnCredential): one row per credential, its id
-- unique in the pool (the primary key), the public key and what the
-- authenticator reported at registration; nothing in a row is secret.
-- transports and aaguid are NULL when the authenticator gave none.
-- Deleting the user (and so the pool) deletes its credentials by
-- foreign-key cascade.
CREATE TABLE webauthn_credentials (
    pool_id          TEXT NOT NULL,
    id               BYTEA NOT NULL,
    sub              TEXT NOT NULL,
    public_key       BYTEA NOT NULL,
    attestation_type TEXT NOT NULL,
    aaguid           BYTEA,
    sign_count       BIGINT NOT NULL,
    transports       TEXT[],
    attachment       TEXT NOT NULL,
    user_present     BOOLEAN NOT NULL,
    user_verified    BOOLEAN NOT NULL,
    backup_eligible  BOOLEAN NOT NULL,
    backup_state     BOOLEAN NOT NULL,
    name             TEXT NOT NULL,
    rp_id            TEXT NOT NULL,
    created_at       TIMESTAMPTZ,
    last_used_at     TIMESTAMPTZ,
    PRIMARY KEY (pool_id, id),
    FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
);
-- ListWebAuthnCredentials in its order, DeleteWebAuthnCredentials and the
-- cascade from users.
CREATE INDEX webauthn_credentials_user_idx ON webauthn_credentials (pool_id, sub, created_at, id);

-- The factor a hosted-UI session passed after its first
-- (store.Session.SecondFactor); '' for none and for sessions from before.
ALTER TABLE sessions ADD COLUMN second_factor TEXT NOT NULL DEFAULT '';
