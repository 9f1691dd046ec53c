package upstream

import (
	"errors"
	"net/http"

	"github.com/linkpool/linkpool/internal/pool"
)

// MaxRedirects is how many redirects a fetch of a public document (a
// discovery document, a key set, SAML metadata) follows.
const MaxRedirects = 3

// LimitRedirects is the CheckRedirect of the fetches of public
// documents: at most MaxRedirects redirects, each to a URL that
// pool.ValidateProviderURL accepts (https, or http on a loopback host).
func LimitRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= MaxRedirects {
		return errors.New("too many redirects")
	}
	if err := pool.ValidateProviderURL(req.URL.String()); err != nil {
		return errors.New("redirect to a URL that is not https")
	}
	return nil
}

// RefuseRedirects is the CheckRedirect of the calls that carry a secret
// (a token request with the client secret and the code, a user-info
// request with the access token): a redirect is never followed, the
// redirect answer itself is returned (a 3xx, which the caller treats as
// the provider being unavailable). A 307 or 308 would otherwise send the
// same body to wherever the provider's answer points.
func RefuseRedirects(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}

// WithRedirects returns a copy of hc whose CheckRedirect is check; nil hc
// => a client bounded by CallTimeout. The caller's client keeps its
// transport and timeout; only its redirect policy is replaced.
func WithRedirects(hc *http.Client, check func(*http.Request, []*http.Request) error) *http.Client {
	if hc == nil {
		hc = &http.Client{Timeout: CallTimeout}
	}
	c := *hc
	c.CheckRedirect = check
	return &c
}
