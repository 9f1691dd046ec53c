package cli

import (
	"flag"
	"fmt"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
)

// clientSettings are the flags of `client create` and `client update`:
// every setting of pool.Client (Cognito CreateUserPoolClient). Only flags
// that were given are applied; list flags replace the whole list, as
// UpdateUserPoolClient does.
type clientSettings struct {
	name               string
	callbackURLs       stringList
	logoutURLs         stringList
	defaultRedirectURI string
	flows              stringList
	scopes             stringList
	providers          stringList
	explicitAuthFlows  stringList
	readAttrs          stringList
	writeAttrs         stringList

	accessValidity  int
	idValidity      int
	refreshValidity int
	accessUnit      string
	idUnit          string
	refreshUnit     string

	revocation      optBool
	preventExist    string
	rotate          optBool
	graceSeconds    int
	sessionValidity int
	idOnRefresh     optBool
}

// clientSettingFlags names every flag clientSettings registers.
var clientSettingFlags = []string{
	"name", "callback-url", "logout-url", "default-redirect-uri", "flows", "scopes",
	"identity-providers", "explicit-auth-flows", "read-attributes", "write-attributes",
	"access-token-validity", "id-token-validity", "refresh-token-validity",
	"access-token-unit", "id-token-unit", "refresh-token-unit",
	"enable-token-revocation", "prevent-user-existence-errors", "rotate-refresh-tokens",
	"retry-grace-seconds", "auth-session-validity", "id-token-on-refresh",
}

func (s *clientSettings) register(fs *flag.FlagSet) {
	d := pool.NewClient("", "", time.Time{})
	fs.StringVar(&s.name, "name", "", "client name (ClientName: 1-128 letters, digits, spaces and +=,.@-)")
	fs.Var(&s.callbackURLs, "callback-url", "allowed redirect URI, matched exactly: https, or http on localhost only (repeatable; replaces the list)")
	fs.Var(&s.logoutURLs, "logout-url", "allowed sign-out URL (repeatable; replaces the list)")
	fs.StringVar(&s.defaultRedirectURI, "default-redirect-uri", "", "default redirect URI; must be one of the callback URLs")
	fs.Var(&s.flows, "flows", "OAuth flows: code, implicit, client_credentials (comma-separated; enables OAuth on the client)")
	fs.Var(&s.scopes, "scopes", "allowed scopes: openid, email, phone, profile, aws.cognito.signin.user.admin or <resource-server>/<name>")
	fs.Var(&s.providers, "identity-providers", "identity providers of the hosted pages (default COGNITO)")
	fs.Var(&s.explicitAuthFlows, "explicit-auth-flows", "ExplicitAuthFlows (default ALLOW_REFRESH_TOKEN_AUTH,ALLOW_USER_SRP_AUTH,ALLOW_CUSTOM_AUTH)")
	fs.Var(&s.readAttrs, "read-attributes", "user attributes the client may read (default: all)")
	fs.Var(&s.writeAttrs, "write-attributes", "user attributes the client may write (default: all writable)")
	fs.IntVar(&s.accessValidity, "access-token-validity", d.AccessTokenValidity, "access-token lifetime in --access-token-unit (5 minutes to 1 day)")
	fs.IntVar(&s.idValidity, "id-token-validity", d.IDTokenValidity, "ID-token lifetime in --id-token-unit (5 minutes to 1 day)")
	fs.IntVar(&s.refreshValidity, "refresh-token-validity", d.RefreshTokenValidity, "refresh-token lifetime in --refresh-token-unit (1 hour to 10 years)")
	fs.StringVar(&s.accessUnit, "access-token-unit", d.TokenValidityUnits.AccessToken, "unit of --access-token-validity: seconds, minutes, hours or days")
	fs.StringVar(&s.idUnit, "id-token-unit", d.TokenValidityUnits.IDToken, "unit of --id-token-validity")
	fs.StringVar(&s.refreshUnit, "refresh-token-unit", d.TokenValidityUnits.RefreshToken, "unit of --refresh-token-validity")
	fs.Var(&s.revocation, "enable-token-revocation", fmt.Sprintf("allow /oauth2/revoke for this client's refresh tokens (default %v)", d.EnableTokenRevocation))
	fs.StringVar(&s.preventExist, "prevent-user-existence-errors", d.PreventUserExistenceErrors, "ENABLED answers unknown users like wrong passwords; LEGACY tells them apart")
	fs.Var(&s.rotate, "rotate-refresh-tokens", "return a new refresh token on every refresh (default false)")
	fs.IntVar(&s.graceSeconds, "retry-grace-seconds", 0, "with rotation: seconds the previous refresh token keeps working (0-60)")
	fs.IntVar(&s.sessionValidity, "auth-session-validity", d.AuthSessionValidity, "minutes a sign-in session of the hosted pages lasts (3-15)")
	fs.Var(&s.idOnRefresh, "id-token-on-refresh", fmt.Sprintf("return an ID token on refresh as well as the access token (default %v, as Cognito; =false signs one token per refresh, enough for Alexa)", d.IDTokenOnRefresh))
}

// changes reports whether any setting flag was given.
func (s *clientSettings) changes(given map[string]bool) bool {
	for _, f := range clientSettingFlags {
		if given[f] {
			return true
		}
	}
	return false
}

