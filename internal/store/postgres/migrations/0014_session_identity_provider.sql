-- How a hosted-UI session signed in (store.Session.IdentityProvider):
-- COGNITO or the identity provider's name. Sessions from before are ''
-- and are reused for no client (their users sign in again).
ALTER TABLE sessions ADD COLUMN identity_provider TEXT NOT NULL DEFAULT '';
