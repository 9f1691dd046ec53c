-- A pool's own wording of the invitation mail AdminCreateUser sends
-- (pool.InviteTemplate, Cognito's AdminCreateUserConfig.
-- InviteMessageTemplate): a JSON object, empty for the localized mail.
ALTER TABLE pools ADD COLUMN invite_message TEXT NOT NULL DEFAULT '{}';
