package mail_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/mail/smtptest"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
)

// TestQueueIsDeliveredByAnOutbox: a message a Queue stored, as the
// command line does, is delivered by the outbox of a server on the same
// store, which never had it sent through itself.
func TestQueueIsDeliveredByAnOutbox(t *testing.T) {
	st, box := sqlitetest.Open(t), sealtest.Box(t)
	q := mail.NewQueue(st, box)
	ctx := context.Background()
	if err := q.Send(ctx, codeMessage("ann@example.com", "Queued-Pass-1")); err != nil {
		t.Fatal(err)
	}
	if err := q.Send(ctx, mail.Message{To: "not an address", Text: "x"}); !errors.Is(err, mail.ErrInvalidMessage) {
		t.Fatalf("Send(bad recipient) = %v", err)
	}
	srv := smtptest.New(t, smtptest.Options{Security: smtptest.StartTLS, From: "no-reply@example.com"})
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages delivered before any outbox ran", n)
	}
	outboxOn(t, st, box, srv, mail.OutboxOptions{Poll: 10 * time.Millisecond})
	deadline := time.Now().Add(20 * time.Second)
	for len(srv.Messages()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	ms := srv.Messages()
	if len(ms) != 1 || ms[0].RcptTo[0] != "ann@example.com" || strings.TrimSpace(ms[0].Text) != "Your code is Queued-Pass-1" {
		t.Fatalf("delivered: %+v", ms)
	}
}
