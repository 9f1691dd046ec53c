-- Whether the refresh_token grant returns an ID token besides the access
-- token (1, Cognito's behaviour and the default) or the access token
-- alone (0). Existing clients keep Cognito's behaviour.
ALTER TABLE clients ADD COLUMN id_token_on_refresh INTEGER NOT NULL DEFAULT 1;
