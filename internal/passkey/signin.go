package passkey

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

func (s *Service) beginSignIn(ctx context.Context, p pool.Pool, u *pool.User, rp RP) (json.RawMessage, string, error) {
	if !Enabled(p) {
		return nil, "", notEnabled()
	}
	wa, err := relyingParty(rp)
	if err != nil {
		return nil, "", rpMismatch()
	}
	var (
		assertion *protocol.CredentialAssertion
		session   *webauthn.SessionData
		sub       string
	)
	uv := webauthn.WithUserVerification(uvRequirement(rp))
	var creds []pool.WebAuthnCredential
	if u != nil {
		sub = u.Sub
		if creds, err = s.cfg.Store.ListWebAuthnCredentials(ctx, p.ID, u.Sub); err != nil {
			return nil, "", fmt.Errorf("passkey: list passkeys: %w", err)
		}
	}
	// A user without passkeys gets a ceremony all the same, which no
	// passkey finishes: the answer does not tell.
	if len(creds) > 0 {
		assertion, session, err = wa.BeginLogin(&user{u: *u, creds: creds}, uv)
	} else {
		assertion, session, err = wa.BeginDiscoverableLogin(uv)
	}
	if err != nil {
		return nil, "", fmt.Errorf("passkey: begin sign-in: %w", err)
	}
	now := s.now()
	c := ceremony{Session: *session, RPID: rp.ID, Sub: sub, IssuedAt: now, ExpiresAt: now.Add(CeremonyTTL)}
	sealed, err := s.seal(c, signInAAD(p.ID))
	if err != nil {
		return nil, "", err
	}
	options, err := json.Marshal(assertion.Response)
	if err != nil {
		return nil, "", err
	}
	return options, encodeState(sealed), nil
}

// Aborts of the update that records a sign-in.
var (
	errCloned = errors.New("passkey: sign count did not increase")
	errReused = errors.New("passkey: ceremony already used")
)

func (s *Service) finishSignIn(ctx context.Context, p pool.Pool, rp RP, state string, credential []byte) (pool.User, bool, error) {
	if !Enabled(p) {
		return pool.User{}, false, notEnabled()
	}
	raw, ok := decodeState(state)
	if !ok {
		return pool.User{}, false, noChallenge()
	}
	c, err := s.open(raw, signInAAD(p.ID))
	if err != nil {
		return pool.User{}, false, err
	}
	if c.RPID != rp.ID {
		return pool.User{}, false, rpMismatch()
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(credential)
	if err != nil {
		return pool.User{}, false, badCredential(err)
	}
	stored, err := s.cfg.Store.GetWebAuthnCredential(ctx, p.ID, parsed.RawID)
	if errors.Is(err, store.ErrNotFound) {
		return pool.User{}, false, signInFailed()
	}
	if err != nil {
		return pool.User{}, false, fmt.Errorf("passkey: get passkey: %w", err)
	}
	if c.Sub != "" && c.Sub != stored.Sub {
		return pool.User{}, false, signInFailed()
	}
	u, creds, err := s.userWithPasskeys(ctx, p, stored.Sub)
	if account.TypeOf(err) == account.UserNotFoundException {
		return pool.User{}, false, signInFailed()
	}
	if err != nil {
		return pool.User{}, false, err
	}
	wa, err := relyingParty(rp)
	if err != nil {
		return pool.User{}, false, rpMismatch()
	}
	owner := &user{u: u, creds: creds}
	var lc *webauthn.Credential
	if len(c.Session.UserID) > 0 {
		lc, err = wa.ValidateLogin(owner, c.Session, parsed)
	} else {
		lc, err = wa.ValidateDiscoverableLogin(func(rawID, handle []byte) (webauthn.User, error) {
			if !bytes.Equal(handle, owner.WebAuthnID()) {
				return nil, errors.New("user handle is not the passkey's user")
			}
			return owner, nil
		}, c.Session, parsed)
	}
	if err != nil {
		return pool.User{}, false, ceremonyError(err, false)
	}
	// The account's state is checked once the passkey is proved and
	// before anything is recorded: a refused sign-in (a disabled user,
	// a password to reset) leaves the passkey's count and last use as
	// they were.
	now := s.now()
	if err := account.SignInState(p, u, now); err != nil {
		return pool.User{}, false, err
	}
	count := parsed.Response.AuthenticatorData.Counter
	var before uint32
	err = s.cfg.Store.UpdateWebAuthnCredential(ctx, p.ID, stored.ID, func(w pool.WebAuthnCredential) (pool.WebAuthnCredential, error) {
		before = w.SignCount
		if (count != 0 || w.SignCount != 0) && count <= w.SignCount {
			return w, errCloned
		}
		if !w.LastUsedAt.IsZero() && !w.LastUsedAt.Before(c.IssuedAt) {
			return w, errReused
		}
		w.SignCount, w.LastUsedAt = count, now
		w.UserVerified = w.UserVerified || lc.Flags.UserVerified
		w.BackupState = lc.Flags.BackupState
		return w, nil
	})
	switch {
	case errors.Is(err, errCloned) || err == nil && lc.Authenticator.CloneWarning:
		s.cfg.Log.WarnContext(ctx, "passkey: sign count did not increase; the authenticator may be cloned, sign-in refused",
			"event", "passkey_clone_warning", "pool", p.ID, "sub", u.Sub,
			"credential", base64.RawURLEncoding.EncodeToString(stored.ID), "stored_count", before, "count", count)
		return pool.User{}, false, signInFailed()
	case errors.Is(err, errReused):
		return pool.User{}, false, noChallenge()
	case errors.Is(err, store.ErrNotFound):
		return pool.User{}, false, signInFailed()
	case err != nil:
		return pool.User{}, false, fmt.Errorf("passkey: record sign-in: %w", err)
	}
	return scrub(u), parsed.Response.AuthenticatorData.Flags.HasUserVerified(), nil
}

// scrub removes what a caller never needs from a user.
func scrub(u pool.User) pool.User {
	u.PasswordHash = ""
	u.SRPSalt, u.SRPVerifier = "", nil
	u.Code = nil
	return u
}
