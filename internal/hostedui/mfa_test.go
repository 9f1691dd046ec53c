package hostedui_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
)

// mfaFormPaths are the forms of the second-factor pages and the sign-in
// with a code.
var mfaFormPaths = []string{"/login/code", "/mfa", "/mfa/setup", "/mfa/totp"}

// mfaPool sets the pool's MFA mode and factors.
func mfaPool(mode string, totp, email bool) func(*pool.Pool) {
	return func(p *pool.Pool) {
		p.MFA = pool.MFAConfig{Mode: mode, SoftwareToken: totp, Email: email}
	}
}

// totpAt computes the RFC 6238 code (SHA-1, 6 digits, 30 s) of a Base32
// secret at a time, independently of the server's implementation.
func totpAt(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.ReplaceAll(secret, " ", "")))
	if err != nil {
		t.Fatalf("secret %q: %v", secret, err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(at.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1_000_000)
}

var (
	eightDigits   = regexp.MustCompile(`\b\d{8}\b`)
	secretPattern = regexp.MustCompile(`<code id="totpSecret" dir="ltr">([^<]+)</code>`)
)

// lastOTP returns the eight-digit code of the last mail to to.
func (e *env) lastOTP(t testing.TB, to string) string {
	t.Helper()
	ms := e.mailbox.Messages()
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].To == to {
			if c := eightDigits.FindString(ms[i].Text); c != "" {
				return c
			}
		}
	}
	t.Fatalf("no eight-digit code mailed to %s", to)
	return ""
}

// secret returns the authenticator key a set-up page shows.
func (p *page) secret(t testing.TB) string {
	t.Helper()
	m := secretPattern.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no key on the page (status %d):\n%s", p.Status, p.Body)
	}
	return strings.ReplaceAll(html.UnescapeString(m[1]), " ", "")
}

// toMFA signs in with the password and follows the redirect to the MFA
// page named want ("/mfa" or "/mfa/setup"), checking that no session was
// opened on the way.
func (b *browser) toMFA(redirect, username, pw, want string) *page {
	b.t.Helper()
	p := b.login(redirect, username, pw)
	b.expectMFARedirect(p, want)
	return b.get(p.Location)
}

func (b *browser) expectMFARedirect(p *page, want string) {
	b.t.Helper()
	u, err := url.Parse(p.Location)
	if p.Status != http.StatusSeeOther || err != nil || u.Path != "/"+b.e.pool.ID+want {
		b.t.Fatalf("sign-in: %d %q, want a redirect to %s\n%s", p.Status, p.Location, want, p.Body)
	}
	if p.cookie("lp_session") != nil {
		b.t.Fatal("a session was opened before the second factor")
	}
	if c := p.cookie("lp_mfa"); c == nil || !c.HttpOnly || c.MaxAge <= 0 || c.MaxAge > 300 || c.Path != "/"+b.e.pool.ID {
		b.t.Fatalf("MFA cookie: %+v", c)
	}
}

// checkPage checks what every MFA page must be: no script, no reference
// outside the pool.
func checkPage(t testing.TB, p *page) {
	t.Helper()
	if strings.Contains(p.Body, "<script") || strings.Contains(p.Body, " on") && regexp.MustCompile(` on[a-z]+=`).MatchString(p.Body) {
		t.Errorf("script in the page:\n%s", p.Body)
	}
	if m := regexp.MustCompile(`(?:src|href|action)="(https?:)?//`).FindString(p.Body); m != "" {
		t.Errorf("the page refers outside the pool (%s):\n%s", m, p.Body)
	}
}

// sessionStays checks that the browser's session completes a new
// authorization at once.
func (b *browser) sessionStays(redirect string) {
	b.t.Helper()
	codeFrom(b.t, b.get("/oauth2/authorize?"+b.e.authQuery(redirect).Encode()), redirect)
}

