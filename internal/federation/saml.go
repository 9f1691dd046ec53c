package federation

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/linkpool/linkpool/internal/federation/samlflow"
	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

func samlConfig(p pool.Pool, base string, details map[string]string) samlflow.Config {
	return samlflow.Config{Details: details, EntityID: SPEntityID(p.ID), ACSURL: base + SAMLCallbackPath}
}

// beginSAML sends an AuthnRequest with relay as RelayState.
func (s *Service) beginSAML(ctx context.Context, p pool.Pool, base string, details map[string]string, relay string) (string, *samlflow.Pending, error) {
	loc, pending, err := s.saml.Begin(ctx, samlConfig(p, base, details), relay)
	if err != nil {
		return "", nil, err
	}
	return loc, &pending, nil
}

// finishSAML checks the SAML response of a callback (signature,
// audience, recipient, validity, InResponseTo: samlflow) and consumes its
// assertion until it expires, so the same assertion cannot sign in twice.
func (s *Service) finishSAML(ctx context.Context, p pool.Pool, base string, idp pool.IdentityProvider, details map[string]string, pending samlflow.Pending, params url.Values) (string, map[string]string, error) {
	r, err := s.saml.Finish(ctx, samlConfig(p, base, details), pending, params, s.now())
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
func (s *Service) Metadata(p pool.Pool, base string) ([]byte, error) {
	b, err := samlflow.Metadata(samlConfig(p, base, nil))
	if err != nil {
		return nil, fmt.Errorf("federation: SAML metadata: %w", err)
	}
	return b, nil
}
