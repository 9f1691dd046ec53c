-- A pool's SAML service-provider key pair (store.SAMLKey): the private
-- key sealed with the master key and bound to the pool, the self-signed
-- certificate (DER). One per pool; the first stored wins.
CREATE TABLE saml_keys (
    pool_id     TEXT PRIMARY KEY REFERENCES pools (id) ON DELETE CASCADE,
    sealed      BYTEA NOT NULL,
    certificate BYTEA NOT NULL,
    created_at  TIMESTAMPTZ
);
