package attack_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/smarthome/alexa"
)

// noRedirects is a client that shows every redirect.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// send makes a request with body and header pairs and returns the
// response, following no redirect; the body is read in full.
func send(t *testing.T, method, target string, body string, headers ...string) *reply {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, target, r)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatalf("%s %.80s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &reply{Status: resp.StatusCode, Header: resp.Header, Body: string(b), Location: resp.Header.Get("Location")}
}

// TestOversizedInputRefusedCleanly protects every entry point from
// oversized input: huge form bodies, query strings, headers and cookie
// lists are answered with a clear 4xx (413, 400, 431) or the page's own
// error, never a 5xx, and the server keeps serving.
func TestOversizedInputRefusedCleanly(t *testing.T) {
	tg := newTarget(t, targetOptions{})
	b := tg.browser(t)
	login := b.get("/login?" + tg.authQuery().Encode())
	csrf := login.csrf(t)
	huge := strings.Repeat("A", 1<<20)
	bigQuery := strings.Repeat("x", 48<<10) // under the 64 KiB header limit
	form := "application/x-www-form-urlencoded"

	t.Run("hosted form, 1 MiB body", func(t *testing.T) {
		body := url.Values{"_csrf": {csrf}, "username": {"carol"}, "password": {huge}}.Encode()
		req, _ := http.NewRequest(http.MethodPost, tg.issuer+"/login", strings.NewReader(body))
		req.Header.Set("Content-Type", form)
		req.Header.Set("Origin", tg.publicURL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		r := b.do(req)
		if r.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", r.Status)
		}
	})
	for _, c := range []struct {
		name, method, path, ctype, body string
		headers                         []string
		want                            []int
	}{
		{"token endpoint, 1 MiB body", "POST", tg.issuer + "/oauth2/token", form, "grant_type=authorization_code&code=" + huge, nil, []int{400, 413}},
		{"token endpoint, 1 MiB JSON", "POST", tg.issuer + "/oauth2/token", "application/json", `{"code":"` + huge + `"}`, nil, []int{400, 413}},
		{"revoke endpoint, 1 MiB body", "POST", tg.issuer + "/oauth2/revoke", form, "token=" + huge, nil, []int{400, 401, 413}},
		{"userInfo, 1 MiB body", "POST", tg.issuer + "/oauth2/userInfo", form, "access_token=" + huge, nil, []int{400, 401, 413}},
		{"userInfo, 48 KiB bearer token", "GET", tg.issuer + "/oauth2/userInfo", "", "", []string{"Authorization", "Bearer " + bigQuery}, []int{401}},
		{"skill, 1 MiB directive", "POST", tg.publicURL + "/alexa/smart-home", "application/json", `{"directive":"` + huge + `"}`, nil, []int{413}},
		{"lamps toggle, 1 MiB body", "POST", tg.publicURL + "/lamps/toggle", form, "lamp=" + huge, nil, []int{400, 401, 403, 413}},
		{"authorize, 48 KiB state", "GET", tg.issuer + "/oauth2/authorize?" + tg.authQuery("state", bigQuery).Encode(), "", "", nil, []int{302}},
		{"authorize, 48 KiB query", "GET", tg.issuer + "/oauth2/authorize?" + tg.authQuery().Encode() + "&x=" + bigQuery, "", "", nil, []int{302}},
		{"login page, 48 KiB query", "GET", tg.issuer + "/login?" + tg.authQuery().Encode() + "&x=" + bigQuery, "", "", nil, []int{200, 400}},
		{"login page, 48 KiB redirect_uri", "GET", tg.issuer + "/login?" + tg.authQuery("redirect_uri", alexaRedirect+"?"+bigQuery).Encode(), "", "", nil, []int{302}},
		{"error page, 48 KiB client_id", "GET", tg.issuer + "/error?error=redirect_mismatch&client_id=" + bigQuery, "", "", nil, []int{400}},
		{"JWKS, 48 KiB query", "GET", tg.issuer + "/.well-known/jwks.json?" + bigQuery, "", "", nil, []int{200}},
		{"lamps page, 48 KiB query", "GET", tg.publicURL + "/lamps?" + bigQuery, "", "", nil, []int{302, 303}},
		{"100 KiB query", "GET", tg.issuer + "/login?x=" + strings.Repeat("x", 100<<10), "", "", nil, []int{414, 431}},
		{"100 KiB header", "GET", tg.issuer + "/login", "", "", []string{"X-Attack", strings.Repeat("x", 100<<10)}, []int{431}},
		{"2000 headers", "GET", tg.issuer + "/login", "", "", manyHeaders(2000), []int{200, 431}},
		{"3000 cookies", "GET", tg.issuer + "/login?" + tg.authQuery().Encode(), "", "", []string{"Cookie", manyCookies(3000)}, []int{200, 431}},
		{"100 KiB cookie", "GET", tg.issuer + "/login", "", "", []string{"Cookie", "lp_csrf=" + strings.Repeat("x", 100<<10)}, []int{431}},
		{"cookie list, 2000 CSRF cookies", "POST", tg.issuer + "/login", form, "_csrf=" + csrf + "&username=carol&password=x",
			[]string{"Cookie", strings.Repeat("lp_csrf="+csrf+"; ", 2000), "Origin", tg.publicURL, "Sec-Fetch-Site", "same-origin"}, []int{400, 403, 431}},
		{"10000 form fields", "POST", tg.issuer + "/login", form, "_csrf=" + csrf + strings.Repeat("&a=b", 10000), []string{"Origin", tg.publicURL}, []int{403, 413}},
		{"token endpoint, 10000 parameters", "POST", tg.issuer + "/oauth2/token", form, "grant_type=x" + strings.Repeat("&a=b", 10000), nil, []int{400, 401}},
	} {
		t.Run(c.name, func(t *testing.T) {
			headers := c.headers
			if c.ctype != "" {
				headers = append([]string{"Content-Type", c.ctype}, headers...)
			}
			r := send(t, c.method, c.path, c.body, headers...)
			if r.Status >= 500 || !containsInt(c.want, r.Status) {
				t.Fatalf("status %d, want one of %v\n%.500s", r.Status, c.want, r.Body)
			}
			if r.Status == http.StatusFound && strings.Contains(r.Location, "code=") {
				t.Fatalf("a code was issued: %.200s", r.Location)
			}
		})
	}
	// The server still serves.
	if r := tg.browser(t).get("/login?" + tg.authQuery().Encode()); r.Status != http.StatusOK {
		t.Fatalf("login page after the attacks: %d", r.Status)
	}
}

