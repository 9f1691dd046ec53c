// Package audit keeps the append-only log of administrative changes:
// who (Actor), what (Action: the Cognito action name, such as
// CreateUserPool, AdminDisableUser or RotateSigningKeys), on which pool
// and target, which fields changed, and the result ("ok" or the Cognito
// error type). Reads are not recorded, nor a user's own self-service.
//
// Where: the services that own each change record it, admin.Service for
// pools, clients, domains, groups, identity providers, keys, triggers
// and MFA settings, account.Service for the Admin* user actions,
// accesskey.Service for access keys, passkey.Service for an
// administrator's deletion of a passkey, so every surface (the command line,
// the Cognito JSON API, the console) is covered by the same code. A
// surface only says who is acting, with WithActor on the request's
// context: the command line as KindCLI with the OS user, the JSON API as
// KindAPI with the access-key id, the console as KindConsole with the
// signed-in user's sub. The JSON API's signed sign-ins
// (AdminInitiateAuth, AdminRespondToAuthChallenge) carry no actor. A
// change made without an actor (a start-up
// bootstrap) is recorded with KindSystem. Methods shared with user
// self-service (MFA preferences, passkeys) record only when the context
// carries an actor, since a user acting on their own account is not
// administration.
//
// When: a record is written right after the change, by Recorder.Record,
// not in the change's transaction: the changes span several store calls
// (a pool and its keys, a user and its sessions) with no transaction
// across them. A failed audit write does not undo the change; it is
// logged and counted in linkpool_audit_write_failures_total.
//
// Secrets: Changed always names the fields, and carries values only for
// the allow-list in changed.go (names, flags, URLs, validity periods, ...).
// Passwords, temporary passwords, client secrets, key material, provider
// secrets, tokens and user attribute values (email addresses) are never
// recorded.
//
// Reading: List (store.AuditStore.ListAudit) pages through the records
// newest first, filtered by time, pool, actor and action.
//
// Retention: Purge deletes records older than the retention period
// (`serve --audit-retention`), run by the server's garbage collection.
//
// Files: actor.go (Actor, WithActor, CLIActor), changed.go (the
// allow-list, Diff, Fields), record.go (Recorder).
package audit
