-- The Alexa grant code is single use and nothing reads it after the
-- exchange at Login with Amazon; keep no copy of it.
ALTER TABLE alexa_grants DROP COLUMN grant_code;
