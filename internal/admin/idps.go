package admin

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
)

// The identity-provider actions: CreateIdentityProvider,
// DescribeIdentityProvider, UpdateIdentityProvider,
// DeleteIdentityProvider, ListIdentityProviders and
// GetIdentityProviderByIdentifier. The secret details (client_secret,
// private_key: pool.SecretDetails) are sealed with the master key into
// IdentityProvider.SealedSecrets, bound to the pool and provider name;
// the store never sees them in ProviderDetails.

// OpenProviderDetails returns the complete ProviderDetails of idp: the
// stored details with the sealed secrets opened and added. The sign-in
// flows (internal/federation) call it to reach the provider.
func OpenProviderDetails(box *seal.Box, idp pool.IdentityProvider) (map[string]string, error) {
	secrets := map[string]string{}
	if len(idp.SealedSecrets) > 0 {
		b, err := box.Open(idp.SealedSecrets, idp.SecretsAAD())
		if err != nil {
			return nil, fmt.Errorf("open secrets of identity provider %s (is this the right master key?): %w", idp.ProviderName, err)
		}
		if err := json.Unmarshal(b, &secrets); err != nil {
			return nil, fmt.Errorf("read secrets of identity provider %s: %w", idp.ProviderName, err)
		}
	}
	return pool.MergeDetails(idp.ProviderDetails, secrets), nil
}

// sealDetails checks details (secrets included) for p's type and stores
// them in p: the plain ones in ProviderDetails, the secret ones sealed
// in SealedSecrets (nil when there are none).
func sealDetails(box *seal.Box, p *pool.IdentityProvider, details map[string]string) error {
	if err := pool.ValidateDetails(p.ProviderType, details); err != nil {
		return validated(err)
	}
	if p.ProviderType == pool.ProviderSignInWithApple {
		if err := checkApplePrivateKey(details[pool.DetailPrivateKey]); err != nil {
			return err
		}
	}
	plain, secrets := pool.SplitDetails(details)
	p.ProviderDetails, p.SealedSecrets = plain, nil
	if len(secrets) > 0 {
		b, err := json.Marshal(secrets)
		if err != nil {
			return fmt.Errorf("seal provider secrets: %w", err)
		}
		p.SealedSecrets = box.Seal(b, p.SecretsAAD())
	}
	return nil
}

