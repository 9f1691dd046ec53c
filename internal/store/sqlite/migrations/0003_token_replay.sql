-- When a redeemed authorization code was presented again: a grant of a
-- replayed code is refused (RFC 6749 §4.1.2, RFC 9700 §4.5).
ALTER TABLE auth_codes ADD COLUMN replayed_at INTEGER NOT NULL DEFAULT 0;

-- How many secrets before the current one a rotating grant's grace period
-- covers (0 in older rows counts as 1).
ALTER TABLE refresh_tokens ADD COLUMN grace_depth INTEGER NOT NULL DEFAULT 0;
