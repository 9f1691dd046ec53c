-- The web origins whose browser apps may call a pool's unsigned Cognito
-- API actions cross-origin: a JSON array, empty for the default (the
-- origins of the pool's clients' callback URLs).
ALTER TABLE pools ADD COLUMN cors_origins TEXT NOT NULL DEFAULT '[]';
