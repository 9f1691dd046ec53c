package smarthome

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

// DefaultRecheckInterval is how often, at most, a page without
// LampsConfig.CheckUser asks the issuer whether a session's user still
// stands.
const DefaultRecheckInterval = 5 * time.Minute

// ErrSignedOut is what LampsConfig.CheckUser wraps when the session's user
// no longer stands (deleted, disabled, signed out everywhere, grant
// revoked); the page then ends the session.
var ErrSignedOut = errors.New("smarthome: the user's sign-in no longer stands")

// SessionUser is the sign-in that LampsConfig.CheckUser judges.
type SessionUser struct {
	Sub string
	// OriginJTI is the issuer's grant behind the sign-in, the ID token's
	// origin_jti claim; empty when the issuer sets none.
	OriginJTI string
	// SignedInAt is when the issuer issued the sign-in's ID token.
	SignedInAt time.Time
}

// session is the signed-in user of a request.
type session struct {
	ID, Sub, Name string
}

// sessionRef is what the session cookie holds: the store's session ID
// and the secret whose hash the store keeps.
type sessionRef struct {
	ID     string `json:"i"`
	Secret string `json:"s"`
}

// errNoSession: the request has no session that stands; sign in again.
var errNoSession = errors.New("no session")

func secretHash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// startSession stores a new session for the verified sign-in and sets its
// cookie. Without CheckUser the issuer's tokens are kept, sealed, to
// re-check the user later.
func (p *page) startSession(ctx context.Context, w http.ResponseWriter, u SessionUser, name string, tok *oauth2.Token) error {
	idb := make([]byte, 16)
	if _, err := rand.Read(idb); err != nil {
		return err
	}
	ref := sessionRef{ID: hex.EncodeToString(idb), Secret: randomString()}
	now := p.now()
	rec := skillstore.LampSession{
		ID: ref.ID, SecretHash: secretHash(ref.Secret), Owner: u.Sub, Name: name, OriginJTI: u.OriginJTI,
		CreatedAt: u.SignedInAt, CheckedAt: now, ExpiresAt: now.Add(p.cfg.SessionTTL),
	}
	if p.cfg.CheckUser == nil {
		sealed, err := p.sealTokens(ref.ID, tok)
		if err != nil {
			return err
		}
		rec.SealedTokens = sealed
	}
	if err := p.skill.store.CreateLampSession(ctx, rec); err != nil {
		return err
	}
	return setCookie(p.cookies, w, sessionCookie, ref, p.cfg.SessionTTL)
}