// checkApplePrivateKey checks Sign in with Apple's private_key: the PEM
// of a PKCS#8 EC P-256 key, as Apple's developer console issues it (the
// .p8 file), with which the client-secret JWT is signed (ES256).
func checkApplePrivateKey(s string) error {
	bad := func(why string) error {
		return invalidParam("ProviderDetails", "private_key must be the PEM of a PKCS#8 EC P-256 key (Apple's .p8 file): %s", why)
	}
	block, _ := pem.Decode([]byte(strings.TrimSpace(s)))
	if block == nil {
		return bad("no PEM block")
	}
	if block.Type != "PRIVATE KEY" {
		return bad(fmt.Sprintf("PEM block is %q, not \"PRIVATE KEY\"", block.Type))
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return bad("not a PKCS#8 key")
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok || ek.Curve != elliptic.P256() {
		return bad("not an EC P-256 key")
	}
	return nil
}

// CreateIdentityProvider validates p (made with the settings of the
// request; ProviderDetails complete, secrets included) and stores it in
// its pool with its secrets sealed. Without an AttributeMapping the
// provider gets pool.DefaultAttributeMapping. It returns the stored
// provider with its complete details, as Cognito answers.
//
// Errors: ResourceNotFoundException (pool), InvalidParameterException
// (name, type, details, mapping, identifiers; an identifier another
// provider of the pool has), DuplicateProviderException (a provider of
// that name exists).
func (s *Service) CreateIdentityProvider(ctx context.Context, p pool.IdentityProvider) (_ pool.IdentityProvider, err error) {
	defer func() {
		s.record(ctx, "CreateIdentityProvider", p.PoolID, p.ProviderName, audit.Diff(pool.IdentityProvider{}, p), err)
	}()
	if _, err := s.DescribeUserPool(ctx, p.PoolID); err != nil {
		return pool.IdentityProvider{}, err
	}
	details := maps.Clone(p.ProviderDetails)
	if details == nil {
		details = map[string]string{}
	}
	if len(p.AttributeMapping) == 0 {
		p.AttributeMapping = pool.DefaultAttributeMapping(p.ProviderType)
	}
	p.ProviderDetails = nil
	if err := p.Validate(); err != nil {
		return pool.IdentityProvider{}, validated(err)
	}
	if err := sealDetails(s.box, &p, details); err != nil {
		return pool.IdentityProvider{}, err
	}
	p.CreatedAt = s.now()
	p.UpdatedAt = p.CreatedAt
	if err := s.st.CreateIdentityProvider(ctx, p); err != nil {
		if errors.Is(err, store.ErrAlreadyExists) {
			return pool.IdentityProvider{}, s.providerClash(ctx, p, true)
		}
		return pool.IdentityProvider{}, fmt.Errorf("create identity provider: %w", err)
	}
	p.ProviderDetails = details
	return p, nil
}

// providerClash tells apart what made the store refuse p: its name (on
// create) or one of its identifiers.
func (s *Service) providerClash(ctx context.Context, p pool.IdentityProvider, create bool) error {
	if create {
		if _, err := s.st.GetIdentityProvider(ctx, p.PoolID, p.ProviderName); err == nil {
			return exists(KindProvider, p.ProviderName)
		}
	}
	for i, id := range p.IdpIdentifiers {
		other, err := s.st.GetIdentityProviderByIdentifier(ctx, p.PoolID, id)
		if err == nil && other.ProviderName != p.ProviderName {
			msg := fmt.Sprintf("The identifier %s is already used by the provider %s.", id, other.ProviderName)
			return &account.Error{Type: account.InvalidParameterException, Field: "IdpIdentifiers", Message: msg,
				Cause: &pool.ValidationError{Field: fmt.Sprintf("IdpIdentifiers[%d]", i), Message: msg}}
		}
	}
	return exists(KindProvider, p.ProviderName)
}

// getProvider returns the stored provider (details without secrets).
func (s *Service) getProvider(ctx context.Context, poolID, name string) (pool.IdentityProvider, error) {
	if _, err := s.DescribeUserPool(ctx, poolID); err != nil {
		return pool.IdentityProvider{}, err
	}
	p, err := s.st.GetIdentityProvider(ctx, poolID, name)
	if err != nil {
		return p, storeErr(err, "get identity provider", KindProvider, name)
	}
	return p, nil
}

// opened returns p with its complete details.
func (s *Service) opened(p pool.IdentityProvider) (pool.IdentityProvider, error) {
	d, err := OpenProviderDetails(s.box, p)
	if err != nil {
		return pool.IdentityProvider{}, err
	}
	p.ProviderDetails = d
	return p, nil
}

// DescribeIdentityProvider returns a provider of the pool with its
// complete details, secrets included, as Cognito's
// DescribeIdentityProvider does.
func (s *Service) DescribeIdentityProvider(ctx context.Context, poolID, name string) (pool.IdentityProvider, error) {
	p, err := s.getProvider(ctx, poolID, name)
	if err != nil {
		return p, err
	}
	return s.opened(p)
}

// GetIdentityProviderByIdentifier returns the provider of the pool that
// lists identifier in its IdpIdentifiers, with its complete details.
func (s *Service) GetIdentityProviderByIdentifier(ctx context.Context, poolID, identifier string) (pool.IdentityProvider, error) {
	if _, err := s.DescribeUserPool(ctx, poolID); err != nil {
		return pool.IdentityProvider{}, err
	}
	p, err := s.st.GetIdentityProviderByIdentifier(ctx, poolID, identifier)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return p, &account.Error{Type: account.ResourceNotFoundException,
				Message: fmt.Sprintf("No identity provider of the user pool has the identifier %s.", identifier),
				Cause:   &ResourceError{Kind: KindProvider, ID: identifier, Err: store.ErrNotFound}}
		}
		return p, fmt.Errorf("get identity provider by identifier: %w", err)
	}
	return s.opened(p)
}

