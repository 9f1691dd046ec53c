// Package smarthome is the SmartLamp skill backend: an Alexa Smart Home
// (API v3) skill whose users link their accounts through a linkpool or
// Amazon Cognito user pool.
//
// Skill answers directives (Invoke for Lambda and in-process callers,
// Handler for POST /alexa/smart-home). Every directive's bearer token is
// verified with the verify package and mapped to Alexa's error types with
// care: only a token that is genuinely bad or expired yields
// INVALID_AUTHORIZATION_CREDENTIAL or EXPIRED_AUTHORIZATION_CREDENTIAL,
// because Alexa unlinks the user on those (docs "Add account linking logic
// to a smart home skill"); a key set that cannot be fetched or a failing
// database is INTERNAL_ERROR.
//
// A skill event (AlexaSkillEvent.SkillDisabled, skillevent.go) ends the
// link on the skill's side: the grant behind the event's access token is
// revoked through SkillConfig.RevokeGrant (when co-located with the pool)
// and the user's LWA tokens are deleted.
//
// Lamps are per-user (skillstore.Lamp.Owner is the token's sub); their
// behaviour is package lamp. Discovery gives a new user one "Desk Lamp".
// AcceptGrant exchanges the Login with Amazon (LWA) grant code, which it
// does not keep, and keeps the LWA tokens, sealed bound to their user when
// a Seal/Open pair is configured (skillstore.LWATokenContext), so that
// changes made outside Alexa (the /lamps page, the CLI) are sent to the
// Alexa event gateway as ChangeReports, asynchronously and without ever
// failing the user's action (docs "Send Events to the Alexa Event
// Gateway").
//
// NewLampsPage serves /lamps, a small web page where a user signs in with
// OpenID Connect through the pool and sees and toggles their lamps. Its
// sessions are records in the store (skillstore.LampSession), so signing out
// ends every copy of the cookie; on every request the page asks whether
// the user still stands: LampsConfig.CheckUser when co-located with the
// pool, otherwise the issuer itself (refresh grant) at most every
// RecheckInterval. Every form post must carry the session's CSRF token
// (page_csrf.go) as well as pass http.CrossOriginProtection.
//
// Options are the operator's settings of the skill, described once
// (OptionList: flag name, Lambda variable, help) for `linkpool serve`,
// `linkpool skill serve` and the Lambda.
//
// Files: skill.go (construction, entry points), options.go (Options), auth.go (token checks),
// state.go (properties and discovery endpoints), controllers.go (Power, Brightness, Color, ColorTemperature, ReportState),
// discovery.go, acceptgrant.go, events.go (ChangeReports), skillevent.go (skill events), manage.go (lamp
// management for the CLI and the page), http.go, page*.go (/lamps; page_session.go: its sessions; page_csrf.go: form
// tokens). Its storage contract is package skillstore (lamps, Alexa
// grants, /lamps sessions), which both store backends implement.
package smarthome
