package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/locales"
	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/smarthome/alexa"
	"github.com/linkpool/linkpool/internal/smarthome/smarthometest"
	"github.com/linkpool/linkpool/internal/testclock"
)

// The skill's "Alexa Skill Messaging" client at Login with Amazon, which
// the gateway stand-in plays.
const (
	lwaClientID = "amzn1.application-oa2-client.smartlamp-lab"
	lwaSecret   = "lwa-lab-secret-4f1d2c3b5a69788796a5b4c3"
	skillName   = "SmartLamp"
)

// alexaLab is the lab with the SmartLamp skill and its /lamps page
// mounted, the Login with Amazon and event gateway stand-in on its own
// loopback port, and the simulator's environment.
type alexaLab struct {
	*lab
	gw     *alexasim.Gateway
	gwURL  string
	schema *alexasim.Schema
	// clock is shared by the server, the skill and the simulator:
	// advancing it expires access tokens at the server and the skill as
	// much as for Alexa.
	clock       *testclock.Clock
	lampsClient string
}

// newAlexaLab starts the lab with o (its skill option is the lab's own).
func newAlexaLab(t *testing.T, o labOptions) *alexaLab {
	t.Helper()
	schema, err := alexasim.LoadSchema(filepath.Join(smarthometest.DataDir(t), "schema", alexasim.SchemaFile))
	if err != nil {
		t.Fatal(err)
	}
	a := &alexaLab{schema: schema, clock: testclock.New(time.Now())}
	a.gw = alexasim.NewGateway(alexasim.GatewayConfig{ClientID: lwaClientID, ClientSecret: lwaSecret, Schema: schema})
	gwSrv := httptest.NewServer(a.gw)
	t.Cleanup(gwSrv.Close)
	a.gwURL = gwSrv.URL
	o.skill = func(l *lab) app.SkillOptions {
		id, secret := l.lampsClient()
		a.lampsClient = id
		return app.SkillOptions{
			PoolID: l.setup.PoolID, ClientIDs: []string{l.setup.ClientID},
			Options: smarthome.Options{
				LampsClientID: id, LampsClientSecret: secret,
				LWA:             smarthome.LWAConfig{ClientID: lwaClientID, ClientSecret: lwaSecret, TokenURL: a.gwURL + "/auth/o2/token"},
				EventGatewayURL: a.gwURL + "/v3/events",
			},
			LampsRedirectURL: l.publicURL + "/lamps/callback",
		}
	}
	o.clock = a.clock
	a.lab = newLab(t, o)
	return a
}

// console is the developer console's account linking page for the
// lab's pool, as `init alexa` told the developer to fill it in, with Send
// Alexa Events on.
func (a *alexaLab) console(region alexasim.Region, scheme alexasim.Scheme, pkce bool) alexasim.Console {
	return alexasim.Console{
		AuthorizationURI: a.setup.AuthorizationURI,
		AccessTokenURI:   a.setup.AccessTokenURI,
		ClientID:         a.setup.ClientID,
		ClientSecret:     a.setup.ClientSecret,
		Scheme:           scheme,
		Scopes:           a.setup.Scopes,
		VendorID:         vendorID,
		Region:           region,
		PKCE:             pkce,
		SendAlexaEvents:  true,
	}
}

// env is the simulator's environment: the skill over HTTP, Amazon's
// schema, the lab's clock, and retries without real waits.
func (a *alexaLab) env() alexasim.Env {
	return alexasim.Env{
		Now: a.clock.Now, Schema: a.schema,
		Skill: &alexasim.HTTPSkill{URL: a.publicURL + "/alexa/smart-home"},
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	}
}

// linkAccount plays one account link and returns its result, whatever
// happened.
func (a *alexaLab) linkAccount(name string, c alexasim.Console, signIn alexasim.SignIn) (*alexasim.LinkResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return alexasim.LinkAccount(ctx, alexasim.LinkOptions{
		Name: name, SkillName: skillName, Console: c, SignIn: signIn, Env: a.env(),
		Gateway: a.gwURL, SkillURL: a.publicURL + "/alexa/smart-home",
	})
}

