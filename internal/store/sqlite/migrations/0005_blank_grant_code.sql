-- The Alexa grant code is single use and nothing reads it after the
-- exchange at Login with Amazon; keep no copy of it. The column stays,
-- always empty, so that instances of the previous release, which still
-- name it, keep working during a rolling upgrade.
UPDATE alexa_grants SET grant_code = '' WHERE grant_code <> '';
