package smarthome

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
)

// CSRF protection of the /lamps forms: a synchronizer token. Every form
// carries, in a hidden field, an HMAC of the session ID under a key derived
// from the cookie key; a state-changing post must carry the token of the
// session its cookie names. This complements http.CrossOriginProtection,
// which lets requests without Sec-Fetch-Site or Origin through.
const csrfField = "_csrf"

// errCSRF: the post carries no token, or not its session's.
var errCSRF = errors.New("missing or wrong CSRF token")

// newCSRFKey derives, from the cookie key (checked by newCookieBox), the
// HMAC key of the form tokens.
func newCSRFKey(cookieKey []byte) ([]byte, error) {
	return hkdf.Key(sha256.New, cookieKey, nil, "smartlamp/lamps-csrf", 32)
}

// csrfToken is the form token of the session ID.
func (p *page) csrfToken(sessionID string) string {
	m := hmac.New(sha256.New, p.csrfKey)
	m.Write([]byte(sessionID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF compares, in constant time, the posted token with the one of
// the session ID. The form must have been parsed.
func (p *page) checkCSRF(r *http.Request, sessionID string) error {
	got := r.PostForm.Get(csrfField)
	if got == "" || sessionID == "" || !hmac.Equal([]byte(got), []byte(p.csrfToken(sessionID))) {
		return errCSRF
	}
	return nil
}

// parseForm reads a bounded form body.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	return r.ParseForm()
}
