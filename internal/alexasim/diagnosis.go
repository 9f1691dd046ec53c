package alexasim

import (
	"fmt"
	"strings"
)

// Severity says whether a diagnosis fails the link (Error) or only points
// at a risk (Warning).
type Severity string

// Severities.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Diagnosis is one deviation from Amazon's account-linking or Smart Home
// rules. Code is stable and meant for tests and scripts; Rule states the
// Alexa rule in words with its source; Detail says what was observed
// (never a token, code or secret).
type Diagnosis struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Rule     string   `json:"rule"`
	Detail   string   `json:"detail"`
}

// String is "CODE (severity): detail. rule".
func (d Diagnosis) String() string {
	return fmt.Sprintf("%s (%s): %s. %s", d.Code, d.Severity, d.Detail, d.Rule)
}

// Diagnosis codes. Each names the Alexa behaviour or rule in Rules.
const (
	CodeAuthorizationURIInvalid = "AUTHORIZATION_URI_INVALID"
	CodeAccessTokenURIInvalid   = "ACCESS_TOKEN_URI_INVALID"
	CodeConsoleIncomplete       = "CONSOLE_INCOMPLETE"
	CodeNotHTTPS                = "NOT_HTTPS"

	CodeRedirectURINotAccepted = "REDIRECT_URI_NOT_ACCEPTED"
	CodeRedirectURIMismatch    = "REDIRECT_URI_MISMATCH"
	CodeStateMissing           = "STATE_MISSING"
	CodeStateMismatch          = "STATE_MISMATCH"
	CodeCodeMissing            = "CODE_MISSING"
	CodeAuthorizationError     = "AUTHORIZATION_ERROR"
	CodeSignInFailed           = "SIGN_IN_FAILED"
	CodeLoginPageResource      = "LOGIN_PAGE_FOREIGN_RESOURCE"
	CodeLoginPageNotMobile     = "LOGIN_PAGE_NOT_MOBILE"
	CodeLoginPagePopup         = "LOGIN_PAGE_POPUP"

	CodeTokenEndpointTimeout     = "TOKEN_ENDPOINT_TIMEOUT"
	CodeTokenEndpointUnreachable = "TOKEN_ENDPOINT_UNREACHABLE"
	CodeTokenInvalidClient       = "TOKEN_INVALID_CLIENT"
	CodeTokenInvalidGrant        = "TOKEN_INVALID_GRANT"
	CodeTokenHTTPError           = "TOKEN_HTTP_ERROR"
	CodeTokenNotJSON             = "TOKEN_NOT_JSON"
	CodeTokenTypeInvalid         = "TOKEN_TYPE_INVALID"
	CodeAccessTokenMissing       = "ACCESS_TOKEN_MISSING"
	CodeExpiresInTooShort        = "EXPIRES_IN_TOO_SHORT"
	CodeExpiresInMissing         = "EXPIRES_IN_MISSING"
	CodeRefreshTokenMissing      = "REFRESH_TOKEN_MISSING"
	CodeTokenTooLarge            = "TOKEN_TOO_LARGE"

	CodeAcceptGrantFailed      = "ACCEPT_GRANT_FAILED"
	CodeAcceptGrantNotAnswered = "ACCEPT_GRANT_NOT_ANSWERED"
	CodeDiscoveryFailed        = "DISCOVERY_FAILED"

	CodeSkillTimeout             = "SKILL_TIMEOUT"
	CodeSkillUnreachable         = "SKILL_UNREACHABLE"
	CodeSkillHTTPError           = "SKILL_HTTP_ERROR"
	CodeSkillErrorResponse       = "SKILL_ERROR_RESPONSE"
	CodeReplySchemaInvalid       = "REPLY_SCHEMA_INVALID"
	CodeReplyUnexpected          = "REPLY_UNEXPECTED"
	CodeCorrelationTokenMismatch = "CORRELATION_TOKEN_MISMATCH"
	CodeEndpointMismatch         = "ENDPOINT_MISMATCH"

	CodeCredentialErrorUnlink     = "CREDENTIAL_ERROR_UNLINK"
	CodeRefreshInvalidGrantUnlink = "REFRESH_INVALID_GRANT_UNLINK"
	CodeRefreshFailed             = "REFRESH_FAILED"
	CodeTransientRetry            = "TRANSIENT_RETRY"
	CodeLinkUnlinked              = "LINK_UNLINKED"
)

// rule is the fixed text and default severity of a code.
type rule struct {
	text     string
	severity Severity
}

