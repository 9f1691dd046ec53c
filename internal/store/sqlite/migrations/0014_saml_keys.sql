-- A pool's SAML service-provider key pair (store.SAMLKey): the private
-- key sealed with the master key and bound to the pool, the self-signed
-- certificate (DER). One per pool; the first stored wins.
CREATE TABLE saml_keys (
	pool_id     TEXT    NOT NULL PRIMARY KEY REFERENCES pools (id) ON DELETE CASCADE,
	sealed      BLOB    NOT NULL,
	certificate BLOB    NOT NULL,
	created_at  INTEGER NOT NULL
) STRICT;