// TestDeeplyNestedDirectivesRefused protects the skill's directive parser
// from deeply nested JSON (10,000 levels and more) wherever it appears in
// a directive: the answer is INVALID_DIRECTIVE (or INVALID_VALUE for a
// payload value), never INTERNAL_ERROR, a 5xx or a crash, and the lamp
// does not change.
func TestDeeplyNestedDirectivesRefused(t *testing.T) {
	tg := newTarget(t, targetOptions{})
	token := tg.link(t).AccessToken
	header := `{"namespace":"Alexa.PowerController","name":"TurnOn","payloadVersion":"3","messageId":"m-1","correlationToken":"c"}`
	endpoint := fmt.Sprintf(`{"scope":{"type":"BearerToken","token":%q},"endpointId":%q,"cookie":{}}`, token, tg.lampID)
	directiveOf := func(h, e, p string) string {
		return `{"directive":{"header":` + h + `,"endpoint":` + e + `,"payload":` + p + `}}`
	}
	for _, depth := range []int{10000, 10001, 30000} {
		arrays := strings.Repeat("[", depth) + strings.Repeat("]", depth)
		objects := strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth)
		unclosed := strings.Repeat("[", depth)
		for _, c := range []struct {
			name, body string
		}{
			{"document of arrays", arrays},
			{"directive of objects", `{"directive":` + objects + `}`},
			{"header", directiveOf(objects, endpoint, "{}")},
			{"endpoint", directiveOf(header, objects, "{}")},
			{"scope token", directiveOf(header, strings.Replace(endpoint, fmt.Sprintf("%q", token), arrays, 1), "{}")},
			{"cookie", directiveOf(header, strings.Replace(endpoint, `"cookie":{}`, `"cookie":`+objects, 1), "{}")},
			{"payload of SetBrightness", directiveOf(strings.Replace(strings.Replace(header, "PowerController", "BrightnessController", 1), "TurnOn", "SetBrightness", 1), endpoint, `{"brightness":`+arrays+`}`)},
			{"unclosed", directiveOf(header, endpoint, unclosed)},
		} {
			t.Run(fmt.Sprintf("%d/%s", depth, c.name), func(t *testing.T) {
				status, ev := postDirective(t, tg, c.body)
				if status != http.StatusOK && status != http.StatusRequestEntityTooLarge {
					t.Fatalf("status %d, want 200 or 413", status)
				}
				typ := alexa.ErrorType(ev.Event.Payload.Type)
				if ev.Event.Header.Name != "ErrorResponse" || (typ != alexa.ErrInvalidDirective && typ != alexa.ErrInvalidValue) {
					t.Fatalf("%s %s, want ErrorResponse INVALID_DIRECTIVE or INVALID_VALUE", ev.Event.Header.Name, typ)
				}
			})
		}
	}
	if tg.lampOn(t) {
		t.Fatal("a nested directive switched the lamp on")
	}
	if _, ev := directive(t, tg, "Alexa.PowerController", "TurnOn", token); ev.Event.Header.Name != "Response" {
		t.Fatalf("the skill no longer serves: %+v", ev)
	}
}

func manyHeaders(n int) []string {
	var h []string
	for i := 0; i < n; i++ {
		h = append(h, fmt.Sprintf("X-Attack-%d", i), "x")
	}
	return h
}

func manyCookies(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "c%d=v; ", i)
	}
	return b.String()
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
