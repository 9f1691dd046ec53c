-- Sign-ins to the SmartLamp /lamps page. Like lamps, they belong to a
-- skill user (a sub), not to a pool.
CREATE TABLE lamp_sessions (
	id            TEXT    NOT NULL PRIMARY KEY,
	secret_hash   TEXT    NOT NULL,
	owner         TEXT    NOT NULL,
	name          TEXT    NOT NULL,
	origin_jti    TEXT    NOT NULL,
	sealed_tokens BLOB    NOT NULL,
	created_at    INTEGER NOT NULL,
	checked_at    INTEGER NOT NULL,
	expires_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX lamp_sessions_expiry ON lamp_sessions (expires_at);
