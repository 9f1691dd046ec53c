package cli

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/mail/smtptest"
)

// TestServeMailsAfterAnswerAndOnShutdown asks for a password reset while
// the mail relay does not answer: the page must answer anyway, and
// stopping the server must wait for the queued mail to be delivered.
func TestServeMailsAfterAnswerAndOnShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("serve end-to-end test: -short")
	}
	relay := smtptest.New(t, smtptest.Options{From: "no-reply@linkpool.test"})
	data := t.TempDir()
	s := startServe(t, "http", map[string]string{"LINKPOOL_DATA": data}, "--demo", "--smtp-url", relay.URL)
	var st demoState
	b, err := os.ReadFile(filepath.Join(data, "demo.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}

	relay.Hold()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	page := s.url + "/" + st.PoolID + "/forgotPassword"
	resp, err := c.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	k := csrfRe.FindSubmatch(body)
	if k == nil {
		t.Fatalf("no form at %s: %d %s", page, resp.StatusCode, body)
	}
	req, _ := http.NewRequest(http.MethodPost, page, strings.NewReader(url.Values{
		"_csrf": {html.UnescapeString(string(k[1]))}, "username": {st.Username},
	}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.url)
	resp, err = c.Do(req)
	if err != nil {
		t.Fatalf("the reset request waited for the mail relay: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset request: %d", resp.StatusCode)
	}
	if n := len(relay.Messages()); n != 0 {
		t.Fatalf("%d messages delivered while the relay was held", n)
	}

	// Stop the server, and let the relay answer only once the HTTP
	// server has stopped: the mail must still go out before serve returns.
	stopped := make(chan int, 1)
	go func() { stopped <- s.stop() }()
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(s.stderr.String(), "shutting down"); {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not begin to shut down: %s", s.stderr)
		}
		time.Sleep(5 * time.Millisecond)
	}
	relay.Release()
	if code := <-stopped; code != 0 {
		t.Fatalf("exit %d: %s", code, s.stderr)
	}
	msgs := relay.Messages()
	if len(msgs) != 1 || msgs[0].RcptTo[0] != "demo@example.com" || !strings.Contains(msgs[0].Subject, "Reset") {
		t.Fatalf("after shutdown the relay holds %d messages, want the reset code", len(msgs))
	}
	if strings.Contains(s.stderr.String(), codeIn(msgs[0].Text)) {
		t.Error("the log holds the reset code")
	}
}

// codeIn returns the six-digit code in a mail's text.
func codeIn(text string) string {
	for f := range strings.FieldsSeq(text) {
		if len(f) == 6 && strings.Trim(f, "0123456789") == "" {
			return f
		}
	}
	return "no code in the mail"
}
