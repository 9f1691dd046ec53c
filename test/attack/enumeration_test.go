package attack_test

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/pool"
)

// probe is an enumeration request: a form that takes a username from
// anyone, posted with the other fields.
type probe struct {
	path   string
	fields url.Values
}

const probePassword = "N3w-Passw0rd-Here!"

var probes = map[string]probe{
	"login":           {"/login", url.Values{"password": {"wrong-Passw0rd!"}}},
	"forgot-password": {"/forgotPassword", nil},
	"resend-code":     {"/resendcode", nil},
	"confirm-forgot-password": {"/confirmForgotPassword", url.Values{
		"code": {"123456"}, "password": {probePassword}, "confirm_password": {probePassword}}},
}

// prepare opens the form in a fresh browser; the returned function posts
// it, as the page would, for username.
func (p probe) prepare(t *testing.T, tg *target, username string) func() *reply {
	b := tg.browser(t)
	form := cloneValues(p.fields)
	form.Set("username", username)
	form.Set("_csrf", b.get(p.path).csrf(t))
	return func() *reply { return b.post(p.path, form, tg.sameOrigin()...) }
}

func (p probe) send(t *testing.T, tg *target, username string) *reply {
	return p.prepare(t, tg, username)()
}

var csrfValue = regexp.MustCompile(`name="_csrf" value="[^"]*"`)

// normalized is a response as the attacker compares it: status and body,
// with the CSRF token and the echoed username blanked.
func normalized(r *reply, username string) string {
	body := csrfValue.ReplaceAllString(r.Body, `name="_csrf" value=""`)
	body = strings.ReplaceAll(body, url.QueryEscape(username), "USERNAME")
	body = strings.ReplaceAll(body, username, "USERNAME")
	loc := strings.ReplaceAll(r.Location, url.QueryEscape(username), "USERNAME")
	return fmt.Sprintf("%d %s\n%s", r.Status, loc, body)
}

// TestNoEnumerationByMessage protects against account enumeration by what
// the pages say: sign-in with a wrong password, a password-reset request,
// a reset with a wrong code and a request for a new sign-up code answer
// an existing user (confirmed, without
// a verified address, locked out, or with a reset code pending) exactly as
// a user who does not exist.
func TestNoEnumerationByMessage(t *testing.T) {
	tg := newTarget(t, targetOptions{})
	ctx := context.Background()
	for _, name := range slices.Sorted(maps.Keys(probes)) {
		p := probes[name]
		t.Run(name, func(t *testing.T) {
			// Fresh users per form, so no probe changes another's users.
			user := func(state string) string { return name + "-" + state }
			for _, state := range []string{"confirmed", "unverified", "locked", "pending"} {
				if _, err := tg.app.Accounts.AdminCreateUser(ctx, tg.pool, account.AdminCreateUserInput{
					Username: user(state), TemporaryPassword: userPassword, Permanent: true, EmailVerified: state != "unverified",
					Attributes: map[string]string{"email": user(state) + "@example.com"},
				}); err != nil {
					t.Fatal(err)
				}
			}
			for i := 0; i < 8; i++ { // past the lockout threshold
				probes["login"].send(t, tg, user("locked"))
			}
			if _, err := tg.app.Accounts.ForgotPassword(ctx, tg.pool, user("pending")); err != nil {
				t.Fatal(err)
			}
			mails := len(tg.mails(t))
			missing := normalized(p.send(t, tg, "nobody-here"), "nobody-here")
			for _, state := range []string{"confirmed", "unverified", "locked", "pending"} {
				if got := normalized(p.send(t, tg, user(state)), user(state)); got != missing {
					t.Errorf("%s answers an existing user (%s) differently from a missing one:\n--- existing\n%s\n--- missing\n%s",
						name, state, firstDifference(got, missing), firstDifference(missing, got))
				}
			}
			if name == "forgot-password" && len(tg.mails(t)) == mails {
				t.Fatal("no reset code was mailed: the probes did not reach the pool")
			}
		})
	}
}

