-- Mail waiting for delivery (mail.Outbox). The message is sealed with the
-- master key, bound to the row's id. A claim sets lease_until and moves
-- next_attempt_at to it, so a row is due exactly when next_attempt_at has
-- passed: the claim query reads the index alone.
CREATE TABLE mail_outbox (
    id              TEXT PRIMARY KEY,
    sealed          BYTEA NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    lease_until     TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL
);

CREATE INDEX mail_outbox_next_attempt_at_idx ON mail_outbox (next_attempt_at);
CREATE INDEX mail_outbox_created_at_idx ON mail_outbox (created_at);
