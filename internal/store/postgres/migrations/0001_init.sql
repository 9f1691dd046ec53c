-- Initial schema of linkpool's PostgreSQL store.
--
-- Conventions:
--   * Times are TIMESTAMPTZ (microsecond precision); NULL is Go's zero time.
--   * String lists are TEXT[] and maps or nested settings are JSONB; NULL is
--     a nil slice or map, so values round-trip exactly.
--   * Sealed secrets are BYTEA.
--   * Rows owned by a pool reference it with ON DELETE CASCADE, so deleting
--     a pool deletes everything in it. Lamps and Alexa grants belong to a
--     subject (Owner), not to a pool, and have no foreign key.
--   * Every lookup the store performs has an index; expiry columns are
--     indexed for garbage collection.
--   * Keys that listings are ordered by use the "C" collation: byte order,
--     the same order in every locale and in the SQLite backend, and an
--     index that serves keyset pagination.

CREATE TABLE pools (
    id                           TEXT COLLATE "C" PRIMARY KEY,
    name                         TEXT NOT NULL,
    password_policy              JSONB NOT NULL,
    lockout_policy               JSONB NOT NULL,
    username_attributes          TEXT[],
    alias_attributes             TEXT[],
    auto_verified_attributes     TEXT[],
    case_sensitive               BOOLEAN NOT NULL,
    allow_admin_create_user_only BOOLEAN NOT NULL,
    auto_confirm_sign_up         BOOLEAN NOT NULL,
    signing_algorithm            TEXT NOT NULL,
    schema_attributes            JSONB,
    branding                     JSONB NOT NULL,
    email_from                   TEXT NOT NULL,
    created_at                   TIMESTAMPTZ,
    updated_at                   TIMESTAMPTZ
);

CREATE TABLE clients (
    id                                   TEXT COLLATE "C" PRIMARY KEY,
    pool_id                              TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    name                                 TEXT NOT NULL,
    sealed_secret                        BYTEA,
    callback_urls                        TEXT[],
    logout_urls                          TEXT[],
    default_redirect_uri                 TEXT NOT NULL,
    allowed_oauth_flows                  TEXT[],
    allowed_oauth_flows_user_pool_client BOOLEAN NOT NULL,
    allowed_oauth_scopes                 TEXT[],
    supported_identity_providers         TEXT[],
    explicit_auth_flows                  TEXT[],
    read_attributes                      TEXT[],
    write_attributes                     TEXT[],
    access_token_validity                INTEGER NOT NULL,
    id_token_validity                    INTEGER NOT NULL,
    refresh_token_validity               INTEGER NOT NULL,
    token_validity_units                 JSONB NOT NULL,
    enable_token_revocation              BOOLEAN NOT NULL,
    prevent_user_existence_errors        TEXT NOT NULL,
    refresh_token_rotation               JSONB NOT NULL,
    auth_session_validity                INTEGER NOT NULL,
    created_at                           TIMESTAMPTZ,
    updated_at                           TIMESTAMPTZ
);

-- ListClients: keyset pagination by id within a pool.
CREATE INDEX clients_pool_id_idx ON clients (pool_id, id);

CREATE TABLE domains (
    domain     TEXT COLLATE "C" PRIMARY KEY,
    pool_id    TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    custom     BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ
);

CREATE INDEX domains_pool_id_idx ON domains (pool_id, domain);

CREATE TABLE users (
    pool_id            TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    sub                TEXT NOT NULL,
    username           TEXT NOT NULL,
    username_key       TEXT COLLATE "C" NOT NULL,
    email_key          TEXT NOT NULL,
    attributes         JSONB,
    status             TEXT NOT NULL,
    enabled            BOOLEAN NOT NULL,
    password_hash      TEXT NOT NULL,
    password_set_at    TIMESTAMPTZ,
    failed_logins      INTEGER NOT NULL,
    locked_until       TIMESTAMPTZ,
    pending_code       JSONB,
    tokens_valid_after TIMESTAMPTZ,
    created_at         TIMESTAMPTZ,
    updated_at         TIMESTAMPTZ,
    PRIMARY KEY (pool_id, sub)
);

-- GetUserByUsername and ListUsers (ordered by username key).
CREATE UNIQUE INDEX users_pool_username_key_idx ON users (pool_id, username_key);
-- GetUserByEmail; only pools that sign in by email fill email_key.
CREATE UNIQUE INDEX users_pool_email_key_idx ON users (pool_id, email_key) WHERE email_key <> '';

CREATE TABLE groups (
    pool_id     TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    name        TEXT COLLATE "C" NOT NULL,
    description TEXT NOT NULL,
    precedence  INTEGER,
    role_arn    TEXT NOT NULL,
    created_at  TIMESTAMPTZ,
    updated_at  TIMESTAMPTZ,
    PRIMARY KEY (pool_id, name)
);

CREATE TABLE group_members (
    pool_id    TEXT NOT NULL,
    group_name TEXT COLLATE "C" NOT NULL,
    sub        TEXT NOT NULL,
    PRIMARY KEY (pool_id, group_name, sub),
    FOREIGN KEY (pool_id, group_name) REFERENCES groups (pool_id, name) ON DELETE CASCADE,
    FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
);

