package alexasim_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/apptest"
)

// twoStepSite asks for the email first and the password on a second
// page, like many identity providers.
func twoStepSite(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<html><head><meta name="viewport" content="width=device-width"></head><body>
<form method="POST" action="/identify?%s"><input type="email" name="identifier"><select name="realm"><option>a</option><option value="b" selected>B</option></select><input type="submit" value="Next"></form></body></html>`,
			strings.ReplaceAll(r.URL.RawQuery, "&", "&amp;"))
	})
	mux.HandleFunc("POST /identify", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.PostForm.Get("identifier") != fakeUser || r.PostForm.Get("realm") != "b" {
			http.Error(w, "bad step one", http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, `<html><head><meta name="viewport" content="width=device-width"></head><body>
<form method="POST" action="/authenticate?%s"><input type="hidden" name="identifier" value="%s"><input type="password" name="secret"><input type="checkbox" name="remember" checked><button>Go</button></form></body></html>`,
			strings.ReplaceAll(r.URL.RawQuery, "&", "&amp;"), fakeUser)
	})
	mux.HandleFunc("POST /authenticate", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		q := r.URL.Query()
		if r.PostForm.Get("identifier") != fakeUser || r.PostForm.Get("secret") != fakePassword || r.PostForm.Get("remember") != "on" {
			fmt.Fprint(w, `<html><body><p class="form-error">That did not work.</p><form method="POST"><input type="password" name="secret"></form></body></html>`)
			return
		}
		http.Redirect(w, r, q.Get("redirect_uri")+"?"+url.Values{"code": {"c2"}, "state": {q.Get("state")}}.Encode(), http.StatusSeeOther)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestFormSignInTwoStep(t *testing.T) {
	site := twoStepSite(t)
	authURL := site.URL + "/authorize?" + url.Values{"redirect_uri": {alexasim.RegionNA.RedirectURL(vendorID)}, "state": {"s1"}}.Encode()
	tests := []struct {
		name     string
		password string
		redirect bool
		code     string
		detail   string
	}{
		{name: "right password", password: fakePassword, redirect: true},
		{name: "wrong password", password: "nope", code: alexasim.CodeSignInFailed, detail: `"That did not work."`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := alexasim.FormSignIn{Username: fakeUser, Password: tc.password}.SignIn(context.Background(), alexasim.SignInRequest{
				AuthURL: authURL, RedirectURI: alexasim.RegionNA.RedirectURL(vendorID),
			})
			if err != nil {
				t.Fatal(err)
			}
			if (res.Redirect != nil) != tc.redirect {
				t.Fatalf("redirect %v diagnoses %v", res.Redirect, res.Diagnoses)
			}
			if tc.redirect {
				if res.Redirect.Query().Get("state") != "s1" || res.Redirect.Host != "pitangui.amazon.com" || len(res.Pages) != 2 {
					t.Fatalf("redirect %s pages %d", res.Redirect.Redacted(), len(res.Pages))
				}
				return
			}
			if len(res.Diagnoses) != 1 || res.Diagnoses[0].Code != tc.code || !strings.Contains(res.Diagnoses[0].Detail, tc.detail) {
				t.Fatalf("diagnoses %v", res.Diagnoses)
			}
		})
	}
}

// TestManualSignIn plays the person who signs in in a browser and pastes
// the redirect.
func TestManualSignIn(t *testing.T) {
	f := newFakeAS(t)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if !strings.HasPrefix(line, "http") {
				continue
			}
			res, err := alexasim.FormSignIn{Username: fakeUser, Password: fakePassword}.SignIn(context.Background(), alexasim.SignInRequest{
				AuthURL: line, RedirectURI: alexasim.RegionNA.RedirectURL(vendorID),
			})
			if err == nil && res.Redirect == nil {
				err = fmt.Errorf("no redirect: %v", res.Diagnoses)
			}
			if err == nil {
				_, err = fmt.Fprintln(inW, "  \n"+res.Redirect.String())
			}
			done <- err
			_, _ = io.Copy(io.Discard, outR)
			return
		}
	}()
	res, err := alexasim.LinkAccount(context.Background(), alexasim.LinkOptions{
		Console: f.console(), SignIn: alexasim.ManualSignIn{In: inR, Out: outW}, Env: alexasim.Env{Skill: stubSkill()},
	})
	outW.Close()
	if gerr := <-done; gerr != nil {
		t.Fatal(gerr)
	}
	if err != nil || !res.OK {
		t.Fatalf("manual link: %v %v", err, res.Diagnoses)
	}
	// Nothing pasted: the strategy fails, no diagnosis is invented.
	_, err = alexasim.LinkAccount(context.Background(), alexasim.LinkOptions{
		Console: f.console(), SignIn: alexasim.ManualSignIn{In: strings.NewReader(""), Out: io.Discard}, Env: alexasim.Env{Skill: stubSkill()},
	})
	if err == nil || !strings.Contains(err.Error(), "no redirect URL was pasted") {
		t.Fatalf("empty input: %v", err)
	}
	// Garbage pasted.
	res, err = alexasim.LinkAccount(context.Background(), alexasim.LinkOptions{
		Console: f.console(), SignIn: alexasim.ManualSignIn{In: strings.NewReader("not a url\n"), Out: io.Discard}, Env: alexasim.Env{Skill: stubSkill()},
	})
	if err == nil || !res.Diagnoses.Has(alexasim.CodeSignInFailed) {
		t.Fatalf("garbage: %v %v", err, res.Diagnoses)
	}
}

func TestSignInFunc(t *testing.T) {
	f := newFakeAS(t)
	fn := alexasim.SignInFunc(func(ctx context.Context, authURL string) (*url.URL, error) {
		return nil, fmt.Errorf("the login page opened a JavaScript dialog")
	})
	res, err := alexasim.LinkAccount(context.Background(), alexasim.LinkOptions{Console: f.console(), SignIn: fn, Env: alexasim.Env{Skill: stubSkill()}})
	got := unexpected(res.Diagnoses)
	if err == nil || len(got) != 1 || got[0].Code != alexasim.CodeSignInFailed || !strings.Contains(got[0].Detail, "JavaScript dialog") {
		t.Fatalf("%v %v", err, res.Diagnoses)
	}
}

// TestBrowserLink links against linkpool with real headless Chromium,
// then a region whose redirect URL is not registered.
func TestBrowserLink(t *testing.T) {
	if testing.Short() {
		t.Skip("browser end-to-end test: -short")
	}
	apptest.RequireChromium(t)
	l := newLab(t, labOptions{regions: []alexasim.Region{alexasim.RegionNA, alexasim.RegionEU}})
	shots := t.TempDir()
	b := alexasim.Browser{Username: username, Password: userPassword, Options: alexasim.BrowserOptions{ScreenshotDir: shots}}
	res, err := alexasim.LinkAccount(context.Background(), alexasim.LinkOptions{
		Console: l.console(alexasim.RegionEU, alexasim.SchemeHTTPBasic, true), SignIn: b, Env: l.env(l.httpSkill()), Gateway: l.gwSrv.URL,
	})
	if err != nil || !res.OK {
		t.Fatalf("browser link: %v %v", err, res.Diagnoses)
	}
	if pngs, _ := filepath.Glob(filepath.Join(shots, "*.png")); len(pngs) == 0 {
		t.Fatal("no screenshots")
	}
	res, err = alexasim.LinkAccount(context.Background(), alexasim.LinkOptions{
		Console: l.console(alexasim.RegionFE, alexasim.SchemeHTTPBasic, true), SignIn: alexasim.Browser{Username: username, Password: userPassword},
		Env: l.env(l.httpSkill()),
	})
	if err == nil || res.UserMessage != unableToLink || !res.Diagnoses.Has(alexasim.CodeRedirectURINotAccepted) {
		t.Fatalf("unregistered region: %v %v", err, res.Diagnoses)
	}
	res, err = alexasim.LinkAccount(context.Background(), alexasim.LinkOptions{
		Console: l.console(alexasim.RegionNA, alexasim.SchemeHTTPBasic, true), SignIn: alexasim.Browser{Username: username, Password: "Wr0ng-Password!"},
		Env: l.env(l.httpSkill()),
	})
	if err == nil || !res.Diagnoses.Has(alexasim.CodeSignInFailed) || !strings.Contains(res.Diagnoses[len(res.Diagnoses)-1].Detail, "Incorrect username or password.") {
		t.Fatalf("wrong password: %v %v", err, res.Diagnoses)
	}
}

// TestFormSignInFederated: the authorization server sends the browser to
// another identity provider, which carries its own state, signs the user
// in and returns; form sign-in follows until the redirect to Alexa.
func TestFormSignInFederated(t *testing.T) {
	var as *httptest.Server
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/login":
			fmt.Fprintf(w, `<html><head><meta name="viewport" content="width=device-width"></head><body><form method="post" action="/login?%s">
<input name="user"><input type="password" name="pass"><input type="submit"></form></body></html>`, strings.ReplaceAll(r.URL.RawQuery, "&", "&amp;"))
		case r.Method == http.MethodPost && r.URL.Path == "/login":
			_ = r.ParseForm()
			if r.PostForm.Get("user") != fakeUser || r.PostForm.Get("pass") != fakePassword {
				http.Error(w, "no", http.StatusForbidden)
				return
			}
			http.Redirect(w, r, r.URL.Query().Get("return")+"&"+url.Values{"idp_state": {r.URL.Query().Get("state")}}.Encode(), http.StatusFound)
		}
	}))
	t.Cleanup(idp.Close)
	as = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/authorize":
			http.SetCookie(w, &http.Cookie{Name: "orig", Value: url.QueryEscape(r.URL.RawQuery), Path: "/"})
			ret := as.URL + "/federated?x=1"
			http.Redirect(w, r, idp.URL+"/login?"+url.Values{"state": {"idp-opaque"}, "return": {ret}}.Encode(), http.StatusFound)
		case "/federated":
			c, err := r.Cookie("orig")
			if err != nil || r.URL.Query().Get("idp_state") != "idp-opaque" {
				http.Error(w, "lost session", http.StatusBadRequest)
				return
			}
			raw, _ := url.QueryUnescape(c.Value)
			orig, _ := url.ParseQuery(raw)
			http.Redirect(w, r, orig.Get("redirect_uri")+"?"+url.Values{"code": {"c3"}, "state": {orig.Get("state")}}.Encode(), http.StatusFound)
		}
	}))
	t.Cleanup(as.Close)
	redirect := alexasim.RegionFE.RedirectURL(vendorID)
	authURL := as.URL + "/authorize?" + url.Values{"redirect_uri": {redirect}, "state": {"alexa-state"}}.Encode()
	res, err := alexasim.FormSignIn{Username: fakeUser, Password: fakePassword}.SignIn(context.Background(), alexasim.SignInRequest{AuthURL: authURL, RedirectURI: redirect})
	if err != nil {
		t.Fatal(err)
	}
	if res.Redirect == nil || res.Redirect.Host != "alexa.amazon.co.jp" || res.Redirect.Query().Get("state") != "alexa-state" || res.Redirect.Query().Get("code") != "c3" {
		t.Fatalf("redirect %v diagnoses %v", res.Redirect, res.Diagnoses)
	}
}
