package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/token"
	"github.com/linkpool/linkpool/internal/web"
)

// grantContext is what a grant carries into token issuance.
type grantContext struct {
	scopes    []string
	authTime  time.Time
	originJTI string
	nonce     string
	// codeID, with withRefresh, makes issueForUser create the grant's
	// refresh token (authorization code grant).
	codeID      string
	withRefresh bool
	// refresh is a rotated refresh token to return (refresh grant).
	refresh string
	// withID mints the ID token whatever the scopes (the Cognito API's
	// sign-in, whose tokens carry aws.cognito.signin.user.admin only).
	withID bool
	// noID leaves the ID token out whatever the scopes (a refresh for a
	// client whose IDTokenOnRefresh is off).
	noID bool
	// eventID is the event_id claim of both tokens, set for the Cognito
	// API's tokens (Cognito puts it in the tokens of InitiateAuth).
	eventID string
	// source is the pre token generation trigger's triggerSource
	// (trigger.SourceToken*); clientMetadata its request's clientMetadata.
	source         string
	clientMetadata map[string]string
	// pre, when set, is the trigger's outcome already obtained (the
	// refresh grant runs the trigger before it rotates the token).
	pre *preToken
}

// issueForUser mints the access token and, when openid was granted (or
// g.withID) and g.noID is not set, the ID token for u; with withRefresh it also stores a new grant and returns its
// refresh token. The grant is stored before the response is written, so an
// acknowledged refresh token is never lost; a grant of a code replayed in
// the meantime is refused (see grantCode).
func (s *Service) issueForUser(ctx context.Context, t web.Target, c pool.Client, u pool.User, g grantContext) (*tokenResponse, error) {
	pt := g.pre
	if pt == nil {
		var err error
		if pt, err = s.prepareTokens(ctx, t, c, &u, g); err != nil {
			return nil, err
		}
	}
	now := s.now()
	access, err := s.signAccess(ctx, t, c, &u, pt, g, now)
	if err != nil {
		return nil, err
	}
	resp := &tokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: int(c.AccessTokenTTL() / time.Second), RefreshToken: g.refresh}
	if !g.noID && (g.withID || slices.Contains(g.scopes, pool.ScopeOpenID)) {
		resp.IDToken, err = s.signID(ctx, t, c, &u, pt, g, access, now)
		if err != nil {
			return nil, err
		}
	}
	if g.withRefresh {
		id, secret := newRefreshToken()
		rt := store.RefreshToken{
			ID: id, OriginJTI: g.originJTI, PoolID: t.Pool.ID, ClientID: c.ID, Sub: u.Sub,
			Scopes: g.scopes, AuthTime: g.authTime, CodeID: g.codeID, SecretHash: hashSecret(secret),
			CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(c.RefreshTokenTTL()),
		}
		err := s.store.CreateRefreshToken(ctx, rt)
		if errors.Is(err, store.ErrConflict) {
			// The code was replayed while it was being redeemed.
			return nil, badRequest(ErrInvalidGrant, "Invalid authorization code.")
		}
		if err != nil {
			return nil, unavailable(fmt.Errorf("store refresh token: %w", err))
		}
		resp.RefreshToken = id + "." + secret
	}
	return resp, nil
}

// prepareTokens reads the user's groups and runs the pre token generation
// trigger: everything that may refuse the tokens before any is signed or
// stored.
func (s *Service) prepareTokens(ctx context.Context, t web.Target, c pool.Client, u *pool.User, g grantContext) (*preToken, error) {
	groups, err := s.groupNames(ctx, t.Pool.ID, u.Sub)
	if err != nil {
		return nil, err
	}
	return s.preTokenGeneration(ctx, t, c, u, groups, g)
}

// groupNames returns the names of the user's groups (the cognito:groups
// claim). A pool without groups, which the configuration cache knows,
// costs no store read.
func (s *Service) groupNames(ctx context.Context, poolID, sub string) ([]string, error) {
	has, _, err := s.poolHasGroups.Get(ctx, poolID)
	if err != nil {
		return nil, unavailable(fmt.Errorf("list groups: %w", err))
	}
	if !has {
		return nil, nil
	}
	gs, err := s.store.ListGroupsForUser(ctx, poolID, sub)
	if err != nil {
		return nil, unavailable(fmt.Errorf("list groups: %w", err))
	}
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.Name
	}
	return names, nil
}

