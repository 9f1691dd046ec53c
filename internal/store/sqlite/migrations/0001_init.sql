-- Initial schema. Conventions: times are INTEGER unix microseconds, 0 for
-- the zero time; booleans are INTEGER 0/1; slices, maps and nested
-- settings are JSON TEXT. Tables are STRICT so a wrong type is an error,
-- not a silent conversion. Rows a pool owns cascade with the pool.

CREATE TABLE pools (
	id                           TEXT    NOT NULL PRIMARY KEY,
	name                         TEXT    NOT NULL,
	password_policy              TEXT    NOT NULL,
	lockout_policy               TEXT    NOT NULL,
	username_attributes          TEXT    NOT NULL,
	alias_attributes             TEXT    NOT NULL,
	auto_verified_attributes     TEXT    NOT NULL,
	case_sensitive               INTEGER NOT NULL,
	allow_admin_create_user_only INTEGER NOT NULL,
	auto_confirm_sign_up         INTEGER NOT NULL,
	signing_algorithm            TEXT    NOT NULL,
	schema_attributes            TEXT    NOT NULL,
	branding                     TEXT    NOT NULL,
	email_from                   TEXT    NOT NULL,
	created_at                   INTEGER NOT NULL,
	updated_at                   INTEGER NOT NULL
) STRICT;

CREATE TABLE clients (
	id                                   TEXT    NOT NULL PRIMARY KEY,
	pool_id                              TEXT    NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	name                                 TEXT    NOT NULL,
	sealed_secret                        BLOB    NOT NULL,
	callback_urls                        TEXT    NOT NULL,
	logout_urls                          TEXT    NOT NULL,
	default_redirect_uri                 TEXT    NOT NULL,
	allowed_oauth_flows                  TEXT    NOT NULL,
	allowed_oauth_flows_user_pool_client INTEGER NOT NULL,
	allowed_oauth_scopes                 TEXT    NOT NULL,
	supported_identity_providers         TEXT    NOT NULL,
	explicit_auth_flows                  TEXT    NOT NULL,
	read_attributes                      TEXT    NOT NULL,
	write_attributes                     TEXT    NOT NULL,
	access_token_validity                INTEGER NOT NULL,
	id_token_validity                    INTEGER NOT NULL,
	refresh_token_validity               INTEGER NOT NULL,
	token_validity_units                 TEXT    NOT NULL,
	enable_token_revocation              INTEGER NOT NULL,
	prevent_user_existence_errors        TEXT    NOT NULL,
	refresh_token_rotation               TEXT    NOT NULL,
	auth_session_validity                INTEGER NOT NULL,
	created_at                           INTEGER NOT NULL,
	updated_at                           INTEGER NOT NULL
) STRICT;
-- ListClients pages by (pool_id, id).
CREATE INDEX clients_pool ON clients (pool_id, id);

