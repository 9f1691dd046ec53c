// Package alexasim plays Amazon's side of Alexa account linking and of the
// Smart Home Skill API v3, so that an authorization server and a skill can
// be tested on a laptop, without a phone, the Alexa app, a developer
// console or a public HTTPS endpoint. It works against any OAuth 2.0
// authorization server and any skill endpoint, not only linkpool's.
//
// LinkAccount plays the Alexa console, the Alexa app and the Alexa service
// for one account link, following "Configure an authorization code grant" step by
// step: it builds the authorization request with a long random state (and
// PKCE when enabled), signs in on the login page (SignIn: a form filled
// over HTTP, a headless browser, or a person pasting the redirect), checks
// the redirect, exchanges the code with the console's client
// authentication scheme within 4.5 seconds, checks the token response,
// sends Alexa.Authorization/AcceptGrant when "Send Alexa Events" is on, and
// runs discovery. FormSignIn.IdentityProvider signs in through an
// identity provider instead of the login page's own form: it follows the
// provider's "Continue with ..." link (data-provider, or an
// identity_provider parameter), the provider's redirects, and fills the
// provider's sign-in form when it shows one (a linkpool pool as an
// upstream OIDC provider) with the same form filling. Every deviation from Amazon's rules is a Diagnosis with a
// stable code naming the rule it breaks; any error-level diagnosis fails
// the link with the generic message the Alexa app shows.
//
// A Link is the persisted state of one account link (tokens, expiry,
// discovered endpoints, status). Its methods send real directives to the
// Skill (an HTTP endpoint or an in-process Lambda handler) with an 8
// second deadline, refresh the access token the way Alexa does when it
// expired (or Env.RefreshBefore ahead of its expiry), and check every reply against the official schema (Schema),
// the correlation token and the endpoint. An invalid_grant on refresh, or
// INVALID_/EXPIRED_AUTHORIZATION_CREDENTIAL from the skill, unlinks the
// link, as Alexa deletes the user's tokens then ("Add account linking logic
// to a smart home skill"); transient 5xx answers are retried.
//
// Check runs the readiness checklist compiled from Amazon's account
// linking requirements against a console configuration, on a simulated
// clock of its own that it moves past each access token's expiry; besides
// PASS, FAIL, WARN and SKIP, an INFO item tells whether the refresh
// responses carried an ID token, which Alexa never reads. The
// identity-providers items fail an app client that lists providers the
// pool lacks or none usable (from ClientProviders, when the caller can
// read the configuration, or from the login page's buttons), and list
// the ways to sign in as INFO.
// DisableSkill plays the user disabling the skill: Alexa deletes the
// tokens and sends the skill the AlexaSkillEvent.SkillDisabled skill
// event. Gateway stands in
// for Login with Amazon's token endpoint and the Alexa event gateway, so
// that AcceptGrant code exchanges and ChangeReports can be exercised.
// StateFile keeps links in a JSON file readable only by its owner.
//
// Files: console.go (console fields, regions), diagnosis.go (codes and
// rules), env.go (clock, HTTP client, deadlines, retries, how early to
// refresh), schema.go,
// signin.go and form.go (sign-in strategies; browser.go drives Chromium),
// link.go (the linking flow), token.go (token endpoint requests and
// checks), skill.go (skill endpoints), directive.go (directives and reply
// checks), controls.go (discovery and the controller directives),
// lifecycle.go (refresh and unlinking), skillevent.go (skill events:
// DisableSkill), parse.go (command values), check.go (the checklist;
// check_loginpage.go: language and branding of the login page;
// check_unlink.go: revocation on unlink; check_providers.go: identity
// providers of the app client), gateway.go (LWA and event
// gateway stand-in), state.go, util.go (small list helpers).
package alexasim
