package oauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

// successorKeyPurpose names the key, derived from the master key, that
// derives each rotated refresh-token secret from the one before it.
const successorKeyPurpose = "oauth/refresh-token-successor"

// lineageDepth bounds how many generations back a presented secret is
// recognised as a predecessor of the grant's current secret: in the grace
// period it gets the current secret, after it the grant is revoked as
// reused. Older secrets are refused as unknown, changing nothing. With
// Alexa's hourly refreshes it is more than a day of rotations.
const lineageDepth = 32

// ErrRefreshReused is the Cause of the invalid_grant answered for a
// genuine, superseded refresh-token secret presented after its grace
// period, which revokes the grant (Cognito's RefreshTokenReuseException).
var ErrRefreshReused = errors.New("refresh token reused after rotation")

// ErrRefreshRevoked and ErrRefreshExpired are the Causes of the
// invalid_grant answered for a refresh token of a revoked grant and for
// one past its expiry; any other invalid_grant of a refresh is a token
// that was never issued.
var (
	ErrRefreshRevoked = errors.New("refresh token revoked")
	ErrRefreshExpired = errors.New("refresh token expired")
)

// errRefreshUnknown marks a secret that was never issued for the grant.
var errRefreshUnknown = errors.New("refresh token secret unknown")

// secretKind is what a presented secret is to a grant.
type secretKind int

const (
	secretUnknown  secretKind = iota // never issued for this grant, or too old to tell
	secretCurrent                    // the current secret: rotate
	secretAncestor                   // n generations before the current secret
	secretPrevious                   // the previous secret, but the current one is not its successor
)

// lineage is a presented secret and its successors, derived on demand:
// secrets[0] is the presented secret, secrets[i] the successor of
// secrets[i-1], and hashes[i] the at-rest hash of secrets[i].
type lineage struct {
	key     []byte
	id      string
	secrets []string
	hashes  []string
}

func (s *Service) newLineage(id, secret, hash string) *lineage {
	return &lineage{key: s.successorKey, id: id, secrets: []string{secret}, hashes: []string{hash}}
}

// at returns the n-th successor of the presented secret and its hash.
func (l *lineage) at(n int) (secret, hash string) {
	for len(l.secrets) <= n {
		m := hmac.New(sha256.New, l.key)
		m.Write([]byte(l.id))
		m.Write([]byte{'.'})
		m.Write([]byte(l.secrets[len(l.secrets)-1]))
		next := base64.RawURLEncoding.EncodeToString(m.Sum(nil))
		l.secrets = append(l.secrets, next)
		l.hashes = append(l.hashes, hashSecret(next))
	}
	return l.secrets[n], l.hashes[n]
}

// classify tells what the presented secret is to rt; for secretAncestor it
// also returns how many generations it lies before the current secret.
func (l *lineage) classify(rt store.RefreshToken) (secretKind, int) {
	if equalHash(l.hashes[0], rt.SecretHash) {
		return secretCurrent, 0
	}
	for n := 1; n <= lineageDepth; n++ {
		if _, h := l.at(n); equalHash(h, rt.SecretHash) {
			return secretAncestor, n
		}
	}
	if rt.PrevSecretHash != "" && equalHash(l.hashes[0], rt.PrevSecretHash) {
		return secretPrevious, 1
	}
	return secretUnknown, 0
}

// graceDepth is how many generations before the current secret the grace
// period until PrevValidUntil covers.
func graceDepth(rt store.RefreshToken) int {
	if rt.PrevSecretHash == "" {
		return 0
	}
	return max(rt.GraceDepth, 1)
}

