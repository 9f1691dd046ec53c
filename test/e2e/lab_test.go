package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/cli"
	"github.com/linkpool/linkpool/internal/hostedui"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/mail/smtptest"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/internal/store/sqlite"
	"github.com/linkpool/linkpool/internal/testclock"
	"github.com/linkpool/linkpool/internal/web"
)

// vendorID is the Amazon vendor id of the lab's skill: the last part of
// its three Alexa redirect URLs.
const vendorID = "M2LABVENDOR42"

// alexaSetup is what `linkpool init alexa --json` prints.
type alexaSetup struct {
	PoolID           string   `json:"pool_id"`
	ClientID         string   `json:"client_id"`
	ClientSecret     string   `json:"client_secret"`
	Issuer           string   `json:"issuer"`
	AuthorizationURI string   `json:"authorization_uri"`
	AccessTokenURI   string   `json:"access_token_uri"`
	Scopes           []string `json:"scopes"`
	RedirectURLs     []string `json:"alexa_redirect_urls"`
}

// lab is linkpool as an operator runs it: a data directory set up by the
// CLI, the server on a loopback port over that directory's SQLite
// database and master key, and a real SMTP server receiving its mail.
type lab struct {
	t         *testing.T
	dir       string
	publicURL string
	setup     alexaSetup
	smtp      *smtptest.Server
	store     skillstore.Database
	app       *app.App
	srv       *http.Server
	ln        net.Listener
	// storage are the CLI's storage flags besides --data.
	storage []string
}

// labOptions add to the server what a test needs.
type labOptions struct {
	// databaseURL, when set, is a PostgreSQL database used instead of
	// SQLite in the data directory; the master key is then a file in the
	// data directory, as all instances must share it.
	databaseURL string
	// skill, when set, mounts the SmartLamp skill (and the /lamps page)
	// with the options it returns for the lab's pool.
	skill func(l *lab) app.SkillOptions
	// clock, when set, is the server's clock (and the skill's): it is
	// moved to the wall clock once the CLI has set the data directory up,
	// and from then on only by the test.
	clock *testclock.Clock
}

// newLab runs `linkpool init alexa` in a fresh data directory and starts
// the server over it. The listener exists first, so that the public URL
// given to the CLI is the server's.
func newLab(t *testing.T, o labOptions) *lab {
	t.Helper()
	ctx := context.Background()
	l := &lab{t: t, dir: t.TempDir()}
	var err error
	l.ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l.publicURL = "http://" + l.ln.Addr().String()
	l.smtp = smtptest.New(t, smtptest.Options{From: "no-reply@smartlamp.test"})

	keyFile := filepath.Join(l.dir, "master.key")
	if o.databaseURL != "" {
		if _, _, err := seal.LoadOrCreate(keyFile); err != nil {
			t.Fatal(err)
		}
		l.storage = []string{"--database-url", o.databaseURL, "--master-key-file", keyFile}
	}
	out := l.cli("init", "alexa", "--vendor-id", vendorID, "--name", "SmartLamp", "--public-url", l.publicURL, "--json")
	if err := json.Unmarshal([]byte(out), &l.setup); err != nil {
		t.Fatalf("init alexa --json: %v\n%s", err, out)
	}

	// The server's clock starts after everything the CLI created.
	var now func() time.Time
	if o.clock != nil {
		if d := time.Since(o.clock.Now()); d > 0 {
			o.clock.Advance(d)
		}
		now = o.clock.Now
	}

	// The database and master key `linkpool serve` opens with the same
	// flags.
	if o.databaseURL != "" {
		l.store, err = postgres.Open(ctx, o.databaseURL)
	} else {
		l.store, err = sqlite.Open(ctx, filepath.Join(l.dir, "linkpool.db"))
	}
	if err != nil {
		t.Fatal(err)
	}
	box, _, err := seal.LoadOrCreate(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	mailer, err := mail.NewSMTP(l.smtp.URL)
	if err != nil {
		t.Fatal(err)
	}
	// Generous per-address limits: every request of the lab comes from
	// 127.0.0.1, and one user signs in for a dozen links in a row.
	limits := hostedui.Limits{
		Login: web.NewLimiter(6000, 1000), LoginUser: web.NewLimiter(6000, 1000),
		SignUp: web.NewLimiter(6000, 1000), ForgotPassword: web.NewLimiter(6000, 1000),
	}
	l.app, err = app.New(app.Config{
		Store: l.store, Box: box, PublicURL: l.publicURL, Mailer: mailer, HashConcurrency: 2,
		TokenRatePerMinute: 60000, TokenBurst: 10000, UILimits: &limits, Now: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.app.EnsureKeys(ctx); err != nil {
		t.Fatal(err)
	}
	if o.skill != nil {
		sk, mount, err := l.app.MountSkill(l.publicURL, o.skill(l))
		if err != nil {
			t.Fatal(err)
		}
		l.app.Server.MountGlobal(mount)
		// Pending ChangeReports finish before anything registered earlier,
		// such as a gateway stand-in, closes.
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = sk.Close(ctx)
		})
	}
	l.srv = &http.Server{Handler: l.app.Server.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = l.srv.Serve(l.ln) }()
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = l.srv.Shutdown(sctx)
		if err := l.app.Shutdown(sctx); err != nil {
			t.Errorf("app shutdown: %v", err)
		}
		_ = l.store.Close()
	})
	return l
}

