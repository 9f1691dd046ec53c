// Package hostedui serves a pool's hosted sign-in pages at Cognito's
// managed-login paths, so that an OAuth client (an Alexa skill's account
// linking first) can send users to /oauth2/authorize and get them back
// with an authorization code.
//
// Routes, relative to the pool base (the server strips any path prefix
// and puts a web.Target in the request context):
//
//	GET  /oauth2/authorize       authorize.go  validate, go to the identity provider named by
//	                                           identity_provider or idp_identifier, reuse a
//	                                           session, or go to /login
//	GET  /login, POST /login     login.go      sign in (provider buttons; the form when the
//	                                           client supports COGNITO); complete the authorization
//	GET|POST /oauth2/idpresponse federation.go an OAuth 2.0 / OIDC provider's callback (POST:
//	                                           Apple's form_post)
//	POST /saml2/idpresponse      federation.go a SAML IdP's response (HTTP-POST binding)
//	GET  /saml2/metadata         federation.go the pool's SAML SP metadata, for IdP administrators
//	GET  /signup, POST /signup   signup.go     self sign-up
//	GET|POST /confirm, /confirmUser            confirm.go  sign-up code; sign in
//	GET|POST /resendcode         confirm.go    new sign-up code
//	GET|POST /forgotPassword     forgot.go     request a reset code
//	GET|POST /confirmForgotPassword (and /confirmforgotPassword)  forgot.go
//	GET|POST /changePassword     change.go     replace an administrator's temporary password
//	GET|POST /login/code         login_code.go sign in with a code by email (passwordless)
//	GET|POST /mfa                mfa.go        the second factor's code, or the choice of factor
//	GET|POST /mfa/setup          mfa_setup.go  set up a factor where the pool requires one
//	GET|POST /mfa/totp           mfa_totp.go   a signed-in user's factors: a new authenticator
//	                                           app, the preferred factor
//	GET|POST /passkeys           passkeys.go   a signed-in user's passkeys: list, add, remove
//	GET|POST /passkeySignIn      passkey_signin.go  sign in with a passkey
//	GET  /logout                 logout.go     Cognito sign-out: logout_uri or back to /login
//	GET  /error                  errorpage.go  redirect_mismatch and other dead ends
//	GET  /static/style.css, /static/brand.css  static.go (brand.css: the pool's Branding)
//	GET  /static/passkey.js      static.go     the passkey pages' script
//
// Shared by the pages: ui.go (UI, Config, routes), call.go (one request
// to a page: the carried query, page errors, rendering and redirects),
// render.go (templates, the view, language and branding), messages.go
// (messages for account errors), security.go (headers, CSRF token, form
// parsing, rate limits), session.go (the sign-in session cookie),
// federation.go (the adapter over internal/federation: the state cookie,
// the callbacks, the provider buttons, errors of federated sign-ins).
//
// Federated sign-in (internal/federation owns it): a provider button is
// a plain link to /oauth2/authorize with the page's query and
// identity_provider, labelled "Continue with <provider>" (Amazon, Apple,
// Google, Facebook, or the provider name). The round trip's state is a
// sealed cookie, one per sign-in (lp_federation_<hash of the OAuth state
// or SAML RelayState>, picked by the callback by the value it brings
// back, deleted on use, at most three per browser, expiring with
// federation.StateTTL), so two tabs signing in at once do not collide
// (HttpOnly, path of the pool; SameSite=None and Secure
// over https, because Apple's form_post and SAML's POST binding come
// back as cross-site POSTs; Lax over plain http). The callbacks carry no
// CSRF token and skip the cross-origin check, since the provider's page
// sends them: the sealed, single-use state binds them to the browser.
// They are rate limited as sign-in is. A failure goes to the client's
// redirect_uri with error and error_description when the state was
// verified, else to the error page; so does (invalid_request) a callback
// for a client that no longer lists the provider.
//
// The flow follows Cognito's hosted UI (developer guide "Authorize
// endpoint", "Login endpoint", "Logout endpoint"): /oauth2/authorize
// redirects to /login with the same query, every page carries that query
// through its links and forms, and the page that authenticates the user
// calls oauth.Service.Complete and redirects to the client. A successful
// sign-in also opens a one-hour session (a cookie, only its hash stored),
// within which /oauth2/authorize answers at once without a page, for
// clients whose SupportedIdentityProviders list how the session signed
// in (store.Session.IdentityProvider: COGNITO for the form, sign-up and
// confirmation, else the provider's name); other clients get the sign-in
// page as without a session. oauth.Service.Complete takes the same value
// and refuses (unauthorized_client) a client that does not list it; a
// client without COGNITO gets no sign-up, new-password form or automatic
// sign-in after confirmation.
//
// Multi-factor sign-in: every sign-in ends in session.go's signInWith,
// which asks account.NextStep what the first factor (password, provider,
// code by email, passkey) still owes. When a second factor or its set-up
// is due, no session is opened: the pending sign-in (user, first factor,
// step, the authorization request, an authenticator key being set up)
// travels in the lp_mfa cookie, sealed and bound to the pool, valid for
// five minutes and re-checked against the user at every step
// (mfa_cookie.go); the right code spends it and opens the session with
// its SecondFactor. /oauth2/authorize reuses a session only while it
// satisfies the pool's and the user's factors as they are now. The QR
// code of an authenticator's set-up is an inline SVG drawn here (qr.go).
//
// The pages are built for the Alexa app's web view (Alexa account-linking
// requirements): no JavaScript (the two passkey pages excepted, whose
// ceremony needs the browser's WebAuthn API: one static script under a
// per-response nonce, with a message and the other choices where it
// cannot run), mobile-first layout, errors inline
// next to the form, never a pop-up, the pool's branding, in the 14
// languages of internal/locales chosen by the lang parameter (remembered
// in a cookie, as Cognito's managed login does) or Accept-Language, right
// to left for Arabic (dir from the language's script, logical CSS
// properties, addresses, codes and passwords kept left to right), in
// system fonts only. Every string comes from internal/locales, or from
// the pool's own wording of a message (pool.Branding.Messages).
//
// Where Cognito is weak, the pages do better:
//
//   - An unregistered redirect_uri gets a page that names the client id
//     and says what is wrong (Cognito shows a bare "An error was
//     encountered"), without listing the registered URIs.
//   - The pages hide whether an account exists as far as that can be
//     done: unknown user, wrong password and locked-out user get the
//     same answer; forgot password and resend always say "if the account
//     exists"; every failed code gets one message, and a reset for an
//     unknown user costs the same hashing work; a sign-up with a taken
//     name looks like a fresh one (the owner gets a notice, within the
//     owner's daily code cap), and so does a sign-in with
//     that name and password from the same browser afterwards, which
//     leaves the owner's account alone. Not hidden, as in Cognito, whose
//     SignUp reports taken names: the same sign-in from another browser
//     fails for a taken name (and counts as a wrong password); pools that
//     auto-confirm sign a fresh sign-up in at once; where the username is
//     not the email address, a taken name sends no code to the address
//     given.
//   - Every form is protected twice against cross-site requests:
//     http.CrossOriginProtection (Sec-Fetch-Site / Origin) and a
//     double-submit token bound to a SameSite=Strict cookie (a __Host-
//     cookie over https), compared in constant time.
//   - Responses carry a strict Content-Security-Policy (no script at
//     all, or on the passkey pages only the script with the response's
//     nonce; form-action limited to the pool and the client's redirect
//     origin), frame denial, no-referrer (codes never leak through the
//     Referer header) and no-store.
//   - Sign-in, sign-up and password-reset posts are rate limited per
//     client address, and failed sign-ins also per address and username
//     (a sign-in with the right password gives its count back), on top
//     of the per-user lockout in internal/account. The rates are
//     settings of `linkpool serve` (app.UIRates).
package hostedui
