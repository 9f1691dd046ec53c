package hostedui

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// The MFA cookie carries, sealed, a sign-in between its first factor
// and its second: no session exists until the second factor (or its
// set-up) is done. It is HttpOnly, SameSite=Lax, Secure over https,
// scoped to the pool base, sealed with the master key bound to the pool
// (seal.Box with the AAD mfaAAD), and valid for mfaTTL. The pages that
// manage a signed-in user's factors (/mfa/totp) use it too, bound to the
// session, to remember an authenticator app being set up.
const (
	mfaCookie = "lp_mfa"
	mfaTTL    = 5 * time.Minute
	// maxMFACookie bounds the sealed value: browsers keep a cookie's
	// name and value up to 4096 bytes.
	maxMFACookie = 4096 - len(mfaCookie) - 1
)

// Kinds of MFA state.
const (
	mfaSignIn = "signin" // a sign-in waiting for its second factor
	mfaManage = "manage" // a signed-in user replacing the TOTP device
)

// mfaState is what the MFA cookie holds.
type mfaState struct {
	// ID is random; a sign-in's ID is consumed once when it completes,
	// so the cookie cannot open a second session.
	ID   string `json:"k"`
	Kind string `json:"n"`
	Pool string `json:"p"`
	Sub  string `json:"u"`
	// Provider is how the first factor signed in (pool.ProviderCognito
	// or the identity provider's name), First which factor it was.
	Provider string              `json:"i,omitempty"`
	First    account.FirstFactor `json:"f,omitempty"`
	// Challenge and Options are the step account.NextStep decided; a
	// choice on SELECT_MFA_TYPE narrows Challenge to the factor chosen.
	Challenge string   `json:"c,omitempty"`
	Options   []string `json:"o,omitempty"`
	// Setup is the factor being set up (MFA_SETUP, /mfa/totp), Secret
	// the authenticator app's secret while it is shown.
	Setup  string `json:"s,omitempty"`
	Secret string `json:"x,omitempty"`
	// Sent is the masked address an email code went to; empty until one
	// was sent.
	Sent string `json:"d,omitempty"`
	// Query is the authorization request the sign-in completes; nil
	// without one.
	Query url.Values `json:"q,omitempty"`
	// Session is the session a manage state belongs to.
	Session string `json:"z,omitempty"`
	// AuthTime is when the first factor was proven, Expires when the
	// state ends (unix microseconds): a global sign-out at or after
	// AuthTime voids the state.
	AuthTime int64 `json:"t"`
	Expires  int64 `json:"e"`
}

// mfaAAD binds the sealed state to its pool and purpose.
func mfaAAD(poolID string) []byte { return []byte("hostedui-mfa/" + poolID) }

// errMFAState is the verdict on a missing, tampered, foreign, expired,
// used or voided MFA cookie.
var errMFAState = errors.New("hostedui: MFA state is not valid")

// setMFA seals st into the MFA cookie.
func (c *call) setMFA(st mfaState) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("hostedui: encode MFA state: %w", err)
	}
	v := base64.RawURLEncoding.EncodeToString(c.u.box.Seal(b, mfaAAD(st.Pool)))
	if len(v) > maxMFACookie {
		return badRequest("error.request_too_long")
	}
	maxAge := int(time.UnixMicro(st.Expires).Sub(c.u.now()).Seconds())
	if maxAge <= 0 {
		maxAge = 1
	}
	http.SetCookie(c.w, &http.Cookie{
		Name: mfaCookie, Value: v, Path: c.cookiePath(), MaxAge: maxAge,
		HttpOnly: true, Secure: c.secure(), SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// clearMFA removes the MFA cookie.
func (c *call) clearMFA() {
	http.SetCookie(c.w, &http.Cookie{
		Name: mfaCookie, Value: "", Path: c.cookiePath(), MaxAge: -1,
		HttpOnly: true, Secure: c.secure(), SameSite: http.SameSiteLaxMode,
	})
}

// openMFA opens the browser's MFA cookie of kind and returns it with
// its user, read again from the store. The state is refused
// (errMFAState) when it does not open for this pool, has expired, or
// its user no longer exists, is disabled, may no longer sign in
// (account.SignInState, for the pool's own sign-in) or signed out
// globally after the first factor.
func (c *call) openMFA(kind string) (mfaState, pool.User, error) {
	ck, err := c.r.Cookie(mfaCookie)
	if err != nil || ck.Value == "" || len(ck.Value) > maxMFACookie {
		return mfaState{}, pool.User{}, errMFAState
	}
	raw, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil {
		return mfaState{}, pool.User{}, errMFAState
	}
	plain, err := c.u.box.Open(raw, mfaAAD(c.t.Pool.ID))
	if err != nil {
		return mfaState{}, pool.User{}, errMFAState
	}
	var st mfaState
	if err := json.Unmarshal(plain, &st); err != nil || st.Pool != c.t.Pool.ID || st.ID == "" || st.Sub == "" || st.Kind != kind {
		return mfaState{}, pool.User{}, errMFAState
	}
	now := c.u.now()
	if !now.Before(time.UnixMicro(st.Expires)) {
		return mfaState{}, pool.User{}, errMFAState
	}
	u, err := c.u.store.GetUser(c.r.Context(), st.Pool, st.Sub)
	if errors.Is(err, store.ErrNotFound) {
		return mfaState{}, pool.User{}, errMFAState
	}
	if err != nil {
		return mfaState{}, pool.User{}, fmt.Errorf("hostedui: get MFA user: %w", err)
	}
	// The store keeps TokensValidAfter to the microsecond: a sign-out in
	// the microsecond of the first factor voids the state too.
	if !u.Enabled || !time.UnixMicro(st.AuthTime).After(u.TokensValidAfter) {
		return mfaState{}, pool.User{}, errMFAState
	}
	if st.Provider == pool.ProviderCognito && account.SignInState(c.t.Pool, u, now) != nil {
		return mfaState{}, pool.User{}, errMFAState
	}
	return st, u, nil
}

// consumeMFA records that the sign-in state st was used to open a
// session; a second use is errMFAState.
func (c *call) consumeMFA(st mfaState) error {
	err := c.u.store.ConsumeAuthSession(c.r.Context(), "hostedui-mfa/"+st.Pool+"/"+st.ID, time.UnixMicro(st.Expires))
	if errors.Is(err, store.ErrConflict) {
		return errMFAState
	}
	if err != nil {
		return fmt.Errorf("hostedui: consume MFA state: %w", err)
	}
	return nil
}
