package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/smarthome/smarthometest"
)

// signUpOnPhone is the sign-up of the Alexa lab in real Chromium: the
// login page Alexa opens, "Sign up", the form, the code from the mail,
// and the redirect back to Alexa.
func (a *alexaLab) signUpOnPhone(t *testing.T, c *chromium, lang language, user, email, password string) alexasim.SignIn {
	return alexasim.SignInFunc(func(ctx context.Context, authURL string) (*url.URL, error) {
		p := c.newPhone(t, a.publicURL, lang, "alexa")
		if left := p.open(authURL); left != nil {
			return nil, fmt.Errorf("the authorization request left the server")
		}
		p.tap("signUpLink")
		p.fill("signUpFormUsername", user)
		p.fill("signUpFormEmail", email)
		p.fill("signUpFormPassword", password)
		p.tap("signUpButton")
		p.screenshot("confirm")
		code, err := a.codeFor(email)
		if err != nil {
			return nil, err
		}
		p.fill("confirmFormCode", code)
		left := p.tap("confirmSignUpButton")
		if left == nil {
			return nil, fmt.Errorf("the confirmation did not send the user back to Alexa")
		}
		return left, nil
	})
}

// linkWithCLI links once more as a developer does from a terminal,
// `linkpool alexa link --browser`, then asks for the lamp's state with
// `linkpool alexa state`.
func (a *alexaLab) linkWithCLI(t *testing.T, lang language, user, password string) {
	t.Helper()
	state := filepath.Join(t.TempDir(), "alexa.json")
	schema := filepath.Join(smarthometest.DataDir(t), "schema", alexasim.SchemaFile)
	out, errOut, code := runCLI("", "alexa", "link", "--state", state, "--link", "terminal", "--alexa-schema", schema,
		"--authorization-uri", a.setup.AuthorizationURI, "--access-token-uri", a.setup.AccessTokenURI,
		"--client-id", a.setup.ClientID, "--client-secret", a.setup.ClientSecret, "--scheme", "body",
		"--scope", strings.Join(a.setup.Scopes, ","), "--vendor-id", vendorID, "--region", "EU", "--pkce",
		"--send-events", "--gateway", a.gwURL, "--skill", a.publicURL+"/alexa/smart-home",
		"--username", user, "--password", password, "--browser", "--lang", lang.accept,
		"--screenshots", filepath.Join(screenshotDir(t), "alexa-cli-"+lang.name), "--json")
	var res struct {
		OK   bool `json:"ok"`
		Link struct {
			Status    alexasim.Status     `json:"status"`
			Endpoints []alexasim.Endpoint `json:"endpoints"`
		} `json:"link"`
	}
	if err := json.Unmarshal([]byte(out), &res); code != 0 || err != nil || !res.OK || res.Link.Status.State != alexasim.Linked || len(res.Link.Endpoints) != 1 {
		t.Fatalf("alexa link --browser: exit %d, %v\n%s\n%s", code, err, out, errOut)
	}
	if strings.Contains(out, a.setup.ClientSecret) || strings.Contains(out, password) {
		t.Fatal("alexa link printed a secret")
	}
	out, errOut, code = runCLI("", "alexa", "state", "--state", state, "--link", "terminal", "--alexa-schema", schema, "--json", "Desk Lamp")
	var rep struct {
		Reply  string                `json:"reply"`
		Schema alexasim.SchemaStatus `json:"schema"`
	}
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || rep.Reply != "Alexa/StateReport" || rep.Schema != alexasim.SchemaValid {
		t.Fatalf("alexa state: exit %d, %v\n%s\n%s", code, err, out, errOut)
	}
}

// lampsJS reads the /lamps page: the greeting and every lamp card.
const lampsJS = `(() => {
  const text = el => el ? el.innerText.trim().replace(/\s+/g, ' ') : '';
  return {
    hello: text(document.querySelector('p.hello')),
    cards: [...document.querySelectorAll('article.lamp')].map(a => ({
      class: a.className,
      name: text(a.querySelector('h2')),
      power: text(a.querySelector('.power')),
      state: text(a.querySelector('p.state')),
      swatch: a.querySelector('svg.swatch circle')?.getAttribute('fill') ?? '',
      label: a.querySelector('svg.swatch')?.getAttribute('aria-label') ?? '',
    })),
  };
})()`