// mustLink links and fails the test unless the link is complete, with
// no diagnosis but the loopback lab's NOT_HTTPS warnings.
func (a *alexaLab) mustLink(t *testing.T, name string, c alexasim.Console, signIn alexasim.SignIn) *alexasim.Link {
	t.Helper()
	res, err := a.linkAccount(name, c, signIn)
	if err != nil || !res.OK {
		t.Fatalf("link %s: %v\n%s", name, err, describe(res))
	}
	if ds := unexpected(res.Diagnoses); len(ds) > 0 {
		t.Errorf("link %s: unexpected diagnoses %v", name, ds.Codes())
	}
	l := res.Link
	if !l.IsLinked() || l.RedirectURI != c.Region.RedirectURL(vendorID) {
		t.Fatalf("link %s: linked %v via %s", name, l.IsLinked(), l.RedirectURI)
	}
	if l.AcceptGrantAt.IsZero() || res.AcceptGrant == nil || res.AcceptGrant.Name != "Alexa.Authorization/AcceptGrant.Response" {
		t.Errorf("link %s: AcceptGrant was not accepted", name)
	}
	if len(l.Endpoints) != 1 || l.Endpoints[0].FriendlyName != "Desk Lamp" {
		t.Fatalf("link %s: discovery found %+v, want the Desk Lamp", name, l.Endpoints)
	}
	if l.Tokens.ExpiresIn < alexasim.MinExpiresIn || l.Tokens.RefreshToken == "" {
		t.Errorf("link %s: expires_in %d, refresh token present %v", name, l.Tokens.ExpiresIn, l.Tokens.RefreshToken != "")
	}
	return l
}

// describe renders a link result's steps and diagnoses for failures.
func describe(res *alexasim.LinkResult) string {
	if res == nil {
		return "no result"
	}
	var b strings.Builder
	for _, s := range res.Steps {
		fmt.Fprintf(&b, "  step %s ok=%v %s\n", s.Name, s.OK, s.Detail)
	}
	for _, d := range res.Diagnoses {
		fmt.Fprintf(&b, "  %s\n", d)
	}
	return b.String()
}

// unexpected drops the NOT_HTTPS warnings every loopback lab gets.
func unexpected(ds alexasim.Diagnoses) alexasim.Diagnoses {
	var out alexasim.Diagnoses
	for _, d := range ds {
		if d.Code == alexasim.CodeNotHTTPS && d.Severity == alexasim.Warning {
			continue
		}
		out = append(out, d)
	}
	return out
}

// errorCodes lists the codes of the Error diagnoses.
func errorCodes(ds alexasim.Diagnoses) []string {
	var out []string
	for _, d := range ds {
		if d.Severity == alexasim.Error {
			out = append(out, d.Code)
		}
	}
	return out
}

// signUpOverHTTP is a sign-in strategy for the simulator in which the
// user has no account yet: on the login page Alexa opens they follow
// "Sign up", fill the form, receive the code by mail, confirm, and are
// sent back to Alexa.
func (a *alexaLab) signUpOverHTTP(user, email, password, lang string) alexasim.SignIn {
	return alexasim.SignInFunc(func(ctx context.Context, authURL string) (*url.URL, error) {
		w := newWebUser(a.publicURL, lang)
		page, left, err := w.get(ctx, authURL)
		if err != nil || left != nil {
			return nil, fmt.Errorf("open the login page: %v (left for %v)", err, left)
		}
		if page, left, err = w.follow(ctx, page, "signUpLink"); err != nil || left != nil {
			return nil, fmt.Errorf("open the sign-up page: %v", err)
		}
		page, left, err = w.submit(ctx, page, "signUpForm", map[string]string{"username": user, "email": email, "password": password})
		if err != nil || left != nil {
			return nil, fmt.Errorf("sign up: %v", err)
		}
		code, err := a.codeFor(email)
		if err != nil {
			return nil, err
		}
		_, left, err = w.submit(ctx, page, "confirmForm", map[string]string{"code": code})
		if err != nil {
			return nil, fmt.Errorf("confirm: %w", err)
		}
		if left == nil {
			return nil, fmt.Errorf("the confirmation did not send the user back to Alexa")
		}
		return left, nil
	})
}

