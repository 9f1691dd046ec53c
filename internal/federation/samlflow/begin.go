package samlflow

import (
	"context"
	"time"

	"github.com/crewjam/saml"

	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
)

// SigningAlgorithmRSASHA256 is the one RequestSigningAlgorithm Cognito
// offers: AuthnRequests signed with RSA-SHA256.
const SigningAlgorithmRSASHA256 = "rsa-sha256"

// checkSupported refuses the provider settings this service provider
// cannot honour: signed requests and encrypted assertions without the
// pool's key pair (Config.Key), and a RequestSigningAlgorithm other than
// rsa-sha256.
func checkSupported(cfg Config) error {
	hasKey := cfg.Key != nil && cfg.Certificate != nil
	if cfg.Details[pool.DetailEncryptedResponses] == "true" && !hasKey {
		return &upstream.Error{Kind: upstream.Invalid, Code: "unsupported",
			Description: "EncryptedResponses=true needs the pool's SAML key pair, which is not available",
			Err:         ErrUnsupported}
	}
	switch alg := cfg.Details[pool.DetailRequestSigningAlgorithm]; {
	case alg == "":
	case alg != SigningAlgorithmRSASHA256:
		return &upstream.Error{Kind: upstream.Invalid, Code: "unsupported",
			Description: "RequestSigningAlgorithm must be rsa-sha256",
			Err:         ErrUnsupported}
	case !hasKey:
		return &upstream.Error{Kind: upstream.Invalid, Code: "unsupported",
			Description: "RequestSigningAlgorithm needs the pool's SAML key pair, which is not available",
			Err:         ErrUnsupported}
	}
	return nil
}

func (c *Client) begin(ctx context.Context, cfg Config, relayState string) (string, Pending, error) {
	if err := checkSupported(cfg); err != nil {
		return "", Pending{}, err
	}
	md, err := c.idpMetadata(ctx, cfg)
	if err != nil {
		return "", Pending{}, err
	}
	sp, err := serviceProvider(cfg, md, time.Now())
	if err != nil {
		return "", Pending{}, invalid("the pool's service provider settings are invalid", err)
	}
	sso := sp.GetSSOBindingLocation(saml.HTTPRedirectBinding)
	if sso == "" {
		return "", Pending{}, unavailable("the provider's metadata has no single sign-on service with the HTTP-Redirect binding", nil)
	}
	req, err := sp.MakeAuthenticationRequest(sso, saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		return "", Pending{}, invalid("the AuthnRequest could not be built", err)
	}
	u, err := req.Redirect(relayState, sp)
	if err != nil {
		return "", Pending{}, invalid("the AuthnRequest could not be built", err)
	}
	return u.String(), Pending{RequestID: req.ID}, nil
}
