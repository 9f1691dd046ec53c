package mail_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/mail/smtptest"
)

func testMessage() mail.Message {
	return mail.Message{
		To:      "alice@example.com",
		Subject: "Ihr Bestätigungscode 验证码",
		Text:    "Your code is 123456.\nSecond line with ümlaut and a very long line that must be wrapped by quoted-printable encoding because it exceeds seventy-six characters.",
		HTML:    "<p>Your code is <b>123456</b>.</p>",
	}
}

func TestSMTPDelivers(t *testing.T) {
	tests := []struct {
		name     string
		opts     smtptest.Options
		wantTLS  bool
		wantUser string
	}{
		{name: "starttls with auth", opts: smtptest.Options{Security: smtptest.StartTLS, User: "relay", Password: "s3cret-pw"}, wantTLS: true, wantUser: "relay"},
		{name: "implicit tls with auth", opts: smtptest.Options{Security: smtptest.ImplicitTLS, User: "relay", Password: "s3cret-pw"}, wantTLS: true, wantUser: "relay"},
		{name: "starttls without auth", opts: smtptest.Options{Security: smtptest.StartTLS}, wantTLS: true},
		{name: "plain server without auth", opts: smtptest.Options{Security: smtptest.Plain}},
		{name: "plain loopback server with auth", opts: smtptest.Options{Security: smtptest.Plain, User: "relay", Password: "pw"}, wantUser: "relay"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.New(t, tt.opts)
			s, err := mail.NewSMTP(srv.URL)
			if err != nil {
				t.Fatalf("NewSMTP: %v", err)
			}
			m := testMessage()
			m.From = "Example Pool <pool@example.com>"
			if err := s.Send(context.Background(), m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := srv.Messages()
			if len(got) != 1 {
				t.Fatalf("server received %d messages, want 1", len(got))
			}
			r := got[0]
			if r.TLS != tt.wantTLS {
				t.Errorf("TLS = %v, want %v", r.TLS, tt.wantTLS)
			}
			if r.AuthUser != tt.wantUser {
				t.Errorf("authenticated as %q, want %q", r.AuthUser, tt.wantUser)
			}
			if r.MailFrom != "no-reply@linkpool.test" {
				t.Errorf("envelope sender = %q, want the URL's from", r.MailFrom)
			}
			if len(r.RcptTo) != 1 || r.RcptTo[0] != "alice@example.com" {
				t.Errorf("recipients = %v", r.RcptTo)
			}
			if r.Subject != m.Subject {
				t.Errorf("subject = %q, want %q", r.Subject, m.Subject)
			}
			if r.Header.Get("From") != m.From {
				t.Errorf("From header = %q, want %q", r.Header.Get("From"), m.From)
			}
			if r.Text != m.Text {
				t.Errorf("text = %q, want %q", r.Text, m.Text)
			}
			if r.HTML != m.HTML {
				t.Errorf("html = %q, want %q", r.HTML, m.HTML)
			}
			if r.Header.Get("Auto-Submitted") != "auto-generated" || r.Header.Get("Message-ID") == "" {
				t.Errorf("missing Auto-Submitted or Message-ID: %v", r.Header)
			}
			for _, line := range strings.Split(string(r.Raw), "\r\n") {
				if len(line) > 998 {
					t.Errorf("line longer than RFC 5322 allows: %d", len(line))
				}
			}
		})
	}
}

func TestSMTPTextOnly(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{Security: smtptest.StartTLS})
	s, err := mail.NewSMTP(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), mail.Message{To: "bob@example.com", Subject: "Hi", Text: "plain body"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r, ok := srv.Last()
	if !ok || strings.TrimSuffix(r.Text, "\n") != "plain body" || r.HTML != "" {
		t.Fatalf("received text %q, html %q", r.Text, r.HTML)
	}
}