// UpdateIdentityProvider applies edit to the provider, whose
// ProviderDetails it receives without the secret ones (SecretDetails),
// validates the result and stores it; a refused edit stores nothing. The
// name, type, pool and creation date cannot be changed. A secret detail
// the edit does not set keeps its sealed value, so a secret need not be
// sent again; one set to "" is removed (refused where the type requires
// it) — except when the edit changes an endpoint (endpointDetails): the
// stored secret would then go to the new endpoint, so the edit must give
// it again (InvalidParameterException naming it otherwise).
// The Cognito API's edit replaces ProviderDetails, AttributeMapping and
// IdpIdentifiers with those of the request, as Cognito does; the command
// line merges the details it is given into the stored ones.
func (s *Service) UpdateIdentityProvider(ctx context.Context, poolID, name string, edit func(*pool.IdentityProvider)) (_ pool.IdentityProvider, err error) {
	var before, updated pool.IdentityProvider
	defer func() {
		var changed []store.AuditChange
		if err == nil {
			changed = audit.Diff(before, updated)
		}
		s.record(ctx, "UpdateIdentityProvider", poolID, name, changed, err)
	}()
	if _, err := s.getProvider(ctx, poolID, name); err != nil {
		return pool.IdentityProvider{}, err
	}
	var details map[string]string
	err = s.st.UpdateIdentityProvider(ctx, poolID, name, func(old pool.IdentityProvider) (pool.IdentityProvider, error) {
		cur, err := s.opened(old)
		if err != nil {
			return old, err
		}
		p := cur
		p.ProviderDetails = maps.Clone(cur.ProviderDetails)
		for _, k := range pool.SecretDetails {
			delete(p.ProviderDetails, k)
		}
		p.AttributeMapping = maps.Clone(cur.AttributeMapping)
		p.IdpIdentifiers = slices.Clone(cur.IdpIdentifiers)
		if p.AttributeMapping == nil {
			p.AttributeMapping = map[string]string{}
		}
		edit(&p)
		p.PoolID, p.ProviderName, p.ProviderType, p.CreatedAt = old.PoolID, old.ProviderName, old.ProviderType, old.CreatedAt
		d := maps.Clone(p.ProviderDetails)
		if d == nil {
			d = map[string]string{}
		}
		var kept []string // secrets the edit did not give
		for _, k := range pool.SecretDetails {
			v, given := d[k]
			switch {
			case !given && cur.ProviderDetails[k] != "":
				d[k] = cur.ProviderDetails[k]
				kept = append(kept, k)
			case given && v == "":
				delete(d, k)
			}
		}
		if len(p.AttributeMapping) == 0 {
			p.AttributeMapping = pool.DefaultAttributeMapping(p.ProviderType)
		}
		p.ProviderDetails = nil
		if err := p.Validate(); err != nil {
			return old, validated(err)
		}
		if err := pool.ValidateDetails(p.ProviderType, d); err != nil {
			return old, validated(err)
		}
		if moved := movedEndpoint(cur.ProviderDetails, d); moved != "" && len(kept) > 0 {
			return old, invalidParam("ProviderDetails",
				"The update changes %s: give %s again, the stored one is not sent to another endpoint.", moved, kept[0])
		}
		if err := sealDetails(s.box, &p, d); err != nil {
			return old, err
		}
		p.UpdatedAt = s.now()
		before, updated, details = old, p, d
		return p, nil
	})
	if err != nil {
		if errors.Is(err, store.ErrAlreadyExists) {
			return pool.IdentityProvider{}, s.providerClash(ctx, updated, false)
		}
		return pool.IdentityProvider{}, storeErr(err, "update identity provider", KindProvider, name)
	}
	updated.ProviderDetails = details
	return updated, nil
}

// endpointDetails are the ProviderDetails that say where linkpool sends
// the provider's client secret (token endpoint) or whom it trusts.
var endpointDetails = []string{pool.DetailOIDCIssuer, pool.DetailAuthorizeURL, pool.DetailTokenURL, pool.DetailAttributesURL, pool.DetailJWKSURI}

