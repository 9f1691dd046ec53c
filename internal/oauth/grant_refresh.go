package oauth

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/trigger"
	"github.com/linkpool/linkpool/internal/web"
)

// Refresh tokens are opaque: "<id>.<secret>", 22 + 1 + 43 characters of
// base64url. The id finds the grant by primary key; only the SHA-256 of
// the secret is stored.
const (
	refreshIDBytes     = 16
	refreshSecretBytes = 32
)

// newRefreshToken returns a fresh grant id and secret.
func newRefreshToken() (id, secret string) {
	return newOpaque(refreshIDBytes), newOpaque(refreshSecretBytes)
}

// NewRefreshToken returns a refresh token as a client holds it
// ("<id>.<secret>"), the id of its grant family and the hash of its
// secret (store.RefreshToken.SecretHash), drawing the random bytes from
// random. It serves generators of test data (transfer.Seed), which draw
// them twice from one seeded stream; the token endpoint mints its own
// from crypto/rand.
func NewRefreshToken(random io.Reader) (token, id, secretHash string, err error) {
	b := make([]byte, refreshIDBytes+refreshSecretBytes)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", "", "", err
	}
	id = base64.RawURLEncoding.EncodeToString(b[:refreshIDBytes])
	secret := base64.RawURLEncoding.EncodeToString(b[refreshIDBytes:])
	return id + "." + secret, id, hashSecret(secret), nil
}

// splitRefreshToken parses "<id>.<secret>".
func splitRefreshToken(tok string) (id, secret string, ok bool) {
	if len(tok) > 200 {
		return "", "", false
	}
	id, secret, ok = strings.Cut(tok, ".")
	if !ok || len(id) != 22 || len(secret) != 43 {
		return "", "", false
	}
	return id, secret, true
}

// grantRefresh serves the refresh_token grant (RFC 6749 §6).
//
// Without rotation (Cognito's default) the same refresh token stays valid
// until it expires and the response carries no refresh_token. With
// rotation on the client, every refresh returns a new refresh token that
// keeps the original expiry; the previous token stays valid for the
// client's grace period, so a retried refresh whose response was lost does
// not break an Alexa link (see rotate). A rotated token presented after
// the grace period revokes the whole grant (RFC 9700 §4.14.2); a secret
// that was never issued is refused and changes nothing.
//
// The response carries an ID token (when openid was granted) unless the
// client's IDTokenOnRefresh is off: then it is access_token, expires_in,
// token_type and, under rotation, refresh_token, and the refresh signs
// one JWT (OpenID Connect Core §12.2 makes the ID token optional here).
func (s *Service) grantRefresh(ctx context.Context, t web.Target, c pool.Client, form url.Values) (*tokenResponse, error) {
	raw := form.Get("refresh_token")
	if raw == "" {
		return nil, badRequest(ErrInvalidRequest, "Missing refresh_token.")
	}
	scope, hasScope := form["scope"]
	if hasScope && strings.TrimSpace(scope[0]) == "" {
		return nil, badRequest(ErrInvalidScope, "Empty scope.")
	}
	var requested []string
	if hasScope {
		requested = strings.Fields(scope[0])
	}
	return s.refresh(ctx, t, c, raw, requested, nil)
}

// userCheck is the Cognito API's check of a refresh by the token's user
// (its SECRET_HASH): sub is the token's, username the user's or "" when
// the user no longer exists.
type userCheck func(sub, username string) error

// refresh runs the refresh grant for the token raw, narrowed to the
// requested scopes if any. apiCheck, non-nil for the Cognito API's
// refresh (RefreshAPI), is called once the token is known to belong to
// the pool and client, before anything else about it is revealed; that
// refresh mints the ID token whatever the granted scopes and gives the
// tokens an event_id of their own. Both leave the ID token out when the
// client's IDTokenOnRefresh is off. The grant and its user are read in
// one round trip (store.Store.GetRefreshGrant).
func (s *Service) refresh(ctx context.Context, t web.Target, c pool.Client, raw string, requested []string, apiCheck userCheck) (*tokenResponse, error) {
	api := apiCheck != nil
	id, secret, ok := splitRefreshToken(raw)
	if !ok {
		return nil, badRequest(ErrInvalidGrant, "Invalid refresh token.")
	}
	now := s.now()
	g, err := s.store.GetRefreshGrant(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, badRequest(ErrInvalidGrant, "Invalid refresh token.")
	}
	if err != nil {
		return nil, unavailable(fmt.Errorf("get refresh grant: %w", err))
	}
	rt, u := g.Token, g.User
	if rt.PoolID != t.Pool.ID || rt.ClientID != c.ID || rt.SecretHash == "" {
		return nil, badRequest(ErrInvalidGrant, "Invalid refresh token.")
	}
	var userErr error
	if !g.UserFound {
		userErr = store.ErrNotFound
	}
	if api {
		username := ""
		if g.UserFound {
			username = u.Username
		}
		if err := apiCheck(rt.Sub, username); err != nil {
			return nil, err
		}
	}
	presented := hashSecret(secret)
	var chain *lineage
	if c.RotatesRefreshTokens() {
		// The decision is taken again, under the row lock, by rotate; this
		// read-only look refuses a secret that was never issued before
		// anything else about the grant is revealed.
		chain = s.newLineage(rt.ID, secret, presented)
		if kind, _ := chain.classify(rt); kind == secretUnknown {
			return nil, badRequest(ErrInvalidGrant, "Invalid refresh token.")
		}
	} else if !equalHash(presented, rt.SecretHash) {
		return nil, badRequest(ErrInvalidGrant, "Invalid refresh token.")
	}
	if rt.Revoked() || !now.Before(rt.ExpiresAt) {
		e := badRequest(ErrInvalidGrant, "Refresh token has been revoked or has expired.")
		e.Cause = ErrRefreshExpired
		if rt.Revoked() {
			e.Cause = ErrRefreshRevoked
		}
		return nil, e
	}
	scopes := rt.Scopes
	if len(requested) > 0 {
		// RFC 6749 §6: a refresh may narrow, never widen, the scope.
		for _, sc := range requested {
			if !containsString(rt.Scopes, sc) {
				return nil, badRequest(ErrInvalidScope, "The requested scope exceeds the granted scope.")
			}
		}
		scopes = requested
	}
	if err := checkActive(u, userErr, rt.CreatedAt); err != nil {
		return nil, err
	}
	gc := grantContext{scopes: scopes, authTime: rt.AuthTime, originJTI: rt.OriginJTI, withID: api, noID: !c.IDTokenOnRefresh}
	if api {
		gc.eventID = newJTI()
	}
	gc.source = trigger.SourceTokenRefresh
	// The trigger runs before the rotation, so that a refused refresh
	// leaves the grant as it was.
	if gc.pre, err = s.prepareTokens(ctx, t, c, &u, gc); err != nil {
		return nil, err
	}
	if chain != nil {
		next, err := s.rotate(ctx, chain, c.RotationGrace(), now)
		if err != nil {
			return nil, err
		}
		gc.refresh = rt.ID + "." + next
	}
	return s.issueForUser(ctx, t, c, u, gc)
}

func equalHash(a, b string) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
