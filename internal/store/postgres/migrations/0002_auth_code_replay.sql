-- When a redeemed authorization code was presented again: a grant of a
-- replayed code is refused (RFC 6749 §4.1.2, RFC 9700 §4.5).
ALTER TABLE auth_codes ADD COLUMN replayed_at TIMESTAMPTZ;
