package account

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// ErrSignUpNotStored is the Cause of the UserNotConfirmedException that
// AuthenticateSignedUp answers for a sign-up that was never stored
// (SignUpInput.ConcealExisting hid a taken name) or is gone: the caller
// must show what an unconfirmed user gets without acting on any account.
var ErrSignUpNotStored = errors.New("account: the signed-up user was not stored")

// SignUpTicket returns a value for the browser that signed up username
// with password and got result sub (SignUpResult.User.Sub, whether the
// sign-up was stored or concealed): the sub and an HMAC, keyed like the
// code hashes, over the pool, sub, username and password. Tickets of
// stored and concealed sign-ups look alike; only the Service can check
// one.
func (s *Service) SignUpTicket(p pool.Pool, sub, username, password string) string {
	return sub + "." + s.ticketMAC(p, sub, username, password)
}

// TicketSub returns the sub a SignUpTicket names, unchecked.
func TicketSub(ticket string) string {
	sub, _, _ := strings.Cut(ticket, ".")
	return sub
}

func (s *Service) ticketMAC(p pool.Pool, sub, username, password string) string {
	key := p.UsernameKey(username)
	if p.EmailIsUsername() {
		key = pool.EmailKey(username)
	}
	m := hmac.New(sha256.New, s.codeKey)
	m.Write([]byte("linkpool/account/signup-ticket\x00" + p.ID + "\x00" + sub + "\x00" + key + "\x00" + password))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// AuthenticateSignedUp is Authenticate for a browser that holds ticket
// from its sign-up (empty when it holds none). When the ticket was made
// for this username and password and its sub names no stored user, the
// sign-up was concealed: the answer is the UserNotConfirmedException a
// fresh sign-up would get (Cause ErrSignUpNotStored), after the same
// password-hashing work, and the account that holds the name is not
// touched, so the probe neither tells a taken name from a free one nor
// counts towards the owner's lockout. The owner's password is not
// checked, so this is no way to guess it. Otherwise it is Authenticate.
func (s *Service) AuthenticateSignedUp(ctx context.Context, p pool.Pool, ticket, username, password string) (pool.User, error) {
	sub, mac, ok := strings.Cut(ticket, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(s.ticketMAC(p, sub, username, password))) {
		return s.Authenticate(ctx, p, username, password)
	}
	_, err := s.store.GetUser(ctx, p.ID, sub)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.hasher.VerifyDummy(ctx, password)
		return pool.User{}, &Error{Type: UserNotConfirmedException, Message: msgNotConfirmed, Cause: ErrSignUpNotStored}
	case err != nil:
		return pool.User{}, fmt.Errorf("account: look up signed-up user: %w", err)
	}
	return s.Authenticate(ctx, p, username, password)
}
