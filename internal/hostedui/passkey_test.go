package hostedui_test

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/descope/virtualwebauthn"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/passkey"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// allowPasskeys lets the pool's users sign in with passkeys.
func allowPasskeys(p *pool.Pool) {
	p.AllowedFirstAuthFactors = []string{pool.FirstFactorPassword, pool.FirstFactorWebAuthn}
}

var (
	createPattern = regexp.MustCompile(`id="addPasskeyForm" data-passkey-create="([^"]*)"`)
	getPattern    = regexp.MustCompile(`id="passkeySignInForm" data-passkey-get="([^"]*)"`)
	scriptPattern = regexp.MustCompile(`<script src="([^"]+)" nonce="([^"]+)" defer></script>`)
	noncePattern  = regexp.MustCompile(`script-src 'nonce-([A-Za-z0-9_-]+)'`)
	idPattern     = regexp.MustCompile(`name="id" value="([^"]+)"`)
	inlineHandler = regexp.MustCompile(`\son[a-z]+=`)
)

func attr(t testing.TB, p *page, re *regexp.Regexp) string {
	t.Helper()
	m := re.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no %s in page (status %d):\n%s", re, p.Status, p.Body)
	}
	return html.UnescapeString(m[1])
}

// passkeyDevice is a virtual authenticator with one passkey of a user.
type passkeyDevice struct {
	rp   virtualwebauthn.RelyingParty
	auth virtualwebauthn.Authenticator
	cred virtualwebauthn.Credential
}

func (e *env) passkeyDevice(u pool.User) *passkeyDevice {
	return &passkeyDevice{
		rp:   virtualwebauthn.RelyingParty{ID: "localhost", Name: e.pool.Name, Origin: e.origin},
		auth: virtualwebauthn.NewAuthenticatorWithOptions(virtualwebauthn.AuthenticatorOptions{UserHandle: []byte(u.Sub)}),
		cred: apptest.PasskeyCredential(),
	}
}

// checkPasskeyCSP checks that a passkey page allows exactly its script:
// a nonce CSP whose nonce is the script tag's.
func checkPasskeyCSP(t *testing.T, p *page) string {
	t.Helper()
	csp := p.Header.Get("Content-Security-Policy")
	m := noncePattern.FindStringSubmatch(csp)
	if m == nil || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "strict-dynamic") || !strings.Contains(csp, "default-src 'none'") {
		t.Fatalf("passkey page CSP %q", csp)
	}
	s := scriptPattern.FindStringSubmatch(p.Body)
	if s == nil || s[2] != m[1] {
		t.Fatalf("script tag %v does not carry the CSP nonce %q", s, m[1])
	}
	if strings.Count(p.Body, "<script") != 1 || inlineHandler.MatchString(p.Body) {
		t.Fatal("the passkey page has inline script")
	}
	return m[1]
}

