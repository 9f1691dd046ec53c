package attack_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// hostedForm is a form, the fields a user would submit, and the state a
// post of it changes.
type hostedForm struct {
	path   string
	fields url.Values
	state  func(t *testing.T) any
}

// csrfAttacks are the ways an attacker's page (or a script replaying a
// victim's cookie) posts a form; each must be refused with 403.
var csrfAttacks = []struct {
	name    string
	token   string // "valid", "none", "foreign" (another browser's)
	cookie  bool   // whether the browser holds the CSRF cookie
	headers []string
}{
	{"cross-site, valid token", "valid", true, []string{"Origin", attackerSite, "Sec-Fetch-Site", "cross-site"}},
	{"cross-site Origin only, valid token", "valid", true, []string{"Origin", attackerSite}},
	{"same-site sibling, valid token", "valid", true, []string{"Origin", "http://sibling.localhost", "Sec-Fetch-Site", "same-site"}},
	{"Origin null, valid token", "valid", true, []string{"Origin", "null"}},
	{"same-origin, no token", "none", true, nil},
	{"no browser headers, no token", "none", true, []string{"-", ""}},
	{"same-origin, token without cookie", "valid", false, nil},
	{"same-origin, another browser's token", "foreign", true, nil},
}

// TestHostedFormsRefuseCSRF protects every form of the hosted pages: a
// cross-site post and a post without the matching double-submit token are
// refused with 403 and change nothing; the same post from the page itself
// then takes effect (the positive control).
func TestHostedFormsRefuseCSRF(t *testing.T) {
	tg := newTarget(t, targetOptions{})
	ctx := context.Background()
	user := func(username string) func(t *testing.T) any {
		return func(t *testing.T) any { return tg.userNamed(t, username) }
	}

	// dave signed up and holds a confirmation code; erin is unconfirmed
	// without one; frank and grace may reset their passwords, and grace
	// has a reset code; heidi must replace an administrator's password.
	if _, err := tg.app.Accounts.SignUp(ctx, tg.pool, account.SignUpInput{
		Username: "dave", Password: userPassword, Attributes: map[string]string{"email": "dave@example.com"},
	}); err != nil {
		t.Fatal(err)
	}
	tg.storeUser(t, "erin", pool.StatusUnconfirmed)
	for _, name := range []string{"frank", "grace"} {
		if _, err := tg.app.Accounts.AdminCreateUser(ctx, tg.pool, account.AdminCreateUserInput{
			Username: name, TemporaryPassword: userPassword, Permanent: true, EmailVerified: true,
			Attributes: map[string]string{"email": name + "@example.com"},
		}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tg.app.Accounts.ForgotPassword(ctx, tg.pool, "grace"); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.app.Accounts.AdminCreateUser(ctx, tg.pool, account.AdminCreateUserInput{
		Username: "heidi", TemporaryPassword: "Temp0rary-Pass!", Attributes: map[string]string{"email": "heidi@example.com"},
	}); err != nil {
		t.Fatal(err)
	}
	const newPassword = "N3w-Passw0rd-Here!"
	forms := []hostedForm{
		// A wrong password: a forged sign-in would count towards lockout.
		{"/login", url.Values{"username": {"carol"}, "password": {"wrong-Passw0rd!"}}, user("carol")},
		{"/signup", url.Values{"username": {"mallory"}, "email": {"mallory@example.com"}, "password": {newPassword}, "confirm_password": {newPassword}},
			func(t *testing.T) any { _, err := tg.app.Accounts.Lookup(ctx, tg.pool, "mallory"); return err == nil }},
		// A wrong code: a forged attempt would use up the user's code.
		{"/confirm", url.Values{"username": {"dave"}, "code": {"000000"}}, user("dave")},
		{"/confirmUser", url.Values{"username": {"dave"}, "code": {"000000"}}, user("dave")},
		{"/resendcode", url.Values{"username": {"erin"}}, user("erin")},
		{"/forgotPassword", url.Values{"username": {"frank"}}, user("frank")},
		{"/confirmForgotPassword", url.Values{"username": {"grace"}, "code": {"000000"}, "password": {newPassword}, "confirm_password": {newPassword}}, user("grace")},
		{"/confirmforgotPassword", url.Values{"username": {"grace"}, "code": {"000000"}, "password": {newPassword}, "confirm_password": {newPassword}}, user("grace")},
		{"/changePassword", url.Values{"username": {"heidi"}, "current_password": {"Temp0rary-Pass!"}, "password": {newPassword}, "confirm_password": {newPassword}}, user("heidi")},
	}

	for _, f := range forms {
		for _, a := range csrfAttacks {
			t.Run(f.path+"/"+a.name, func(t *testing.T) {
				victim := tg.browser(t)
				page := victim.get(f.path)
				if page.Status != http.StatusOK {
					t.Fatalf("GET %s: %d", f.path, page.Status)
				}
				form := cloneValues(f.fields)
				switch a.token {
				case "valid":
					form.Set("_csrf", page.csrf(t))
				case "foreign":
					form.Set("_csrf", tg.browser(t).get(f.path).csrf(t))
				}
				if !a.cookie {
					victim = tg.browser(t)
				}
				headers := a.headers
				switch {
				case headers == nil:
					headers = tg.sameOrigin()
				case headers[0] == "-":
					headers = nil
				}
				before := f.state(t)
				r := victim.post(f.path, form, headers...)
				if r.Status != http.StatusForbidden {
					t.Fatalf("POST %s: %d %q, want 403\n%.1000s", f.path, r.Status, r.Location, r.Body)
				}
				if r.Location != "" || r.Header.Get("Set-Cookie") != "" && strings.Contains(r.Header.Get("Set-Cookie"), "session") {
					t.Fatalf("refused post redirects (%q) or opens a session", r.Location)
				}
				if !reflect.DeepEqual(before, f.state(t)) {
					t.Fatalf("a refused POST %s changed state", f.path)
				}
			})
		}
		// The positive control: the page's own post takes effect.
		t.Run(f.path+"/same-origin with token takes effect", func(t *testing.T) {
			b := tg.browser(t)
			form := cloneValues(f.fields)
			form.Set("_csrf", b.get(f.path).csrf(t))
			before := f.state(t)
			r := b.post(f.path, form, tg.sameOrigin()...)
			if r.Status == http.StatusForbidden || reflect.DeepEqual(before, f.state(t)) {
				t.Fatalf("the page's own POST %s did nothing: %d\n%.1000s", f.path, r.Status, r.Body)
			}
		})
	}
}

// TestLampsFormsRefuseCSRF protects the /lamps page's forms (toggle and
// sign-out): a cross-site post, and a post carrying the session cookie
// but no proof that it came from the page, are refused and change
// nothing.
func TestLampsFormsRefuseCSRF(t *testing.T) {
	tg := newTarget(t, targetOptions{})
	victim := tg.browser(t)
	victim.lampsSignIn()
	signedIn := func(t *testing.T) bool { return victim.get("/lamps").Status == http.StatusOK }
	if !signedIn(t) {
		t.Fatal("no /lamps session")
	}
	forms := []hostedForm{
		{"/lamps/toggle", url.Values{"lamp": {tg.lampID}}, func(t *testing.T) any { return tg.lampOn(t) }},
		{"/lamps/logout", url.Values{}, func(t *testing.T) any { return signedIn(t) }},
	}
	for _, f := range forms {
		for _, a := range []struct {
			name    string
			headers []string
		}{
			{"cross-site", []string{"Origin", attackerSite, "Sec-Fetch-Site", "cross-site"}},
			{"cross-site Origin only", []string{"Origin", attackerSite}},
			{"same-site sibling", []string{"Origin", "http://sibling.localhost", "Sec-Fetch-Site", "same-site"}},
			{"no browser headers, no token", nil},
		} {
			t.Run(f.path+"/"+a.name, func(t *testing.T) {
				before := f.state(t)
				r := victim.post(f.path, f.fields, a.headers...)
				if r.Status != http.StatusForbidden {
					t.Errorf("POST %s: %d %q, want 403", f.path, r.Status, r.Location)
				}
				if !reflect.DeepEqual(before, f.state(t)) {
					t.Fatalf("a forged POST %s changed state", f.path)
				}
			})
		}
	}
}

// TestEveryPageRefusesFraming protects against clickjacking: every page,
// error pages and refusals included, forbids framing.
func TestEveryPageRefusesFraming(t *testing.T) {
	tg := newTarget(t, targetOptions{})
	b := tg.browser(t)
	q := "?" + tg.authQuery().Encode()
	pages := []struct {
		method, path string
	}{
		{"GET", "/login" + q}, {"GET", "/signup" + q}, {"GET", "/confirm" + q}, {"GET", "/confirmUser"},
		{"GET", "/resendcode" + q}, {"GET", "/forgotPassword" + q}, {"GET", "/confirmForgotPassword" + q},
		{"GET", "/confirmforgotPassword"}, {"GET", "/changePassword" + q},
		{"GET", "/error?error=redirect_mismatch&client_id=" + tg.alexa.ID},
		{"GET", "/oauth2/authorize?" + tg.authQuery("redirect_uri", attackerSite).Encode()},
		{"GET", "/logout?client_id=" + tg.alexa.ID + "&logout_uri=" + url.QueryEscape(attackerSite)},
		{"POST", "/login" + q}, // refused: no token
		{"GET", "/lamps"}, {"GET", "/lamps/callback?code=x&state=y"},
		{"POST", "/lamps/toggle"}, {"POST", "/lamps/logout"},
	}
	for _, p := range pages {
		t.Run(p.method+" "+p.path, func(t *testing.T) {
			var r *reply
			if p.method == "POST" {
				r = b.post(p.path, url.Values{}, tg.sameOrigin()...)
			} else {
				r = b.get(p.path)
			}
			if r.Status >= 500 {
				t.Fatalf("status %d", r.Status)
			}
			csp := r.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "frame-ancestors 'none'") || r.Header.Get("X-Frame-Options") != "DENY" {
				t.Fatalf("%d: CSP %q, X-Frame-Options %q", r.Status, csp, r.Header.Get("X-Frame-Options"))
			}
		})
	}
}

// lampsSignIn signs carol in to the /lamps page through the pool's hosted
// login, as a browser follows the redirects.
func (b *browser) lampsSignIn() {
	b.t.Helper()
	r := b.get("/lamps")
	for hops := 0; hops < 10 && r.Location != ""; hops++ {
		next, err := url.Parse(r.Location)
		if err != nil {
			b.t.Fatal(err)
		}
		if strings.HasSuffix(next.Path, "/login") {
			page := b.get(r.Location)
			form := url.Values{"_csrf": {page.csrf(b.t)}, "username": {"carol"}, "password": {userPassword}}
			r = b.post(page.action(b.t), form, b.tg.sameOrigin()...)
			continue
		}
		if !next.IsAbs() {
			next = (&url.URL{Scheme: "http", Host: strings.TrimPrefix(b.tg.publicURL, "http://")}).ResolveReference(next)
		}
		r = b.get(next.String())
	}
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "Desk lamp") {
		b.t.Fatalf("/lamps sign-in ended with %d\n%.1000s", r.Status, r.Body)
	}
}

// userNamed returns the stored user.
func (tg *target) userNamed(t testing.TB, username string) pool.User {
	t.Helper()
	u, err := tg.app.Accounts.Lookup(context.Background(), tg.pool, username)
	if err != nil {
		t.Fatalf("lookup %s: %v", username, err)
	}
	return u
}

// storeUser creates a user with a verified address in state status and
// no pending code.
func (tg *target) storeUser(t testing.TB, username, status string) pool.User {
	t.Helper()
	now := time.Now()
	u := pool.User{
		PoolID: tg.pool.ID, Sub: pool.NewSub(), Username: username, UsernameKey: tg.pool.UsernameKey(username),
		Attributes: map[string]string{"email": username + "@example.com", "email_verified": "true"},
		Status:     status, Enabled: true, CreatedAt: now, UpdatedAt: now,
	}
	if err := tg.st.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