// TestMFAOnPoolSetupThenTOTP: in a pool that requires MFA, a user
// without a factor sets up an authenticator app at the first sign-in
// (QR code and key, no session before the right code) and is asked for
// its code at the next; a used code does not sign in again.
func TestMFAOnPoolSetupThenTOTP(t *testing.T) {
	e := newEnv(t, options{editPool: mfaPool(pool.MFAOn, true, false)})
	e.createUser(t, "tom", "tom@example.com", goodPW)
	b := e.browser()
	p := b.toMFA(alexaRedirects[0], "tom", goodPW, "/mfa/setup")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `<svg class="qr" id="totpQRCode"`) || !strings.Contains(p.Body, "<path fill=\"#000\" d=\"M") {
		t.Fatalf("set-up page: %d\n%s", p.Status, p.Body)
	}
	checkPage(t, p)
	secret := p.secret(t)
	if len(secret) < 16 {
		t.Fatalf("secret %q", secret)
	}
	if zh := b.get("/mfa/setup?" + e.authQuery(alexaRedirects[0], "lang", "zh-CN").Encode()); !strings.Contains(zh.Body, "设置两步验证") || zh.secret(t) != secret {
		t.Errorf("the set-up page in Chinese: %d\n%s", zh.Status, zh.Body)
	}
	// A reload shows the same key: nothing was re-associated.
	if again := b.get("/mfa/setup?" + e.authQuery(alexaRedirects[0]).Encode()); again.secret(t) != secret {
		t.Fatal("reloading the set-up page changed the key")
	}

	wrong := b.submit(p, map[string]string{"code": "000000"})
	if wrong.Status != http.StatusBadRequest || wrong.fieldError("code") == "" || wrong.cookie("lp_session") != nil {
		t.Fatalf("wrong set-up code: %d %q", wrong.Status, wrong.fieldError("code"))
	}
	if wrong.secret(t) != secret {
		t.Fatal("the key changed after a wrong code")
	}
	code := totpAt(t, secret, e.clock.Now())
	p = b.submit(wrong, map[string]string{"code": code})
	codeFrom(t, p, alexaRedirects[0])
	if c := p.cookie("lp_mfa"); c == nil || c.MaxAge >= 0 {
		t.Errorf("the MFA cookie was not cleared: %+v", c)
	}
	u := e.user(t, mustSub(t, e, "tom"))
	if !u.MFA.SoftwareTokenEnabled || u.MFA.TOTP == nil {
		t.Fatalf("after set-up: %+v", u.MFA)
	}
	b.sessionStays(alexaRedirects[1])

	// The next sign-in asks for the app's code; the code just used is
	// refused, the next step's is taken.
	b2 := e.browser()
	p = b2.toMFA(alexaRedirects[0], "tom", goodPW, "/mfa")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="mfaCode"`) || strings.Contains(p.Body, "totpQRCode") {
		t.Fatalf("TOTP prompt: %d\n%s", p.Status, p.Body)
	}
	checkPage(t, p)
	replay := b2.submit(p, map[string]string{"code": code})
	if replay.Status != http.StatusBadRequest || replay.fieldError("code") == "" {
		t.Fatalf("replayed code: %d\n%s", replay.Status, replay.Body)
	}
	e.clock.Advance(30 * time.Second)
	codeFrom(t, b2.submit(replay, map[string]string{"code": totpAt(t, secret, e.clock.Now())}), alexaRedirects[0])

	// Recovery: an administrator resets the user's factors. A sign-in
	// waiting for the old app's code starts over, and the next one sets
	// up a new app.
	e.clock.Advance(30 * time.Second)
	b3 := e.browser()
	p = b3.toMFA(alexaRedirects[0], "tom", goodPW, "/mfa")
	if _, err := e.accounts.ResetMFA(context.Background(), e.pool, mustSub(t, e, "tom")); err != nil {
		t.Fatalf("ResetMFA: %v", err)
	}
	p = b3.submit(p, map[string]string{"code": totpAt(t, secret, e.clock.Now())})
	if p.Status != http.StatusBadRequest || p.errorText() != "Your sign-in expired or was ended. Sign in again." || p.cookie("lp_session") != nil {
		t.Fatalf("the old app's code after a reset: %d %q", p.Status, p.errorText())
	}
	b3.expectMFARedirect(b3.submit(p, map[string]string{"username": "tom", "password": goodPW}), "/mfa/setup")
	// The session that passed the old app no longer suffices either.
	if r := b.get("/oauth2/authorize?" + e.authQuery(alexaRedirects[0]).Encode()); r.Status != http.StatusFound || !strings.Contains(r.Location, "/login?") {
		t.Fatalf("authorize with the session of a reset factor: %d %q", r.Status, r.Location)
	}
}

func mustSub(t testing.TB, e *env, username string) string {
	t.Helper()
	u, err := e.accounts.Lookup(context.Background(), e.pool, username)
	if err != nil {
		t.Fatalf("Lookup(%s): %v", username, err)
	}
	return u.Sub
}

// enableTOTP gives a user an authenticator app through the account
// service and returns its key.
func (e *env) enableTOTP(t testing.TB, username string) string {
	t.Helper()
	ctx := context.Background()
	sub := mustSub(t, e, username)
	secret, err := e.accounts.AssociateSoftwareToken(ctx, e.pool, sub)
	if err != nil {
		t.Fatalf("AssociateSoftwareToken: %v", err)
	}
	if _, err := e.accounts.VerifySoftwareToken(ctx, e.pool, sub, totpAt(t, secret, e.clock.Now()), "phone"); err != nil {
		t.Fatalf("VerifySoftwareToken: %v", err)
	}
	e.clock.Advance(30 * time.Second)
	return secret
}

// TestMFAOptionalTOTPUser: in an OPTIONAL pool a user without a factor
// signs in with the password alone, sets up an app on /mfa/totp while
// signed in, and is asked for its code from then on; a session from
// before the app does not skip it.
func TestMFAOptionalTOTPUser(t *testing.T) {
	e := newEnv(t, options{editPool: mfaPool(pool.MFAOptional, true, false)})
	e.createUser(t, "olga", "olga@example.com", goodPW)
	b := e.browser()
	codeFrom(t, b.login(alexaRedirects[0], "olga", goodPW), alexaRedirects[0])

	if p := e.browser().get("/mfa/totp"); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "/login") {
		t.Fatalf("/mfa/totp without a session: %d %q", p.Status, p.Location)
	}
	p := b.get("/mfa/totp")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="mfaNewTOTPButton"`) {
		t.Fatalf("/mfa/totp: %d\n%s", p.Status, p.Body)
	}
	checkPage(t, p)
	p = b.submit(p, map[string]string{"new": "1"})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="totpQRCode"`) {
		t.Fatalf("new app: %d\n%s", p.Status, p.Body)
	}
	secret := p.secret(t)
	p = b.submit(p, map[string]string{"code": totpAt(t, secret, e.clock.Now())})
	if p.Status != http.StatusOK || p.noticeText() == "" {
		t.Fatalf("verify the new app: %d\n%s", p.Status, p.Body)
	}
	e.clock.Advance(30 * time.Second)

	// The session began with the password alone: it no longer suffices.
	r := b.get("/oauth2/authorize?" + e.authQuery(alexaRedirects[0]).Encode())
	if r.Status != http.StatusFound || !strings.Contains(r.Location, "/login?") {
		t.Fatalf("authorize with a password-only session after enabling TOTP: %d %q", r.Status, r.Location)
	}
	p = b.toMFA(alexaRedirects[0], "olga", goodPW, "/mfa")
	codeFrom(t, b.submit(p, map[string]string{"code": totpAt(t, secret, e.clock.Now())}), alexaRedirects[0])
	b.sessionStays(alexaRedirects[2])

	// Replacing the app: the old one works until the new one is verified.
	e.clock.Advance(30 * time.Second)
	p = b.submit(b.get("/mfa/totp"), map[string]string{"new": "1"})
	newSecret := p.secret(t)
	if newSecret == secret {
		t.Fatal("the new app got the old key")
	}
	b3 := e.browser()
	p3 := b3.toMFA(alexaRedirects[0], "olga", goodPW, "/mfa")
	codeFrom(t, b3.submit(p3, map[string]string{"code": totpAt(t, secret, e.clock.Now())}), alexaRedirects[0])
	e.clock.Advance(30 * time.Second)
	if p = b.submit(p, map[string]string{"code": totpAt(t, newSecret, e.clock.Now())}); p.Status != http.StatusOK || p.noticeText() == "" {
		t.Fatalf("verify the replacement: %d\n%s", p.Status, p.Body)
	}
	e.clock.Advance(30 * time.Second)
	b4 := e.browser()
	p4 := b4.toMFA(alexaRedirects[0], "olga", goodPW, "/mfa")
	if old := b4.submit(p4, map[string]string{"code": totpAt(t, secret, e.clock.Now())}); old.Status != http.StatusBadRequest {
		t.Fatalf("the replaced app's code: %d %q", old.Status, old.Location)
	}
	codeFrom(t, b4.submit(p4, map[string]string{"code": totpAt(t, newSecret, e.clock.Now())}), alexaRedirects[0])
}

// TestMFAEmail: the email factor mails an eight-digit code when the
// prompt opens; a new one on request; the mailed code signs in once.
func TestMFAEmail(t *testing.T) {
	e := newEnv(t, options{editPool: mfaPool(pool.MFAOptional, false, true)})
	e.createUser(t, "emil", "emil@example.com", goodPW)
	if _, err := e.accounts.SetMFAPreference(context.Background(), e.pool, mustSub(t, e, "emil"),
		account.MFAPreference{Email: &account.FactorSetting{Enabled: true, Preferred: true}}); err != nil {
		t.Fatalf("SetMFAPreference: %v", err)
	}
	b := e.browser()
	p := b.toMFA(alexaRedirects[0], "emil", goodPW, "/mfa")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "e***@e***.com") || !strings.Contains(p.Body, `id="mfaResendButton"`) {
		t.Fatalf("email prompt: %d\n%s", p.Status, p.Body)
	}
	checkPage(t, p)
	first := e.lastOTP(t, "emil@example.com")
	// Reloading the prompt sends nothing more.
	n := e.mailbox.Count("emil@example.com")
	b.get("/mfa?" + e.authQuery(alexaRedirects[0]).Encode())
	if e.mailbox.Count("emil@example.com") != n {
		t.Fatal("reloading the prompt mailed another code")
	}
	e.clock.Advance(time.Minute)
	p = b.submit(p, map[string]string{"resend": "1"})
	if p.Status != http.StatusOK || e.mailbox.Count("emil@example.com") != n+1 {
		t.Fatalf("resend: %d, %d mails\n%s", p.Status, e.mailbox.Count("emil@example.com"), p.Body)
	}
	second := e.lastOTP(t, "emil@example.com")
	if first != second {
		if bad := b.submit(p, map[string]string{"code": first}); bad.Status != http.StatusBadRequest {
			t.Fatalf("the replaced code: %d", bad.Status)
		}
	}
	codeFrom(t, b.submit(p, map[string]string{"code": second}), alexaRedirects[0])
}

// TestMFASelect: a user with both factors and no preference chooses one.
func TestMFASelect(t *testing.T) {
	e := newEnv(t, options{editPool: mfaPool(pool.MFAOn, true, true)})
	e.createUser(t, "sam", "sam@example.com", goodPW)
	e.enableTOTP(t, "sam")
	on := &account.FactorSetting{Enabled: true}
	if _, err := e.accounts.SetMFAPreference(context.Background(), e.pool, mustSub(t, e, "sam"), account.MFAPreference{SoftwareToken: on, Email: on}); err != nil {
		t.Fatalf("SetMFAPreference: %v", err)
	}
	b := e.browser()
	p := b.toMFA(alexaRedirects[0], "sam", goodPW, "/mfa")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="mfaSelect-SOFTWARE_TOKEN_MFA"`) || !strings.Contains(p.Body, `id="mfaSelect-EMAIL_OTP"`) {
		t.Fatalf("select page: %d\n%s", p.Status, p.Body)
	}
	checkPage(t, p)
	if bad := b.submit(p, map[string]string{"factor": "SMS_MFA"}); bad.Status != http.StatusBadRequest {
		t.Fatalf("a factor not offered: %d", bad.Status)
	}
	p = b.submit(p, map[string]string{"factor": "EMAIL_OTP"})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("choose email: %d\n%s", p.Status, p.Body)
	}
	p = b.get(p.Location)
	if !strings.Contains(p.Body, `id="mfaResendButton"`) {
		t.Fatalf("after choosing email: %d\n%s", p.Status, p.Body)
	}
	codeFrom(t, b.submit(p, map[string]string{"code": e.lastOTP(t, "sam@example.com")}), alexaRedirects[0])

	// Signed in, the user prefers email: the next sign-in asks for it
	// without the choice.
	p = b.get("/mfa/totp")
	if !strings.Contains(p.Body, `id="mfaPrefer-EMAIL_OTP"`) || !strings.Contains(p.Body, `id="mfaPrefer-SOFTWARE_TOKEN_MFA"`) {
		t.Fatalf("/mfa/totp without a preference: %d\n%s", p.Status, p.Body)
	}
	p = b.submit(p, map[string]string{"preferred": "EMAIL_OTP"})
	if p.Status != http.StatusOK || p.noticeText() == "" || strings.Contains(p.Body, `id="mfaPrefer-EMAIL_OTP"`) {
		t.Fatalf("prefer email: %d\n%s", p.Status, p.Body)
	}
	if u := e.user(t, mustSub(t, e, "sam")); u.MFA.Preferred != pool.FactorEmail || !u.MFA.SoftwareTokenEnabled || !u.MFA.EmailEnabled {
		t.Fatalf("after preferring email: %+v", u.MFA)
	}
	e.clock.Advance(time.Minute)
	b2 := e.browser()
	p = b2.toMFA(alexaRedirects[0], "sam", goodPW, "/mfa")
	if !strings.Contains(p.Body, `id="mfaResendButton"`) || strings.Contains(p.Body, "mfaSelect-") {
		t.Fatalf("sign-in after preferring email: %d\n%s", p.Status, p.Body)
	}
}