// apply sets the given settings on c. Validation is left to c.Validate.
func (s *clientSettings) apply(c *pool.Client, given map[string]bool) {
	set := func(flag string, f func()) {
		if given[flag] {
			f()
		}
	}
	set("name", func() { c.Name = s.name })
	set("callback-url", func() { c.CallbackURLs = []string(s.callbackURLs) })
	set("logout-url", func() { c.LogoutURLs = []string(s.logoutURLs) })
	set("default-redirect-uri", func() { c.DefaultRedirectURI = s.defaultRedirectURI })
	// Flows need AllowedOAuthFlowsUserPoolClient; naming flows turns it
	// on, and an empty list turns OAuth off (CreateUserPoolClient).
	set("flows", func() {
		c.AllowedOAuthFlows = []string(s.flows)
		c.AllowedOAuthFlowsUserPoolClient = len(s.flows) > 0
	})
	set("scopes", func() { c.AllowedOAuthScopes = []string(s.scopes) })
	set("identity-providers", func() { c.SupportedIdentityProviders = []string(s.providers) })
	set("explicit-auth-flows", func() { c.ExplicitAuthFlows = []string(s.explicitAuthFlows) })
	set("read-attributes", func() { c.ReadAttributes = []string(s.readAttrs) })
	set("write-attributes", func() { c.WriteAttributes = []string(s.writeAttrs) })
	set("access-token-validity", func() { c.AccessTokenValidity = s.accessValidity })
	set("id-token-validity", func() { c.IDTokenValidity = s.idValidity })
	set("refresh-token-validity", func() { c.RefreshTokenValidity = s.refreshValidity })
	set("access-token-unit", func() { c.TokenValidityUnits.AccessToken = s.accessUnit })
	set("id-token-unit", func() { c.TokenValidityUnits.IDToken = s.idUnit })
	set("refresh-token-unit", func() { c.TokenValidityUnits.RefreshToken = s.refreshUnit })
	setBool(&c.EnableTokenRevocation, s.revocation)
	set("prevent-user-existence-errors", func() { c.PreventUserExistenceErrors = s.preventExist })
	if s.rotate.set {
		c.RefreshTokenRotation.Feature = pool.RotationDisabled
		if s.rotate.v {
			c.RefreshTokenRotation.Feature = pool.RotationEnabled
		}
	}
	set("retry-grace-seconds", func() { c.RefreshTokenRotation.RetryGracePeriodSeconds = s.graceSeconds })
	set("auth-session-validity", func() { c.AuthSessionValidity = s.sessionValidity })
	setBool(&c.IDTokenOnRefresh, s.idOnRefresh)
}

// clientView is a client as printed: Cognito's UserPoolClientType, with
// ClientSecret only when the command shows it.
type clientView struct {
	pool.Client
	ClientSecret string `json:"ClientSecret,omitempty"`
}

// clientFields renders a client for printFields. secret is the plain
// secret when it is to be shown, "" otherwise.
func clientFields(c pool.Client, secret string) [][2]string {
	secretText := "none (public client)"
	switch {
	case secret != "":
		secretText = secret
	case c.HasSecret():
		secretText = "set (sealed; 'linkpool client show --reveal-secret' shows it)"
	}
	u := c.TokenValidityUnits
	rotation := c.RefreshTokenRotation.Feature
	if c.RotatesRefreshTokens() {
		rotation += fmt.Sprintf(", retry grace period %d s", c.RefreshTokenRotation.RetryGracePeriodSeconds)
	}
	return [][2]string{
		{"ClientId", c.ID},
		{"UserPoolId", c.PoolID},
		{"ClientName", c.Name},
		{"ClientSecret", secretText},
		{"CallbackURLs", join(c.CallbackURLs)},
		{"LogoutURLs", join(c.LogoutURLs)},
		{"DefaultRedirectURI", orDash(c.DefaultRedirectURI)},
		{"AllowedOAuthFlows", join(c.AllowedOAuthFlows)},
		{"AllowedOAuthFlowsUserPoolClient", yesNo(c.AllowedOAuthFlowsUserPoolClient)},
		{"AllowedOAuthScopes", join(c.AllowedOAuthScopes)},
		{"SupportedIdentityProviders", join(c.SupportedIdentityProviders)},
		{"ExplicitAuthFlows", join(c.ExplicitAuthFlows)},
		{"ReadAttributes", join(c.ReadAttributes)},
		{"WriteAttributes", join(c.WriteAttributes)},
		{"AccessTokenValidity", fmt.Sprintf("%d %s", c.AccessTokenValidity, u.AccessToken)},
		{"IdTokenValidity", fmt.Sprintf("%d %s", c.IDTokenValidity, u.IDToken)},
		{"RefreshTokenValidity", fmt.Sprintf("%d %s", c.RefreshTokenValidity, u.RefreshToken)},
		{"EnableTokenRevocation", yesNo(c.EnableTokenRevocation)},
		{"PreventUserExistenceErrors", c.PreventUserExistenceErrors},
		{"RefreshTokenRotation", rotation},
		{"AuthSessionValidity", fmt.Sprintf("%d minutes", c.AuthSessionValidity)},
		{"IdTokenOnRefresh", yesNo(c.IDTokenOnRefresh)},
		{"CreationDate", fmtTime(c.CreatedAt)},
		{"LastModifiedDate", fmtTime(c.UpdatedAt)},
	}
}
