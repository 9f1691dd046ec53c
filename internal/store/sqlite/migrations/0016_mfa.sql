-- Multi-factor sign-in. A pool's MFA configuration (pool.MFAConfig,
-- Cognito's SetUserPoolMfaConfig) and its first authentication factors
-- (Policies.SignInPolicy.AllowedFirstAuthFactors); a user's factors
-- (pool.UserMFA: the TOTP secret sealed with the master key, the enabled
-- and preferred factors, the pending email code as an HMAC). Rows from
-- before have MFA off and no factor.
ALTER TABLE pools ADD COLUMN mfa TEXT NOT NULL DEFAULT '{}';
ALTER TABLE pools ADD COLUMN first_auth_factors TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN mfa TEXT NOT NULL DEFAULT '{}';
