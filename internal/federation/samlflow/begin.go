package samlflow

import (
	"context"
	"time"

	"github.com/crewjam/saml"

	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
)

// checkSupported refuses the provider settings this service provider
// does not implement: they need an SP key pair, which linkpool does not
// have yet (encrypted assertions are encrypted to it, signed requests
// signed with it).
func checkSupported(cfg Config) error {
	if cfg.Details[pool.DetailEncryptedResponses] == "true" {
		return &upstream.Error{Kind: upstream.Invalid, Code: "unsupported",
			Description: "EncryptedResponses=true is not supported: set the identity provider to send unencrypted, signed assertions",
			Err:         ErrUnsupported}
	}
	if cfg.Details[pool.DetailRequestSigningAlgorithm] != "" {
		return &upstream.Error{Kind: upstream.Invalid, Code: "unsupported",
			Description: "RequestSigningAlgorithm is not supported: linkpool sends unsigned AuthnRequests",
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
