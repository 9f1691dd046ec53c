package admin

import (
	"strings"

	"github.com/linkpool/linkpool/internal/pool"
)

// AlexaRedirectURLs are the three account-linking redirect URLs of an
// Alexa vendor: North America, Europe/India, and Far East/Australia.
func AlexaRedirectURLs(vendorID string) []string {
	return []string{
		"https://pitangui.amazon.com/api/skill/link/" + vendorID,
		"https://layla.amazon.com/api/skill/link/" + vendorID,
		"https://alexa.amazon.co.jp/api/skill/link/" + vendorID,
	}
}

// alexaRedirectPrefixes are the prefixes of AlexaRedirectURLs.
var alexaRedirectPrefixes = []string{
	"https://pitangui.amazon.com/api/skill/link/",
	"https://layla.amazon.com/api/skill/link/",
	"https://alexa.amazon.co.jp/api/skill/link/",
}

// PoolBaseURL is the base URL of a pool's OAuth endpoints: its prefix
// domain under the auth domain when there is one, its custom domain, or
// the path-based form under the public URL.
func PoolBaseURL(publicURL, authDomain string, domains []pool.Domain, poolID string) string {
	for _, d := range domains {
		if !d.Custom && authDomain != "" {
			return "https://" + d.Domain + "." + strings.Trim(authDomain, ".")
		}
	}
	for _, d := range domains {
		if d.Custom {
			return "https://" + d.Domain
		}
	}
	return strings.TrimRight(publicURL, "/") + "/" + poolID
}

// AlexaValues are the values of the Alexa developer console's Account
// Linking page for an app client, as `linkpool init alexa` prints them,
// without the client secret (shown once, when the client is created).
type AlexaValues struct {
	ClientID             string
	AuthorizationURI     string
	AccessTokenURI       string
	AuthenticationScheme string
	Scopes               []string
	// RedirectURLs are the client's callback URLs that are Alexa
	// redirect URLs.
	RedirectURLs []string
	Issuer       string
	JWKSURI      string
}

// AlexaConsoleValues returns the Alexa console values of client c of the
// pool with the given domains, and false when c is not an Alexa client:
// one with the code grant and at least one Alexa redirect URL.
func AlexaConsoleValues(publicURL, authDomain string, domains []pool.Domain, c pool.Client) (AlexaValues, bool) {
	var redirects []string
	for _, u := range c.CallbackURLs {
		for _, p := range alexaRedirectPrefixes {
			if strings.HasPrefix(u, p) {
				redirects = append(redirects, u)
			}
		}
	}
	if len(redirects) == 0 || !c.AllowsFlow(pool.FlowCode) {
		return AlexaValues{}, false
	}
	base := PoolBaseURL(publicURL, authDomain, domains, c.PoolID)
	issuer := strings.TrimRight(publicURL, "/") + "/" + c.PoolID
	return AlexaValues{
		ClientID:             c.ID,
		AuthorizationURI:     base + "/oauth2/authorize",
		AccessTokenURI:       base + "/oauth2/token",
		AuthenticationScheme: "HTTP Basic (Recommended)",
		Scopes:               c.AllowedOAuthScopes,
		RedirectURLs:         redirects,
		Issuer:               issuer,
		JWKSURI:              issuer + "/.well-known/jwks.json",
	}, true
}
