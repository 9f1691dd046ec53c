package mail

import (
	"context"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/mail/smtptest"
)

// TestNoCredentialsInClearText points a sender whose host is not a
// loopback name at a plain server that accepts AUTH without TLS: the
// sender must refuse to authenticate rather than send the password.
func TestNoCredentialsInClearText(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{Security: smtptest.Plain, User: "relay", Password: "relay-pw"})
	s, err := NewSMTP("smtp://relay:relay-pw@mail.example.com?from=a@example.com")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = srv.Addr // reach the test server under a remote-looking name
	err = s.Send(context.Background(), Message{To: "b@example.com", Subject: "x", Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "refusing to send credentials") {
		t.Fatalf("Send = %v, want a refusal", err)
	}
	if strings.Contains(err.Error(), "relay-pw") {
		t.Error("the error contains the password")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages delivered", n)
	}
}
