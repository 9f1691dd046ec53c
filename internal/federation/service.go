package federation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/federation/oidcflow"
	"github.com/linkpool/linkpool/internal/federation/samlflow"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
)

// Config holds the dependencies of a Service.
type Config struct {
	Store    store.Store
	Box      *seal.Box
	Accounts *account.Service
	// Admin gives the pools' SAML key pairs (SAMLCertificate).
	Admin *admin.Service
	OIDC  *oidcflow.Client
	SAML  *samlflow.Client
	// Log receives failed sign-ins (provider, kind, safe description;
	// never a token, code or assertion); nil discards.
	Log *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Service runs federated sign-ins for every pool. It is safe for
// concurrent use.
type Service struct {
	store    store.Store
	box      *seal.Box
	accounts *account.Service
	admin    *admin.Service
	oidc     *oidcflow.Client
	saml     *samlflow.Client
	log      *slog.Logger
	now      func() time.Time
}

// New returns a Service. Store, Box, Accounts, Admin, OIDC and SAML are required.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Box == nil || cfg.Accounts == nil || cfg.Admin == nil || cfg.OIDC == nil || cfg.SAML == nil {
		return nil, errors.New("federation: Store, Box, Accounts, Admin, OIDC and SAML are required")
	}
	s := &Service{store: cfg.Store, box: cfg.Box, accounts: cfg.Accounts, admin: cfg.Admin, oidc: cfg.OIDC, saml: cfg.SAML, log: cfg.Log, now: cfg.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// Providers returns the identity providers client c lists in its
// SupportedIdentityProviders that exist in pool p, in the client's order:
// the buttons of the hosted sign-in page. COGNITO and names without a
// provider are left out.
func (s *Service) Providers(ctx context.Context, p pool.Pool, c pool.Client) ([]pool.IdentityProvider, error) {
	var out []pool.IdentityProvider
	for _, name := range c.SupportedIdentityProviders {
		if name == pool.ProviderCognito {
			continue
		}
		idp, err := s.store.GetIdentityProvider(ctx, p.ID, name)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("federation: get provider %s: %w", name, err)
		}
		out = append(out, idp)
	}
	return out, nil
}

// Resolve finds the provider an authorization request names, by
// identity_provider (its name) or idp_identifier (one of its
// IdpIdentifiers), and checks that client c may use it. Errors: an
// *Error (CodeInvalidRequest) for an unknown provider or one the client
// does not list, or a store failure.
func (s *Service) Resolve(ctx context.Context, p pool.Pool, c pool.Client, identityProvider, idpIdentifier string) (pool.IdentityProvider, error) {
	var idp pool.IdentityProvider
	var err error
	switch {
	case identityProvider != "":
		if len(identityProvider) > pool.MaxProviderNameLen*4 {
			return pool.IdentityProvider{}, refused("The identity provider does not exist.")
		}
		idp, err = s.store.GetIdentityProvider(ctx, p.ID, identityProvider)
	case idpIdentifier != "":
		if len(idpIdentifier) > pool.MaxIdpIdentifierLen*4 {
			return pool.IdentityProvider{}, refused("The identity provider does not exist.")
		}
		idp, err = s.store.GetIdentityProviderByIdentifier(ctx, p.ID, idpIdentifier)
	default:
		return pool.IdentityProvider{}, refused("No identity provider was named.")
	}
	if errors.Is(err, store.ErrNotFound) {
		return pool.IdentityProvider{}, refused("The identity provider does not exist.")
	}
	if err != nil {
		return pool.IdentityProvider{}, fmt.Errorf("federation: resolve provider: %w", err)
	}
	if !slices.Contains(c.SupportedIdentityProviders, idp.ProviderName) {
		return pool.IdentityProvider{}, refused("The identity provider " + idp.ProviderName + " is not enabled for this client.")
	}
	return idp, nil
}

// openDetails returns the provider's complete ProviderDetails, secrets
// opened (admin.OpenProviderDetails).
func (s *Service) openDetails(idp pool.IdentityProvider) (map[string]string, error) {
	d, err := admin.OpenProviderDetails(s.box, idp)
	if err != nil {
		return nil, fmt.Errorf("federation: %w", err)
	}
	return d, nil
}
