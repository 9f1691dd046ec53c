package hostedui_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// sourceMessages answers the custom message trigger with a mail naming
// the event's trigger source and the code.
func sourceMessages(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
	ev.Response.EmailSubject = "Lamp code"
	ev.Response.EmailMessage = ev.TriggerSource + " " + ev.Request.CodeParameter
	return ev, nil
}

// lastText is the text of the last mail to to.
func (e *env) lastText(t *testing.T, to string) string {
	t.Helper()
	for _, m := range slices.Backward(e.mailbox.Messages()) {
		if m.To == to {
			return m.Text
		}
	}
	t.Fatalf("no mail to %s", to)
	return ""
}

// sourceLog hands out the trigger sources received since its last call.
type sourceLog struct {
	tr   *apptest.Triggers
	seen int
}

func (s *sourceLog) next() []string {
	all := s.tr.Sources()
	got := all[s.seen:]
	s.seen = len(all)
	return got
}

// TestTriggerSourcesOnHostedPages: each hosted page runs its trigger
// sources, as Cognito's hosted UI does: the sign-up page pre sign-up and
// the sign-up code's custom message, the resend link CustomMessage_ResendCode,
// the confirmation page post confirmation, the sign-in page pre and post
// authentication, the forgot-password page CustomMessage_ForgotPassword
// and the reset page PostConfirmation_ConfirmForgotPassword. Each mail
// is the trigger's message.
func TestTriggerSourcesOnHostedPages(t *testing.T) {
	e := newEnv(t, options{})
	tr := apptest.NewTriggers(t)
	tr.Handle(pool.TriggerCustomMessage, sourceMessages)
	e.updatePool(t, func(p *pool.Pool) {
		tr.Configure(p, e.box, pool.TriggerPreSignUp, pool.TriggerCustomMessage, pool.TriggerPostConfirmation,
			pool.TriggerPreAuthentication, pool.TriggerPostAuthentication)
	})
	log := &sourceLog{tr: tr}
	step := func(name string, want ...string) {
		t.Helper()
		if got := log.next(); !slices.Equal(got, want) {
			t.Fatalf("%s: sources = %v, want %v", name, got, want)
		}
	}
	wantMail := func(to, source string) string {
		t.Helper()
		code := e.mailbox.LastCode(t, to)
		if got, want := e.lastText(t, to), source+" "+code; got != want {
			t.Fatalf("mail = %q, want %q", got, want)
		}
		return code
	}
	b := e.browser()

	p := b.get("/signup?" + e.authQuery(alexaRedirects[0]).Encode())
	confirm := b.submit(p, map[string]string{"username": "tina", "email": "tina@example.com", "password": goodPW})
	if confirm.Status != http.StatusOK || !strings.Contains(confirm.Body, `id="confirmFormCode"`) {
		t.Fatalf("after sign-up: %d\n%s", confirm.Status, confirm.Body)
	}
	step("sign-up page", trigger.SourcePreSignUp, trigger.SourceCustomMessageSignUp)
	wantMail("tina@example.com", trigger.SourceCustomMessageSignUp)

	e.clock.Advance(account.DefaultCodeInterval)
	resend := b.submit(b.get(confirm.linkByID(t, "resendCodeLink")), map[string]string{})
	if resend.Status != http.StatusOK || !strings.Contains(resend.noticeText(), "we sent a new code") {
		t.Fatalf("resend: %d\n%s", resend.Status, resend.Body)
	}
	step("resend link", trigger.SourceCustomMessageResendCode)
	code := wantMail("tina@example.com", trigger.SourceCustomMessageResendCode)

	// The confirmation signs the user in: the sign-in completes, so post
	// authentication follows post confirmation.
	codeFrom(t, b.submit(resend, map[string]string{"code": code}), alexaRedirects[0])
	step("confirmation page", trigger.SourcePostConfirmation, trigger.SourcePostAuthentication)

	codeFrom(t, e.browser().login(alexaRedirects[0], "tina", goodPW), alexaRedirects[0])
	step("sign-in page", trigger.SourcePreAuthentication, trigger.SourcePostAuthentication)

	e.clock.Advance(account.DefaultCodeInterval)
	fb := e.browser()
	login := fb.get("/login?" + e.authQuery(alexaRedirects[0]).Encode())
	reset := fb.submit(fb.get(login.linkByID(t, "forgotPasswordLink")), map[string]string{"username": "tina"})
	if reset.Status != http.StatusOK {
		t.Fatalf("forgot password page: %d\n%s", reset.Status, reset.Body)
	}
	step("forgot password page", trigger.SourceCustomMessageForgot)
	code = wantMail("tina@example.com", trigger.SourceCustomMessageForgot)
	done := fb.submit(reset, map[string]string{"code": code, "password": "N3w-password!", "confirm_password": "N3w-password!"})
	if done.Status != http.StatusSeeOther || !strings.Contains(done.Location, "notice=password_reset") {
		t.Fatalf("reset: %d %q\n%s", done.Status, done.Location, done.Body)
	}
	step("reset page", trigger.SourcePostConfirmationForgot)
	if tr.BadSignatures() != 0 {
		t.Fatal("a request failed the signature check")
	}
}

