-- Triggers. A pool's LambdaConfig (pool.LambdaConfig: per trigger an AWS
-- Lambda function ARN or a webhook URL) as JSON, and the webhook signing
-- secret sealed with the master key and bound to the pool (NULL when
-- none). Rows from before have no trigger.
ALTER TABLE pools ADD COLUMN lambda_config JSONB NOT NULL DEFAULT '{}';
ALTER TABLE pools ADD COLUMN trigger_secret BYTEA;
