package passkey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// DefaultName names a passkey registered without a name.
const DefaultName = "Passkey"

func (s *Service) beginRegistration(ctx context.Context, p pool.Pool, sub string, rp RP) (json.RawMessage, error) {
	if !Enabled(p) {
		return nil, notEnabled()
	}
	u, creds, err := s.userWithPasskeys(ctx, p, sub)
	if err != nil {
		return nil, err
	}
	// A user of an identity provider signs in there: a passkey could
	// never sign it in (account.SignInState), so none is registered.
	if u.Status == pool.StatusExternalProvider {
		return nil, newErr(account.NotAuthorizedException, msgFederated)
	}
	if len(creds) >= pool.MaxPasskeys {
		return nil, newErr(account.LimitExceededException, msgTooMany)
	}
	wa, err := relyingParty(rp)
	if err != nil {
		return nil, rpMismatch()
	}
	creation, session, err := wa.BeginRegistration(&user{u: u, creds: creds}, webauthn.WithExclusions(descriptors(creds)))
	if err != nil {
		return nil, fmt.Errorf("passkey: begin registration: %w", err)
	}
	now := s.now()
	c := ceremony{Session: *session, RPID: rp.ID, IssuedAt: now, ExpiresAt: now.Add(CeremonyTTL)}
	sealed, err := s.seal(c, registrationAAD(p.ID, sub))
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.UpdateUser(ctx, p.ID, sub, func(u pool.User) (pool.User, error) {
		u.MFA.WebAuthnRegistration = &pool.PendingCeremony{State: sealed, ExpiresAt: c.ExpiresAt}
		return u, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, newErr(account.UserNotFoundException, msgUserNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("passkey: store registration: %w", err)
	}
	return json.Marshal(creation.Response)
}

// errNoCeremony aborts the update that takes a pending registration
// when there is none.
var errNoCeremony = errors.New("passkey: no pending registration")

func (s *Service) finishRegistration(ctx context.Context, p pool.Pool, sub string, rp RP, credential []byte, name string) (pool.WebAuthnCredential, error) {
	if !Enabled(p) {
		return pool.WebAuthnCredential{}, notEnabled()
	}
	if utf8.RuneCountInString(name) > pool.MaxDeviceNameLen || !utf8.ValidString(name) {
		return pool.WebAuthnCredential{}, &account.Error{Type: account.InvalidParameterException, Message: msgNameTooLong, Field: "FriendlyCredentialName"}
	}
	if name == "" {
		name = DefaultName
	}
	// The pending registration is taken, whatever the answer: a
	// ceremony's state serves one attempt.
	var pending *pool.PendingCeremony
	err := s.cfg.Store.UpdateUser(ctx, p.ID, sub, func(u pool.User) (pool.User, error) {
		pending = u.MFA.WebAuthnRegistration
		if pending == nil {
			return u, errNoCeremony
		}
		u.MFA.WebAuthnRegistration = nil
		return u, nil
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return pool.WebAuthnCredential{}, newErr(account.UserNotFoundException, msgUserNotFound)
	case errors.Is(err, errNoCeremony):
		return pool.WebAuthnCredential{}, noChallenge()
	case err != nil:
		return pool.WebAuthnCredential{}, fmt.Errorf("passkey: take registration: %w", err)
	}
	if !s.now().Before(pending.ExpiresAt) {
		return pool.WebAuthnCredential{}, noChallenge()
	}
	c, err := s.open(pending.State, registrationAAD(p.ID, sub))
	if err != nil {
		return pool.WebAuthnCredential{}, err
	}
	if c.RPID != rp.ID {
		return pool.WebAuthnCredential{}, rpMismatch()
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(credential)
	if err != nil {
		return pool.WebAuthnCredential{}, badCredential(err)
	}
	u, creds, err := s.userWithPasskeys(ctx, p, sub)
	if err != nil {
		return pool.WebAuthnCredential{}, err
	}
	if len(creds) >= pool.MaxPasskeys {
		return pool.WebAuthnCredential{}, newErr(account.LimitExceededException, msgTooMany)
	}
	wa, err := relyingParty(rp)
	if err != nil {
		return pool.WebAuthnCredential{}, rpMismatch()
	}
	lc, err := wa.CreateCredential(&user{u: u, creds: creds}, c.Session, parsed)
	if err != nil {
		return pool.WebAuthnCredential{}, ceremonyError(err, true)
	}
	pc := fromLibrary(lc)
	pc.PoolID, pc.Sub, pc.Name, pc.RelyingPartyID, pc.CreatedAt = p.ID, sub, name, rp.ID, s.now()
	switch err := s.cfg.Store.CreateWebAuthnCredential(ctx, pc); {
	case errors.Is(err, store.ErrAlreadyExists):
		return pool.WebAuthnCredential{}, newErr(WebAuthnCredentialNotSupportedException, msgAlreadyUsed)
	case errors.Is(err, store.ErrNotFound):
		return pool.WebAuthnCredential{}, newErr(account.UserNotFoundException, msgUserNotFound)
	case err != nil:
		return pool.WebAuthnCredential{}, fmt.Errorf("passkey: store passkey: %w", err)
	}
	return pc, nil
}

// userWithPasskeys returns the user and its passkeys.
func (s *Service) userWithPasskeys(ctx context.Context, p pool.Pool, sub string) (pool.User, []pool.WebAuthnCredential, error) {
	u, err := s.cfg.Store.GetUser(ctx, p.ID, sub)
	if errors.Is(err, store.ErrNotFound) {
		return pool.User{}, nil, newErr(account.UserNotFoundException, msgUserNotFound)
	}
	if err != nil {
		return pool.User{}, nil, fmt.Errorf("passkey: get user: %w", err)
	}
	creds, err := s.cfg.Store.ListWebAuthnCredentials(ctx, p.ID, sub)
	if err != nil {
		return pool.User{}, nil, fmt.Errorf("passkey: list passkeys: %w", err)
	}
	return u, creds, nil
}
