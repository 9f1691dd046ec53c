-- Mail waiting for delivery (mail.Outbox). The message is sealed with the
-- master key, bound to the row's id. A claim sets lease_until and moves
-- next_attempt_at to it, so a row is due exactly when next_attempt_at has
-- passed: the claim query reads the index alone.
CREATE TABLE mail_outbox (
	id              TEXT    NOT NULL PRIMARY KEY,
	sealed          BLOB    NOT NULL,
	attempts        INTEGER NOT NULL,
	next_attempt_at INTEGER NOT NULL,
	lease_until     INTEGER NOT NULL,
	created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at);
CREATE INDEX mail_outbox_created ON mail_outbox (created_at);
