package smarthome

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// cookieBox seals small JSON values into cookies with AES-256-GCM, which
// both encrypts and authenticates them; the cookie name is bound as
// additional data so that one cookie cannot be replayed as another.
type cookieBox struct {
	aead   cipher.AEAD
	secure bool
	now    func() time.Time
}

// Cookie names.
const (
	sessionCookie = "smartlamp_session"
	loginCookie   = "smartlamp_login"
	cookiePath    = "/lamps"
	maxCookieSize = 3000
)

var errBadCookie = errors.New("missing, forged or expired cookie")

func newCookieBox(key []byte, secure bool, now func() time.Time) (*cookieBox, error) {
	if len(key) != 32 {
		return nil, errors.New("smarthome: CookieKey must be 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &cookieBox{aead: aead, secure: secure, now: now}, nil
}

// sealed is the envelope of every cookie value: the payload and its expiry.
type sealed[T any] struct {
	Exp  int64 `json:"exp"`
	Data T     `json:"d"`
}

// set stores v in cookie name for ttl. Cookies are HttpOnly, SameSite=Lax
// (the OIDC callback arrives as a top-level cross-site GET), scoped to
// /lamps and Secure whenever the page is served over https.
func setCookie[T any](b *cookieBox, w http.ResponseWriter, name string, v T, ttl time.Duration) error {
	raw, err := json.Marshal(sealed[T]{Exp: b.now().Add(ttl).Unix(), Data: v})
	if err != nil {
		return err
	}
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(raw)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	ct := b.aead.Seal(nonce, nonce, raw, []byte(name))
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: base64.RawURLEncoding.EncodeToString(ct), Path: cookiePath,
		MaxAge: int(ttl / time.Second), HttpOnly: true, Secure: b.secure, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// getCookie opens cookie name; errBadCookie when it is missing, was not
// sealed by this box or has expired.
func getCookie[T any](b *cookieBox, r *http.Request, name string) (T, error) {
	var zero T
	c, err := r.Cookie(name)
	if err != nil || len(c.Value) > maxCookieSize {
		return zero, errBadCookie
	}
	ct, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(ct) < b.aead.NonceSize()+b.aead.Overhead() {
		return zero, errBadCookie
	}
	n := b.aead.NonceSize()
	raw, err := b.aead.Open(nil, ct[:n], ct[n:], []byte(name))
	if err != nil {
		return zero, errBadCookie
	}
	var s sealed[T]
	if err := json.Unmarshal(raw, &s); err != nil || b.now().Unix() >= s.Exp {
		return zero, errBadCookie
	}
	return s.Data, nil
}

func (b *cookieBox) clear(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: cookiePath, MaxAge: -1,
		HttpOnly: true, Secure: b.secure, SameSite: http.SameSiteLaxMode})
}