// TestMFASetupEmail: a user in an ON pool who chooses email at set-up
// proves the address with a mailed code; the factor is then enabled.
func TestMFASetupEmail(t *testing.T) {
	e := newEnv(t, options{editPool: mfaPool(pool.MFAOn, true, true)})
	e.createUser(t, "erin", "erin@example.com", goodPW)
	b := e.browser()
	p := b.toMFA(alexaRedirects[0], "erin", goodPW, "/mfa/setup")
	if !strings.Contains(p.Body, `id="mfaSelect-EMAIL_OTP"`) {
		t.Fatalf("set-up choice: %d\n%s", p.Status, p.Body)
	}
	p = b.submit(p, map[string]string{"factor": "EMAIL_OTP"})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "e***@e***.com") {
		t.Fatalf("email set-up: %d\n%s", p.Status, p.Body)
	}
	codeFrom(t, b.submit(p, map[string]string{"code": e.lastOTP(t, "erin@example.com")}), alexaRedirects[0])
	if u := e.user(t, mustSub(t, e, "erin")); !u.MFA.EmailEnabled {
		t.Fatalf("email factor not enabled: %+v", u.MFA)
	}
}

// TestMFAWrongCodesLockOut: wrong codes count towards the lockout; a
// locked-out user's right code does not sign in either.
func TestMFAWrongCodesLockOut(t *testing.T) {
	e := newEnv(t, options{editPool: mfaPool(pool.MFAOn, true, false)})
	e.createUser(t, "lou", "lou@example.com", goodPW)
	secret := e.enableTOTP(t, "lou")
	b := e.browser()
	p := b.toMFA(alexaRedirects[0], "lou", goodPW, "/mfa")
	locked := false
	for i := 0; i < 20 && !locked; i++ {
		p = b.submit(p, map[string]string{"code": "000000"})
		if p.Status != http.StatusBadRequest {
			t.Fatalf("wrong code %d: %d %q", i, p.Status, p.Location)
		}
		locked = p.errorText() == "Attempt limit exceeded, please try again later."
	}
	if !locked {
		t.Fatal("wrong codes never locked the user out")
	}
	if p = b.submit(p, map[string]string{"code": totpAt(t, secret, e.clock.Now())}); p.Status != http.StatusBadRequest || p.cookie("lp_session") != nil {
		t.Fatalf("right code while locked out: %d %q", p.Status, p.Location)
	}
}

