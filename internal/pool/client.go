package pool

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// OAuth flows of AllowedOAuthFlows.
const (
	FlowCode              = "code"
	FlowImplicit          = "implicit"
	FlowClientCredentials = "client_credentials"
)

// Reserved scopes (Cognito "Scopes, M2M, and API authorization").
const (
	ScopeOpenID     = "openid"
	ScopeEmail      = "email"
	ScopePhone      = "phone"
	ScopeProfile    = "profile"
	ScopeCognitoAPI = "aws.cognito.signin.user.admin"
)

// ExplicitAuthFlowValues are the values of ExplicitAuthFlows that
// CreateUserPoolClient accepts, including the legacy ones.
var ExplicitAuthFlowValues = []string{
	"ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
	"ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
	"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH",
}

// ProviderCognito is the pool's own user directory in
// SupportedIdentityProviders.
const ProviderCognito = "COGNITO"

// Token validity units of TokenValidityUnits.
const (
	UnitSeconds = "seconds"
	UnitMinutes = "minutes"
	UnitHours   = "hours"
	UnitDays    = "days"
)

// PreventUserExistenceErrors values.
const (
	ExistenceLegacy  = "LEGACY"
	ExistenceEnabled = "ENABLED"
)

// Refresh-token rotation features.
const (
	RotationEnabled  = "ENABLED"
	RotationDisabled = "DISABLED"
)

// TokenValidityUnits is Cognito's TokenValidityUnitsType.
type TokenValidityUnits struct {
	AccessToken  string `json:"AccessToken"`
	IDToken      string `json:"IdToken"`
	RefreshToken string `json:"RefreshToken"`
}

// RefreshTokenRotation is Cognito's RefreshTokenRotationType. With rotation
// on, every refresh returns a new refresh token; the previous one keeps
// working for RetryGracePeriodSeconds so that a retried refresh never
// breaks a link.
type RefreshTokenRotation struct {
	Feature                 string `json:"Feature"`
	RetryGracePeriodSeconds int    `json:"RetryGracePeriodSeconds"`
}

// Client is an app client of a pool: Cognito's UserPoolClientType.
type Client struct {
	ID     string `json:"ClientId"`
	PoolID string `json:"UserPoolId"`
	Name   string `json:"ClientName"`

	// SealedSecret is the client secret sealed with the master key; empty
	// for a public client. The plain secret never reaches storage.
	SealedSecret []byte `json:"-"`

	CallbackURLs                    []string `json:"CallbackURLs"`
	LogoutURLs                      []string `json:"LogoutURLs"`
	DefaultRedirectURI              string   `json:"DefaultRedirectURI,omitempty"`
	AllowedOAuthFlows               []string `json:"AllowedOAuthFlows"`
	AllowedOAuthFlowsUserPoolClient bool     `json:"AllowedOAuthFlowsUserPoolClient"`
	AllowedOAuthScopes              []string `json:"AllowedOAuthScopes"`
	SupportedIdentityProviders      []string `json:"SupportedIdentityProviders"`
	ExplicitAuthFlows               []string `json:"ExplicitAuthFlows"`
	ReadAttributes                  []string `json:"ReadAttributes,omitempty"`
	WriteAttributes                 []string `json:"WriteAttributes,omitempty"`

	AccessTokenValidity  int                `json:"AccessTokenValidity"`
	IDTokenValidity      int                `json:"IdTokenValidity"`
	RefreshTokenValidity int                `json:"RefreshTokenValidity"`
	TokenValidityUnits   TokenValidityUnits `json:"TokenValidityUnits"`

	EnableTokenRevocation      bool                 `json:"EnableTokenRevocation"`
	PreventUserExistenceErrors string               `json:"PreventUserExistenceErrors"`
	RefreshTokenRotation       RefreshTokenRotation `json:"RefreshTokenRotation"`
	AuthSessionValidity        int                  `json:"AuthSessionValidity"`

	// IDTokenOnRefresh makes the refresh_token grant (and the Cognito
	// API's refresh) return an ID token as well as the access token, as
	// Cognito always does; on by default. Off, a refresh signs one JWT
	// instead of two (OpenID Connect Core §12.2 allows a refresh response
	// without an ID token): Alexa and other OAuth relying parties that
	// keep only the access and refresh tokens never miss it. The
	// authorization-code exchange and sign-ins return the ID token either
	// way. A linkpool setting; Cognito has no such field.
	IDTokenOnRefresh bool `json:"LinkpoolIdTokenOnRefresh"`

	CreatedAt time.Time `json:"CreationDate"`
	UpdatedAt time.Time `json:"LastModifiedDate"`
}

