-- Federation (issue 14): a pool's identity providers and the provider
-- identities linked to its users.
--
-- identity_providers holds Cognito's IdentityProviderType: details are the
-- non-secret ProviderDetails (JSON object), sealed_secrets the secret ones
-- sealed with the master key. idp_identifiers indexes the providers'
-- IdpIdentifiers, written in the same transaction as the provider row, so
-- that an identifier belongs to one provider of the pool (its primary key)
-- and the lookup by identifier is one index read.
CREATE TABLE identity_providers (
	pool_id           TEXT    NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	name              TEXT    NOT NULL,
	type              TEXT    NOT NULL,
	details           TEXT    NOT NULL,
	attribute_mapping TEXT    NOT NULL,
	idp_identifiers   TEXT    NOT NULL,
	sealed_secrets    BLOB    NOT NULL,
	created_at        INTEGER NOT NULL,
	updated_at        INTEGER NOT NULL,
	PRIMARY KEY (pool_id, name)
) STRICT;

CREATE TABLE idp_identifiers (
	pool_id       TEXT NOT NULL,
	identifier    TEXT NOT NULL,
	provider_name TEXT NOT NULL,
	PRIMARY KEY (pool_id, identifier),
	FOREIGN KEY (pool_id, provider_name) REFERENCES identity_providers (pool_id, name) ON DELETE CASCADE
) STRICT;
-- The cascade from identity_providers, and an update's removal of the
-- provider's old identifiers.
CREATE INDEX idp_identifiers_provider ON idp_identifiers (pool_id, provider_name);

-- Providers are configuration (migration 0011): their writes raise the
-- configuration version. idp_identifiers rows change only with their
-- provider's row.
CREATE TRIGGER identity_providers_config_insert AFTER INSERT ON identity_providers BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER identity_providers_config_update AFTER UPDATE ON identity_providers BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER identity_providers_config_delete AFTER DELETE ON identity_providers BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;

-- pool.User.Identities, read with the user (the ID token's "identities"
-- claim needs no other query): a JSON array, '[]' when none.
ALTER TABLE users ADD COLUMN identities TEXT NOT NULL DEFAULT '[]';

-- One row per linked identity, kept equal to users.identities by
-- CreateUser and UpdateUser in the same transaction: its primary key
-- makes a (provider, subject) belong to one user of the pool, and
-- GetUserByIdentity one index read. Deleting the user removes its rows.
-- There is no foreign key to identity_providers: deleting a provider
-- leaves its users' identities, as in Cognito.
CREATE TABLE user_identities (
	pool_id       TEXT NOT NULL,
	provider_name TEXT NOT NULL,
	subject       TEXT NOT NULL,
	sub           TEXT NOT NULL,
	PRIMARY KEY (pool_id, provider_name, subject),
	FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
) STRICT;
-- The cascade from users, and UpdateUser's removal of the user's rows.
CREATE INDEX user_identities_user ON user_identities (pool_id, sub);
