package alexasim

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Scheme is the console's "Your Authentication Scheme" (SMAPI
// accessTokenScheme): how Alexa authenticates to the access token URI.
type Scheme string

// Client authentication schemes (SMAPI "Account linking schemas").
const (
	// SchemeHTTPBasic sends Authorization: Basic base64(id:secret), the id
	// and secret form-encoded first (RFC 6749 §2.3.1).
	SchemeHTTPBasic Scheme = "HTTP_BASIC"
	// SchemeRequestBody sends client_id and client_secret in the form body.
	SchemeRequestBody Scheme = "REQUEST_BODY_CREDENTIALS"
)

// Region is the Alexa region of the user's account; it picks the redirect
// URL Alexa sends (follows the Alexa app's language and account region,
// not the user's location).
type Region string

// Regions and their redirect hosts ("Requirements for account linking").
const (
	RegionNA Region = "NA" // North America: pitangui.amazon.com
	RegionEU Region = "EU" // Europe and India: layla.amazon.com
	RegionFE Region = "FE" // Far East, Japan and Australia: alexa.amazon.co.jp
)

// AllRegions lists every region in the console's order.
func AllRegions() []Region { return []Region{RegionNA, RegionEU, RegionFE} }

// Host is the region's redirect host.
func (r Region) Host() string {
	switch r {
	case RegionEU:
		return "layla.amazon.com"
	case RegionFE:
		return "alexa.amazon.co.jp"
	default:
		return "pitangui.amazon.com"
	}
}

// RedirectURL is the Alexa redirect URL of the region for a vendor id,
// https://<host>/api/skill/link/<vendorId>.
func (r Region) RedirectURL(vendorID string) string {
	return "https://" + r.Host() + "/api/skill/link/" + vendorID
}

// ParseRegion accepts NA, EU and FE in any case, and the redirect hosts'
// names (pitangui, layla, jp).
func ParseRegion(s string) (Region, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "NA", "US", "PITANGUI":
		return RegionNA, nil
	case "EU", "IN", "LAYLA":
		return RegionEU, nil
	case "FE", "JP", "AU":
		return RegionFE, nil
	}
	return "", fmt.Errorf("unknown region %q: use NA, EU or FE", s)
}

// ParseScheme accepts "basic" / HTTP_BASIC and "body" /
// REQUEST_BODY_CREDENTIALS.
func ParseScheme(s string) (Scheme, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "BASIC", "HTTP_BASIC", "HTTP-BASIC":
		return SchemeHTTPBasic, nil
	case "BODY", "REQUEST_BODY_CREDENTIALS", "REQUEST-BODY", "POST":
		return SchemeRequestBody, nil
	}
	return "", fmt.Errorf("unknown authentication scheme %q: use basic or body", s)
}

// String is the scheme as the console shows it.
func (s Scheme) String() string {
	if s == SchemeRequestBody {
		return "Credentials in request body"
	}
	return "HTTP Basic"
}

// Limits of the console (SMAPI "Account linking schemas").
const (
	// MinExpiresIn is the shortest access-token lifetime Alexa accepts
	// ("Access tokens must have a lifetime of at least six minutes",
	// account linking FAQ).
	MinExpiresIn = 360
	// MaxScopes and MaxDomains bound the console's Scope and Domain List.
	MaxScopes  = 15
	MaxDomains = 15
	// MaxTokenSize is Login with Amazon's own limit on its tokens; Amazon
	// documents none for account-linking tokens, so larger ones are a
	// warning ("Access token" page of Login with Amazon).
	MaxTokenSize = 2048
)

// Console holds the account-linking fields of the Alexa developer console
// (Build > Account Linking; SMAPI accountLinkingRequest) plus the choices
// that belong to the user's side: the region and whether the skill has the
// "Send Alexa Events" permission.
type Console struct {
	AuthorizationURI string `json:"authorization_uri"`
	AccessTokenURI   string `json:"access_token_uri"`
	ClientID         string `json:"client_id"`
	// ClientSecret is stored in the state file, which is therefore
	// readable by its owner only.
	ClientSecret string   `json:"client_secret"`
	Scheme       Scheme   `json:"scheme"`
	Scopes       []string `json:"scopes"`
	DomainList   []string `json:"domain_list,omitempty"`
	VendorID     string   `json:"vendor_id"`
	// DefaultTokenExpiration is "Default Access Token Expiration Time" in
	// seconds, used only when the token response has no expires_in
	// (defaultTokenExpirationInSeconds); 0 means unset.
	DefaultTokenExpiration int    `json:"default_token_expiration,omitempty"`
	Region                 Region `json:"region"`
	PKCE                   bool   `json:"pkce"`
	SendAlexaEvents        bool   `json:"send_alexa_events"`
}

