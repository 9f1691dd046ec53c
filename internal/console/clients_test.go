package console_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/console"
	"github.com/linkpool/linkpool/internal/pool"
)

// tokenStatus posts an authorization-code exchange with a code that was
// never issued to the pool's token endpoint, authenticating the client
// with HTTP Basic, and returns the status and OAuth error: a wrong secret
// is refused 401 invalid_client before the code is looked at, a right
// one gets to the code (400 invalid_grant).
func (e *env) tokenStatus(t *testing.T, poolID, clientID, secret string) (int, string) {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {"never-issued"}, "redirect_uri": {"https://app.example.com/cb"}}
	req, err := http.NewRequest(http.MethodPost, e.URL+"/"+poolID+"/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, between(readBody(t, res), `"error":"`, `"`)
}

// describeClient reads a client through the admin service.
func (e *env) describeClient(t *testing.T, poolID, clientID string) pool.Client {
	t.Helper()
	c, err := e.Admin.DescribeUserPoolClient(context.Background(), poolID, clientID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestClientPage: every operator reads a client's settings, the Alexa
// console's values of an Alexa client among them; administrators get the
// forms that edit it, rotate its secret and delete it, read-only
// operators none. The pool's page links each client to its page. The
// console's own client offers no change.
func TestClientPage(t *testing.T) {
	e := newEnv(t)
	e.operator(t, "viewer", true)
	e.operator(t, "root", false)
	ctx := context.Background()
	res, err := e.Admin.CreateAlexaPool(ctx, admin.AlexaPreset{VendorID: "M2ABCDEF", Name: "Lamp", Region: "eu-west-1"}, e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	path := "/console/pools/" + res.Pool.ID + "/clients/" + res.Client.ID

	viewer := e.signedIn(t, "viewer")
	_, page := e.get(t, viewer, "/console/pools/"+res.Pool.ID)
	if !strings.Contains(page, `href="`+path+`"`) || strings.Contains(page, `id="new-client-link"`) {
		t.Errorf("the read-only operator's pool page: no link to the client or a link to create one: %s", page)
	}
	r, page := e.get(t, viewer, path)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("client page: %d: %s", r.StatusCode, page)
	}
	for _, want := range []string{res.Client.ID, "https://layla.amazon.com/api/skill/link/M2ABCDEF", `id="alexa-values"`,
		e.URL + "/" + res.Pool.ID + "/oauth2/token", "3650", "Confidential", "COGNITO", "ALLOW_REFRESH_TOKEN_AUTH", "data-copy="} {
		if !strings.Contains(page, want) {
			t.Errorf("the client page lacks %q", want)
		}
	}
	if secret, _ := e.Admin.ClientSecret(res.Client); strings.Contains(page, secret) {
		t.Error("the client page shows the secret")
	}
	for _, id := range []string{`id="edit-client"`, `id="rotate-secret"`, `id="delete-client"`} {
		if strings.Contains(page, id) {
			t.Errorf("the read-only operator is offered %s", id)
		}
	}
	if k := messageKey.FindString(page); k != "" {
		t.Errorf("the client page shows the message key %q", k)
	}

	root := e.signedIn(t, "root")
	_, page = e.get(t, root, path)
	for _, id := range []string{`id="edit-client"`, `id="rotate-secret"`, `id="delete-client"`} {
		if !strings.Contains(page, id) {
			t.Errorf("the administrator is not offered %s", id)
		}
	}
	for _, p := range []string{path, "/console/pools/" + res.Pool.ID + "/clients/new"} {
		if _, page := e.get(t, root, p+"?lang=zh-CN"); !strings.Contains(page, "复制") && p == path || messageKey.FindString(page) != "" {
			t.Errorf("GET %s in Chinese: message key %q or no copy label", p, messageKey.FindString(page))
		}
	}
	if _, page := e.get(t, root, "/console/pools/"+res.Pool.ID+"?lang=en"); !strings.Contains(page, `id="new-client-link"`) {
		t.Error("the administrator's pool page has no link to create a client")
	}
	_, page = e.get(t, root, "/console/pools/"+console.SystemPoolID+"/clients/"+console.SystemClientID)
	if strings.Contains(page, `id="edit-client"`) || strings.Contains(page, `id="delete-client"`) || !strings.Contains(page, `id="system-client"`) {
		t.Errorf("the console's own client offers changes: %s", page)
	}
	for _, p := range []string{"/console/pools/" + res.Pool.ID + "/clients/aaaaaaaaaaaaaaaaaaaaaaaaaa", "/console/pools/" + res.Pool.ID + "/clients/" + console.SystemClientID, "/console/pools/" + res.Pool.ID + "/clients/x"} {
		if r, _ := e.get(t, root, p); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, r.StatusCode)
		}
	}
}