// lampsOnPhone signs in to /lamps through the pool in Chromium and reads
// the cards.
func (a *alexaLab) lampsOnPhone(t *testing.T, c *chromium, lang language, user, password, email string) []lampCard {
	t.Helper()
	p := c.newPhone(t, a.publicURL, lang, "alexa")
	p.open(a.publicURL + "/lamps")
	if !strings.HasSuffix(p.path(), "/login") {
		t.Fatalf("/lamps led to %s, want the pool's sign-in page", p.path())
	}
	p.fill("signInFormUsername", user)
	p.fill("signInFormPassword", password)
	if left := p.tap("signInSubmitButton"); left != nil {
		t.Fatalf("sign-in to /lamps left the server for %s", redactURL(left.String()))
	}
	if p.path() != "/lamps" {
		t.Fatalf("sign-in ended on %s, want /lamps", p.path())
	}
	p.screenshot("lamps")
	page, err := chromedp.Run(p.ctx, chromedp.Evaluate[struct {
		Hello string     `json:"hello"`
		Cards []lampCard `json:"cards"`
	}](lampsJS))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.Hello, email) {
		t.Errorf("/lamps greets %q, want the signed-in user %s", page.Hello, email)
	}
	return page.Cards
}

// TestAlexaLabInBrowser is the Alexa lab with the simulator's browser
// sign-in, in English, Arabic (right to left) and Simplified Chinese (the
// pages in every language are TestHostedPagesOnAPhone's): a new user signs up on the
// hosted pages in Chromium at a phone viewport, links from every region
// with BrowserSignIn, controls the lamp through Alexa and sees it on
// /lamps in the browser; an expired token is refreshed, a revoked link
// and a disabled user break links.
func TestAlexaLabInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser end-to-end test: -short")
	}
	apptest.RequireChromium(t)
	a := newAlexaLab(t, labOptions{})
	browser := startChromium(t)
	ctx := context.Background()
	shots := screenshotDir(t)
	for _, lang := range languages {
		if lang.name != "en" && lang.name != "ar" && lang.name != "zh-CN" {
			continue
		}
		t.Run(lang.name, func(t *testing.T) {
			user := "lamp-" + randomID(8)
			email := user + "@example.com"
			const password = "Lamp-Passw0rd!"
			signUp := a.mustLink(t, "signup", a.console(alexasim.RegionNA, alexasim.SchemeHTTPBasic, true),
				a.signUpOnPhone(t, browser, lang, user, email, password))
			if _, subject := a.mailedCode(email); !strings.Contains(subject, lang.subject) {
				t.Errorf("mail subject %q, want it in %s", subject, lang.name)
			}
			var links []*alexasim.Link
			for i, region := range alexasim.AllRegions() {
				scheme := []alexasim.Scheme{alexasim.SchemeRequestBody, alexasim.SchemeHTTPBasic}[i%2]
				name := linkName(region, scheme, i%2 == 1)
				signIn := alexasim.Browser{Username: user, Password: password, Options: alexasim.BrowserOptions{
					Lang: lang.accept, ScreenshotDir: filepath.Join(shots, "alexa-browser-"+lang.name+"-"+name),
				}}
				links = append(links, a.mustLink(t, name, a.console(region, scheme, i%2 == 1), signIn))
			}

			a.linkWithCLI(t, lang, user, password)

			controlLamp(t, signUp)
			checkLampCard(t, a.lampsOnPhone(t, browser, lang, user, password, email), lang.htmlLang)

			// Expiry: Alexa refreshes before the next directive.
			l := links[0]
			access := l.Tokens.AccessToken
			a.clock.Advance(l.Tokens.ExpiresAt.Sub(a.clock.Now()) + time.Minute)
			if _, err := l.State(ctx, l.Endpoints[0].ID); err != nil || l.Tokens.AccessToken == access {
				t.Fatalf("ReportState after expiry: %v (new access token %v)", err, l.Tokens.AccessToken != access)
			}

			// Revocation breaks that link; the user's other links work.
			l = links[1]
			fresh(t, l)
			a.revoke(t, l.Tokens.RefreshToken)
			rep, err := l.Power(ctx, l.Endpoints[0].ID, false)
			checkBroken(t, l, rep, err)
			l = links[2]
			fresh(t, l)
			if _, err := l.State(ctx, l.Endpoints[0].ID); err != nil {
				t.Fatalf("another link after the revocation: %v", err)
			}

			// Disabling the user breaks the rest.
			a.cli("user", "disable", "--pool", a.setup.PoolID, "--username", user)
			rep, err = l.State(ctx, l.Endpoints[0].ID)
			checkBroken(t, l, rep, err)
		})
	}
}