// TestMFAStateRefused: a tampered, expired, replayed or voided MFA
// cookie leads back to the sign-in page, and never to a session.
func TestMFAStateRefused(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, e *env, b *browser)
	}{
		{name: "tampered", spoil: func(t *testing.T, e *env, b *browser) {
			u, _ := url.Parse(e.base)
			for _, c := range b.c.Jar.Cookies(u) {
				if c.Name == "lp_mfa" {
					v := []byte(c.Value)
					v[len(v)/2] ^= 1
					if v[len(v)/2] == '-' || v[len(v)/2] == '_' {
						v[len(v)/2] = 'A'
					}
					c.Value, c.Path = string(v), "/"+e.pool.ID
					b.c.Jar.SetCookies(u, []*http.Cookie{c})
				}
			}
		}},
		{name: "expired", spoil: func(t *testing.T, e *env, b *browser) { e.clock.Advance(5 * time.Minute) }},
		{name: "global sign-out", spoil: func(t *testing.T, e *env, b *browser) {
			if err := e.accounts.GlobalSignOut(context.Background(), e.pool, "max"); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "disabled", spoil: func(t *testing.T, e *env, b *browser) {
			if err := e.accounts.AdminDisableUser(context.Background(), e.pool, "max"); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "deleted", spoil: func(t *testing.T, e *env, b *browser) {
			if err := e.accounts.AdminDeleteUser(context.Background(), e.pool, "max"); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, options{editPool: mfaPool(pool.MFAOn, true, false)})
			e.createUser(t, "max", "max@example.com", goodPW)
			b := e.browser()
			p := b.login(alexaRedirects[0], "max", goodPW)
			b.expectMFARedirect(p, "/mfa/setup")
			tt.spoil(t, e, b)
			for _, path := range []string{"/mfa", "/mfa/setup"} {
				p = b.get(path + "?" + e.authQuery(alexaRedirects[0]).Encode())
				if p.Status != http.StatusBadRequest || p.errorText() != "Your sign-in expired or was ended. Sign in again." || !strings.Contains(p.Body, `id="signInForm"`) {
					t.Fatalf("%s with a spoiled MFA cookie: %d %q\n%s", path, p.Status, p.errorText(), p.Body)
				}
				if p.cookie("lp_session") != nil {
					t.Fatal("a session was opened")
				}
			}
		})
	}
}