-- ListGroupsForUser and the cascade from users.
CREATE INDEX group_members_user_idx ON group_members (pool_id, sub);

CREATE TABLE auth_codes (
    id                    TEXT PRIMARY KEY,
    pool_id               TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    client_id             TEXT NOT NULL,
    sub                   TEXT NOT NULL,
    redirect_uri          TEXT NOT NULL,
    scopes                TEXT[],
    nonce                 TEXT NOT NULL,
    code_challenge        TEXT NOT NULL,
    code_challenge_method TEXT NOT NULL,
    auth_time             TIMESTAMPTZ,
    origin_jti            TEXT NOT NULL,
    created_at            TIMESTAMPTZ,
    expires_at            TIMESTAMPTZ,
    redeemed_at           TIMESTAMPTZ
);

CREATE INDEX auth_codes_pool_id_idx ON auth_codes (pool_id);
CREATE INDEX auth_codes_expires_at_idx ON auth_codes (expires_at);

CREATE TABLE refresh_tokens (
    id               TEXT COLLATE "C" PRIMARY KEY,
    origin_jti       TEXT NOT NULL,
    pool_id          TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    client_id        TEXT NOT NULL,
    sub              TEXT NOT NULL,
    scopes           TEXT[],
    auth_time        TIMESTAMPTZ,
    code_id          TEXT NOT NULL,
    secret_hash      TEXT NOT NULL,
    prev_secret_hash TEXT NOT NULL,
    prev_valid_until TIMESTAMPTZ,
    created_at       TIMESTAMPTZ,
    last_used_at     TIMESTAMPTZ,
    expires_at       TIMESTAMPTZ,
    revoked_at       TIMESTAMPTZ
);

-- GetRefreshTokenByOrigin: one grant family per authentication.
CREATE UNIQUE INDEX refresh_tokens_origin_jti_idx ON refresh_tokens (origin_jti) WHERE origin_jti <> '';
-- ListRefreshTokens (in its order) and RevokeRefreshTokens by subject.
CREATE INDEX refresh_tokens_pool_sub_idx ON refresh_tokens (pool_id, sub, created_at, id);
-- RevokeRefreshTokens by client.
CREATE INDEX refresh_tokens_pool_client_idx ON refresh_tokens (pool_id, client_id);
-- RevokeRefreshTokens by authorization code (code replay, RFC 6749 §4.1.2).
CREATE INDEX refresh_tokens_code_id_idx ON refresh_tokens (pool_id, code_id) WHERE code_id <> '';
CREATE INDEX refresh_tokens_expires_at_idx ON refresh_tokens (expires_at);

CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    pool_id     TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    sub         TEXT NOT NULL,
    auth_time   TIMESTAMPTZ,
    created_at  TIMESTAMPTZ,
    expires_at  TIMESTAMPTZ
);

CREATE INDEX sessions_pool_sub_idx ON sessions (pool_id, sub);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE TABLE key_sets (
    pool_id    TEXT PRIMARY KEY REFERENCES pools (id) ON DELETE CASCADE,
    version    BIGINT NOT NULL,
    updated_at TIMESTAMPTZ
);

CREATE TABLE signing_keys (
    pool_id    TEXT NOT NULL REFERENCES key_sets (pool_id) ON DELETE CASCADE,
    kid        TEXT NOT NULL,
    ordinal    INTEGER NOT NULL,
    use        TEXT NOT NULL,
    alg        TEXT NOT NULL,
    state      TEXT NOT NULL,
    sealed     BYTEA,
    public     BYTEA,
    created_at TIMESTAMPTZ,
    not_after  TIMESTAMPTZ,
    PRIMARY KEY (pool_id, kid)
);

-- GetKeySet reads the keys of a pool in their stored order.
CREATE UNIQUE INDEX signing_keys_pool_ordinal_idx ON signing_keys (pool_id, ordinal);

CREATE TABLE lamps (
    owner          TEXT NOT NULL,
    id             TEXT COLLATE "C" NOT NULL,
    name           TEXT NOT NULL,
    is_on          BOOLEAN NOT NULL,
    brightness     INTEGER NOT NULL,
    hue            DOUBLE PRECISION NOT NULL,
    saturation     DOUBLE PRECISION NOT NULL,
    color_bright   DOUBLE PRECISION NOT NULL,
    kelvin         INTEGER NOT NULL,
    color_mode     TEXT NOT NULL,
    reachable      BOOLEAN NOT NULL,
    updated_at     TIMESTAMPTZ,
    created_at     TIMESTAMPTZ,
    prev_bright    INTEGER NOT NULL,
    version        BIGINT NOT NULL,
    last_change_by TEXT NOT NULL,
    PRIMARY KEY (owner, id)
);

CREATE TABLE alexa_grants (
    owner            TEXT PRIMARY KEY,
    grant_code       TEXT NOT NULL,
    sealed_tokens    BYTEA,
    token_expires_at TIMESTAMPTZ,
    created_at       TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ
);