// TestCustomMessageAuthenticationOnHostedPage: the email code of a
// hosted sign-in's second factor and that of the sign-in with an email
// code are CustomMessage_Authentication, and the trigger's message is
// the mail; the code sign-in runs pre authentication before the code is
// mailed and post authentication when it completes.
func TestCustomMessageAuthenticationOnHostedPage(t *testing.T) {
	e := newEnv(t, options{editPool: func(p *pool.Pool) {
		mfaPool(pool.MFAOptional, false, true)(p)
		p.AllowedFirstAuthFactors = []string{pool.FirstFactorPassword, pool.FirstFactorEmailOTP}
	}})
	e.createUser(t, "emil", "emil@example.com", goodPW)
	e.createUser(t, "pia", "pia@example.com", goodPW)
	if _, err := e.accounts.SetMFAPreference(context.Background(), e.pool, mustSub(t, e, "emil"),
		account.MFAPreference{Email: &account.FactorSetting{Enabled: true, Preferred: true}}); err != nil {
		t.Fatalf("SetMFAPreference: %v", err)
	}
	tr := apptest.NewTriggers(t)
	tr.Handle(pool.TriggerCustomMessage, sourceMessages)
	e.updatePool(t, func(p *pool.Pool) {
		tr.Configure(p, e.box, pool.TriggerCustomMessage, pool.TriggerPreAuthentication, pool.TriggerPostAuthentication)
	})
	log := &sourceLog{tr: tr}
	mailed := func(to string) string {
		t.Helper()
		otp := e.lastOTP(t, to)
		if got, want := e.lastText(t, to), trigger.SourceCustomMessageAuthentication+" "+otp; got != want {
			t.Fatalf("mail = %q, want %q", got, want)
		}
		return otp
	}

	b := e.browser()
	p := b.toMFA(alexaRedirects[0], "emil", goodPW, "/mfa")
	codeFrom(t, b.submit(p, map[string]string{"code": mailed("emil@example.com")}), alexaRedirects[0])
	want := []string{trigger.SourcePreAuthentication, trigger.SourceCustomMessageAuthentication, trigger.SourcePostAuthentication}
	if got := log.next(); !slices.Equal(got, want) {
		t.Fatalf("email factor: sources = %v, want %v", got, want)
	}

	cb := e.browser()
	login := cb.get("/login?" + e.authQuery(alexaRedirects[0]).Encode())
	p = cb.submit(cb.get(login.linkByID(t, "codeSignInLink")), map[string]string{"username": "pia"})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="loginCodeCode"`) {
		t.Fatalf("code sign-in: %d\n%s", p.Status, p.Body)
	}
	codeFrom(t, cb.submit(p, map[string]string{"code": mailed("pia@example.com")}), alexaRedirects[0])
	if got := log.next(); !slices.Equal(got, want) {
		t.Fatalf("sign-in with an email code: sources = %v, want %v", got, want)
	}
}

// TestUserMigrationForgotPasswordOnHostedPage: the forgot-password page
// for a user linkpool does not know asks the user migration trigger
// (UserMigration_ForgotPassword); the user it vouches for is created
// RESET_REQUIRED, gets the code, sets a password on the reset page and
// signs in with it without the trigger. A user the trigger does not know
// gets the same page and no mail, and nothing is stored.
func TestUserMigrationForgotPasswordOnHostedPage(t *testing.T) {
	e := newEnv(t, options{})
	tr := apptest.NewTriggers(t)
	tr.Handle(pool.TriggerUserMigration, func(_ context.Context, ev events.CognitoEventUserPoolsMigrateUser) (events.CognitoEventUserPoolsMigrateUser, error) {
		if ev.UserName != "olga" || ev.TriggerSource != trigger.SourceUserMigrationForgotPassword || ev.CognitoEventUserPoolsMigrateUserRequest.Password != "" {
			return ev, errors.New("User does not exist")
		}
		r := &ev.CognitoEventUserPoolsMigrateUserResponse
		r.UserAttributes = map[string]string{"email": "olga@legacy.example", "email_verified": "true"}
		r.FinalUserStatus = "RESET_REQUIRED"
		r.MessageAction = "SUPPRESS"
		return ev, nil
	})
	e.updatePool(t, func(p *pool.Pool) { tr.Configure(p, e.box, pool.TriggerUserMigration) })
	b := e.browser()
	login := b.get("/login?" + e.authQuery(alexaRedirects[0]).Encode())
	forgot := b.get(login.linkByID(t, "forgotPasswordLink"))

	stranger := b.submit(forgot, map[string]string{"username": "kim"})
	if stranger.Status != http.StatusOK || !strings.Contains(stranger.noticeText(), "If an account exists") {
		t.Fatalf("forgot password for an unknown user: %d\n%s", stranger.Status, stranger.Body)
	}
	if _, err := e.accounts.Lookup(context.Background(), e.pool, "kim"); account.TypeOf(err) != account.UserNotFoundException {
		t.Fatalf("a user the trigger refused: %v", err)
	}

	reset := b.submit(forgot, map[string]string{"username": "olga"})
	if reset.Status != http.StatusOK {
		t.Fatalf("forgot password: %d\n%s", reset.Status, reset.Body)
	}
	u, err := e.accounts.Lookup(context.Background(), e.pool, "olga")
	if err != nil || u.Status != pool.StatusResetRequired || u.PasswordHash != "" || u.Email() != "olga@legacy.example" {
		t.Fatalf("migrated user: %+v %v", u, err)
	}
	code := e.mailbox.LastCode(t, "olga@legacy.example")
	done := b.submit(reset, map[string]string{"code": code, "password": "N3w-password!", "confirm_password": "N3w-password!"})
	if done.Status != http.StatusSeeOther || !strings.Contains(done.Location, "notice=password_reset") {
		t.Fatalf("reset: %d %q\n%s", done.Status, done.Location, done.Body)
	}
	codeFrom(t, e.browser().login(alexaRedirects[0], "olga", "N3w-password!"), alexaRedirects[0])
	want := []string{trigger.SourceUserMigrationForgotPassword, trigger.SourceUserMigrationForgotPassword}
	if got := tr.Sources(); !slices.Equal(got, want) {
		t.Fatalf("sources = %v, want %v (none for the later sign-in)", got, want)
	}
	if n := e.mailbox.Count("olga@legacy.example"); n != 1 {
		t.Fatalf("%d mails to the migrated user, want the code only", n)
	}
}

// TestPreAuthenticationFailuresOnHostedPage: a pre authentication trigger
// that reports an error, answers something that is not an event or does
// not answer in time keeps
// the browser on the sign-in page with the refusal, without a session or
// a code for the client, and changes nothing stored (no failed sign-in
// counted); post authentication does not run.
func TestPreAuthenticationFailuresOnHostedPage(t *testing.T) {
	for name, answer := range map[string]http.HandlerFunc{
		"error": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"errorMessage":"Outside office hours","errorType":"Error"}`))
		},
		"malformed": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`["not an event"]`))
		},
		"timeout": func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, options{triggerTimeout: 300 * time.Millisecond})
			u := e.createUser(t, "tina", "tina@example.com", goodPW)
			tr := apptest.NewTriggers(t)
			tr.HandleRaw(pool.TriggerPreAuthentication, answer)
			e.updatePool(t, func(p *pool.Pool) {
				tr.Configure(p, e.box, pool.TriggerPreAuthentication, pool.TriggerPostAuthentication)
			})
			before := e.user(t, u.Sub)
			p := e.browser().login(alexaRedirects[0], "tina", goodPW)
			if p.Status != http.StatusBadRequest || p.Location != "" || p.cookie("lp_session") != nil ||
				!strings.Contains(p.Body, "This app refused the request.") {
				t.Fatalf("sign-in pre authentication refused: %d %q\n%s", p.Status, p.Location, p.Body)
			}
			if after := e.user(t, u.Sub); !reflect.DeepEqual(after, before) {
				t.Fatalf("the refused sign-in changed the user: %+v, was %+v", after, before)
			}
			if got := tr.Sources(); !slices.Equal(got, []string{trigger.SourcePreAuthentication}) {
				t.Fatalf("sources = %v", got)
			}
		})
	}
}
