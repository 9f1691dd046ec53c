package federation

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/linkpool/linkpool/internal/federation/oidcflow"
	"github.com/linkpool/linkpool/internal/federation/samlflow"
	"github.com/linkpool/linkpool/internal/store"
)

// StateTTL is how long a browser has to come back from the provider.
const StateTTL = 10 * time.Minute

// StateCookiePrefix begins the names of the cookies that bind sign-ins
// at providers to the browser that started them: one cookie per round
// trip, StateCookieName of the value the provider sends back (OAuth
// state, SAML RelayState), so two sign-ins in one browser (two tabs) do
// not overwrite each other's.
const StateCookiePrefix = "lp_federation_"

// stateCookieHash is how many hex characters of the hash name a cookie.
const stateCookieHash = 8

// StateCookieName is the name of the state cookie of the round trip whose
// returned value (OAuth state or SAML RelayState) is roundTrip: the
// prefix and 8 hex characters of its SHA-256.
func StateCookieName(roundTrip string) string {
	sum := sha256.Sum256([]byte("federation-cookie\x00" + roundTrip))
	return StateCookiePrefix + hex.EncodeToString(sum[:])[:stateCookieHash]
}

// CallbackCookieName is the name of the state cookie a callback by
// binding b with params belongs to: StateCookieName of its state (OAuth)
// or RelayState (SAML); "" when the callback carries none.
func CallbackCookieName(b Binding, params url.Values) string {
	key := "state"
	if b == BindingSAML {
		key = "RelayState"
	}
	v := params.Get(key)
	if v == "" || len(v) > 1024 {
		return ""
	}
	return StateCookieName(v)
}

// maxStateCookie bounds the sealed state: browsers keep a cookie's name
// and value up to 4096 bytes. With the authorization request inside, an
// OAuth state of about 2,500 characters still fits; a longer one is
// refused at the start (invalid_request), never lost on the way back.
const maxStateCookie = 4096 - len(StateCookiePrefix) - stateCookieHash - 1

// state is what the browser carries, sealed, between Begin and the
// callback.
type state struct {
	// ID is random; its hash is consumed once (single use).
	ID       string            `json:"k"`
	Pool     string            `json:"p"`
	Provider string            `json:"i"`
	OIDC     *oidcflow.Pending `json:"o,omitempty"`
	SAML     *samlflow.Pending `json:"s,omitempty"`
	// Relay is the SAML RelayState sent with the request.
	Relay string `json:"r,omitempty"`
	// Query is the original /oauth2/authorize query, as values rather
	// than an encoded query string, which would grow a state's "+/=" to
	// three characters each.
	Query   url.Values `json:"q"`
	Expires int64      `json:"e"`
}

// stateAAD binds the sealed state to its pool and purpose.
func stateAAD(poolID string) []byte { return []byte("federation-state/" + poolID) }

func (s *Service) sealState(st state) (string, error) {
	b, err := json.Marshal(st)
	if err != nil {
		return "", fmt.Errorf("federation: encode state: %w", err)
	}
	v := base64.RawURLEncoding.EncodeToString(s.box.Seal(b, stateAAD(st.Pool)))
	if len(v) > maxStateCookie {
		return "", &Error{Code: CodeInvalidRequest, Description: "The authorization request is too long."}
	}
	return v, nil
}

// openState opens the state cookie of a callback for pool poolID and
// consumes it: a missing, tampered, foreign, expired or already used
// state is an *Error without Query.
func (s *Service) openState(ctx context.Context, poolID, cookie string) (state, error) {
	if cookie == "" {
		return state{}, badState("The sign-in session is missing; start the sign-in again.", nil)
	}
	if len(cookie) > maxStateCookie {
		return state{}, badState("The sign-in session is invalid; start the sign-in again.", nil)
	}
	raw, err := base64.RawURLEncoding.DecodeString(cookie)
	if err != nil {
		return state{}, badState("The sign-in session is invalid; start the sign-in again.", err)
	}
	plain, err := s.box.Open(raw, stateAAD(poolID))
	if err != nil {
		return state{}, badState("The sign-in session is invalid; start the sign-in again.", err)
	}
	var st state
	if err := json.Unmarshal(plain, &st); err != nil || st.Pool != poolID || st.ID == "" {
		return state{}, badState("The sign-in session is invalid; start the sign-in again.", err)
	}
	exp := time.Unix(st.Expires, 0)
	if !s.now().Before(exp) {
		return state{}, badState("The sign-in session has expired; start the sign-in again.", nil)
	}
	if err := s.store.ConsumeAuthSession(ctx, consumedKey("federation-state", poolID, st.ID), exp); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return state{}, badState("The sign-in session was already used; start the sign-in again.", nil)
		}
		return state{}, fmt.Errorf("federation: consume state: %w", err)
	}
	return st, nil
}

// query returns the original authorization query of a state.
func (st state) query() url.Values {
	if st.Query == nil {
		return url.Values{}
	}
	return st.Query
}

// consumedKey is the id under which a single-use value is recorded with
// store.ConsumeAuthSession: a hash, so ids of any length and content fit
// and the value itself is not stored.
func consumedKey(purpose, poolID, id string) string {
	sum := sha256.Sum256([]byte(purpose + "\x00" + poolID + "\x00" + id))
	return purpose + ":" + hex.EncodeToString(sum[:])
}

func randomID() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
