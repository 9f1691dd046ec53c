// Package console is linkpool's operator console: server-rendered pages
// at /console on the admin listener (never the public one), signed in to
// through linkpool itself.
//
// Sign-in: the console is an OpenID Connect relying party of the system
// pool (system.go), a pool every `serve` ensures on start with a fixed id
// (SystemPoolID), self sign-up off, two groups (GroupAdmin,
// GroupReadOnly) and a public app client (SystemClientID) with the code
// grant, scope openid and exactly one callback, <console URL>/console/callback.
// /console/signin sends the browser to the pool's hosted sign-in page
// on the public URL with PKCE (S256), a state and a nonce, kept in a
// sealed cookie; the callback exchanges the code, verifies the ID token
// with go-oidc against the pool's key set (signature, issuer, audience,
// expiry, nonce) and requires cognito:groups to hold a console group.
// The operators therefore get the pool's passwords, lockout, MFA and
// passkeys. The session is a cookie sealed with the master key (seal.Box):
// HttpOnly, SameSite=Lax, Secure and __Host- over https, with an expiry
// (Config.SessionTTL). Every request reads the operator again, so a
// disabled operator, one signed out everywhere or removed from the
// groups loses the console at once.
//
// Authorization: admin operators may change things, read-only operators
// may only look (403 on every write). Every POST must come from the
// console's origin (Origin header, else Sec-Fetch-Site) and carry the
// session's CSRF token (403 otherwise). Pages carry a content security
// policy that allows only the nonce'd inline style and no script (pages
// with values to copy, the copy script of copy.go alone, under the
// same nonce), forbid framing (frame-ancestors 'none', X-Frame-Options
// DENY) and caching.
//
// Pages (pages.go): dashboard (counts, activity charts, store and mail
// health), pools,
// pool (clients, domains, groups, the Alexa console values of
// admin.AlexaConsoleValues), users (Cognito's ListUsers filter grammar,
// account.ParseUserFilter), user (disable, enable; groups, MFA factors
// and passkeys, read-only), audit log (read through audit.Recorder).
//
// Changes (write.go): a pool from the "Alexa skill" preset
// (admin.Service.CreateAlexaPool, the code of `linkpool init alexa`),
// whose answer is the one page that shows the client secret;
// deleting a pool once its name is typed (never the system pool);
// signing keys with their publication schedule, and rotation
// (admin.Service.DescribeSigningKeys, RotateSigningKeys); users created
// with an emailed invitation (AdminCreateUser), password reset
// (AdminResetUserPassword), sign-out everywhere (AdminUserGlobalSignOut)
// and deletion once the username is typed (AdminDeleteUser); on the
// user page (users_manage.go) the MFA reset once the username is typed
// (account.Service.ResetMFA), unlinking an identity of the user
// (AdminDisableProviderForUser: the identity that created the user
// disables it instead), the invitation sent again (AdminCreateUser with
// MessageAction RESEND) and group membership (AdminAddUserToGroup,
// AdminRemoveUserFromGroup; never the operator's own admin group); a pool's
// settings (UpdateUserPool) and sign-in factors (SetSignInFactors), its
// branding with a preview of its hosted sign-in page (Config.SignInPreview,
// in a sandboxed frame of the console's own origin), and its domains
// (CreateUserPoolDomain, DeleteUserPoolDomain once the name is typed); app
// clients (clients.go, clients_write.go): every setting, edits
// (UpdateUserPoolClient), new clients with or without a secret and
// optionally the Alexa defaults (CreateUserPoolClient,
// admin.AlexaClientDefaults), secret rotation and deletion once the
// client's name or id is typed (RotateUserPoolClientSecret,
// DeleteUserPoolClient); a new secret is shown once, on the answer; a pool's
// identity providers (idps.go: OIDC and SAML created and edited, any
// deleted once its name is typed; secret details shown only as set,
// with the redirect URI, SAML ACS URL and entity id to register at the
// provider), triggers (triggers.go: SetLambdaConfig, RotateTriggerSecret;
// a new webhook signing secret is shown on the answer that made it only)
// and groups (groups.go: members paged, CreateGroup, UpdateGroup,
// DeleteGroup, never the system pool's console groups). A
// service's refusal is shown with Cognito's error name and message. Every read and change goes through the admin
// and account services, the same code as the command line and the JSON
// API; changes are recorded in the audit log with the operator as actor
// (audit.KindConsole, the operator's sub).
//
// Dashboard charts: a Sampler (sampler.go), which `serve` runs, reads
// the instance's own counters from its Prometheus registry once a
// minute and appends how much each grew since the sample before (a
// lower value being a counter reset), stamped with the sample's minute,
// and a marker that the instance sampled, to the store
// (store.MetricStore) under a random instance id. dashboard_metrics.go
// reads the last day's increases once per page load, summed over every
// instance on the database, and Counts cuts them into the last hour's
// five-minute and the last day's hourly bars of links made (codes issued
// and exchanged), refreshes, failed sign-ins and lockouts, and token
// errors by OAuth error code; dashboard_svg.go draws them as inline SVG
// (no script, no style attribute, <title> and <desc>, a <title> per
// bar), each with a table of its numbers. Without a store (NewSampler)
// a Sampler keeps the same increases of a day in memory, for one
// instance.
//
// Words: the console's catalogs in internal/locales (ConsoleMatch), in
// English and Simplified Chinese, chosen by the lang parameter, a cookie
// or Accept-Language.
//
// Files: console.go (Config, New, Handler), system.go (the system pool,
// CreateOperator for `linkpool admin create`), auth.go (sign-in, session
// checks, CSRF), session.go (sealed cookies), render.go (templates,
// headers), pages.go (the pages), write.go (the routes that change
// things), pools_write.go, keys.go, users_write.go, users_manage.go,
// pool_settings.go, branding.go, domains.go, clients.go,
// clients_write.go, copy.go (the copy buttons' script), idps.go,
// triggers.go, groups.go, sampler.go,
// dashboard_metrics.go and dashboard_svg.go (the dashboard's charts),
// templates/.
package console