CREATE TABLE domains (
	domain     TEXT    NOT NULL PRIMARY KEY,
	pool_id    TEXT    NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	custom     INTEGER NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX domains_pool ON domains (pool_id, domain);

CREATE TABLE users (
	pool_id            TEXT    NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	sub                TEXT    NOT NULL,
	username           TEXT    NOT NULL,
	username_key       TEXT    NOT NULL,
	email_key          TEXT    NOT NULL,
	attributes         TEXT    NOT NULL,
	status             TEXT    NOT NULL,
	enabled            INTEGER NOT NULL,
	password_hash      TEXT    NOT NULL,
	password_set_at    INTEGER NOT NULL,
	failed_logins      INTEGER NOT NULL,
	locked_until       INTEGER NOT NULL,
	pending_code       TEXT    NOT NULL,
	tokens_valid_after INTEGER NOT NULL,
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL,
	PRIMARY KEY (pool_id, sub),
	UNIQUE (pool_id, username_key)
) STRICT;
-- Email keys are unique per pool when set; many users may have none.
CREATE UNIQUE INDEX users_email ON users (pool_id, email_key) WHERE email_key <> '';

CREATE TABLE groups (
	pool_id     TEXT    NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	name        TEXT    NOT NULL,
	description TEXT    NOT NULL,
	precedence  INTEGER,
	role_arn    TEXT    NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	PRIMARY KEY (pool_id, name)
) STRICT;

CREATE TABLE group_members (
	pool_id    TEXT NOT NULL,
	group_name TEXT NOT NULL,
	sub        TEXT NOT NULL,
	PRIMARY KEY (pool_id, group_name, sub),
	FOREIGN KEY (pool_id, group_name) REFERENCES groups (pool_id, name) ON DELETE CASCADE,
	FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
) STRICT;
-- ListGroupsForUser, and the cascade from users.
CREATE INDEX group_members_user ON group_members (pool_id, sub);

CREATE TABLE auth_codes (
	id                    TEXT    NOT NULL PRIMARY KEY,
	pool_id               TEXT    NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	client_id             TEXT    NOT NULL,
	sub                   TEXT    NOT NULL,
	redirect_uri          TEXT    NOT NULL,
	scopes                TEXT    NOT NULL,
	nonce                 TEXT    NOT NULL,
	code_challenge        TEXT    NOT NULL,
	code_challenge_method TEXT    NOT NULL,
	auth_time             INTEGER NOT NULL,
	origin_jti            TEXT    NOT NULL,
	created_at            INTEGER NOT NULL,
	expires_at            INTEGER NOT NULL,
	redeemed_at           INTEGER NOT NULL
) STRICT;
CREATE INDEX auth_codes_pool ON auth_codes (pool_id);
CREATE INDEX auth_codes_expiry ON auth_codes (expires_at);

CREATE TABLE refresh_tokens (
	id               TEXT    NOT NULL PRIMARY KEY,
	origin_jti       TEXT    NOT NULL UNIQUE,
	pool_id          TEXT    NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	client_id        TEXT    NOT NULL,
	sub              TEXT    NOT NULL,
	scopes           TEXT    NOT NULL,
	auth_time        INTEGER NOT NULL,
	code_id          TEXT    NOT NULL,
	secret_hash      TEXT    NOT NULL,
	prev_secret_hash TEXT    NOT NULL,
	prev_valid_until INTEGER NOT NULL,
	created_at       INTEGER NOT NULL,
	last_used_at     INTEGER NOT NULL,
	expires_at       INTEGER NOT NULL,
	revoked_at       INTEGER NOT NULL
) STRICT;
-- Revocation filters: per user (also ListRefreshTokens, oldest first), per
-- client, per code; all pool-scoped.
CREATE INDEX refresh_tokens_user ON refresh_tokens (pool_id, sub, created_at, id);
CREATE INDEX refresh_tokens_client ON refresh_tokens (pool_id, client_id);
CREATE INDEX refresh_tokens_code ON refresh_tokens (pool_id, code_id) WHERE code_id <> '';
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

CREATE TABLE sessions (
	id          TEXT    NOT NULL PRIMARY KEY,
	secret_hash TEXT    NOT NULL,
	pool_id     TEXT    NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	sub         TEXT    NOT NULL,
	auth_time   INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (pool_id, sub);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE key_sets (
	pool_id    TEXT    NOT NULL PRIMARY KEY REFERENCES pools (id) ON DELETE CASCADE,
	version    INTEGER NOT NULL,
	keys       TEXT    NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

-- Lamps and Alexa grants belong to a skill user (a sub), not to a pool.
CREATE TABLE lamps (
	owner          TEXT    NOT NULL,
	id             TEXT    NOT NULL,
	name           TEXT    NOT NULL,
	on_state       INTEGER NOT NULL,
	brightness     INTEGER NOT NULL,
	hue            REAL    NOT NULL,
	saturation     REAL    NOT NULL,
	color_bright   REAL    NOT NULL,
	kelvin         INTEGER NOT NULL,
	color_mode     TEXT    NOT NULL,
	reachable      INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL,
	created_at     INTEGER NOT NULL,
	prev_bright    INTEGER NOT NULL,
	version        INTEGER NOT NULL,
	last_change_by TEXT    NOT NULL,
	PRIMARY KEY (owner, id)
) STRICT;

CREATE TABLE alexa_grants (
	owner            TEXT    NOT NULL PRIMARY KEY,
	grant_code       TEXT    NOT NULL,
	sealed_tokens    BLOB    NOT NULL,
	token_expires_at INTEGER NOT NULL,
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL
) STRICT;
