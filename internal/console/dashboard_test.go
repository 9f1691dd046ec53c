package console_test

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/apptest"
)

// TestDashboardCharts: the dashboard draws what the server's own
// counters saw, as its Sampler stored it (links made, refreshes, token
// errors by code, failed sign-ins and lockouts) as well-formed SVG
// without script, with one bar per bucket and series, for an admin and a
// read-only operator, in both windows and in Chinese.
func TestDashboardCharts(t *testing.T) {
	e := newEnv(t)
	e.operator(t, "root", false)
	e.operator(t, "viewer", true)
	e.Sampler.Sample() // the baseline

	// Two console sign-ins: two codes issued and exchanged.
	root := e.signedIn(t, "root")
	viewer := e.signedIn(t, "viewer")
	// A customer's link: a code, its exchange and a refresh.
	p, _ := e.customer(t, "ann", "ann@example.com")
	c, secret := e.Client(t, p, "alexa", []string{"https://app.example.com/cb"})
	cfg := oauth2.Config{ClientID: c.ID, ClientSecret: secret, RedirectURL: "https://app.example.com/cb", Scopes: []string{"openid"},
		Endpoint: oauth2.Endpoint{AuthURL: e.URL + "/" + p.ID + "/oauth2/authorize", TokenURL: e.URL + "/" + p.ID + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}
	page := apptestSignIn(t, cfg.AuthCodeURL("s"), "ann", "Customer-Passw0rd!")
	ctx := context.Background()
	tok, err := cfg.Exchange(ctx, page.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	// Two token errors: a code that was never issued, twice.
	for range 2 {
		var re *oauth2.RetrieveError
		if _, err := cfg.Exchange(ctx, "not-a-code"); !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
			t.Fatalf("exchange of a made-up code: %v", err)
		}
	}
	// Wrong passwords until ann is locked out, and one more try.
	for range p.LockoutPolicy.MaxFailedAttempts + 1 {
		if _, err := e.Accounts.Authenticate(ctx, p, "ann", "Wr0ng-guess!"); err == nil {
			t.Fatal("a wrong password signed in")
		}
	}
	e.Clock.Advance(time.Minute)
	e.Sampler.Sample()

	for _, b := range []*http.Client{root, viewer} {
		res, body := e.get(t, b, "/console/")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("dashboard: %d: %s", res.StatusCode, body)
		}
		if strings.Contains(strings.ToLower(body), "<script") {
			t.Error("the dashboard has a script")
		}
		for _, row := range [][]string{
			{"Authorization codes issued", "3", "3"}, {"Codes exchanged for tokens", "3", "3"}, {"Token refreshes", "1", "1"},
			{"Token errors", "2", "2"}, {"Failed sign-ins", "6", "6"}, {"Lockouts", "1", "1"},
		} {
			if want := `<tr><th scope="row">` + row[0] + `</th><td class="n">` + row[1] + `</td><td class="n">` + row[2] + `</td></tr>`; !strings.Contains(body, want) {
				t.Errorf("totals lack %s", want)
			}
		}
		if !strings.Contains(body, `<code>invalid_grant</code></th><td class="n">2</td>`) {
			t.Error("the token errors by code lack invalid_grant")
		}
		if !strings.Contains(body, `id="metrics-scope"`) || !strings.Contains(body, `id="metrics-since"`) ||
			!strings.Contains(body, `<p id="metrics-reporting">1 instance reporting in the last 5 minutes.</p>`) {
			t.Error("the dashboard does not say the numbers are the deployment's, from one instance, counted since it started")
		}
		charts := svgs(t, body)
		wantBars(t, charts, "chart-links", 12*2, 3+3)
		wantBars(t, charts, "chart-refreshes", 12, 1)
		wantBars(t, charts, "chart-sign-in", 12*2, 6+1)
		wantBars(t, charts, "chart-token-errors", 1, 2)
	}
	_, body := e.get(t, viewer, "/console/?window=day")
	charts := svgs(t, body)
	wantBars(t, charts, "chart-links", 24*2, 3+3)
	wantBars(t, charts, "chart-sign-in", 24*2, 7)
	if !strings.Contains(body, `href="/console/?window=day#activity" aria-current="page"`) {
		t.Error("the day's window is not marked current")
	}
	_, body = e.get(t, viewer, "/console/?lang=zh-CN")
	if !strings.Contains(body, "账户关联") || !strings.Contains(body, "<title id=\"chart-links-title\">账户关联 · 最近一小时</title>") {
		t.Errorf("Chinese charts: %s", body)
	}
}

