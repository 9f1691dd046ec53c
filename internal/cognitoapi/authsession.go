package cognitoapi

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// authSession is the state of a sign-in between its round trips: what
// Cognito's opaque Session (and, for PASSWORD_VERIFIER, the SRP
// SECRET_BLOCK) carries. It is sealed with the master key, so the client
// can neither read nor forge it; it is bound to its pool, app client and
// user, expires after the client's AuthSessionValidity, and is answered
// once: its ID is recorded in the store (ConsumeAuthSession), so a
// replay fails on every instance.
type authSession struct {
	ID        string `json:"id"`
	Challenge string `json:"ch"`
	PoolID    string `json:"pool"`
	ClientID  string `json:"client"`
	// Sub is the user; empty in a concealed SRP challenge (unknown user).
	Sub string `json:"sub,omitempty"`
	// Username is USER_ID_FOR_SRP, the name the user is known by; Given
	// is the name the caller signed in with (a SECRET_HASH may be over
	// either).
	Username string `json:"user"`
	Given    string `json:"given,omitempty"`
	Expires  int64  `json:"exp"` // unix seconds
	// Admin: the sign-in began with AdminInitiateAuth; only
	// AdminRespondToAuthChallenge answers it.
	Admin bool `json:"admin,omitempty"`
	// SRP (PASSWORD_VERIFIER): the salt, the server's B and secret b,
	// and the client's A.
	Salt    string `json:"salt,omitempty"`
	B       []byte `json:"B,omitempty"`
	SecretB []byte `json:"b,omitempty"`
	A       []byte `json:"A,omitempty"`
	// First is how the sign-in proved the user (account.FirstFactor)
	// before a multi-factor challenge; empty before the first factor.
	First string `json:"first,omitempty"`
	// Options are the factors of SELECT_MFA_TYPE and MFA_SETUP, and the
	// AvailableChallenges of SELECT_CHALLENGE.
	Options []string `json:"opts,omitempty"`
	// Setup is how far MFA_SETUP went: setupAssociated after
	// AssociateSoftwareToken, setupVerified after VerifySoftwareToken;
	// SetupEmail marks the EMAIL_OTP challenge of an email set-up.
	Setup      string `json:"setup,omitempty"`
	SetupEmail bool   `json:"setup_email,omitempty"`
	// Passkey is the sealed state of a WEB_AUTHN challenge
	// (passkey.Service.BeginSignIn).
	Passkey string `json:"pk,omitempty"`
	// Custom is a CUSTOM_AUTH sign-in's steps and the private parameters
	// of its current challenge (customauth.go).
	Custom *customState `json:"custom,omitempty"`
}

// Steps of MFA_SETUP.
const (
	setupAssociated = "associated"
	setupVerified   = "verified"
)

// authSessionAAD binds sealed sessions to their use.
var authSessionAAD = []byte("cognito-api-auth-session")

// maxSessionLen bounds the encoded sessions and secret blocks accepted.
const maxSessionLen = 4096

// Messages of refused sessions.
const (
	msgSessionExpired = "Invalid session for the user, session is expired."
	msgSessionInvalid = "Invalid session for the user."
)

// sessionValidity is the client's AuthSessionValidity (3 to 15 minutes;
// Cognito's default 3).
func sessionValidity(cl pool.Client) time.Duration {
	m := cl.AuthSessionValidity
	if m < 3 || m > 15 {
		m = 3
	}
	return time.Duration(m) * time.Minute
}

// newSession starts the session of a challenge for cl.
func (c *call) newSession(challenge string, cl pool.Client) authSession {
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	return authSession{
		ID: base64.RawURLEncoding.EncodeToString(id), Challenge: challenge, PoolID: cl.PoolID, ClientID: cl.ID,
		Expires: c.api.now().Add(sessionValidity(cl)).Unix(),
	}
}

// seal encodes s for the wire (standard Base64 of the sealed JSON).
func (c *call) seal(s authSession) (string, error) {
	if c.api.cfg.Box == nil {
		return "", errors.New("cognitoapi: no master key configured for challenge sessions")
	}
	plain, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("cognitoapi: encode session: %w", err)
	}
	return base64.StdEncoding.EncodeToString(c.api.cfg.Box.Seal(plain, authSessionAAD)), nil
}

// next starts the session of the challenge that follows s: the same
// sign-in (pool, client, user, first factor) with a fresh id and expiry.
func (c *call) next(s authSession, challenge string, cl pool.Client) authSession {
	n := c.newSession(challenge, cl)
	n.Sub, n.Username, n.Given, n.Admin, n.First = s.Sub, s.Username, s.Given, s.Admin, s.First
	return n
}

// openSession decodes and checks a session for the challenge name and
// client, without consuming it: anything that does not open, belongs to
// another challenge, client or kind of call, or has expired is a
// NotAuthorizedException. raw is the sealed bytes (the SRP signature
// covers them).
func (c *call) openSession(encoded, challenge string, cl pool.Client, admin bool) (authSession, []byte, error) {
	s, raw, err := c.openAnySession(encoded, challenge)
	if err != nil {
		return authSession{}, nil, err
	}
	if s.ClientID != cl.ID || s.PoolID != cl.PoolID || s.Admin != admin {
		return authSession{}, nil, NewError(NotAuthorizedException, msgSessionInvalid)
	}
	return s, raw, nil
}

// openAnySession is openSession for the actions that take a Session
// without naming the client (AssociateSoftwareToken, VerifySoftwareToken):
// the session names it.
func (c *call) openAnySession(encoded, challenge string) (authSession, []byte, error) {
	invalid := NewError(NotAuthorizedException, msgSessionInvalid)
	if encoded == "" || len(encoded) > maxSessionLen || c.api.cfg.Box == nil {
		return authSession{}, nil, invalid
	}
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return authSession{}, nil, invalid
	}
	plain, err := c.api.cfg.Box.Open(raw, authSessionAAD)
	if err != nil {
		return authSession{}, nil, invalid
	}
	var s authSession
	if err := json.Unmarshal(plain, &s); err != nil || s.ID == "" {
		return authSession{}, nil, invalid
	}
	if s.Challenge != challenge {
		return authSession{}, nil, invalid
	}
	if !c.api.now().Before(time.Unix(s.Expires, 0)) {
		return authSession{}, nil, NewError(NotAuthorizedException, msgSessionExpired)
	}
	return s, raw, nil
}

// consume records the session as answered; a session answered before
// (here or on another instance) is refused as expired.
func (c *call) consume(s authSession) error {
	err := c.api.cfg.Store.ConsumeAuthSession(c.ctx, s.ID, time.Unix(s.Expires, 0))
	if errors.Is(err, store.ErrConflict) {
		return NewError(NotAuthorizedException, msgSessionExpired)
	}
	if err != nil {
		return fmt.Errorf("cognitoapi: consume session: %w", err)
	}
	return nil
}