// TestPasskeyRegisterAndSignIn adds a passkey on /passkeys after a
// password sign-in, then signs in with it from the sign-in page of an
// authorization request to a code, and removes it.
func TestPasskeyRegisterAndSignIn(t *testing.T) {
	e := newEnv(t, options{localhost: true, editPool: allowPasskeys})
	u := e.createUser(t, "pia", "pia@example.com", goodPW)
	b := e.browser()
	login := b.get("/login")
	p := b.submit(login, map[string]string{"username": "pia", "password": goodPW})
	if p.Status != http.StatusOK || p.cookie("lp_session") == nil {
		t.Fatalf("password sign-in: %d\n%s", p.Status, p.Body)
	}
	if link := p.linkByID(t, "backLink"); !strings.HasSuffix(link, "/passkeys") {
		t.Errorf("the signed-in page links to %q, want /passkeys", link)
	}

	p = b.get("/passkeys")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "You have no passkeys yet.") {
		t.Fatalf("/passkeys: %d\n%s", p.Status, p.Body)
	}
	nonce := checkPasskeyCSP(t, p)
	d := e.passkeyDevice(u)
	o, err := virtualwebauthn.ParseAttestationOptions(attr(t, p, createPattern))
	if err != nil {
		t.Fatal(err)
	}
	answer := virtualwebauthn.CreateAttestationResponse(d.rp, d.auth, d.cred, *o)
	added := b.submit(p, map[string]string{"action": "add", "credential": answer, "name": "Pia's phone"})
	if added.Status != http.StatusSeeOther || !strings.Contains(added.Location, "/passkeys?notice=passkey_added") {
		t.Fatalf("add: %d %q\n%s", added.Status, added.Location, added.Body)
	}
	p = b.get(added.Location)
	if p.noticeText() != "Your passkey was added." || !strings.Contains(p.Body, "Pia&#39;s phone") {
		t.Fatalf("list after add: notice %q\n%s", p.noticeText(), p.Body)
	}
	if again := checkPasskeyCSP(t, p); again == nonce {
		t.Error("two responses share a nonce")
	}

	// Sign in with it in another browser, from the authorization's page.
	b2 := e.browser()
	p = b2.get("/oauth2/authorize?" + e.authQuery(alexaRedirects[0]).Encode())
	p = b2.get(p.Location)
	if csp := p.Header.Get("Content-Security-Policy"); strings.Contains(csp, "script-src") || strings.Contains(p.Body, "<script") {
		t.Errorf("the sign-in page carries script: %q", csp)
	}
	p = b2.get(p.linkByID(t, "passkeySignInLink"))
	if p.Status != http.StatusOK {
		t.Fatalf("passkey sign-in page: %d\n%s", p.Status, p.Body)
	}
	checkPasskeyCSP(t, p)
	if link := p.linkByID(t, "otherSignInLink"); !strings.Contains(link, "/login?") || !strings.Contains(link, "client_id="+e.client.ID) {
		t.Errorf("the fallback link %q does not lead back to the sign-in page", link)
	}
	ao, err := virtualwebauthn.ParseAssertionOptions(attr(t, p, getPattern))
	if err != nil {
		t.Fatal(err)
	}
	d.cred.Counter = 1
	assertion := virtualwebauthn.CreateAssertionResponse(d.rp, d.auth, d.cred, *ao)
	done := b2.submit(p, map[string]string{"credential": assertion})
	codeFrom(t, done, alexaRedirects[0])
	if done.cookie("lp_session") == nil {
		t.Error("no session after the passkey sign-in")
	}
	// The same answer again is refused.
	again := b2.submit(p, map[string]string{"credential": assertion})
	if again.Status != http.StatusBadRequest || again.Location != "" {
		t.Fatalf("replayed assertion: %d %q", again.Status, again.Location)
	}

	// Remove it.
	p = b.get("/passkeys")
	removed := b.submit(p, map[string]string{"action": "remove", "id": attr(t, p, idPattern)})
	if removed.Status != http.StatusSeeOther || !strings.Contains(removed.Location, "notice=passkey_removed") {
		t.Fatalf("remove: %d %q\n%s", removed.Status, removed.Location, removed.Body)
	}
	p = b.get(removed.Location)
	if !strings.Contains(p.Body, "You have no passkeys yet.") {
		t.Fatalf("list after remove:\n%s", p.Body)
	}
	e.logs.NoSecrets(t, goodPW, assertion)
}

