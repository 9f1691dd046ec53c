-- Sign-ins to the SmartLamp /lamps page. Like lamps, they belong to a
-- skill user (a sub), not to a pool.
CREATE TABLE lamp_sessions (
    id            TEXT PRIMARY KEY,
    secret_hash   TEXT NOT NULL,
    owner         TEXT NOT NULL,
    name          TEXT NOT NULL,
    origin_jti    TEXT NOT NULL,
    sealed_tokens BYTEA,
    created_at    TIMESTAMPTZ,
    checked_at    TIMESTAMPTZ,
    expires_at    TIMESTAMPTZ
);

CREATE INDEX lamp_sessions_expires_at_idx ON lamp_sessions (expires_at);