// firstDifference returns a's text around the first byte where it
// differs from b.
func firstDifference(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return a[max(0, i-200):min(len(a), i+200)]
}

// TestNoEnumerationByTiming protects against account enumeration by
// response time, with the production password-hashing cost: for sign-in
// with a wrong password, a password-reset request, a reset with a wrong
// code and a request for a new sign-up code, existing users and missing ones must not differ by half a
// password hash or more (the work of a hash, or a round trip to the mail
// relay, done for one and not the other), also when the mail relay is not
// on the same machine. Each username is tried once, as an attacker
// probing a list would; each round times an existing user, a missing one
// and one password hash in rotating order, so a change in the machine's
// load moves all three alike; the lower quartiles are compared, as load
// only ever adds time.
func TestNoEnumerationByTiming(t *testing.T) {
	const rounds = 21
	tg := newTarget(t, targetOptions{hash: &password.DefaultParams})
	carolHash := tg.userNamed(t, "carol").PasswordHash
	hash := func() {
		if _, err := tg.app.Hasher.Verify(context.Background(), carolHash, "wrong"); err != nil {
			t.Fatal(err)
		}
	}
	// The reset request and the request for a new sign-up code hash
	// nothing, but mail a code to existing users: with the mail relay a
	// realistic distance away as well.
	remoteMail := newTarget(t, targetOptions{mailDelay: 20 * time.Millisecond})
	for _, c := range []struct {
		name string
		tg   *target
	}{
		{"login", tg}, {"forgot-password", tg}, {"confirm-forgot-password", tg},
		{"forgot-password", remoteMail}, {"resend-code", remoteMail},
	} {
		name, tg := c.name, c.tg
		label := name
		if tg == remoteMail {
			label += " with a mail relay 20ms away"
		}
		t.Run(label, func(t *testing.T) {
			existing := make([]string, rounds)
			for i := range existing {
				existing[i] = fmt.Sprintf("%s-user-%d", name, i)
				status := pool.StatusConfirmed
				if name == "resend-code" { // mailed a new code only while unconfirmed
					status = pool.StatusUnconfirmed
				}
				tg.storeUser(t, existing[i], status)
				// A real password, so sign-in verifies against a real hash.
				if name != "login" {
					continue
				}
				if err := tg.app.Accounts.AdminSetUserPassword(context.Background(), tg.pool, existing[i], userPassword, true); err != nil {
					t.Fatal(err)
				}
			}
			p := probes[name]
			probe := func(username string) func() {
				post := p.prepare(t, tg, username)
				return func() { post() }
			}
			var hit, miss, hashed []time.Duration
			for i := 0; i < rounds; i++ {
				steps := []struct {
					run  func()
					into *[]time.Duration
				}{
					{probe(existing[i]), &hit},
					{probe(fmt.Sprintf("%s-missing-%d", name, i)), &miss},
					{hash, &hashed},
				}
				for j := range steps {
					s := steps[(i+j)%len(steps)]
					start := time.Now()
					s.run()
					*s.into = append(*s.into, time.Since(start))
				}
			}
			mh, mm, cost := quartile(hit), quartile(miss), quartile(hashed)
			diff := mh - mm
			if diff < 0 {
				diff = -diff
			}
			t.Logf("medians: existing %v, missing %v, one password hash %v", median(hit), median(miss), median(hashed))
			t.Logf("lower quartiles: existing %v, missing %v, one password hash %v; difference %.0f%% of a hash", mh, mm, cost, 100*float64(diff)/float64(cost))
			if diff >= cost/2 {
				t.Errorf("%s: existing users answer in %v, missing ones in %v: a difference of %.0f%% of a password hash (%v) reveals which accounts exist",
					name, mh, mm, 100*float64(diff)/float64(cost), cost)
			}
		})
	}
}

// quartile returns the lower quartile of d.
func quartile(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/4]
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
