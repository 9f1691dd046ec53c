package console

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"
)

// session is the signed-in operator, kept in the session cookie sealed
// with the master key (AES-GCM, bound to the cookie's purpose): the
// browser can neither read nor forge it. The operator's groups and
// state are not in it: every request reads them again, so that a
// disabled operator, one removed from the groups or signed out
// everywhere loses the console at their next request.
type session struct {
	Sub      string `json:"sub"`
	Username string `json:"u"`
	// IssuedAt and Expires are Unix seconds.
	IssuedAt int64 `json:"iat"`
	Expires  int64 `json:"exp"`
	// CSRF is the token every form of the session posts back.
	CSRF string `json:"csrf"`
}

// signin is the state of a sign-in in progress, kept in its own sealed
// cookie from /console/signin to /console/callback.
type signin struct {
	State    string `json:"state"`
	Nonce    string `json:"nonce"`
	Verifier string `json:"pkce"`
	Next     string `json:"next"`
	Expires  int64  `json:"exp"`
}

// Cookie purposes, the sealing contexts.
const (
	sessionPurpose = "console-session/v1"
	signinPurpose  = "console-signin/v1"
	// signinTTL bounds a sign-in at the system pool's pages.
	signinTTL = 10 * time.Minute
)

// sessionCookie is the session cookie's name: a __Host- cookie over
// https (Secure, Path=/, no Domain), so no other host can set it.
func (c *Console) sessionCookie() string {
	if c.secure {
		return "__Host-lp_console"
	}
	return "lp_console"
}

func (c *Console) signinCookie() string {
	if c.secure {
		return "__Host-lp_console_signin"
	}
	return "lp_console_signin"
}

// cookiePath is the path of the console's cookies: / for __Host-
// cookies, which require it, /console otherwise.
func (c *Console) cookiePath() string {
	if c.secure {
		return "/"
	}
	return "/console"
}

// seal writes v as a sealed cookie value.
func (c *Console) seal(v any, purpose string) string {
	b, _ := json.Marshal(v) // plain structs of strings and numbers
	return base64.RawURLEncoding.EncodeToString(c.cfg.Box.Seal(b, []byte(purpose)))
}

// open reads a sealed cookie value into v.
func (c *Console) open(r *http.Request, name, purpose string, v any) bool {
	ck, err := r.Cookie(name)
	if err != nil || len(ck.Value) > 4096 {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil {
		return false
	}
	plain, err := c.cfg.Box.Open(raw, []byte(purpose))
	if err != nil {
		return false
	}
	return json.Unmarshal(plain, v) == nil
}

// setCookie sets or (maxAge < 0) deletes a console cookie: HttpOnly,
// SameSite=Lax (it must arrive on the navigation back from the system
// pool's pages, which may be another site), Secure over https.
func (c *Console) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: c.cookiePath(), MaxAge: maxAge,
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteLaxMode,
	})
}

// readSession returns the request's unexpired session.
func (c *Console) readSession(r *http.Request) (session, bool) {
	var s session
	if !c.open(r, c.sessionCookie(), sessionPurpose, &s) || s.Sub == "" || s.CSRF == "" {
		return session{}, false
	}
	if c.now().Unix() >= s.Expires {
		return session{}, false
	}
	return s, true
}

// randomToken returns 32 random bytes, base64url.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
