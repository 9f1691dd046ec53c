package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
)

// TestDisabledInConsoleEndsTheLink: a user linked to the SmartLamp skill
// whom an operator disables in the console has their next directive
// refused by the skill with INVALID_AUTHORIZATION_CREDENTIAL, the answer
// on which Alexa ends the link.
func TestDisabledInConsoleEndsTheLink(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p, u := e.customer(t, "ann", "ann@example.com")
	const redirect = "https://pitangui.amazon.com/api/skill/link/M2AAAAAAAAAAAA"
	cl, secret := e.Client(t, p, "alexa", []string{redirect})
	conf := &oauth2.Config{
		ClientID: cl.ID, ClientSecret: secret, RedirectURL: redirect, Scopes: []string{"openid"},
		Endpoint: oauth2.Endpoint{AuthURL: e.URL + "/" + p.ID + "/oauth2/authorize", TokenURL: e.URL + "/" + p.ID + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader},
	}
	page := apptest.SignIn(t, apptest.Browser(redirect), conf.AuthCodeURL("s"), "ann", "Customer-Passw0rd!")
	tok, err := conf.Exchange(ctx, apptest.Redirect(t, page).Query().Get("code"))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}

	_, mount, err := e.App.App.MountSkill(e.URL, app.SkillOptions{PoolID: p.ID, ClientIDs: []string{cl.ID}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mount(mux)
	skill := httptest.NewServer(mux)
	t.Cleanup(skill.Close)
	discover := func() (name, errType string) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"directive": map[string]any{
			"header":  map[string]any{"namespace": "Alexa.Discovery", "name": "Discover", "payloadVersion": "3", "messageId": "m-1"},
			"payload": map[string]any{"scope": map[string]any{"type": "BearerToken", "token": tok.AccessToken}},
		}})
		res, err := http.Post(skill.URL+"/alexa/smart-home", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out struct {
			Event struct {
				Header  struct{ Name string } `json:"header"`
				Payload struct{ Type string } `json:"payload"`
			} `json:"event"`
		}
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
			t.Fatalf("skill answer: %v", err)
		}
		return out.Event.Header.Name, out.Event.Payload.Type
	}
	if name, typ := discover(); name != "Discover.Response" {
		t.Fatalf("Discover before the disable: %s %s", name, typ)
	}

	e.operator(t, "root", false)
	b := e.signedIn(t, "root")
	base := "/console/pools/" + p.ID + "/users/" + u.Sub
	_, userPage := e.get(t, b, base)
	if res, _ := e.post(t, b, base+"/disable", e.ConsoleURL, url.Values{"csrf": {csrf(t, userPage)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", res.StatusCode)
	}
	if name, typ := discover(); name != "ErrorResponse" || typ != "INVALID_AUTHORIZATION_CREDENTIAL" {
		t.Fatalf("Discover after the disable: %s %s, want ErrorResponse INVALID_AUTHORIZATION_CREDENTIAL", name, typ)
	}
}
