-- Federation (issue 14): a pool's identity providers and the provider
-- identities linked to its users.
--
-- identity_providers holds Cognito's IdentityProviderType: details are the
-- non-secret ProviderDetails, sealed_secrets the secret ones sealed with
-- the master key. idp_identifiers indexes the providers' IdpIdentifiers,
-- written in the same transaction as the provider row, so that an
-- identifier belongs to one provider of the pool (its primary key) and the
-- lookup by identifier is one index read. Names and identifiers sort in
-- byte order (COLLATE "C"), as page tokens require.
CREATE TABLE identity_providers (
    pool_id           TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    name              TEXT COLLATE "C" NOT NULL,
    type              TEXT NOT NULL,
    details           JSONB,
    attribute_mapping JSONB,
    idp_identifiers   TEXT[],
    sealed_secrets    BYTEA,
    created_at        TIMESTAMPTZ,
    updated_at        TIMESTAMPTZ,
    PRIMARY KEY (pool_id, name)
);

CREATE TABLE idp_identifiers (
    pool_id       TEXT NOT NULL,
    identifier    TEXT COLLATE "C" NOT NULL,
    provider_name TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (pool_id, identifier),
    FOREIGN KEY (pool_id, provider_name) REFERENCES identity_providers (pool_id, name) ON DELETE CASCADE
);
-- The cascade from identity_providers.
CREATE INDEX idp_identifiers_provider_idx ON idp_identifiers (pool_id, provider_name);

-- Providers are configuration (migration 0010): their writes raise the
-- configuration version. idp_identifiers rows change only with their
-- provider's row.
CREATE TRIGGER identity_providers_config_version AFTER INSERT OR UPDATE OR DELETE ON identity_providers
    FOR EACH ROW EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER identity_providers_config_truncate AFTER TRUNCATE ON identity_providers
    FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();

-- pool.User.Identities, read with the user (the ID token's "identities"
-- claim needs no other query): a JSON array, NULL when none.
ALTER TABLE users ADD COLUMN identities JSONB;

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
);
-- The cascade from users, and UpdateUser's removal of the user's rows.
CREATE INDEX user_identities_user_idx ON user_identities (pool_id, sub);