// apptestSignIn signs username in at authURL in a browser that stops at
// the relying party, and returns the redirect with the code.
func apptestSignIn(t *testing.T, authURL, username, password string) *url.URL {
	t.Helper()
	return apptest.Redirect(t, apptest.SignIn(t, apptest.Browser("https://app.example.com/"), authURL, username, password))
}

// chart is an SVG of the page: its id, its bars' values (from their
// titles) and whether it is named and described.
type chart struct {
	id        string
	bars      []string
	titled    bool
	described bool
}

var svgPattern = regexp.MustCompile(`(?s)<svg .*?</svg>`)

// svgs parses every SVG of a page as XML, failing on one that is not
// well-formed or has a script or an event handler.
func svgs(t *testing.T, body string) map[string]chart {
	t.Helper()
	out := map[string]chart{}
	for _, src := range svgPattern.FindAllString(body, -1) {
		d := xml.NewDecoder(strings.NewReader(src))
		d.Strict = true
		var c chart
		var ids []string
		var labelledBy string
		var inBar, inTitle bool
		depth := 0
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("SVG is not well-formed XML: %v: %s", err, src)
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				depth++
				if tok.Name.Local == "script" || tok.Name.Local == "foreignObject" {
					t.Errorf("SVG has a %s", tok.Name.Local)
				}
				for _, a := range tok.Attr {
					if strings.HasPrefix(a.Name.Local, "on") || a.Name.Local == "style" || strings.Contains(a.Value, "javascript:") {
						t.Errorf("SVG has %s=%q", a.Name.Local, a.Value)
					}
					switch a.Name.Local {
					case "id":
						ids = append(ids, a.Value)
						if tok.Name.Local == "svg" {
							c.id = a.Value
						}
					case "aria-labelledby":
						labelledBy = a.Value
					case "class":
						inBar = a.Value == "bar"
					}
				}
				inTitle = tok.Name.Local == "title"
				if tok.Name.Local == "title" && depth == 2 {
					c.titled = true
				}
				if tok.Name.Local == "desc" && depth == 2 {
					c.described = true
				}
			case xml.CharData:
				if inBar && inTitle {
					c.bars = append(c.bars, string(tok))
					inBar = false
				}
			case xml.EndElement:
				depth--
				inTitle = false
			}
		}
		for _, id := range strings.Fields(labelledBy) {
			if !contains(ids, id) {
				t.Errorf("SVG %s: aria-labelledby names %s, which it lacks", c.id, id)
			}
		}
		out[c.id] = c
	}
	return out
}

// wantBars checks that chart id has n bars whose values add up to sum.
func wantBars(t *testing.T, charts map[string]chart, id string, n, sum int) {
	t.Helper()
	c, ok := charts[id]
	if !ok {
		t.Errorf("no chart %s", id)
		return
	}
	if !c.titled || !c.described {
		t.Errorf("chart %s: title %v, description %v", id, c.titled, c.described)
	}
	total := 0
	for _, b := range c.bars {
		i := strings.LastIndex(b, ": ")
		var v int
		for _, r := range b[i+2:] {
			v = v*10 + int(r-'0')
		}
		total += v
	}
	if len(c.bars) != n || total != sum {
		t.Errorf("chart %s: %d bars adding up to %d, want %d adding up to %d: %q", id, len(c.bars), total, n, sum, c.bars)
	}
}
