package admin

import (
	"slices"

	"github.com/linkpool/linkpool/internal/pool"
)

// AlexaClientDefaults makes c an Alexa account-linking client of the
// Amazon vendor vendorID, with the settings `init alexa` gives its
// client: the three Alexa redirect URLs before c's own callback URLs, the
// code grant, scope openid when c has no scopes, refresh tokens valid
// DefaultAlexaRefreshDays days and no ID token on refresh. The client
// still needs a secret (CreateUserPoolClient with generateSecret). A
// malformed vendor id is refused with an InvalidParameterException and c
// is left as it was.
func AlexaClientDefaults(c *pool.Client, vendorID string) error {
	if !ValidVendorID(vendorID) {
		return invalidParam("VendorId", "must be the upper-case letters and digits at the end of your Alexa Redirect URLs")
	}
	urls := AlexaRedirectURLs(vendorID)
	for _, u := range c.CallbackURLs {
		if !slices.Contains(urls, u) {
			urls = append(urls, u)
		}
	}
	c.CallbackURLs = urls
	c.AllowedOAuthFlows = []string{pool.FlowCode}
	c.AllowedOAuthFlowsUserPoolClient = true
	if len(c.AllowedOAuthScopes) == 0 {
		c.AllowedOAuthScopes = []string{pool.ScopeOpenID}
	}
	c.RefreshTokenValidity = DefaultAlexaRefreshDays
	c.TokenValidityUnits.RefreshToken = pool.UnitDays
	c.IDTokenOnRefresh = false
	return nil
}