// TestPasskeySignInFallback: a failed or cancelled ceremony (no answer,
// a forged answer, an unknown passkey) shows the page again with one
// message and the way back to the other sign-in choices, and signs
// nobody in.
func TestPasskeySignInFallback(t *testing.T) {
	e := newEnv(t, options{localhost: true, editPool: allowPasskeys})
	u := e.createUser(t, "pia", "pia@example.com", goodPW)
	b := e.browser()
	p := b.get("/passkeySignIn?" + e.authQuery(alexaRedirects[0]).Encode())
	if p.Status != http.StatusOK {
		t.Fatalf("page: %d\n%s", p.Status, p.Body)
	}
	stranger := e.passkeyDevice(u)
	ao, err := virtualwebauthn.ParseAssertionOptions(attr(t, p, getPattern))
	if err != nil {
		t.Fatal(err)
	}
	for name, cred := range map[string]string{
		"cancelled":       "",
		"garbage":         "{not json",
		"unknown passkey": virtualwebauthn.CreateAssertionResponse(stranger.rp, stranger.auth, stranger.cred, *ao),
	} {
		r := b.submit(p, map[string]string{"credential": cred})
		if r.Status != http.StatusBadRequest || r.Location != "" || r.cookie("lp_session") != nil {
			t.Errorf("%s: %d %q", name, r.Status, r.Location)
			continue
		}
		if r.errorText() != "The passkey sign-in did not complete. Try again, or sign in another way." {
			t.Errorf("%s: error %q", name, r.errorText())
		}
		r.linkByID(t, "otherSignInLink")
		checkPasskeyCSP(t, r)
	}
	r := b.submit(p, map[string]string{"state": "forged", "credential": "{}"})
	if r.Status != http.StatusBadRequest || r.cookie("lp_session") != nil {
		t.Errorf("forged state: %d", r.Status)
	}
}

// TestPasskeyPagesOffered: the pages offer passkeys only where the pool
// allows them, and /passkeys needs a session.
func TestPasskeyPagesOffered(t *testing.T) {
	t.Run("not allowed", func(t *testing.T) {
		e := newEnv(t, options{localhost: true})
		b := e.browser()
		p := b.get("/login")
		if strings.Contains(p.Body, "passkeySignInLink") {
			t.Error("the sign-in page offers a passkey")
		}
		for _, path := range []string{"/passkeySignIn", "/passkeys"} {
			if p := b.get(path); p.Status != http.StatusNotFound || strings.Contains(p.Body, "<script") {
				t.Errorf("%s: %d", path, p.Status)
			}
		}
	})
	t.Run("MFA required", func(t *testing.T) {
		e := newEnv(t, options{localhost: true, editPool: func(p *pool.Pool) {
			allowPasskeys(p)
			p.MFA.Mode, p.MFA.SoftwareToken = pool.MFAOn, true
		}})
		b := e.browser()
		if p := b.get("/login"); strings.Contains(p.Body, "passkeySignInLink") {
			t.Error("a pool that requires MFA offers a single-factor passkey sign-in")
		}
		// Nor does it register passkeys that could never sign in.
		for _, path := range []string{"/passkeySignIn", "/passkeys"} {
			if p := b.get(path); p.Status != http.StatusNotFound || strings.Contains(p.Body, "<script") {
				t.Errorf("%s in a pool that requires MFA: %d", path, p.Status)
			}
		}
	})
	t.Run("MFA required, passkeys count as two factors", func(t *testing.T) {
		e := newEnv(t, options{localhost: true, editPool: func(p *pool.Pool) {
			allowPasskeys(p)
			p.MFA.Mode, p.MFA.SoftwareToken = pool.MFAOn, true
			p.MFA.WebAuthn.FactorConfiguration = pool.WebAuthnMultiFactorWithUserVerification
		}})
		b := e.browser()
		if p := b.get("/login"); !strings.Contains(p.Body, "passkeySignInLink") {
			t.Error("the sign-in page does not offer a passkey")
		}
		if p := b.get("/passkeys"); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "/login") {
			t.Errorf("/passkeys without a session: %d %q", p.Status, p.Location)
		}
	})
	t.Run("no session", func(t *testing.T) {
		e := newEnv(t, options{localhost: true, editPool: allowPasskeys})
		b := e.browser()
		p := b.get("/passkeys")
		if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "/login") {
			t.Fatalf("/passkeys without a session: %d %q", p.Status, p.Location)
		}
		login := b.get("/login")
		if !strings.Contains(login.Body, "passkeySignInLink") {
			t.Error("the sign-in page does not offer a passkey")
		}
		r := b.post("/passkeys", url.Values{"_csrf": {login.csrf(t)}, "action": {"remove"}, "id": {"AAAA"}}, "Origin", e.origin)
		if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "/login") {
			t.Fatalf("post without a session: %d %q", r.Status, r.Location)
		}
	})
}

