package cluster_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/smarthome/smarthometest"
)

// The skill's Alexa Skill Messaging client, which the Login with Amazon
// and event gateway stand-in knows.
const (
	skillLWAClientID = "amzn1.application-oa2-client.cluster-skill"
	skillLWASecret   = "lwa-cluster-secret-9f8e7d6c5b4a"
	skillVendorID    = "M2CLUSTERTEST"
)

var (
	formRe   = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	csrfRe   = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	lampIDRe = regexp.MustCompile(`name="lamp" value="([^"]+)"`)
)

// TestServeSkillSendsChangeReport runs the shipped binary as an operator
// would for a real pool: `linkpool serve --skill-pool` with the Alexa
// client, the /lamps page client, and the LWA client and event gateway
// pointing at the loopback stand-in of Login with Amazon and the Alexa
// event gateway (secrets through LINKPOOL_*_FILE and LINKPOOL_*). A user
// links with Send Alexa Events on, so AcceptGrant exchanges its code at
// the stand-in; then the user signs in on /lamps over HTTP and switches
// the lamp, and the ChangeReport reaches the gateway with the lamp's
// endpoint, the new power state and a token the stand-in issued for that
// link.
func TestServeSkillSendsChangeReport(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster skill test: -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	schema, err := alexasim.LoadSchema(filepath.Join(smarthometest.DataDir(t), "schema", alexasim.SchemaFile))
	if err != nil {
		t.Fatal(err)
	}
	gw := alexasim.NewGateway(alexasim.GatewayConfig{ClientID: skillLWAClientID, ClientSecret: skillLWASecret, Schema: schema})
	gwSrv := httptest.NewServer(gw)
	t.Cleanup(gwSrv.Close)

	d, dir := sqliteDeployment(t)
	d.addr = apptest.FreeAddr(t)
	d.publicURL = "http://" + d.addr
	setup := d.initAlexa(t)
	var lamps struct{ ClientId, ClientSecret string }
	out := d.cli(t, "client", "create", "--pool", setup.PoolID, "--name", "smartlamp-web", "--generate-secret",
		"--callback-url", d.publicURL+"/lamps/callback", "--flows", "code", "--scopes", "openid,email", "--json")
	if err := json.Unmarshal([]byte(out), &lamps); err != nil || lamps.ClientSecret == "" {
		t.Fatalf("client create: %v\n%s", err, out)
	}
	const user, password = "lamp-owner", "Lamp-Passw0rd!"
	d.cli(t, "user", "create", "--pool", setup.PoolID, "--username", user, "--email", "owner@example.com",
		"--email-verified", "--permanent", "--password", password)

	secretFile := filepath.Join(dir, "lwa-secret")
	if err := os.WriteFile(secretFile, []byte(skillLWASecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d.env = append(d.env, "LINKPOOL_LWA_CLIENT_SECRET_FILE="+secretFile, "LINKPOOL_LAMPS_CLIENT_SECRET="+lamps.ClientSecret)
	d.serveFlags = []string{"--skill-pool", setup.PoolID, "--skill-client-id", setup.ClientID,
		"--lamps-client-id", lamps.ClientId, "--lwa-client-id", skillLWAClientID,
		"--lwa-token-url", gwSrv.URL + "/auth/o2/token", "--event-gateway-url", gwSrv.URL + "/v3/events"}
	in := d.start(t, "skill")

	// Alexa links the user; AcceptGrant goes through the stand-in.
	skillURL := d.publicURL + "/alexa/smart-home"
	res, err := alexasim.LinkAccount(ctx, alexasim.LinkOptions{
		Name: "owner", SkillName: "SmartLamp",
		Console: alexasim.Console{
			AuthorizationURI: setup.AuthorizationURI, AccessTokenURI: setup.AccessTokenURI,
			ClientID: setup.ClientID, ClientSecret: setup.ClientSecret, Scheme: alexasim.SchemeHTTPBasic,
			Scopes: setup.Scopes, VendorID: skillVendorID, Region: alexasim.RegionNA, SendAlexaEvents: true,
		},
		SignIn:  alexasim.FormSignIn{Username: user, Password: password},
		Env:     alexasim.Env{Schema: schema, Skill: &alexasim.HTTPSkill{URL: skillURL}},
		Gateway: gwSrv.URL, SkillURL: skillURL,
	})
	if err != nil || !res.OK || res.AcceptGrant == nil || res.AcceptGrant.Name != "Alexa.Authorization/AcceptGrant.Response" {
		var steps []string
		if res != nil {
			for _, s := range res.Steps {
				steps = append(steps, s.Name+": "+s.Detail)
			}
			for _, dg := range res.Diagnoses {
				steps = append(steps, dg.String())
			}
		}
		t.Fatalf("link: %v\n%s", err, strings.Join(steps, "\n"))
	}
	if n := len(gw.Events("")); n != 0 {
		t.Fatalf("%d events before anything changed", n)
	}

	// The user signs in on /lamps through the pool's hosted page.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	page := get(t, c, d.publicURL+"/lamps")
	form, csrf := formRe.FindStringSubmatch(page.body), csrfRe.FindStringSubmatch(page.body)
	if form == nil || csrf == nil {
		t.Fatalf("/lamps did not lead to a sign-in form: %s\n%s", page.url, page.body)
	}
	target, _ := page.url.Parse(html.UnescapeString(form[1]))
	page = post(t, c, target.String(), url.Values{"_csrf": {html.UnescapeString(csrf[1])}, "username": {user}, "password": {password}})
	if page.url.String() != d.publicURL+"/lamps" || !strings.Contains(page.body, "Signed in as") {
		t.Fatalf("sign-in ended at %s:\n%s", page.url, page.body)
	}
	lamp, csrf := lampIDRe.FindStringSubmatch(page.body), csrfRe.FindStringSubmatch(page.body)
	if lamp == nil || csrf == nil || lamp[1] != res.Link.Endpoints[0].ID {
		t.Fatalf("/lamps shows no toggle of the discovered lamp %s:\n%s", res.Link.Endpoints[0].ID, page.body)
	}
	if !strings.Contains(page.body, `aria-pressed="false"`) {
		t.Fatalf("the new lamp is not off:\n%s", page.body)
	}

	// Toggling it sends a ChangeReport.
	page = post(t, c, d.publicURL+"/lamps/toggle", url.Values{"_csrf": {html.UnescapeString(csrf[1])}, "lamp": {lamp[1]}})
	if !strings.Contains(page.body, `aria-pressed="true"`) {
		t.Fatalf("toggle did not turn the lamp on:\n%s", page.body)
	}
	var events []alexasim.ReceivedEvent
	for events = gw.Events(""); len(events) == 0 && ctx.Err() == nil; events = gw.Events("") {
		time.Sleep(20 * time.Millisecond)
	}
	if len(events) != 1 {
		t.Fatalf("gateway received %d events, want one ChangeReport\nlog:\n%s", len(events), in.log.String())
	}
	ev := events[0]
	if ev.Namespace != "Alexa" || ev.Name != "ChangeReport" || ev.EndpointID != lamp[1] || ev.Cause != "PHYSICAL_INTERACTION" {
		t.Errorf("event %s.%s endpoint %s cause %s, want Alexa.ChangeReport for %s by PHYSICAL_INTERACTION (the page is the lamp's switch)", ev.Namespace, ev.Name, ev.EndpointID, ev.Cause, lamp[1])
	}
	if ev.Link != "owner" || ev.Status != http.StatusAccepted || ev.Schema != alexasim.SchemaValid {
		t.Errorf("event via link %q, status %d, schema %s (%s); want the link's LWA token, 202, valid", ev.Link, ev.Status, ev.Schema, ev.SchemaDetail)
	}
	var power any
	for _, p := range ev.Changed {
		if p.Namespace == "Alexa.PowerController" && p.Name == "powerState" {
			power = p.Value
		}
	}
	if power != "ON" {
		t.Errorf("changed properties %+v, want powerState ON", ev.Changed)
	}
	if err := apptest.FindSecret(in.log.String(), []string{skillLWASecret, lamps.ClientSecret, setup.ClientSecret, password}...); err != nil {
		t.Error(err)
	}
}

type response struct {
	url  *url.URL
	body string
}

func get(t *testing.T, c *http.Client, u string) response {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func post(t *testing.T, c *http.Client, u string, form url.Values) response {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func read(t *testing.T, resp *http.Response) response {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d\n%s", resp.Request.Method, resp.Request.URL, resp.StatusCode, b)
	}
	return response{url: resp.Request.URL, body: string(b)}
}