// NewClient returns an app client with Cognito's defaults: 1 h access and
// ID tokens, 30 day refresh tokens, revocation on, no rotation, an ID
// token on every refresh.
func NewClient(poolID, name string, now time.Time) Client {
	return Client{
		ID:                         NewClientID(),
		PoolID:                     poolID,
		Name:                       name,
		SupportedIdentityProviders: []string{ProviderCognito},
		ExplicitAuthFlows:          []string{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"},
		AccessTokenValidity:        1,
		IDTokenValidity:            1,
		RefreshTokenValidity:       30,
		TokenValidityUnits:         TokenValidityUnits{AccessToken: UnitHours, IDToken: UnitHours, RefreshToken: UnitDays},
		EnableTokenRevocation:      true,
		PreventUserExistenceErrors: ExistenceEnabled,
		RefreshTokenRotation:       RefreshTokenRotation{Feature: RotationDisabled},
		AuthSessionValidity:        3,
		IDTokenOnRefresh:           true,
		CreatedAt:                  now,
		UpdatedAt:                  now,
	}
}

// HasSecret reports whether the client is confidential.
func (c *Client) HasSecret() bool { return len(c.SealedSecret) > 0 }

// AllowsFlow reports whether flow is in AllowedOAuthFlows and OAuth is
// enabled on the client.
func (c *Client) AllowsFlow(flow string) bool {
	return c.AllowedOAuthFlowsUserPoolClient && slices.Contains(c.AllowedOAuthFlows, flow)
}

// HasCallbackURL reports whether uri is registered, by exact string match
// (RFC 9700 §4.1.3).
func (c *Client) HasCallbackURL(uri string) bool { return slices.Contains(c.CallbackURLs, uri) }

// HasLogoutURL reports whether uri is a registered sign-out URL.
func (c *Client) HasLogoutURL(uri string) bool { return slices.Contains(c.LogoutURLs, uri) }

// SupportsCognito reports whether the pool's own users may sign in.
func (c *Client) SupportsCognito() bool {
	return slices.Contains(c.SupportedIdentityProviders, ProviderCognito)
}

// RotatesRefreshTokens reports whether refresh-token rotation is on.
func (c *Client) RotatesRefreshTokens() bool {
	return c.RefreshTokenRotation.Feature == RotationEnabled
}

// AccessTokenTTL is the access-token lifetime.
func (c *Client) AccessTokenTTL() time.Duration {
	return validity(c.AccessTokenValidity, c.TokenValidityUnits.AccessToken, UnitHours)
}

// IDTokenTTL is the ID-token lifetime.
func (c *Client) IDTokenTTL() time.Duration {
	return validity(c.IDTokenValidity, c.TokenValidityUnits.IDToken, UnitHours)
}

// RefreshTokenTTL is the refresh-token lifetime.
func (c *Client) RefreshTokenTTL() time.Duration {
	return validity(c.RefreshTokenValidity, c.TokenValidityUnits.RefreshToken, UnitDays)
}

// RotationGrace is how long a rotated refresh token keeps working.
func (c *Client) RotationGrace() time.Duration {
	return time.Duration(c.RefreshTokenRotation.RetryGracePeriodSeconds) * time.Second
}

func unitDuration(unit string) time.Duration {
	switch unit {
	case UnitSeconds:
		return time.Second
	case UnitMinutes:
		return time.Minute
	case UnitHours:
		return time.Hour
	case UnitDays:
		return 24 * time.Hour
	}
	return 0
}

func validity(n int, unit, def string) time.Duration {
	if unit == "" {
		unit = def
	}
	return time.Duration(n) * unitDuration(unit)
}

var scopePattern = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]{1,256}$`)

// IsReservedScope reports whether s is one of Cognito's reserved scopes.
func IsReservedScope(s string) bool {
	switch s {
	case ScopeOpenID, ScopeEmail, ScopePhone, ScopeProfile, ScopeCognitoAPI:
		return true
	}
	return false
}

// Validate checks the client exactly as CreateUserPoolClient does. The
// error is a *ValidationError naming the first rejected field.
func (c *Client) Validate() error {
	if !ValidClientID(c.ID) {
		return invalid("ClientId", "must be 26 lower-case letters or digits")
	}
	if !ValidPoolID(c.PoolID) {
		return invalid("UserPoolId", "malformed pool id %q", c.PoolID)
	}
	if !namePattern.MatchString(c.Name) {
		return invalid("ClientName", "must be 1-128 characters of letters, digits, spaces and +=,.@-")
	}
	if err := validateURLs("CallbackURLs", c.CallbackURLs); err != nil {
		return err
	}
	if err := validateURLs("LogoutURLs", c.LogoutURLs); err != nil {
		return err
	}
	if c.DefaultRedirectURI != "" && !c.HasCallbackURL(c.DefaultRedirectURI) {
		return invalid("DefaultRedirectURI", "must be one of the CallbackURLs")
	}
	if len(c.AllowedOAuthFlows) > 3 {
		return invalid("AllowedOAuthFlows", "at most 3 flows")
	}
	for i, f := range c.AllowedOAuthFlows {
		switch f {
		case FlowCode, FlowImplicit, FlowClientCredentials:
		default:
			return invalid(fmt.Sprintf("AllowedOAuthFlows[%d]", i), "%q is not code, implicit or client_credentials", f)
		}
	}
	if len(c.AllowedOAuthFlows) > 0 && !c.AllowedOAuthFlowsUserPoolClient {
		return invalid("AllowedOAuthFlowsUserPoolClient", "must be true when AllowedOAuthFlows are set")
	}
	if slices.Contains(c.AllowedOAuthFlows, FlowClientCredentials) {
		if len(c.AllowedOAuthFlows) > 1 {
			return invalid("AllowedOAuthFlows", "client_credentials cannot be combined with other flows")
		}
		if !c.HasSecret() {
			return invalid("AllowedOAuthFlows", "client_credentials requires a client secret")
		}
	}
	if (slices.Contains(c.AllowedOAuthFlows, FlowCode) || slices.Contains(c.AllowedOAuthFlows, FlowImplicit)) && len(c.CallbackURLs) == 0 {
		return invalid("CallbackURLs", "at least one callback URL is required for the code and implicit flows")
	}
	if len(c.AllowedOAuthScopes) > 50 {
		return invalid("AllowedOAuthScopes", "at most 50 scopes")
	}
	for i, s := range c.AllowedOAuthScopes {
		f := fmt.Sprintf("AllowedOAuthScopes[%d]", i)
		if !scopePattern.MatchString(s) {
			return invalid(f, "%q contains characters a scope may not contain", s)
		}
		if !IsReservedScope(s) && !strings.Contains(s, "/") {
			return invalid(f, "%q is neither a reserved scope (openid, email, phone, profile, aws.cognito.signin.user.admin) nor a custom scope of the form <resource-server>/<name>", s)
		}
		if slices.Contains(c.AllowedOAuthFlows, FlowClientCredentials) && IsReservedScope(s) {
			return invalid(f, "client_credentials clients may only have custom scopes")
		}
	}
	for i, p := range c.SupportedIdentityProviders {
		if p == "" || utf8.RuneCountInString(p) > MaxProviderNameLen {
			return invalid(fmt.Sprintf("SupportedIdentityProviders[%d]", i), "must be COGNITO or a provider name of 1-32 characters")
		}
		if slices.Contains(c.SupportedIdentityProviders[:i], p) {
			return invalid(fmt.Sprintf("SupportedIdentityProviders[%d]", i), "%q is listed twice", p)
		}
	}
	for i, f := range c.ExplicitAuthFlows {
		if !slices.Contains(ExplicitAuthFlowValues, f) {
			return invalid(fmt.Sprintf("ExplicitAuthFlows[%d]", i), "%q is not one of %s", f, strings.Join(ExplicitAuthFlowValues, ", "))
		}
	}
	if len(c.AllowedOAuthFlows) > 0 && !slices.Contains(c.AllowedOAuthFlows, FlowClientCredentials) && len(c.SupportedIdentityProviders) == 0 {
		return invalid("SupportedIdentityProviders", "must name COGNITO or an identity provider for the code and implicit flows")
	}
	if err := c.validateValidity(); err != nil {
		return err
	}
	switch c.PreventUserExistenceErrors {
	case ExistenceLegacy, ExistenceEnabled:
	default:
		return invalid("PreventUserExistenceErrors", "must be LEGACY or ENABLED")
	}
	switch c.RefreshTokenRotation.Feature {
	case RotationEnabled, RotationDisabled:
	default:
		return invalid("RefreshTokenRotation.Feature", "must be ENABLED or DISABLED")
	}
	if g := c.RefreshTokenRotation.RetryGracePeriodSeconds; g < 0 || g > 60 {
		return invalid("RefreshTokenRotation.RetryGracePeriodSeconds", "must be between 0 and 60, got %d", g)
	}
	if c.AuthSessionValidity < 3 || c.AuthSessionValidity > 15 {
		return invalid("AuthSessionValidity", "must be between 3 and 15 minutes")
	}
	return nil
}

func (c *Client) validateValidity() error {
	units := []struct{ field, unit string }{
		{"TokenValidityUnits.AccessToken", c.TokenValidityUnits.AccessToken},
		{"TokenValidityUnits.IdToken", c.TokenValidityUnits.IDToken},
		{"TokenValidityUnits.RefreshToken", c.TokenValidityUnits.RefreshToken},
	}
	for _, u := range units {
		if u.unit != "" && unitDuration(u.unit) == 0 {
			return invalid(u.field, "must be seconds, minutes, hours or days, got %q", u.unit)
		}
	}
	checks := []struct {
		field    string
		d        time.Duration
		min, max time.Duration
	}{
		{"AccessTokenValidity", c.AccessTokenTTL(), 5 * time.Minute, 24 * time.Hour},
		{"IdTokenValidity", c.IDTokenTTL(), 5 * time.Minute, 24 * time.Hour},
		{"RefreshTokenValidity", c.RefreshTokenTTL(), time.Hour, 3650 * 24 * time.Hour},
	}
	for _, k := range checks {
		if k.d < k.min || k.d > k.max {
			return invalid(k.field, "must be between %v and %v, got %v", k.min, k.max, k.d)
		}
	}
	return nil
}

// validateURLs applies Cognito's rules for CallbackURLs and LogoutURLs: at
// most 100, each an absolute URI of at most 1024 characters without a
// fragment; https, except http on localhost, 127.0.0.1 and [::1]; custom
// app schemes allowed; no duplicates.
func validateURLs(field string, urls []string) error {
	if len(urls) > 100 {
		return invalid(field, "at most 100 URLs")
	}
	seen := map[string]bool{}
	for i, raw := range urls {
		f := fmt.Sprintf("%s[%d]", field, i)
		if err := ValidateRedirectURL(raw); err != nil {
			return invalid(f, "%s", err.Error())
		}
		if seen[raw] {
			return invalid(f, "duplicate URL %q", raw)
		}
		seen[raw] = true
	}
	return nil
}

// ValidateRedirectURL checks one callback or sign-out URL: 1-1024 bytes,
// absolute, no fragment, no white space or invisible characters (which
// would let a registered URL read differently from where it leads), no
// user information, a port within 1-65535; https, or http on exactly
// localhost, 127.0.0.1 or [::1]; custom app schemes except the
// script-capable and local ones.
func ValidateRedirectURL(raw string) error {
	if raw == "" || len(raw) > 1024 {
		return fmt.Errorf("must be 1-1024 characters")
	}
	for _, r := range raw {
		if unicode.IsSpace(r) {
			return fmt.Errorf("%q contains white space", raw)
		}
		if unicode.Is(unicode.Cf, r) {
			return fmt.Errorf("%q contains an invisible formatting character", raw)
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL", raw)
	}
	if !u.IsAbs() {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("%q must not contain a fragment", raw)
	}
	if u.User != nil {
		return fmt.Errorf("%q must not contain user information (user@ or user:password@)", raw)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%q has a port outside 1-65535", raw)
		}
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		if u.Host == "" {
			return fmt.Errorf("%q has no host", raw)
		}
	case "http":
		switch u.Hostname() {
		case "localhost", "127.0.0.1", "::1":
		default:
			return fmt.Errorf("%q must use https (http is allowed only for localhost, 127.0.0.1 and [::1])", raw)
		}
	case "javascript", "data", "vbscript", "file":
		return fmt.Errorf("%q uses a forbidden scheme", raw)
	}
	return nil
}

// SecretAAD is the additional data that binds a sealed client secret to
// its client, so sealed values cannot be swapped between rows.
func (c *Client) SecretAAD() []byte { return []byte("client-secret/" + c.ID) }