// codeFor is mailedCode for code that reports errors.
func (a *alexaLab) codeFor(email string) (string, error) {
	msgs, err := a.delivered()
	if err != nil {
		return "", err
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, rcpt := range msgs[i].RcptTo {
			if strings.EqualFold(rcpt, email) {
				if c := codePattern.FindString(msgs[i].Text); c != "" {
					return c, nil
				}
			}
		}
	}
	return "", fmt.Errorf("no code was mailed to %s (%d messages)", email, len(msgs))
}

// revoke revokes a refresh token at the pool's revocation endpoint
// (RFC 7009) with the Alexa client's credentials.
func (a *alexaLab) revoke(t *testing.T, token string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, a.issuer()+"/oauth2/revoke", strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(a.setup.ClientID), url.QueryEscape(a.setup.ClientSecret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: HTTP %d", resp.StatusCode)
	}
}

// lampState is what the lab sets the lamp to through Alexa.
var lampState = struct {
	brightness int
	color      alexa.Color
	// swatch is the /lamps page's colour: hue 120°, saturation 0.8 and
	// value 0.9 is RGB (0.18, 0.9, 0.18); the page scales it to
	// 0.35 + 0.65 × 40% = 0.61 so dim lamps stay visible, which gives
	// (28, 140, 28).
	swatch string
	text   string
}{brightness: 40, color: alexa.Color{Hue: 120, Saturation: 0.8, Brightness: 0.9}, swatch: "#1c8c1c", text: "colour 120°"}

// controlLamp turns the lamp on, dims it and colours it through Alexa,
// then asks for its state, checking every reply.
func controlLamp(t *testing.T, l *alexasim.Link) {
	t.Helper()
	ctx := context.Background()
	endpoint := l.Endpoints[0].ID
	steps := []struct {
		name string
		send func() (*alexasim.Reply, error)
	}{
		{"TurnOn", func() (*alexasim.Reply, error) { return l.Power(ctx, endpoint, true) }},
		{"SetBrightness", func() (*alexasim.Reply, error) { return l.Brightness(ctx, endpoint, lampState.brightness, false) }},
		{"SetColor", func() (*alexasim.Reply, error) { return l.Color(ctx, endpoint, lampState.color) }},
		{"ReportState", func() (*alexasim.Reply, error) { return l.State(ctx, endpoint) }},
	}
	var last *alexasim.Reply
	for _, s := range steps {
		rep, err := s.send()
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if rep.Schema != alexasim.SchemaValid || len(unexpected(rep.Diagnoses)) > 0 {
			t.Fatalf("%s: schema %s, diagnoses %v", s.name, rep.Schema, rep.Diagnoses.Codes())
		}
		last = rep
	}
	if last.Name != "Alexa/StateReport" {
		t.Fatalf("ReportState answered %s", last.Name)
	}
	checkProperty(t, last, alexa.NamespacePowerController, "powerState", "ON")
	checkProperty(t, last, alexa.NamespaceBrightnessController, "brightness", float64(lampState.brightness))
	p, ok := last.Property(alexa.NamespaceColorController, "color")
	if !ok {
		t.Fatal("StateReport has no color")
	}
	b, _ := json.Marshal(p.Value)
	var c alexa.Color
	if err := json.Unmarshal(b, &c); err != nil || math.Abs(c.Hue-lampState.color.Hue) > 0.01 ||
		math.Abs(c.Saturation-lampState.color.Saturation) > 0.001 || math.Abs(c.Brightness-lampState.color.Brightness) > 0.001 {
		t.Errorf("StateReport color %s, want %+v", b, lampState.color)
	}
}