// session returns the request's session once it has checked that the
// session exists in the store, matches the cookie's secret, has not
// expired and that its user still stands. errNoSession means sign in
// again (a session whose user no longer stands is deleted); any other
// error is a failure to find out.
func (p *page) session(w http.ResponseWriter, r *http.Request) (session, error) {
	ctx := r.Context()
	ref, err := getCookie[sessionRef](p.cookies, r, sessionCookie)
	if err != nil {
		return session{}, errNoSession
	}
	rec, err := p.skill.store.GetLampSession(ctx, ref.ID)
	if errors.Is(err, store.ErrNotFound) {
		p.cookies.clear(w, sessionCookie)
		return session{}, errNoSession
	}
	if err != nil {
		return session{}, fmt.Errorf("get lamp session: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(secretHash(ref.Secret)), []byte(rec.SecretHash)) != 1 || !p.now().Before(rec.ExpiresAt) {
		p.cookies.clear(w, sessionCookie)
		return session{}, errNoSession
	}
	if err := p.standing(ctx, rec); err != nil {
		if !errors.Is(err, ErrSignedOut) {
			return session{}, err
		}
		p.log.InfoContext(ctx, "smarthome: lamps session ended", "reason", err.Error())
		if err := p.skill.store.DeleteLampSession(ctx, rec.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return session{}, fmt.Errorf("delete lamp session: %w", err)
		}
		p.cookies.clear(w, sessionCookie)
		return session{}, errNoSession
	}
	return session{ID: rec.ID, Sub: rec.Owner, Name: rec.Name}, nil
}

// endSession deletes the session id names, if any (id is empty when the
// request has no session cookie), so that no copy of its cookie opens the
// page again.
func (p *page) endSession(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	if err := p.skill.store.DeleteLampSession(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// standing asks CheckUser, or the issuer once RecheckInterval has passed
// since the last confirmation, whether the session's user still stands.
func (p *page) standing(ctx context.Context, rec skillstore.LampSession) error {
	if p.cfg.CheckUser != nil {
		return p.cfg.CheckUser(ctx, SessionUser{Sub: rec.Owner, OriginJTI: rec.OriginJTI, SignedInAt: rec.CreatedAt})
	}
	now := p.now()
	if now.Before(rec.CheckedAt.Add(p.cfg.RecheckInterval)) {
		return nil
	}
	tok, err := p.openTokens(rec.ID, rec.SealedTokens)
	if err != nil {
		return fmt.Errorf("%w: the session's tokens cannot be opened", ErrSignedOut)
	}
	tok, err = p.askIssuer(ctx, tok)
	if err != nil {
		return err
	}
	sealed, err := p.sealTokens(rec.ID, tok)
	if err != nil {
		return err
	}
	err = p.skill.store.TouchLampSession(ctx, rec.ID, sealed, now)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: the session was ended meanwhile", ErrSignedOut)
	}
	return err
}

// askIssuer confirms the user with the issuer: it redeems the refresh
// token (refused when the user was disabled, deleted or signed out
// everywhere, or the grant revoked) or, without one, calls userInfo with
// the access token until that expires. Only the issuer's explicit refusal
// is ErrSignedOut; an unreachable or failing issuer is a plain error.
func (p *page) askIssuer(ctx context.Context, tok *oauth2.Token) (*oauth2.Token, error) {
	_, oc, err := p.client(ctx)
	if err != nil {
		return nil, err
	}
	octx := oidc.ClientContext(ctx, p.cfg.HTTPClient)
	if tok.RefreshToken != "" {
		fresh, err := oc.TokenSource(octx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode == "invalid_grant" {
			return nil, fmt.Errorf("%w: the issuer refused the refresh token", ErrSignedOut)
		}
		if err != nil {
			return nil, fmt.Errorf("refresh at the issuer: %s", oauthErrorSummary(err))
		}
		return fresh, nil
	}
	p.mu.Lock()
	endpoint := p.provider.UserInfoEndpoint()
	p.mu.Unlock()
	if tok.AccessToken == "" || endpoint == "" || (!tok.Expiry.IsZero() && !p.now().Before(tok.Expiry)) {
		return nil, fmt.Errorf("%w: no token left to re-check the user with", ErrSignedOut)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := p.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("userInfo: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return nil, fmt.Errorf("%w: userInfo refused the access token", ErrSignedOut)
	case resp.StatusCode/100 != 2:
		return nil, fmt.Errorf("userInfo: HTTP %d", resp.StatusCode)
	}
	return tok, nil
}

// newTokenAEAD derives, from the cookie key (checked by newCookieBox),
// the AES-256-GCM key that seals the issuer's tokens in the store.
func newTokenAEAD(cookieKey []byte) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, cookieKey, nil, "smartlamp/lamps-session-tokens", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// sealTokens seals tok bound to the session ID.
func (p *page) sealTokens(id string, tok *oauth2.Token) ([]byte, error) {
	if tok == nil {
		return nil, nil
	}
	raw, err := json.Marshal(tok)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, p.tokens.NonceSize(), p.tokens.NonceSize()+len(raw)+p.tokens.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return p.tokens.Seal(nonce, nonce, raw, []byte(id)), nil
}

// openTokens opens what sealTokens sealed for the session ID.
func (p *page) openTokens(id string, sealed []byte) (*oauth2.Token, error) {
	n := p.tokens.NonceSize()
	if len(sealed) < n+p.tokens.Overhead() {
		return nil, errors.New("no sealed tokens")
	}
	raw, err := p.tokens.Open(nil, sealed[:n], sealed[n:], []byte(id))
	if err != nil {
		return nil, err
	}
	var tok oauth2.Token
	if err := json.Unmarshal(raw, &tok); err != nil {
		return nil, err
	}
	return &tok, nil
}