// Rules maps every code to the Alexa rule it reports, with its source.
var rules = map[string]rule{
	CodeAuthorizationURIInvalid: {"The console needs an absolute authorization URI (Configure an authorization code grant)", Error},
	CodeAccessTokenURIInvalid:   {"The console needs an absolute access token URI (Configure an authorization code grant)", Error},
	CodeConsoleIncomplete:       {"Smart home skills need AUTH_CODE with client id, at least one and at most 15 scopes, at most 15 domains (SMAPI account linking schemas)", Error},
	CodeNotHTTPS:                {"Alexa requires the authorization and access token URIs on HTTPS port 443 with a certificate from an Amazon-approved CA (Requirements for account linking)", Error},

	CodeRedirectURINotAccepted: {"The authorization server must accept all three Alexa redirect URLs (pitangui.amazon.com, layla.amazon.com, alexa.amazon.co.jp); which one Alexa sends follows the user's Alexa region (Requirements for account linking)", Error},
	CodeRedirectURIMismatch:    {"The authorization server must redirect to exactly the redirect_uri Alexa sent (RFC 6749 §4.1.2; Requirements for account linking)", Error},
	CodeStateMissing:           {"The redirect must carry the state Alexa sent, unchanged (Requirements for account linking; RFC 6749 §4.1.2)", Error},
	CodeStateMismatch:          {"The redirect must carry the state Alexa sent, unchanged (Requirements for account linking; RFC 6749 §4.1.2)", Error},
	CodeCodeMissing:            {"The redirect must carry an authorization code (Configure an authorization code grant)", Error},
	CodeAuthorizationError:     {"The authorization server answered the authorization request with an error (RFC 6749 §4.1.2.1)", Error},
	CodeSignInFailed:           {"The login page must let the user sign in and show errors on the page, without pop-ups (Requirements for account linking)", Error},
	CodeLoginPageResource:      {"The login page may load content only from the authorization URI's domain and the console's Domain List (Requirements for account linking)", Warning},
	CodeLoginPageNotMobile:     {"The login page is shown in the Alexa app and must be mobile-friendly (Account linking best practices)", Warning},
	CodeLoginPagePopup:         {"The login page must not open pop-up windows or JavaScript alerts (Requirements for account linking)", Warning},

	CodeTokenEndpointTimeout:     {"Alexa requires the access token URI to answer within 4.5 seconds (Configure an authorization code grant; Account linking FAQ)", Error},
	CodeTokenEndpointUnreachable: {"Alexa must reach the access token URI over HTTPS (Requirements for account linking)", Error},
	CodeTokenInvalidClient:       {"The access token URI must accept the console's client id, secret and authentication scheme (SMAPI accessTokenScheme: HTTP_BASIC or REQUEST_BODY_CREDENTIALS)", Error},
	CodeTokenInvalidGrant:        {"The access token URI must exchange a fresh, single-use code for the redirect_uri and code_verifier Alexa sent (RFC 6749 §4.1.3, RFC 7636 §4.6)", Error},
	CodeTokenHTTPError:           {"The access token URI must answer HTTP 200 with the tokens (RFC 6749 §5.1; Troubleshooting account linking)", Error},
	CodeTokenNotJSON:             {"Alexa needs the access and refresh token in a JSON response with Content-Type application/json (Account linking FAQ; RFC 6749 §5.1)", Error},
	CodeTokenTypeInvalid:         {"token_type must be Bearer (RFC 6749 §5.1, §7.1)", Error},
	CodeAccessTokenMissing:       {"The token response must contain access_token (RFC 6749 §5.1)", Error},
	CodeExpiresInTooShort:        {"Alexa requires expires_in of at least 360 seconds (Account linking FAQ)", Error},
	CodeExpiresInMissing:         {"Without expires_in Alexa uses the console's Default Access Token Expiration Time (SMAPI defaultTokenExpirationInSeconds)", Error},
	CodeRefreshTokenMissing:      {"Alexa needs a refresh token; without it the link breaks when the access token expires (Add account linking logic to a smart home skill)", Error},
	CodeTokenTooLarge:            {"Keep tokens within 2048 bytes, Login with Amazon's own limit; Amazon documents none for account-linking tokens (Login with Amazon, Access token)", Warning},

	CodeAcceptGrantFailed:      {"With Send Alexa Events, the skill must answer Alexa.Authorization/AcceptGrant with AcceptGrant.Response or linking fails (Alexa.Authorization interface)", Error},
	CodeAcceptGrantNotAnswered: {"With Send Alexa Events, the skill must answer Alexa.Authorization/AcceptGrant with AcceptGrant.Response or linking fails (Alexa.Authorization interface; Troubleshooting account linking)", Error},
	CodeDiscoveryFailed:        {"After linking Alexa sends Alexa.Discovery/Discover and expects Discover.Response with the user's endpoints (Alexa.Discovery interface)", Error},

	CodeSkillTimeout:             {"Alexa waits 8 seconds for a skill's reply (Alexa.Response; SKILL_RESPONSE_TIMEOUT_EXCEPTION)", Error},
	CodeSkillUnreachable:         {"Alexa must reach the skill endpoint (Smart Home troubleshooting guide)", Error},
	CodeSkillHTTPError:           {"The skill must answer every directive with an Alexa event (Alexa.Response; Alexa.ErrorResponse)", Error},
	CodeSkillErrorResponse:       {"The skill answered with an Alexa.ErrorResponse, which Alexa reports to the user (Alexa.ErrorResponse)", Warning},
	CodeReplySchemaInvalid:       {"Every reply must validate against Amazon's Smart Home message schema (alexa-samples/alexa-smarthome validation_schemas)", Error},
	CodeReplyUnexpected:          {"Each directive has its own reply: Response, StateReport, Discover.Response, AcceptGrant.Response or ErrorResponse (Smart Home Skill API v3)", Error},
	CodeCorrelationTokenMismatch: {"A reply must echo the directive's correlationToken (Alexa.Response)", Error},
	CodeEndpointMismatch:         {"A reply must name the directive's endpointId (Alexa.Response)", Error},

	CodeCredentialErrorUnlink:     {"INVALID_AUTHORIZATION_CREDENTIAL and EXPIRED_AUTHORIZATION_CREDENTIAL make Alexa delete the user's tokens and unlink; send them only for genuinely bad or expired tokens (Add account linking logic to a smart home skill)", Error},
	CodeRefreshInvalidGrantUnlink: {"When the refresh token is invalid or expired, Alexa deletes the tokens and asks the user to relink (Add account linking logic, music skills; B-2024 blog: premature token invalidation)", Error},
	CodeRefreshFailed:             {"Alexa refreshes expired access tokens at the access token URI (Use access tokens); the link works again once refresh succeeds", Error},
	CodeTransientRetry:            {"Transient failures (HTTP 5xx, timeouts) are retried and never unlink; an authorization server must answer them rather than invalid_grant (RFC 6749 §5.2)", Warning},
	CodeLinkUnlinked:              {"An unlinked account must be linked again in the Alexa app before Alexa sends directives (Add account linking logic to a smart home skill)", Error},
}