func checkProperty(t *testing.T, rep *alexasim.Reply, namespace, name string, want any) {
	t.Helper()
	p, ok := rep.Property(namespace, name)
	if !ok {
		t.Fatalf("%s has no %s.%s", rep.Name, namespace, name)
	}
	if p.Value != want {
		t.Errorf("%s.%s = %v, want %v", namespace, name, p.Value, want)
	}
}

// lampCard is a lamp as the /lamps page shows it.
type lampCard struct {
	Class  string `json:"class"`
	Name   string `json:"name"`
	Power  string `json:"power"`
	State  string `json:"state"`
	Swatch string `json:"swatch"`
	Label  string `json:"label"`
}

// checkLampCard asserts that the /lamps page shows the state set
// through Alexa.
// checkLampCard checks the lamp's card on /lamps, shown in the
// language lang.
func checkLampCard(t *testing.T, cards []lampCard, lang string) {
	t.Helper()
	if len(cards) != 1 {
		t.Fatalf("/lamps shows %d lamps, want the Desk Lamp: %+v", len(cards), cards)
	}
	cat := locales.Exact(lang)
	if cat == nil {
		t.Fatalf("no catalog %s", lang)
	}
	on := cat.T("lamps.on")
	brightness := cat.T("lamps.brightness", "n", lampState.brightness)
	colour := cat.T("lamps.colour", "hue", int(lampState.color.Hue))
	if lang == "en" && (on != "On" || brightness != fmt.Sprintf("%d%%", lampState.brightness) || colour != lampState.text) {
		t.Fatalf("the English catalog says %q, %q, %q", on, brightness, colour)
	}
	c := cards[0]
	if c.Name != "Desk Lamp" || !strings.Contains(" "+c.Class+" ", " on ") || c.Power != on {
		t.Errorf("/lamps shows %+v, want the Desk Lamp on (%q)", c, on)
	}
	if !strings.Contains(c.State, brightness) || !strings.Contains(c.State, colour) {
		t.Errorf("/lamps state %q, want %s and %s", c.State, brightness, colour)
	}
	if c.Swatch != lampState.swatch || c.Label != colour {
		t.Errorf("/lamps swatch %s (%q), want %s (%q)", c.Swatch, c.Label, lampState.swatch, colour)
	}
}

// lampsOverHTTP signs in to /lamps through the pool and reads the cards.
func (a *alexaLab) lampsOverHTTP(t *testing.T, user, password, email string) []lampCard {
	t.Helper()
	ctx := context.Background()
	w := newWebUser(a.publicURL, "en-US")
	page, left, err := w.get(ctx, a.publicURL+"/lamps")
	if err != nil || left != nil || page.byID("signInForm") == nil {
		t.Fatalf("/lamps did not lead to the pool's sign-in page: %v", err)
	}
	page, left, err = w.submit(ctx, page, "signInForm", map[string]string{"username": user, "password": password})
	if err != nil || left != nil {
		t.Fatalf("sign in to /lamps: %v", err)
	}
	if page.url.Path != "/lamps" || page.status != http.StatusOK {
		t.Fatalf("sign-in ended on %s (%d)", page.url.Path, page.status)
	}
	if hello := textOf(find(page.doc, "p", "hello")); !strings.Contains(hello, email) {
		t.Errorf("/lamps greets %q, want the signed-in user %s", hello, email)
	}
	var cards []lampCard
	for _, art := range page.all("article", "lamp") {
		c := lampCard{Class: attr(art, "class")}
		if n := find(art, "h2", ""); n != nil {
			c.Name = textOf(n)
		}
		if n := find(art, "span", "power"); n != nil {
			c.Power = textOf(n)
		}
		if n := find(art, "p", "state"); n != nil {
			c.State = textOf(n)
		}
		if n := find(art, "svg", "swatch"); n != nil {
			c.Label = attr(n, "aria-label")
			if circle := find(n, "circle", ""); circle != nil {
				c.Swatch = attr(circle, "fill")
			}
		}
		cards = append(cards, c)
	}
	return cards
}