// movedEndpoint returns the first endpoint detail whose value differs
// between the stored details and the edited ones, or "".
func movedEndpoint(stored, edited map[string]string) string {
	for _, k := range endpointDetails {
		if stored[k] != edited[k] {
			return k
		}
	}
	return ""
}

// DeleteIdentityProvider deletes a provider of the pool. The users it
// created and the identities linked to it stay, as in Cognito; they can
// no longer sign in through it. A provider that app clients still list
// in SupportedIdentityProviders is refused with an
// InvalidParameterException naming them: the hosted pages would
// otherwise offer a button to nowhere, and a silent edit of the clients
// would be a surprise. Remove it from the clients first.
func (s *Service) DeleteIdentityProvider(ctx context.Context, poolID, name string) (err error) {
	defer func() { s.record(ctx, "DeleteIdentityProvider", poolID, name, nil, err) }()
	if _, err := s.getProvider(ctx, poolID, name); err != nil {
		return err
	}
	users, err := s.clientsListing(ctx, poolID, name)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		return &account.Error{Type: account.InvalidParameterException, Field: "ProviderName",
			Message: fmt.Sprintf("The provider %s is used by the app clients %s; remove it from their SupportedIdentityProviders first.",
				name, strings.Join(users, ", "))}
	}
	return storeErr(s.st.DeleteIdentityProvider(ctx, poolID, name), "delete identity provider", KindProvider, name)
}

// clientsListing returns the ids of the pool's app clients whose
// SupportedIdentityProviders list the provider name.
func (s *Service) clientsListing(ctx context.Context, poolID, name string) ([]string, error) {
	var ids []string
	next := ""
	for {
		page, err := s.st.ListClients(ctx, poolID, store.ListOptions{Limit: MaxPageSize, PageToken: next})
		if err != nil {
			return nil, fmt.Errorf("list clients: %w", err)
		}
		for _, c := range page.Items {
			if slices.Contains(c.SupportedIdentityProviders, name) {
				ids = append(ids, c.ID)
			}
		}
		if page.Next == "" {
			return ids, nil
		}
		next = page.Next
	}
}

// ListIdentityProviders returns one page of the pool's providers by
// name, at most maxResults (0-60; 0 means 60), and the token of the next
// page. The providers carry their plain details only, as Cognito's
// ProviderDescription has none.
func (s *Service) ListIdentityProviders(ctx context.Context, poolID string, maxResults int, nextToken string) ([]pool.IdentityProvider, string, error) {
	o, err := pageOptions(maxResults, "MaxResults", false, nextToken)
	if err != nil {
		return nil, "", err
	}
	if _, err := s.DescribeUserPool(ctx, poolID); err != nil {
		return nil, "", err
	}
	page, err := s.st.ListIdentityProviders(ctx, poolID, o)
	if err != nil {
		return nil, "", pageErr(err, "NextToken", "list identity providers")
	}
	return page.Items, page.Next, nil
}

// checkClientProviders checks that every name in a client's
// SupportedIdentityProviders other than COGNITO is a provider of the
// pool: Cognito's InvalidParameterException "The provider <name> does
// not exist for User Pool <id>." otherwise.
func (s *Service) checkClientProviders(ctx context.Context, c pool.Client) error {
	for i, name := range c.SupportedIdentityProviders {
		if name == pool.ProviderCognito {
			continue
		}
		_, err := s.st.GetIdentityProvider(ctx, c.PoolID, name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			msg := fmt.Sprintf("The provider %s does not exist for User Pool %s.", name, c.PoolID)
			return &account.Error{Type: account.InvalidParameterException, Field: "SupportedIdentityProviders", Message: msg,
				Cause: &pool.ValidationError{Field: fmt.Sprintf("SupportedIdentityProviders[%d]", i), Message: msg}}
		case err != nil:
			return fmt.Errorf("check identity provider %s: %w", name, err)
		}
	}
	return nil
}
