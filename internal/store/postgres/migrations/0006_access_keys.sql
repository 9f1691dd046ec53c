-- Access keys of the Cognito JSON API (SigV4). The secret is sealed with
-- the master key; pool_ids is used when all_pools is false.
CREATE TABLE access_keys (
    id           TEXT PRIMARY KEY,
    sealed       BYTEA NOT NULL,
    description  TEXT NOT NULL,
    all_pools    BOOLEAN NOT NULL,
    pool_ids     TEXT[],
    read_only    BOOLEAN NOT NULL,
    created_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ
);