// TestMFAStateSingleUse: the MFA cookie of a completed sign-in opens no
// second session, even presented again in another browser.
func TestMFAStateSingleUse(t *testing.T) {
	e := newEnv(t, options{editPool: mfaPool(pool.MFAOn, true, false)})
	e.createUser(t, "una", "una@example.com", goodPW)
	secret := e.enableTOTP(t, "una")
	b := e.browser()
	p := b.toMFA(alexaRedirects[0], "una", goodPW, "/mfa")
	u, _ := url.Parse(e.base)
	var stolen *http.Cookie
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "lp_mfa" {
			stolen = c
		}
	}
	codeFrom(t, b.submit(p, map[string]string{"code": totpAt(t, secret, e.clock.Now())}), alexaRedirects[0])
	e.clock.Advance(30 * time.Second)

	thief := e.browser()
	stolen.Path = "/" + e.pool.ID
	thief.c.Jar.SetCookies(u, []*http.Cookie{stolen})
	p = thief.get("/mfa?" + e.authQuery(alexaRedirects[0]).Encode())
	if p.Status != http.StatusOK {
		t.Fatalf("prompt with the copied cookie: %d", p.Status)
	}
	p = thief.submit(p, map[string]string{"code": totpAt(t, secret, e.clock.Now())})
	if p.Status != http.StatusBadRequest || p.cookie("lp_session") != nil {
		t.Fatalf("a used MFA state opened a session: %d %q", p.Status, p.Location)
	}
}