// rotate runs one refresh of a rotating grant in one transaction and
// returns the secret to hand out.
//
// A successor is not random: it is HMAC-SHA256(k, grant id "." secret),
// with k derived from the master key, so every secret the server has
// returned for a grant lies on one chain X0 → X1 → … → Xn, where X0 is
// the random secret of the code grant. The stored state is the hash of
// the current secret Xn, the hash of Xn-1, the end of the grace period
// and the grace depth g. Only the current secret rotates:
//
//   - Xn presented: store Xn+1 as current and Xn as previous, with the
//     grace period starting now; g grows by one when this rotation came
//     within the previous grace period (a burst of retries and concurrent
//     refreshes), otherwise it is 1. Xn+1 is returned.
//   - Xk presented, k < n, found by deriving its successors until one is
//     current (at most lineageDepth generations): within the grace period
//     and with n-k ≤ g, Xn is returned and nothing changes. Otherwise it
//     is a genuine secret past its own grace period — with n-k > g, Xk was
//     rotated away before the burst began, and the rotation that began it
//     came after Xk's grace period — so the grant is revoked (RFC 9700
//     §4.14.2).
//   - Anything else is refused with invalid_grant and changes nothing: a
//     secret of the right shape is not proof of a stolen token.
//
// Hence, under one master key, a retry never rotates and no interleaving
// of concurrent and retried refreshes invalidates a secret the server has
// returned before the burst's grace period ends: each response carries
// the current secret as of its commit, concurrent refreshes of one secret
// all return the same successor, and every retry of a superseded secret
// gets the current one. A client that keeps the last response it received
// holds the current secret when responses arrive in commit order, and
// otherwise one that still gets the current secret until the grace period
// of the burst ends. Past it, a superseded secret is indistinguishable
// from a stolen one.
//
// After a master-key change (a transfer that seals again with a new key)
// the successors derive differently. The current secret still rotates; a
// retry of the previous secret within its grace period no longer finds
// the current one, so it gets its successor under the new key, which
// replaces the current secret (a successor under the old key that was
// never received is lost; one that was, is then refused as unknown, but
// never revokes). The same holds for grants rotated before successors
// were derived. Outside the grace period the previous secret revokes as
// before.
func (s *Service) rotate(ctx context.Context, l *lineage, grace time.Duration, now time.Time) (string, error) {
	var out, poolID, clientID string
	err := s.store.UpdateRefreshToken(ctx, l.id, func(rt store.RefreshToken) (store.RefreshToken, error) {
		poolID, clientID = rt.PoolID, rt.ClientID
		if rt.Revoked() {
			return rt, revokedGrant(ErrRefreshRevoked)
		}
		inGrace := now.Before(rt.PrevValidUntil)
		kind, n := l.classify(rt)
		switch kind {
		case secretCurrent:
			depth := 1
			if inGrace {
				depth = min(graceDepth(rt)+1, lineageDepth)
			}
			next, nextHash := l.at(1)
			rt.PrevSecretHash, rt.SecretHash = rt.SecretHash, nextHash
			rt.PrevValidUntil, rt.GraceDepth = now.Add(grace), depth
			out = next
		case secretAncestor:
			if !inGrace || n > graceDepth(rt) {
				return rt, ErrRefreshReused
			}
			out = l.secrets[n]
		case secretPrevious:
			if !inGrace {
				return rt, ErrRefreshReused
			}
			out, rt.SecretHash = l.at(1)
		default:
			return rt, errRefreshUnknown
		}
		rt.LastUsedAt = now
		return rt, nil
	})
	switch {
	case errors.Is(err, ErrRefreshReused):
		if rerr := s.store.UpdateRefreshToken(ctx, l.id, func(rt store.RefreshToken) (store.RefreshToken, error) {
			if !rt.Revoked() {
				rt.RevokedAt = now
			}
			return rt, nil
		}); rerr != nil {
			return "", unavailable(fmt.Errorf("revoke reused grant: %w", rerr))
		}
		s.log.WarnContext(ctx, "rotated refresh token reused after its grace period; grant revoked",
			"pool", poolID, "client_id", clientID, "grant", l.id)
		return "", revokedGrant(ErrRefreshReused)
	case errors.Is(err, errRefreshUnknown), errors.Is(err, store.ErrNotFound):
		return "", badRequest(ErrInvalidGrant, "Invalid refresh token.")
	case err != nil:
		var e *Error
		if errors.As(err, &e) {
			return "", e
		}
		return "", unavailable(fmt.Errorf("rotate refresh token: %w", err))
	}
	return out, nil
}

// revokedGrant is the invalid_grant of a refresh token whose grant is
// revoked, with cause telling why.
func revokedGrant(cause error) *Error {
	e := badRequest(ErrInvalidGrant, "Refresh token has been revoked.")
	e.Cause = cause
	return e
}
