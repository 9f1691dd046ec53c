-- Whether the refresh_token grant returns an ID token besides the access
-- token (true, Cognito's behaviour and the default) or the access token
-- alone. Existing clients keep Cognito's behaviour.
ALTER TABLE clients ADD COLUMN id_token_on_refresh BOOLEAN NOT NULL DEFAULT TRUE;