// TestClientWritesAreAudited: creating a client (public, and with a
// secret and the Alexa defaults), editing it, rotating its secret and
// deleting it each go through the admin service and write exactly one
// audit record with the console operator as actor and no secret. The
// secret is shown once, on the answer; after the rotation the old secret
// is refused at the token endpoint (invalid_client) and the new one
// accepted. Refusals (a bad callback URL, a token validity that is no
// number, a public client's rotation, a wrong confirmation, the console's
// own client) answer 400 with Cognito's error and change nothing.
func TestClientWritesAreAudited(t *testing.T) {
	e := newEnv(t)
	op := e.operator(t, "root", false)
	b := e.signedIn(t, "root")
	p, _ := e.customer(t, "ann", "ann@example.com")
	base := "/console/pools/" + p.ID + "/clients"
	res, page := e.get(t, b, base+"/new")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("new client form: %d: %s", res.StatusCode, page)
	}
	if k := messageKey.FindString(page); k != "" {
		t.Errorf("the new client form shows the message key %q", k)
	}
	token := csrf(t, page)
	count := func() int {
		t.Helper()
		clients, err := e.allClientsOf(p.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(clients)
	}

	// A public client.
	n := len(e.allAudit(t))
	res, body := e.post(t, b, base, e.ConsoleURL, url.Values{"csrf": {token}, "name": {"web"}, "flow": {"code"},
		"callbacks": {"https://app.example.com/cb\r\nhttp://localhost:3000/cb"}, "scopes": {"openid email"}, "provider": {"COGNITO"}})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, base+"/") || !strings.HasSuffix(loc, "?done=created") {
		t.Fatalf("create a public client: %d to %q: %s", res.StatusCode, loc, body)
	}
	webID := strings.TrimSuffix(strings.TrimPrefix(loc, base+"/"), "?done=created")
	web := e.describeClient(t, p.ID, webID)
	if web.HasSecret() || web.Name != "web" || !slices.Equal(web.CallbackURLs, []string{"https://app.example.com/cb", "http://localhost:3000/cb"}) ||
		!slices.Equal(web.AllowedOAuthScopes, []string{"openid", "email"}) || !web.AllowsFlow(pool.FlowCode) {
		t.Errorf("public client %+v", web)
	}
	if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != "CreateUserPoolClient" {
		t.Errorf("create records %q", got)
	}
	if _, page := e.get(t, b, loc); !strings.Contains(page, `id="done"`) {
		t.Errorf("client page after creation: %s", page)
	}

	// A bad callback URL is refused with the service's error.
	n, clients := len(e.allAudit(t)), count()
	res, body = e.post(t, b, base, e.ConsoleURL, url.Values{"csrf": {token}, "name": {"bad"}, "flow": {"code"},
		"callbacks": {"http://app.example.com/cb"}, "scopes": {"openid"}, "provider": {"COGNITO"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "InvalidParameterException") || !strings.Contains(body, `id="form-error"`) {
		t.Errorf("a bad callback URL: %d: %s", res.StatusCode, body)
	}
	if count() != clients {
		t.Error("a refused client was created")
	}
	if got := e.allAudit(t); len(got) != n+1 || got[0].Result == "ok" {
		t.Errorf("refused create records %+v", got[:len(got)-n])
	}

	// A confidential Alexa client: the secret is shown once.
	n = len(e.allAudit(t))
	res, page = e.post(t, b, base, e.ConsoleURL, url.Values{"csrf": {token}, "name": {"alexa"}, "vendor_id": {"M2ABCDEF"}, "provider": {"COGNITO"}})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create an Alexa client: %d: %s", res.StatusCode, page)
	}
	if k := messageKey.FindString(page); k != "" {
		t.Errorf("the created page shows the message key %q", k)
	}
	alexaID := between(page, `id="client-id">`, "<")
	secret := between(page, `id="client-secret">`, "<")
	alexa := e.describeClient(t, p.ID, alexaID)
	if stored, err := e.Admin.ClientSecret(alexa); err != nil || stored != secret || len(secret) < 40 {
		t.Fatalf("secret on the page %q, stored %q, %v", secret, stored, err)
	}
	if !slices.Equal(alexa.CallbackURLs, admin.AlexaRedirectURLs("M2ABCDEF")) || alexa.RefreshTokenValidity != admin.DefaultAlexaRefreshDays || alexa.IDTokenOnRefresh {
		t.Errorf("Alexa client %+v", alexa)
	}
	if !strings.Contains(page, `id="alexa-values"`) || !strings.Contains(page, e.URL+"/"+p.ID+"/oauth2/authorize") {
		t.Errorf("the created page lacks the Alexa console values: %s", page)
	}
	if got := actions(e.lastRecords(t, n, op.Sub, secret)); strings.Join(got, " ") != "CreateUserPoolClient" {
		t.Errorf("create records %q", got)
	}
	alexaPath := base + "/" + alexaID
	if _, page := e.get(t, b, alexaPath); strings.Contains(page, secret) {
		t.Error("the client page shows the secret again")
	}
	if status, oauthErr := e.tokenStatus(t, p.ID, alexaID, secret); status != http.StatusBadRequest || oauthErr != "invalid_grant" {
		t.Errorf("the secret at the token endpoint: %d %s, want 400 invalid_grant", status, oauthErr)
	}

	// Edit.
	n = len(e.allAudit(t))
	edit := url.Values{"csrf": {token}, "name": {"web app"}, "flow": {"code", "implicit"},
		"callbacks": {"https://app.example.com/cb\nhttps://app.example.com/cb2"}, "logouts": {"https://app.example.com/bye"},
		"scopes": {"openid profile"}, "provider": {"COGNITO"}, "access": {"30"}, "access_unit": {"minutes"},
		"id_token": {"2"}, "id_token_unit": {"hours"}, "refresh": {"90"}, "refresh_unit": {"days"}}
	res, body = e.post(t, b, base+"/"+webID, e.ConsoleURL, edit)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != base+"/"+webID+"?done=updated" {
		t.Fatalf("edit: %d to %q: %s", res.StatusCode, res.Header.Get("Location"), body)
	}
	web = e.describeClient(t, p.ID, webID)
	if web.Name != "web app" || !slices.Equal(web.CallbackURLs, []string{"https://app.example.com/cb", "https://app.example.com/cb2"}) ||
		!slices.Equal(web.LogoutURLs, []string{"https://app.example.com/bye"}) || !slices.Equal(web.AllowedOAuthFlows, []string{"code", "implicit"}) ||
		!slices.Equal(web.AllowedOAuthScopes, []string{"openid", "profile"}) || web.AccessTokenValidity != 30 ||
		web.TokenValidityUnits.AccessToken != pool.UnitMinutes || web.IDTokenValidity != 2 || web.RefreshTokenValidity != 90 {
		t.Errorf("edited client %+v", web)
	}
	if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != "UpdateUserPoolClient" {
		t.Errorf("edit records %q", got)
	}
	if _, page := e.get(t, b, base+"/"+webID+"?done=updated"); !strings.Contains(page, `id="done"`) || !strings.Contains(page, "https://app.example.com/bye") {
		t.Errorf("client page after the edit: %s", page)
	}

	// Refused edits change nothing.
	for name, c := range map[string]struct {
		field, value string
		recorded     bool
	}{
		"bad callback URL":    {"callbacks", "http://app.example.com/cb", true},
		"unknown provider":    {"provider", "Google", true},
		"validity not number": {"access", "soon", false},
		"access too long":     {"access", "2", true},
	} {
		n = len(e.allAudit(t))
		f := url.Values{}
		for k, v := range edit {
			f[k] = v
		}
		f.Set(c.field, c.value)
		if c.field == "access" && c.value == "2" {
			f.Set("access_unit", "days")
		}
		res, body := e.post(t, b, base+"/"+webID, e.ConsoleURL, f)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "InvalidParameterException") || !strings.Contains(body, `id="form-error"`) {
			t.Errorf("%s: %d: %s", name, res.StatusCode, body)
		}
		if got := e.describeClient(t, p.ID, webID); !got.UpdatedAt.Equal(web.UpdatedAt) || got.AccessTokenValidity != 30 || got.CallbackURLs[0] != "https://app.example.com/cb" {
			t.Errorf("%s changed the client: %+v", name, got)
		}
		want := n
		if c.recorded {
			want++
		}
		if got := e.allAudit(t); len(got) != want || (c.recorded && got[0].Result == "ok") {
			t.Errorf("%s records %+v", name, got[:len(got)-n])
		}
	}

	// Rotate: a wrong confirmation and a public client are refused.
	n = len(e.allAudit(t))
	if res, body := e.post(t, b, alexaPath+"/rotate-secret", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"Alexa"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "neither") {
		t.Errorf("rotate with a wrong confirmation: %d: %s", res.StatusCode, body)
	}
	if got := e.allAudit(t); len(got) != n {
		t.Errorf("a refused rotation wrote %v", actions(got[:len(got)-n]))
	}
	if res, body := e.post(t, b, base+"/"+webID+"/rotate-secret", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {webID}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "InvalidParameterException") {
		t.Errorf("rotate a public client: %d: %s", res.StatusCode, body)
	}
	n = len(e.allAudit(t))
	res, page = e.post(t, b, alexaPath+"/rotate-secret", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"alexa"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("rotate: %d: %s", res.StatusCode, page)
	}
	rotated := between(page, `id="client-secret">`, "<")
	if stored, _ := e.Admin.ClientSecret(e.describeClient(t, p.ID, alexaID)); stored != rotated || rotated == secret || len(rotated) < 40 {
		t.Fatalf("rotated secret on the page %q, stored %q, old %q", rotated, stored, secret)
	}
	if got := actions(e.lastRecords(t, n, op.Sub, secret, rotated)); strings.Join(got, " ") != "RotateUserPoolClientSecret" {
		t.Errorf("rotation records %q", got)
	}
	if status, oauthErr := e.tokenStatus(t, p.ID, alexaID, secret); status != http.StatusUnauthorized || oauthErr != "invalid_client" {
		t.Errorf("the old secret after the rotation: %d %s, want 401 invalid_client", status, oauthErr)
	}
	if status, oauthErr := e.tokenStatus(t, p.ID, alexaID, rotated); status != http.StatusBadRequest || oauthErr != "invalid_grant" {
		t.Errorf("the new secret: %d %s, want 400 invalid_grant", status, oauthErr)
	}
	if _, page := e.get(t, b, alexaPath); strings.Contains(page, rotated) {
		t.Error("the client page shows the rotated secret")
	}

	// The console's own client is neither edited nor deleted.
	system := "/console/pools/" + console.SystemPoolID + "/clients/" + console.SystemClientID
	n = len(e.allAudit(t))
	for _, c := range []struct {
		path string
		form url.Values
	}{
		{system, edit},
		{system + "/delete", url.Values{"csrf": {token}, "confirm": {console.SystemClientID}}},
	} {
		if res, body := e.post(t, b, c.path, e.ConsoleURL, c.form); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "managed by linkpool serve") {
			t.Errorf("POST %s: %d: %s", c.path, res.StatusCode, body)
		}
	}
	if got := e.allAudit(t); len(got) != n {
		t.Errorf("refused changes of the console's client wrote %v", actions(got[:len(got)-n]))
	}

	// Delete.
	n = len(e.allAudit(t))
	if res, _ := e.post(t, b, base+"/"+webID+"/delete", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"web"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("delete with a wrong name: %d", res.StatusCode)
	}
	if got := e.allAudit(t); len(got) != n {
		t.Errorf("a refused delete wrote %v", actions(got[:len(got)-n]))
	}
	res, body = e.post(t, b, base+"/"+webID+"/delete", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"web app"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/pools/"+p.ID+"?done=client_deleted" {
		t.Fatalf("delete: %d to %q: %s", res.StatusCode, res.Header.Get("Location"), body)
	}
	if _, page := e.get(t, b, res.Header.Get("Location")); !strings.Contains(page, `id="done"`) || strings.Contains(page, webID) {
		t.Errorf("the pool page after the deletion: %s", page)
	}
	if _, err := e.Admin.DescribeUserPoolClient(context.Background(), p.ID, webID); err == nil {
		t.Error("the client is still there")
	}
	if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != "DeleteUserPoolClient" {
		t.Errorf("delete records %q", got)
	}
	e.Log.NoSecrets(t, secret, rotated, token)
}

// allClientsOf lists a pool's clients.
func (e *env) allClientsOf(poolID string) ([]pool.Client, error) {
	clients, _, err := e.Admin.ListUserPoolClients(context.Background(), poolID, 60, "")
	return clients, err
}
