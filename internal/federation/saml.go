package federation

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/federation/samlflow"
	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// samlConfig is pool p's SAML service provider reached at base, with the
// pool's key pair (admin.Service.SAMLCertificate, made on first use), so
// that requests can be signed and encrypted assertions opened.
func (s *Service) samlConfig(ctx context.Context, p pool.Pool, base string, details map[string]string) (samlflow.Config, error) {
	cert, key, err := s.admin.SAMLCertificate(ctx, p.ID)
	if err != nil {
		return samlflow.Config{}, fmt.Errorf("federation: SAML key of pool %s: %w", p.ID, err)
	}
	return samlflow.Config{Details: details, EntityID: admin.SAMLEntityID(p.ID), ACSURL: base + SAMLCallbackPath,
		Key: key, Certificate: cert}, nil
}

// beginSAML sends an AuthnRequest with relay as RelayState.
func (s *Service) beginSAML(ctx context.Context, p pool.Pool, base string, details map[string]string, relay string) (string, *samlflow.Pending, error) {
	cfg, err := s.samlConfig(ctx, p, base, details)
	if err != nil {
		return "", nil, err
	}
	loc, pending, err := s.saml.Begin(ctx, cfg, relay)
	if err != nil {
		return "", nil, err
	}
	return loc, &pending, nil
}

// finishSAML checks the SAML response of a callback (signature,
// audience, recipient, validity, InResponseTo: samlflow) and consumes its
// assertion until it expires, so the same assertion cannot sign in twice.
func (s *Service) finishSAML(ctx context.Context, p pool.Pool, base string, idp pool.IdentityProvider, details map[string]string, pending samlflow.Pending, params url.Values) (string, map[string]string, error) {
	cfg, err := s.samlConfig(ctx, p, base, details)
	if err != nil {
		return "", nil, err
	}
	r, err := s.saml.Finish(ctx, cfg, pending, params, s.now())
	if err != nil {
		return "", nil, err
	}
	if r.AssertionID == "" {
		return "", nil, &upstream.Error{Kind: upstream.Invalid, Description: "The SAML assertion has no ID."}
	}
	exp := r.NotOnOrAfter
	if exp.IsZero() || exp.Before(s.now().Add(StateTTL)) {
		exp = s.now().Add(StateTTL)
	}
	err = s.store.ConsumeAuthSession(ctx, consumedKey("saml-assertion", p.ID, idp.ProviderName+"\x00"+r.AssertionID), exp)
	if errors.Is(err, store.ErrConflict) {
		return "", nil, &upstream.Error{Kind: upstream.Invalid, Description: "The SAML assertion was already used."}
	}
	if err != nil {
		return "", nil, fmt.Errorf("federation: consume assertion: %w", err)
	}
	return r.Subject, r.Claims, nil
}

// Metadata returns the SAML service-provider metadata of pool p reached
// at base: what an IdP administrator enters for the pool.
func (s *Service) Metadata(ctx context.Context, p pool.Pool, base string) ([]byte, error) {
	cfg, err := s.samlConfig(ctx, p, base, nil)
	if err != nil {
		return nil, err
	}
	b, err := samlflow.Metadata(cfg)
	if err != nil {
		return nil, fmt.Errorf("federation: SAML metadata: %w", err)
	}
	return b, nil
}