// cli runs a linkpool command in-process against the lab's data
// directory and returns its standard output; a non-zero exit fails the
// test.
func (l *lab) cli(args ...string) string {
	l.t.Helper()
	return l.cliIn("", args...)
}

// cliIn is cli with standard input.
func (l *lab) cliIn(stdin string, args ...string) string {
	l.t.Helper()
	out, errOut, code := l.tryCLI(stdin, args...)
	if code != 0 {
		l.t.Fatalf("linkpool %s: exit %d\n%s", strings.Join(args[:min(2, len(args))], " "), code, errOut)
	}
	return out
}

// tryCLI runs a linkpool command and returns its output and exit code.
func (l *lab) tryCLI(stdin string, args ...string) (stdout, stderr string, code int) {
	// The storage flag goes right after the command words, before any
	// positional argument.
	i := 0
	for i < len(args) && !strings.HasPrefix(args[i], "-") && i < 2 {
		i++
	}
	full := append(append(append(append([]string{}, args[:i]...), "--data", l.dir), l.storage...), args[i:]...)
	stdout, stderr, code = runCLI(stdin, full...)
	l.configSeen()
	return stdout, stderr, code
}

// configSeen waits until the running server has read the database's
// configuration version (linkpool_config_version), so that a setting the
// CLI changed is what the server serves next: the server's configuration
// cache reads the version once a second.
func (l *lab) configSeen() {
	l.t.Helper()
	if l.app == nil {
		return
	}
	want, err := l.store.ConfigVersion(context.Background())
	if err != nil {
		l.t.Fatalf("configuration version: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for l.app.Config.Version() < want {
		if time.Now().After(deadline) {
			l.t.Fatalf("the server has not read configuration version %d in 10 s (it is at %d)", want, l.app.Config.Version())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// runCLI runs a linkpool command in-process as it is given.
func runCLI(stdin string, args ...string) (stdout, stderr string, code int) {
	var o, e bytes.Buffer
	code = cli.Main(context.Background(), args, strings.NewReader(stdin), &o, &e)
	return o.String(), e.String(), code
}

// lampsClient creates the /lamps page's app client with the CLI and
// returns its id and secret.
func (l *lab) lampsClient() (id, secret string) {
	l.t.Helper()
	out := l.cli("client", "create", "--pool", l.setup.PoolID, "--name", "smartlamp-web", "--generate-secret",
		"--callback-url", l.publicURL+"/lamps/callback", "--logout-url", l.publicURL+"/lamps",
		"--flows", "code", "--scopes", "openid,email,profile", "--json")
	var c struct {
		ClientID     string `json:"ClientId"`
		ClientSecret string `json:"ClientSecret"`
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.ClientID == "" || c.ClientSecret == "" {
		l.t.Fatalf("client create --json: %v\n%s", err, out)
	}
	return c.ClientID, c.ClientSecret
}

// issuer is the pool's issuer and the base of its endpoints.
func (l *lab) issuer() string { return l.setup.Issuer }

var codePattern = regexp.MustCompile(`\b[0-9]{6}\b`)

// delivered returns the mail the SMTP server has received, once the
// app's outbox has delivered everything queued so far: sign-up and
// resend queue their mail and answer before it is delivered.
func (l *lab) delivered() ([]smtptest.Received, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.app.Mail.Flush(ctx); err != nil {
		return nil, fmt.Errorf("queued mail not delivered: %w", err)
	}
	return l.smtp.Messages(), nil
}

// mailedCode returns the verification code of the last mail the SMTP
// server received for to.
func (l *lab) mailedCode(to string) (code, subject string) {
	l.t.Helper()
	msgs, err := l.delivered()
	if err != nil {
		l.t.Fatal(err)
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		for _, rcpt := range m.RcptTo {
			if strings.EqualFold(rcpt, to) {
				if c := codePattern.FindString(m.Text); c != "" {
					return c, m.Subject
				}
			}
		}
	}
	l.t.Fatalf("no code was mailed to %s (%d messages received)", to, len(msgs))
	return "", ""
}
