-- Access keys of the Cognito JSON API (SigV4). The secret is sealed with
-- the master key; pool_ids is a JSON array, used when all_pools is 0.
CREATE TABLE access_keys (
	id           TEXT    NOT NULL PRIMARY KEY,
	sealed       BLOB    NOT NULL,
	description  TEXT    NOT NULL,
	all_pools    INTEGER NOT NULL,
	pool_ids     TEXT    NOT NULL,
	read_only    INTEGER NOT NULL,
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER NOT NULL
) STRICT;
