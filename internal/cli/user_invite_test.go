package cli

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/mail/smtptest"
)

// waitMails waits until relay has received n messages and returns them.
func waitMails(t *testing.T, relay *smtptest.Server, n int) []smtptest.Received {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(relay.Messages()) < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	ms := relay.Messages()
	if len(ms) != n {
		t.Fatalf("%d mails arrived, want %d", len(ms), n)
	}
	return ms
}

// TestUserCreateInvites: `user create` queues the invitation in the
// database, and a running `linkpool serve` on the same data mails it
// through its relay, with the password the command printed; a pool's
// own template is used; --suppress-message queues nothing; --resend
// queues a new password.
func TestUserCreateInvites(t *testing.T) {
	if testing.Short() {
		t.Skip("serve end-to-end test: -short")
	}
	h := newAdminHarness(t)
	p := h.createPool()
	relay := smtptest.New(t, smtptest.Options{From: "no-reply@linkpool.test"})
	startServe(t, "http", h.env, "--smtp-url", relay.URL)

	out := h.ok("user", "create", "--pool", p.ID, "--username", "ivy", "--email", "ivy@example.com", "--attribute", "locale=fr")
	if !strings.Contains(out, "Invitation queued for i***@e***.com") {
		t.Fatalf("user create does not report the invitation:\n%s", out)
	}
	pw := strings.TrimSpace(strings.SplitN(strings.SplitN(out, "Temporary password (shown once): ", 2)[1], "\n", 2)[0])
	r := waitMails(t, relay, 1)[0]
	if r.RcptTo[0] != "ivy@example.com" || r.Header.Get("Content-Language") != "fr" || r.Subject != "Votre compte Test" {
		t.Fatalf("invitation: to %v, language %q, subject %q", r.RcptTo, r.Header.Get("Content-Language"), r.Subject)
	}
	if !strings.Contains(r.Text, "Nom d'utilisateur\u00a0: ivy") || !strings.Contains(r.Text, "\n    "+pw+"\n") {
		t.Fatalf("invitation text lacks the username or the printed password:\n%s", r.Text)
	}

	h.ok("user", "create", "--pool", p.ID, "--username", "quiet", "--email", "quiet@example.com", "--suppress-message")
	h.ok("user", "create", "--pool", p.ID, "--username", "perm", "--email", "perm@example.com", "--password", "Perm4nent-Pass!", "--permanent")

	h.fails(1, "InviteMessageTemplate", "pool", "update", "--pool", p.ID, "--invite-message", "Your password: {####}")
	h.ok("pool", "update", "--pool", p.ID, "--invite-subject", "Welcome to Test", "--invite-message", "Hello {username}, sign in with {####}.")
	if show := h.ok("pool", "show", "--pool", p.ID); !strings.Contains(show, `subject "Welcome to Test"`) {
		t.Fatalf("pool show lacks the invitation template:\n%s", show)
	}
	out = h.ok("user", "create", "--pool", p.ID, "--username", "ivy", "--resend")
	pw2 := strings.TrimSpace(strings.SplitN(strings.SplitN(out, "(shown once): ", 2)[1], "\n", 2)[0])
	ms := waitMails(t, relay, 2)
	if ms[1].Subject != "Welcome to Test" || strings.TrimSpace(ms[1].Text) != "Hello ivy, sign in with "+pw2+"." || pw2 == pw {
		t.Fatalf("resent invitation: %q %q", ms[1].Subject, ms[1].Text)
	}
	h.fails(1, "UnsupportedUserStateException", "user", "create", "--pool", p.ID, "--username", "perm", "--resend")
	h.fails(2, "--resend takes only", "user", "create", "--pool", p.ID, "--username", "ivy", "--resend", "--email", "x@example.com")
	// Nothing was queued for quiet or perm: once the outbox is empty,
	// still only the two mails arrived.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(h.dir, "linkpool.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM mail_outbox`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d mails still queued", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(relay.Messages()); n != 2 {
		t.Fatalf("%d mails, want 2", n)
	}
}
