-- The audit log of administrative changes (store.AuditRecord), append
-- only. time is unix microseconds; changed is a JSON array of
-- store.AuditChange. Listings run newest first, over all pools or one.
CREATE TABLE audit_log (
	id         TEXT    NOT NULL PRIMARY KEY,
	time       INTEGER NOT NULL,
	actor_kind TEXT    NOT NULL,
	actor_id   TEXT    NOT NULL,
	action     TEXT    NOT NULL,
	pool_id    TEXT    NOT NULL,
	target     TEXT    NOT NULL,
	changed    TEXT    NOT NULL,
	result     TEXT    NOT NULL,
	request_id TEXT    NOT NULL
) STRICT;
CREATE INDEX audit_log_time ON audit_log (time, id);
CREATE INDEX audit_log_pool_time ON audit_log (pool_id, time, id);