func TestSMTPFailures(t *testing.T) {
	const secret = "s3cret-pw"
	tests := []struct {
		name    string
		opts    smtptest.Options
		url     func(srv *smtptest.Server) string
		wantErr string
	}{
		{
			name: "wrong password",
			opts: smtptest.Options{Security: smtptest.StartTLS, User: "relay", Password: "other"},
			url: func(srv *smtptest.Server) string {
				return "smtp://relay:" + secret + "@" + srv.Addr + "?from=a@example.com&insecure_skip_verify=true"
			},
			wantErr: "535",
		},
		{
			name: "untrusted certificate",
			opts: smtptest.Options{Security: smtptest.StartTLS},
			url: func(srv *smtptest.Server) string {
				return "smtp://" + srv.Addr + "?from=a@example.com"
			},
			wantErr: "certificate",
		},
		{
			name: "untrusted certificate, implicit tls",
			opts: smtptest.Options{Security: smtptest.ImplicitTLS},
			url: func(srv *smtptest.Server) string {
				return "smtps://" + srv.Addr + "?from=a@example.com"
			},
			wantErr: "certificate",
		},
		{
			name: "server requires auth",
			opts: smtptest.Options{Security: smtptest.StartTLS, User: "relay", Password: secret},
			url: func(srv *smtptest.Server) string {
				return "smtp://" + srv.Addr + "?from=a@example.com&insecure_skip_verify=true"
			},
			wantErr: "authenticate",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.New(t, tt.opts)
			s, err := mail.NewSMTP(tt.url(srv))
			if err != nil {
				t.Fatalf("NewSMTP: %v", err)
			}
			err = s.Send(context.Background(), testMessage())
			if err == nil {
				t.Fatal("Send succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q leaks the password", err)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("server received %d messages, want 0", n)
			}
		})
	}
}

// TestSMTPContextEnds checks that a server that never answers does not
// hold Send beyond its context.
func TestSMTPContextEnds(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			accepted <- c // hold the connection open, say nothing
		}
	}()
	s, err := mail.NewSMTP("smtp://" + l.Addr().String() + "?from=a@example.com")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		c := <-accepted
		cancel()
		<-time.After(5 * time.Second)
		c.Close()
	}()
	err = s.Send(ctx, testMessage())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Send = %v, want context.Canceled", err)
	}
}

func TestNewSMTPRejects(t *testing.T) {
	const secret = "hunter2-secret"
	tests := []struct {
		name string
		url  string
	}{
		{name: "not a url", url: "smtp://user:" + secret + "@host:25:26/%zz"},
		{name: "wrong scheme", url: "http://user:" + secret + "@host?from=a@example.com"},
		{name: "no host", url: "smtp://user:" + secret + "@:25?from=a@example.com"},
		{name: "no from", url: "smtp://user:" + secret + "@host:25"},
		{name: "bad from", url: "smtp://user:" + secret + "@host:25?from=not-an-address"},
		{name: "bad port", url: "smtp://user:" + secret + "@host:99999?from=a@example.com"},
		{name: "unknown option", url: "smtp://user:" + secret + "@host?from=a@example.com&tls=off"},
		{name: "bad timeout", url: "smtp://user:" + secret + "@host?from=a@example.com&timeout=forever"},
		{name: "bad insecure flag", url: "smtp://user:" + secret + "@host?from=a@example.com&insecure_skip_verify=yes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := mail.NewSMTP(tt.url)
			if err == nil {
				t.Fatalf("NewSMTP(%q) = %v, want an error", tt.url, s)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q leaks the password", err)
			}
		})
	}
}

func TestNewSMTPDefaults(t *testing.T) {
	s, err := mail.NewSMTP("smtp://mail.example.com?from=Pool%20%3Cpool@example.com%3E")
	if err != nil {
		t.Fatal(err)
	}
	if s.From() != "pool@example.com" {
		t.Errorf("From() = %q, want the bare address", s.From())
	}
}

func TestSendRejectsHeaderInjection(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{Security: smtptest.StartTLS})
	s, err := mail.NewSMTP(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		msg  mail.Message
	}{
		{name: "recipient with line break", msg: mail.Message{To: "a@example.com\r\nBcc: evil@example.com", Subject: "x", Text: "x"}},
		{name: "subject with line break", msg: mail.Message{To: "a@example.com", Subject: "x\r\nBcc: evil@example.com", Text: "x"}},
		{name: "malformed recipient", msg: mail.Message{To: "not an address", Subject: "x", Text: "x"}},
		{name: "malformed sender", msg: mail.Message{From: "bad\nfrom", To: "a@example.com", Subject: "x", Text: "x"}},
		{name: "empty body", msg: mail.Message{To: "a@example.com", Subject: "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Send(context.Background(), tt.msg)
			if !errors.Is(err, mail.ErrInvalidMessage) {
				t.Fatalf("Send = %v, want ErrInvalidMessage", err)
			}
		})
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server received %d messages, want 0", n)
	}
}
