package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/apptest"
)

// TestSkillServeLampsSessionEndsAtIssuer runs `linkpool skill serve` with
// the /lamps page against `linkpool serve --demo` as a separate issuer,
// each with its own data directory, as against Cognito: a user signed in
// to /lamps loses the session once they sign out everywhere at the
// issuer, because the page re-checks with the issuer's refresh grant.
func TestSkillServeLampsSessionEndsAtIssuer(t *testing.T) {
	h := newAdminHarness(t)
	s := startServe(t, "http", h.env, "--demo")
	password, _ := demoSecrets(t, s.stdout.String())
	var st demoState
	b, err := os.ReadFile(filepath.Join(h.dir, "demo.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}

	skillAddr := apptest.FreeAddr(t)
	lampsURL := "http://" + skillAddr
	out := h.ok("client", "create", "--pool", st.PoolID, "--name", "lamps-standalone", "--generate-secret",
		"--callback-url", lampsURL+"/lamps/callback", "--flows", "code", "--scopes", "openid,email", "--json")
	var cl struct{ ClientId, ClientSecret string }
	if err := json.Unmarshal([]byte(out), &cl); err != nil || cl.ClientSecret == "" {
		t.Fatalf("client create: %v\n%s", err, out)
	}
	lampsClient, lampsSecret := cl.ClientId, cl.ClientSecret

	skillEnv := map[string]string{"LINKPOOL_DATA": t.TempDir(), "LINKPOOL_LAMPS_CLIENT_SECRET": lampsSecret}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stderr apptest.Log
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr, getenv: func(k string) string { return skillEnv[k] }}
	go func() {
		done <- e.main(ctx, []string{"skill", "serve", "--addr", skillAddr, "--issuer", s.url + "/" + st.PoolID,
			"--client-id", st.ClientID, "--lamps-client-id", lampsClient, "--lamps-url", lampsURL,
			"--lamps-recheck-interval", "1ns", "--log-format", "text"})
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	waitReady(t, lampsURL+"/healthz", done, &stderr)

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp := signInThrough(t, c, lampsURL+"/lamps", st.Username, password)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Host != skillAddr || !strings.Contains(string(body), "Signed in as") {
		t.Fatalf("lamps page after sign-in: %d %s\n%s", resp.StatusCode, resp.Request.URL, body)
	}

	h.ok("user", "sign-out-everywhere", "--pool", st.PoolID, "--username", st.Username)
	noFollow := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noFollow.Get(lampsURL + "/lamps")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), s.url+"/"+st.PoolID+"/oauth2/authorize?") {
		t.Fatalf("/lamps after signing out everywhere: %d %s, want a redirect to sign in", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// waitReady polls url until it answers 200 or the command exits.
func waitReady(t *testing.T, url string, done chan int, stderr *apptest.Log) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case code := <-done:
			t.Fatalf("exited with %d: %s", code, stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready: %s", stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