// TestSessionReuseNeedsFactors: a session from before the pool required
// MFA does not complete an authorization once it does.
func TestSessionReuseNeedsFactors(t *testing.T) {
	e := newEnv(t, options{})
	e.createUser(t, "rosa", "rosa@example.com", goodPW)
	b := e.browser()
	codeFrom(t, b.login(alexaRedirects[0], "rosa", goodPW), alexaRedirects[0])
	b.sessionStays(alexaRedirects[1])
	e.updatePool(t, mfaPool(pool.MFAOptional, true, false))
	b.sessionStays(alexaRedirects[1]) // OPTIONAL, no factor: nothing more to ask
	e.updatePool(t, mfaPool(pool.MFAOn, true, false))
	p := b.get("/oauth2/authorize?" + e.authQuery(alexaRedirects[0]).Encode())
	if p.Status != http.StatusFound || !strings.Contains(p.Location, "/login?") {
		t.Fatalf("authorize with a password-only session in an ON pool: %d %q, want /login", p.Status, p.Location)
	}
	p = b.login(alexaRedirects[0], "rosa", goodPW)
	b.expectMFARedirect(p, "/mfa/setup")
}

// TestPasswordlessEmailSignIn: where the pool allows it, the sign-in page
// offers a code by email; the code signs in to an authorization code
// that a real OAuth client exchanges for tokens. Unknown users get the
// same page and no mail.
func TestPasswordlessEmailSignIn(t *testing.T) {
	e := newEnv(t, options{editPool: func(p *pool.Pool) {
		mfaPool(pool.MFAOptional, false, true)(p)
		p.AllowedFirstAuthFactors = []string{pool.FirstFactorPassword, pool.FirstFactorEmailOTP}
	}})
	e.createUser(t, "pia", "pia@example.com", goodPW)
	conf := &oauth2.Config{
		ClientID: e.client.ID, ClientSecret: e.secret, RedirectURL: alexaRedirects[0],
		Scopes:   []string{"openid", "email"},
		Endpoint: oauth2.Endpoint{AuthURL: e.base + "/oauth2/authorize", TokenURL: e.base + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader},
	}
	start := func(b *browser) *page {
		p := b.get(conf.AuthCodeURL("alexa-state-42"))
		p = b.get(p.Location)
		p = b.get(p.linkByID(t, "codeSignInLink"))
		if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="loginCodeForm"`) {
			t.Fatalf("code sign-in page: %d\n%s", p.Status, p.Body)
		}
		checkPage(t, p)
		return p
	}

	mails := len(e.mailbox.Messages())
	ghost := e.browser()
	gp := ghost.submit(start(ghost), map[string]string{"username": "nobody"})
	b := e.browser()
	p := b.submit(start(b), map[string]string{"username": "pia"})
	if p.Status != http.StatusOK || gp.Status != http.StatusOK || !strings.Contains(p.Body, `id="loginCodeCode"`) ||
		strings.ReplaceAll(gp.Body, "nobody", "pia") != strings.ReplaceAll(p.Body, p.csrf(t), gp.csrf(t)) {
		t.Fatalf("the code pages of a known and an unknown user differ:\n%s\n----\n%s", p.Body, gp.Body)
	}
	if strings.Contains(p.Body, "p***@") {
		t.Error("the page names the address")
	}
	if n := len(e.mailbox.Messages()) - mails; n != 1 {
		t.Fatalf("%d mails, want 1 (none for the unknown user)", n)
	}
	// A disabled user gets the same page and no mail either.
	e.createUser(t, "dora", "dora@example.com", goodPW)
	if err := e.accounts.AdminDisableUser(context.Background(), e.pool, "dora"); err != nil {
		t.Fatal(err)
	}
	db := e.browser()
	if dp := db.submit(start(db), map[string]string{"username": "dora"}); dp.Status != http.StatusOK || e.mailbox.Count("dora@example.com") != 0 {
		t.Fatalf("disabled user: %d, %d mails", dp.Status, e.mailbox.Count("dora@example.com"))
	}
	if bad := ghost.submit(gp, map[string]string{"code": "12345678"}); bad.Status != http.StatusBadRequest || bad.fieldError("code") == "" {
		t.Fatalf("unknown user's code: %d", bad.Status)
	}
	if bad := b.submit(p, map[string]string{"code": "00000000"}); bad.Status != http.StatusBadRequest || bad.fieldError("code") == "" {
		t.Fatalf("wrong code: %d", bad.Status)
	}
	code := codeFrom(t, b.submit(p, map[string]string{"code": e.lastOTP(t, "pia@example.com")}), alexaRedirects[0])
	tok, err := conf.Exchange(context.Background(), code)
	if err != nil || tok.AccessToken == "" || tok.Extra("id_token") == nil {
		t.Fatalf("exchange: %v %+v", err, tok)
	}

	// Not offered when the pool requires MFA.
	e.updatePool(t, func(p *pool.Pool) { p.MFA.Mode = pool.MFAOn })
	lp := e.browser().get("/login?" + e.authQuery(alexaRedirects[0]).Encode())
	if strings.Contains(lp.Body, "codeSignInLink") {
		t.Error("an ON pool offers the sign-in with a code")
	}
	if p := e.browser().get("/login/code?" + e.authQuery(alexaRedirects[0]).Encode()); p.Status != http.StatusNotFound {
		t.Errorf("/login/code in an ON pool: %d", p.Status)
	}
}

// TestMFARequiredWithoutPossibleFactor: in a pool that requires MFA by
// email only, a user without an address cannot set a factor up; the
// sign-in page says so and no session is opened.
func TestMFARequiredWithoutPossibleFactor(t *testing.T) {
	e := newEnv(t, options{editPool: mfaPool(pool.MFAOn, false, true)})
	in := accountInput("nomail", goodPW)
	in.Permanent = true
	if _, err := e.accounts.AdminCreateUser(context.Background(), e.pool, in); err != nil {
		t.Fatal(err)
	}
	p := e.browser().login(alexaRedirects[0], "nomail", goodPW)
	if p.Status != http.StatusBadRequest || !strings.Contains(p.errorText(), "not available") || p.cookie("lp_session") != nil || p.cookie("lp_mfa") != nil {
		t.Fatalf("sign-in without a possible factor: %d %q", p.Status, p.errorText())
	}
}

// TestMFAWithoutAuthorizationRequest: a sign-in on a plain /login
// takes the second factor too and ends on the signed-in page.
func TestMFAWithoutAuthorizationRequest(t *testing.T) {
	e := newEnv(t, options{editPool: mfaPool(pool.MFAOptional, true, false)})
	e.createUser(t, "vic", "vic@example.com", goodPW)
	secret := e.enableTOTP(t, "vic")
	b := e.browser()
	p := b.submit(b.get("/login"), map[string]string{"username": "vic", "password": goodPW})
	b.expectMFARedirect(p, "/mfa")
	if strings.Contains(p.Location, "redirect_uri") {
		t.Errorf("the MFA page carries an authorization request: %s", p.Location)
	}
	p = b.submit(b.get(p.Location), map[string]string{"code": totpAt(t, secret, e.clock.Now())})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "You are signed in to SmartLamp.") || p.cookie("lp_session") == nil {
		t.Fatalf("after the code: %d\n%s", p.Status, p.Body)
	}
}

// TestMFASignInTriggersSeeClient: the post authentication trigger of a
// sign-in completed on /mfa sees the app client of the authorization
// request the MFA state carries (callerContext.clientId).
func TestMFASignInTriggersSeeClient(t *testing.T) {
	e := newEnv(t, options{editPool: mfaPool(pool.MFAOptional, true, false)})
	e.createUser(t, "tess", "tess@example.com", goodPW)
	secret := e.enableTOTP(t, "tess")
	tr := apptest.NewTriggers(t)
	var client atomic.Value
	client.Store("")
	tr.Handle(pool.TriggerPostAuthentication, func(_ context.Context, ev events.CognitoEventUserPoolsPostAuthentication) (events.CognitoEventUserPoolsPostAuthentication, error) {
		client.Store(ev.CallerContext.ClientID)
		return ev, nil
	})
	e.updatePool(t, func(p *pool.Pool) { tr.Configure(p, e.box, pool.TriggerPostAuthentication) })
	b := e.browser()
	p := b.toMFA(alexaRedirects[0], "tess", goodPW, "/mfa")
	codeFrom(t, b.submit(p, map[string]string{"code": totpAt(t, secret, e.clock.Now())}), alexaRedirects[0])
	if got := client.Load().(string); got != e.client.ID {
		t.Fatalf("post authentication's clientId = %q, want %q", got, e.client.ID)
	}
}

// TestTOTPSignInWithOAuthClient: a real OAuth 2.0 client (x/oauth2, PKCE
// S256) links a user who has an authenticator app: the form's password
// leads to the code prompt, a wrong code issues nothing, the right one
// reaches the redirect URI with the state, and the code is exchanged
// once for tokens whose ID token names the user.
func TestTOTPSignInWithOAuthClient(t *testing.T) {
	e := newEnv(t, options{editPool: mfaPool(pool.MFAOptional, true, false)})
	e.createUser(t, "tom", "tom@example.com", goodPW)
	secret := e.enableTOTP(t, "tom")
	conf := &oauth2.Config{
		ClientID: e.client.ID, ClientSecret: e.secret, RedirectURL: alexaRedirects[1],
		Scopes:   []string{"openid"},
		Endpoint: oauth2.Endpoint{AuthURL: e.base + "/oauth2/authorize", TokenURL: e.base + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader},
	}
	verifier := oauth2.GenerateVerifier()
	b := e.browser()
	p := b.get(conf.AuthCodeURL("alexa-state-42", oauth2.S256ChallengeOption(verifier)))
	p = b.get(p.Location)
	p = b.submit(p, map[string]string{"username": "tom", "password": goodPW})
	b.expectMFARedirect(p, "/mfa")
	p = b.get(p.Location)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `name="code"`) {
		t.Fatalf("code prompt: %d\n%s", p.Status, p.Body)
	}
	code := totpAt(t, secret, e.clock.Now())
	wrong := b.submit(p, map[string]string{"code": otherTOTP(code)})
	if wrong.Status != http.StatusBadRequest || wrong.Location != "" || wrong.cookie("lp_session") != nil {
		t.Fatalf("wrong code: %d %q", wrong.Status, wrong.Location)
	}
	authCode := codeFrom(t, b.submit(wrong, map[string]string{"code": code}), alexaRedirects[1])
	tok, err := conf.Exchange(context.Background(), authCode, oauth2.VerifierOption(verifier))
	if err != nil || tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("exchange: %v %+v", err, tok)
	}
	claims := apptest.JWTClaims(t, tok.Extra("id_token").(string))
	if claims["cognito:username"] != "tom" || claims["sub"] != mustSub(t, e, "tom") {
		t.Fatalf("ID token claims %v", claims)
	}
	if _, err := conf.Exchange(context.Background(), authCode, oauth2.VerifierOption(verifier)); err == nil {
		t.Fatal("the code was exchanged twice")
	}
}

// otherTOTP is a six-digit code that is not code.
func otherTOTP(code string) string {
	b := []byte(code)
	b[5] = '0' + (b[5]-'0'+1)%10
	return string(b)
}
