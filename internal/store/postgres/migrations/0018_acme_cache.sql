-- Automatic certificates (internal/acme): the ACME account key and the
-- certificates with their private keys, by autocert's cache key, sealed
-- with the master key. Shared by every instance on this database.
CREATE TABLE acme_cache (
    key        TEXT PRIMARY KEY,
    sealed     BYTEA NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