// newDiagnosis returns a diagnosis with the code's rule and default
// severity.
func newDiagnosis(code, detail string) Diagnosis {
	r, ok := rules[code]
	if !ok {
		r = rule{text: "", severity: Error}
	}
	return Diagnosis{Code: code, Severity: r.severity, Rule: r.text, Detail: detail}
}

// RuleOf returns the rule text of a code ("" for unknown codes).
func RuleOf(code string) string { return rules[code].text }

// Diagnoses is a list of diagnoses.
type Diagnoses []Diagnosis

// Failed reports whether any diagnosis is an Error.
func (ds Diagnoses) Failed() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Has reports whether a diagnosis with code is present.
func (ds Diagnoses) Has(code string) bool {
	for _, d := range ds {
		if d.Code == code {
			return true
		}
	}
	return false
}

// Codes lists the codes in order.
func (ds Diagnoses) Codes() []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Code
	}
	return out
}

// FirstError returns the first Error diagnosis.
func (ds Diagnoses) FirstError() (Diagnosis, bool) {
	for _, d := range ds {
		if d.Severity == Error {
			return d, true
		}
	}
	return Diagnosis{}, false
}

// UnableToLink is the generic message the Alexa app shows whenever account
// linking fails, whatever the cause (Troubleshooting account linking).
func UnableToLink(skillName string) string {
	if strings.TrimSpace(skillName) == "" {
		skillName = "the skill"
	}
	return "We were unable to link " + skillName + " at this time."
}

// DiagnosedError is returned when an operation ended with Error
// diagnoses. It wraps ErrUnlinked when the link is (now) unlinked.
type DiagnosedError struct {
	Op        string
	Diagnoses Diagnoses
	unlinked  bool
}

func (e *DiagnosedError) Error() string {
	codes := []string{}
	for _, d := range e.Diagnoses {
		if d.Severity == Error {
			codes = append(codes, d.Code)
		}
	}
	msg := e.Op + " failed: " + strings.Join(codes, ", ")
	if d, ok := e.Diagnoses.FirstError(); ok && d.Detail != "" {
		msg += ": " + d.Detail
	}
	return msg
}

// Unwrap returns ErrUnlinked for errors of unlinked links.
func (e *DiagnosedError) Unwrap() error {
	if e.unlinked {
		return ErrUnlinked
	}
	return nil
}