// signAccess signs a Cognito access token (Cognito "Understanding the
// access token"): no aud, client_id instead, token_use "access", version 2.
// u is nil for client-credentials tokens, whose sub is the client id
// and which take only g's scopes.
func (s *Service) signAccess(ctx context.Context, t web.Target, c pool.Client, u *pool.User, pt *preToken, g grantContext, now time.Time) (string, error) {
	exp := now.Add(c.AccessTokenTTL())
	var cl token.AccessClaims
	if u == nil {
		cl = token.ClientCredentialsClaims(t.Issuer, c.ID, pt.scopes, "", now, exp)
	} else {
		cl = token.NewAccessClaims(token.AccessInput{
			Issuer: t.Issuer, ClientID: c.ID, Sub: u.Sub, Username: u.Username, Groups: pt.groups,
			Scopes: pt.scopes, OriginJTI: g.originJTI, EventID: g.eventID, AuthTime: g.authTime, IssuedAt: now, ExpiresAt: exp,
		})
	}
	var claims any = cl
	if !pt.access.empty() {
		m, err := claimMap(cl)
		if err != nil {
			return "", serverError(err)
		}
		pt.access.apply(m)
		claims = m
	}
	tok, err := s.keys.Sign(ctx, t.Pool.ID, store.UseAccess, claims)
	if err != nil {
		return "", signError(err)
	}
	return tok, nil
}

// signID signs a Cognito ID token (OpenID Connect Core §2, Cognito
// "Understanding the identity token") with the attributes the scopes
// release, nonce and at_hash, and the user's linked identities
// ("identities") when it has any.
func (s *Service) signID(ctx context.Context, t web.Target, c pool.Client, u *pool.User, pt *preToken, g grantContext, access string, now time.Time) (string, error) {
	claims := token.IDClaims(token.IDInput{
		Issuer:     t.Issuer,
		Audience:   c.ID,
		Sub:        u.Sub,
		Username:   u.Username,
		Groups:     pt.groups,
		Attributes: releasedAttributes(&c, g.scopes, u.Attributes),
		Nonce:      g.nonce,
		AtHash:     token.AtHash(access, t.Pool.SigningAlgorithm),
		OriginJTI:  g.originJTI,
		EventID:    g.eventID,
		AuthTime:   g.authTime,
		IssuedAt:   now,
		ExpiresAt:  now.Add(c.IDTokenTTL()),
	})
	if len(u.Identities) > 0 {
		// Cognito's "identities" claim: the user's linked provider
		// identities, as an array of objects.
		claims["identities"] = u.Identities
	}
	if len(pt.roles) > 0 {
		claims["cognito:roles"] = pt.roles
	}
	if pt.preferredRole != "" {
		claims["cognito:preferred_role"] = pt.preferredRole
	}
	pt.id.apply(claims)
	tok, err := s.keys.Sign(ctx, t.Pool.ID, store.UseID, claims)
	if err != nil {
		return "", signError(err)
	}
	return tok, nil
}

// claimMap returns the claims of cl as a map, for a trigger's changes.
func claimMap(cl any) (map[string]any, error) {
	b, err := json.Marshal(cl)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// signError classifies a signing failure: a missing key set or an
// unreadable key is a server fault, a store failure is transient.
func signError(err error) error {
	var ke *token.KeyError
	if errors.Is(err, token.ErrNoKeys) || errors.As(err, &ke) {
		return serverError(err)
	}
	return unavailable(err)
}

// isKeyStoreError tells a failure to load keys from a verdict on a token.
func isKeyStoreError(err error) bool {
	return !errors.Is(err, token.ErrMalformed) && !errors.Is(err, token.ErrAlgorithm) &&
		!errors.Is(err, token.ErrUnknownKey) && !errors.Is(err, token.ErrSignature)
}