// TestPasskeyScript serves the script of the passkey pages: JavaScript,
// nosniff, cacheable by version.
func TestPasskeyScript(t *testing.T) {
	e := newEnv(t, options{localhost: true, editPool: allowPasskeys})
	b := e.browser()
	p := b.get("/passkeySignIn")
	src := html.UnescapeString(scriptPattern.FindStringSubmatch(p.Body)[1])
	s := b.get(src)
	if s.Status != http.StatusOK || !strings.HasPrefix(s.Header.Get("Content-Type"), "text/javascript") ||
		s.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(s.Body, "navigator.credentials.get") {
		t.Fatalf("script: %d %q", s.Status, s.Header.Get("Content-Type"))
	}
}

// TestPasskeysNotOfferedAtAnIPAddress: pages served at an IP address,
// which cannot be an RP id, offer no passkey ceremony.
func TestPasskeysNotOfferedAtAnIPAddress(t *testing.T) {
	e := newEnv(t, options{editPool: allowPasskeys})
	b := e.browser()
	if p := b.get("/login"); p.Status != http.StatusOK || strings.Contains(p.Body, "passkeySignInLink") {
		t.Fatalf("the sign-in page at %s offers a passkey", e.origin)
	}
	if p := b.get("/passkeySignIn"); p.Status != http.StatusBadRequest || p.errorText() != "Passkeys cannot be used at this address." {
		t.Fatalf("/passkeySignIn at an IP address: %d %q", p.Status, p.errorText())
	}
}

// registerPasskey registers a passkey of d for u through the service, as
// /passkeys would.
func (e *env) registerPasskey(t *testing.T, u pool.User, d *passkeyDevice) {
	t.Helper()
	ctx := context.Background()
	rp, err := passkey.RPFor(e.pool, e.origin)
	if err != nil {
		t.Fatal(err)
	}
	options, err := e.passkeys.BeginRegistration(ctx, e.pool, u.Sub, rp)
	if err != nil {
		t.Fatal(err)
	}
	o, err := virtualwebauthn.ParseAttestationOptions(string(options))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.passkeys.FinishRegistration(ctx, e.pool, u.Sub, rp, []byte(virtualwebauthn.CreateAttestationResponse(d.rp, d.auth, d.cred, *o)), ""); err != nil {
		t.Fatalf("FinishRegistration: %v", err)
	}
}

// passkeySignIn signs in with d from a fresh browser's passkey page.
func (e *env) passkeySignIn(t *testing.T, d *passkeyDevice) *page {
	t.Helper()
	b := e.browser()
	p := b.get("/passkeySignIn?" + e.authQuery(alexaRedirects[0]).Encode())
	if p.Status != http.StatusOK {
		t.Fatalf("passkey page: %d\n%s", p.Status, p.Body)
	}
	o, err := virtualwebauthn.ParseAssertionOptions(attr(t, p, getPattern))
	if err != nil {
		t.Fatal(err)
	}
	d.cred.Counter++
	return b.submit(p, map[string]string{"credential": virtualwebauthn.CreateAssertionResponse(d.rp, d.auth, d.cred, *o)})
}

