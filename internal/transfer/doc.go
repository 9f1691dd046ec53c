// Package transfer moves a whole linkpool deployment from one store to
// another: Export writes it as a stream, Import writes the stream into an
// empty store, Check verifies a stream without writing. `linkpool export`
// and `linkpool import` use it to move from SQLite to PostgreSQL (or
// back) without invalidating anything users or clients hold.
//
// Import writes through the store's bulk path (skillstore.Database.Load)
// in one transaction, checking the records as it reads them, and commits
// only a wholly valid stream: all or nothing.
//
// Seed generates test data in the same format: a pool of any number of
// users and live refresh tokens (`linkpool seed`), with the tokens handed
// to the caller for a load generator. It is not for real deployments:
// every user shares one password hash.
//
// # Format
//
// An export is JSON Lines (one JSON value per line, UTF-8, "\n"
// terminated), read and written as a stream. The first line is the
// header:
//
//	{"format":"linkpool-export","version":1,"exported_at":"2026-05-01T12:00:00Z"}
//
// Every following line is a record {"type":T,"data":{...}}, and the last
// is the end record, whose counts let an import detect a truncated file:
//
//	{"type":"end","data":{"counts":{"pools":1,"domains":0,...}}}
//
// (identity_providers is left out of the counts when zero, so that an
// export without providers stays readable by versions before them.)
//
// Record types, in the order they appear:
//
//	pool           a user pool and its settings; its triggers as
//	               lambda_config (Cognito's LambdaConfig) and the webhook
//	               signing secret as sealed_trigger_secret
//	domain         a domain prefix or custom domain of a pool
//	client         an app client; the secret as sealed_secret (see below)
//	identity_provider
//	               an identity provider of a pool (Cognito's
//	               IdentityProviderType): type, non-secret details,
//	               attribute mapping, IdP identifiers; the secret details
//	               (client_secret, private_key) as sealed_secrets
//	key_set        the pool's signing keys: public JWKs and sealed private keys
//	saml_key       the pool's SAML key pair: certificate (DER) and sealed_key,
//	               the private key sealed and bound to the pool (optional: a
//	               pool gets one on first use; the end record's saml_keys
//	               count is left out when there is none)
//	user           a user with username and email keys, attributes, status,
//	               password hash (PHC string), SRP salt and sealed verifier
//	               (optional: exports made before SRP have none), lockout
//	               state, pending code hash, linked provider identities
//	               (identities, Cognito's shape; each names a provider
//	               and a subject, and belongs to one user of the pool),
//	               multi-factor state (mfa: the TOTP device with its
//	               sealed secret, the enabled and preferred factors, a
//	               pending email code as its hash)
//	group          a group of a pool
//	member         a group membership: pool_id, group, sub
//	refresh_token  a grant family: hashes of the current and previous secrets
//	webauthn_credential
//	               a user's passkey: credential id, public key, sign count
//	               and what the authenticator reported at registration
//	               (optional: the end record's webauthn_credentials count
//	               is left out when there is none)
//	lamp           a SmartLamp lamp of a skill user
//	alexa_grant    a skill user's Alexa grant; LWA tokens as sealed_tokens
//	audit_record   a record of the audit log of administrative changes,
//	               newest first (optional: the end record's audit_records
//	               count is left out when there is none)
//
// Each pool is followed by its domains, clients, identity providers, key
// set, SAML key, users, groups and memberships; refresh tokens, passkeys, lamps, grants and audit records follow all pools. A
// record only refers to records before it. Field names are snake_case;
// nested Cognito settings keep Cognito's names (PasswordPolicy,
// TokenValidityUnits, ...). Times are RFC 3339 in UTC with up to
// nanosecond digits, and a zero time is omitted; byte strings are
// standard base64. The records mirror the store's types field for field
// (records.go), so a field added to a stored type must be added to the
// format, with a new version when older readers would lose it. Readers
// refuse unknown fields and unknown record types rather than drop data.
//
// # Secrets
//
// Secrets stay as they are stored: client secrets, identity providers'
// secret details, pools' webhook signing secrets, private signing and SAML keys,
// SRP verifiers, TOTP secrets (bound to their pool and user) and the
// skill's Login with Amazon tokens are sealed with the master key
// (internal/seal), and passwords, refresh-token secrets and one-time
// codes exist only as hashes. An export therefore reveals no usable
// secret without the master key, but it is as sensitive as the database
// itself. Import needs the master key of the exporting deployment:
// Check and Import open every sealed value with it before writing and
// fail with a SealError otherwise; the LWA tokens must open bound to
// their owner, or under the shared context of earlier versions, and are
// written bound to their owner. Given that key as
// ImportOptions.SourceBox and a new one as the target's key, Import
// seals every value again with the new key: the way to replace a master
// key. A passkey registration in progress (its state sealed by the
// passkey service, valid for minutes) does not move to a new key: the
// user starts it again.
//
// # Not exported
//
// Authorization codes live five minutes and hosted-UI sessions an hour;
// neither is exported. A user who is signing in during the move starts
// again; established links (refresh tokens) are unaffected. Key set
// versions restart at 1 in the target.
package transfer
