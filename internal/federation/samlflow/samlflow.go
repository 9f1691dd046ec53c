package samlflow

import (
	"context"
	"crypto"
	"crypto/x509"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/linkpool/linkpool/internal/federation/upstream"
)

// Config is one SAML provider as a sign-in needs it.
type Config struct {
	Details  map[string]string // ProviderDetails: MetadataURL or MetadataFile, IDPSignout, IDPInit, EncryptedResponses, RequestSigningAlgorithm
	EntityID string            // the SP entity id, Cognito's "urn:amazon:cognito:sp:<poolId>"
	ACSURL   string            // <pool base URL>/saml2/idpresponse

	// Key and Certificate are the pool's SAML key pair (an RSA key and
	// its certificate, admin.Service.SAMLCertificate), optional. With
	// them, AuthnRequests are signed when RequestSigningAlgorithm is
	// rsa-sha256, assertions encrypted to Certificate are accepted when
	// EncryptedResponses is true, and Metadata lists Certificate for
	// signing and encryption. Without them both settings are refused.
	Key         crypto.Signer
	Certificate *x509.Certificate
}

// Pending is what the caller keeps, bound to the browser, between Begin
// and Finish. An empty RequestID stands for an IdP-initiated sign-in
// (no Begin), which Finish accepts only when the provider has
// IDPInit=true.
type Pending struct {
	RequestID string `json:"r"`
}

// Result is the signed-in provider user.
type Result struct {
	Subject      string            // the assertion's NameID
	Claims       map[string]string // attributes by name (several values as "[a, b]", as Cognito renders them), plus pool.SAMLNameID => NameID
	AssertionID  string            // for the caller's replay check
	NotOnOrAfter time.Time         // how long the assertion ID must be remembered
}

// Client runs sign-ins at SAML identity providers. It fetches and caches
// the providers' metadata (MetadataURL); it is safe for concurrent use.
type Client struct {
	hc *http.Client
	// clock is the metadata cache's clock (time.Now; tests move it).
	clock func() time.Time

	// fetches collapses concurrent downloads of one metadata URL.
	fetches singleflight.Group

	mu       sync.Mutex
	metadata map[string]cachedMetadata // by metadata URL
}

// New returns a Client that downloads metadata with hc; nil => a client
// with bounded timeouts (upstream.CallTimeout per call). Either way the
// downloads follow redirects by upstream.LimitRedirects. Every download is
// also bounded by upstream.CallTimeout through its context, and by
// MaxMetadataSize.
func New(hc *http.Client) *Client {
	return &Client{hc: upstream.WithRedirects(hc, upstream.LimitRedirects), clock: time.Now, metadata: map[string]cachedMetadata{}}
}

// Begin builds the AuthnRequest (HTTP-Redirect binding) with relayState as RelayState.
func (c *Client) Begin(ctx context.Context, cfg Config, relayState string) (redirectURL string, p Pending, err error) {
	return c.begin(ctx, cfg, relayState)
}

// Finish validates the HTTP-POST binding's SAMLResponse (form) at now.
func (c *Client) Finish(ctx context.Context, cfg Config, p Pending, form url.Values, now time.Time) (Result, error) {
	return c.finish(ctx, cfg, p, form, now)
}

// Metadata returns the SP metadata XML for the pool (what an IdP admin imports).
func Metadata(cfg Config) ([]byte, error) {
	return spMetadata(cfg)
}
