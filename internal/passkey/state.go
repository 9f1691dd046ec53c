package passkey

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
)

// ceremony is the state of an unfinished ceremony, sealed with the Box:
// registrations on the user (UserMFA.WebAuthnRegistration), sign-ins in
// the caller's hands.
type ceremony struct {
	Session webauthn.SessionData `json:"session"`
	// RPID is the relying party the ceremony began for.
	RPID string `json:"rp_id"`
	// Sub, for a sign-in that began for a user, is that user.
	Sub       string    `json:"sub,omitempty"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// registrationAAD binds a registration's state to its pool and user.
func registrationAAD(poolID, sub string) []byte {
	return []byte("webauthn-registration/" + poolID + "/" + sub)
}

// signInAAD binds a sign-in's state to its pool.
func signInAAD(poolID string) []byte { return []byte("webauthn-sign-in/" + poolID) }

func (s *Service) seal(c ceremony, aad []byte) ([]byte, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return s.cfg.Box.Seal(b, aad), nil
}

// open returns the ceremony sealed in b, or WebAuthnChallengeNotFoundException
// when it does not open or has expired.
func (s *Service) open(b, aad []byte) (ceremony, error) {
	plain, err := s.cfg.Box.Open(b, aad)
	if err != nil {
		return ceremony{}, noChallenge()
	}
	var c ceremony
	if err := json.Unmarshal(plain, &c); err != nil {
		return ceremony{}, noChallenge()
	}
	if !s.now().Before(c.ExpiresAt) {
		return ceremony{}, noChallenge()
	}
	return c, nil
}

// maxStateLen bounds a sign-in state taken from a caller.
const maxStateLen = 8 << 10

func encodeState(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func decodeState(s string) ([]byte, bool) {
	if len(s) > maxStateLen {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	return b, err == nil
}