// TestPasskeySignInAndMFA: in a pool that requires MFA and counts a
// verified passkey as two factors, a passkey with user verification
// signs in to a code; one without, registered while MFA was optional,
// is refused (and could not be registered now); in a pool where MFA is
// optional, a passkey signs in without the user's second factor.
func TestPasskeySignInAndMFA(t *testing.T) {
	e := newEnv(t, options{localhost: true, editPool: func(p *pool.Pool) {
		allowPasskeys(p)
		p.MFA.Mode, p.MFA.SoftwareToken = pool.MFAOptional, true
		p.MFA.WebAuthn.FactorConfiguration = pool.WebAuthnMultiFactorWithUserVerification
	}})
	u := e.createUser(t, "pia", "pia@example.com", goodPW)
	verified := e.passkeyDevice(u)
	unverified := e.passkeyDevice(u)
	unverified.auth.Options.UserNotVerified = true
	e.registerPasskey(t, u, verified)
	e.registerPasskey(t, u, unverified)
	e.updatePool(t, func(p *pool.Pool) { p.MFA.Mode = pool.MFAOn })

	codeFrom(t, e.passkeySignIn(t, verified), alexaRedirects[0])
	p := e.passkeySignIn(t, unverified)
	if p.Status != http.StatusBadRequest || p.Location != "" || p.cookie("lp_session") != nil {
		t.Fatalf("passkey without user verification in a pool that requires MFA: %d %q", p.Status, p.Location)
	}

	e.updatePool(t, func(p *pool.Pool) { p.MFA.Mode = pool.MFAOptional })
	e.clock.Advance(time.Second)
	codeFrom(t, e.passkeySignIn(t, unverified), alexaRedirects[0])
}

// TestPasskeysNotForProviderUsers: a user of an identity provider gets
// no passkey form on /passkeys.
func TestPasskeysNotForProviderUsers(t *testing.T) {
	e := newEnv(t, options{localhost: true, editPool: allowPasskeys})
	u := e.createUser(t, "pia", "pia@example.com", goodPW)
	b := e.browser()
	b.submit(b.get("/login"), map[string]string{"username": "pia", "password": goodPW})
	if err := e.st.UpdateUser(context.Background(), e.pool.ID, u.Sub, func(u pool.User) (pool.User, error) {
		u.Status = pool.StatusExternalProvider
		return u, nil
	}); err != nil {
		t.Fatal(err)
	}
	p := b.get("/passkeys")
	if p.Status != http.StatusBadRequest || p.errorText() != "Passkeys are not available here." || strings.Contains(p.Body, "addPasskeyForm") {
		t.Fatalf("/passkeys for a provider's user: %d %q", p.Status, p.errorText())
	}
}

// TestPasskeySignInRunsAuthenticationTriggers: a passkey sign-in on the
// hosted page runs pre authentication once the passkey names the user,
// and post authentication when it completes; pre authentication's
// refusal keeps the browser on the page, without a session or a code.
func TestPasskeySignInRunsAuthenticationTriggers(t *testing.T) {
	e := newEnv(t, options{localhost: true, editPool: allowPasskeys})
	u := e.createUser(t, "pia", "pia@example.com", goodPW)
	d := e.passkeyDevice(u)
	e.registerPasskey(t, u, d)
	tr := apptest.NewTriggers(t)
	var banned atomic.Bool
	banned.Store(true)
	tr.Handle(pool.TriggerPreAuthentication, func(_ context.Context, ev events.CognitoEventUserPoolsPreAuthentication) (events.CognitoEventUserPoolsPreAuthentication, error) {
		if banned.Load() {
			return ev, errors.New("pia is banned")
		}
		return ev, nil
	})
	e.updatePool(t, func(p *pool.Pool) {
		tr.Configure(p, e.box, pool.TriggerPreAuthentication, pool.TriggerPostAuthentication)
	})

	p := e.passkeySignIn(t, d)
	if p.Status != http.StatusBadRequest || p.Location != "" || p.cookie("lp_session") != nil {
		t.Fatalf("a passkey sign-in pre authentication refused: %d %q", p.Status, p.Location)
	}
	if got := tr.Sources(); !slices.Equal(got, []string{trigger.SourcePreAuthentication}) {
		t.Fatalf("sources after the refusal = %v", got)
	}
	banned.Store(false)
	e.clock.Advance(time.Second)
	codeFrom(t, e.passkeySignIn(t, d), alexaRedirects[0])
	want := []string{trigger.SourcePreAuthentication, trigger.SourcePreAuthentication, trigger.SourcePostAuthentication}
	if got := tr.Sources(); !slices.Equal(got, want) {
		t.Fatalf("sources = %v, want %v", got, want)
	}
}