// RedirectURI is the Alexa redirect URL the console's region uses.
func (c *Console) RedirectURI() string { return c.region().RedirectURL(c.VendorID) }

func (c *Console) region() Region {
	if c.Region == "" {
		return RegionNA
	}
	return c.Region
}

func (c *Console) scheme() Scheme {
	if c.Scheme == "" {
		return SchemeHTTPBasic
	}
	return c.Scheme
}

// Validate checks the console fields the way the developer console does
// before it saves them, and warns about URIs Alexa cannot reach. Alexa
// requires HTTPS on port 443 ("Requirements for account linking");
// http://localhost and loopback addresses are allowed with a warning for
// local testing.
func (c *Console) Validate() Diagnoses {
	var ds Diagnoses
	for _, f := range []struct{ name, uri, code string }{
		{"authorization URI", c.AuthorizationURI, CodeAuthorizationURIInvalid},
		{"access token URI", c.AccessTokenURI, CodeAccessTokenURIInvalid},
	} {
		u, err := url.Parse(f.uri)
		if err != nil || f.uri == "" || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			ds = append(ds, newDiagnosis(f.code, "the "+f.name+" must be an absolute https URL, got "+quoteOrEmpty(f.uri)))
			continue
		}
		if d, ok := httpsRule(f.name, u); ok {
			ds = append(ds, d)
		}
	}
	if c.ClientID == "" {
		ds = append(ds, newDiagnosis(CodeConsoleIncomplete, "Your Client ID is empty"))
	}
	if c.VendorID == "" {
		ds = append(ds, newDiagnosis(CodeConsoleIncomplete, "the vendor ID is empty: it is the last part of the Alexa Redirect URLs"))
	}
	if len(c.Scopes) == 0 {
		ds = append(ds, newDiagnosis(CodeConsoleIncomplete, "smart home skills need at least one scope"))
	}
	if len(c.Scopes) > MaxScopes {
		ds = append(ds, newDiagnosis(CodeConsoleIncomplete, fmt.Sprintf("%d scopes configured, the console allows %d", len(c.Scopes), MaxScopes)))
	}
	if len(c.DomainList) > MaxDomains {
		ds = append(ds, newDiagnosis(CodeConsoleIncomplete, fmt.Sprintf("%d domains configured, the console allows %d", len(c.DomainList), MaxDomains)))
	}
	switch c.scheme() {
	case SchemeHTTPBasic, SchemeRequestBody:
	default:
		ds = append(ds, newDiagnosis(CodeConsoleIncomplete, "unknown authentication scheme "+string(c.Scheme)))
	}
	switch c.region() {
	case RegionNA, RegionEU, RegionFE:
	default:
		ds = append(ds, newDiagnosis(CodeConsoleIncomplete, "unknown region "+string(c.Region)))
	}
	if c.DefaultTokenExpiration < 0 {
		ds = append(ds, newDiagnosis(CodeConsoleIncomplete, "the default access token expiration time cannot be negative"))
	}
	return ds
}

// httpsRule returns a NOT_HTTPS warning for a URI that is not https on
// port 443.
func httpsRule(name string, u *url.URL) (Diagnosis, bool) {
	port := u.Port()
	if u.Scheme == "https" && (port == "" || port == "443") {
		return Diagnosis{}, false
	}
	detail := fmt.Sprintf("the %s %s is not HTTPS on port 443", name, u.Redacted())
	if isLocal(u.Hostname()) {
		d := newDiagnosis(CodeNotHTTPS, detail+"; accepted for local testing only")
		d.Severity = Warning
		return d, true
	}
	return newDiagnosis(CodeNotHTTPS, detail+"; the developer console does not accept it"), true
}

// isLocal reports whether host is localhost or a loopback address.
func isLocal(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func quoteOrEmpty(s string) string {
	if s == "" {
		return "nothing"
	}
	return fmt.Sprintf("%q", s)
}
