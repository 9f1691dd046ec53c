package mail_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/mail/smtptest"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
)

// outboxTo returns an outbox on a fresh SQLite store delivering to srv,
// with retries a millisecond apart, and a buffer with its log.
func outboxTo(t *testing.T, srv *smtptest.Server, o mail.OutboxOptions) (*mail.Outbox, *syncLog) {
	t.Helper()
	return outboxOn(t, sqlitetest.Open(t), sealtest.Box(t), srv, o)
}

// outboxOn returns an outbox on st and box delivering to srv, with
// retries a millisecond apart, and a buffer with its log; it is closed
// when the test ends.
func outboxOn(t *testing.T, st store.Store, box *seal.Box, srv *smtptest.Server, o mail.OutboxOptions) (*mail.Outbox, *syncLog) {
	t.Helper()
	s, err := mail.NewSMTP(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncLog{}
	o.Log = slog.New(slog.NewJSONHandler(logs, nil))
	if o.Backoff == 0 {
		o.Backoff = time.Millisecond
	}
	ob := mail.NewOutbox(s, st, box, o)
	t.Cleanup(func() {
		srv.Release()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = ob.Close(ctx)
	})
	return ob, logs
}

type syncLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func codeMessage(to, code string) mail.Message {
	return mail.Message{To: to, Subject: "Your code", Text: "Your code is " + code}
}

func flush(t *testing.T, ob *mail.Outbox) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ob.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

// TestOutboxDeliversAfterSend checks that Send returns while the relay
// has not answered yet, and that the message arrives afterwards.
func TestOutboxDeliversAfterSend(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{Security: smtptest.StartTLS})
	reg := prometheus.NewRegistry()
	ob, logs := outboxTo(t, srv, mail.OutboxOptions{Metrics: reg})
	srv.Hold()
	if err := ob.Send(context.Background(), codeMessage("alice@example.com", "271828")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	// Send has returned although the relay has not even greeted.
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages delivered before the relay answered", n)
	}
	if ob.Pending() != 1 {
		t.Errorf("Pending = %d, want 1", ob.Pending())
	}
	srv.Release()
	flush(t, ob)
	r, ok := srv.Last()
	if !ok || !strings.Contains(r.Text, "271828") || r.RcptTo[0] != "alice@example.com" {
		t.Fatalf("received %+v", r)
	}
	if got := ob.Pending(); got != 0 {
		t.Errorf("Pending after Flush = %d", got)
	}
	if got := metric(t, reg, "linkpool_mail_delivered_total", ""); got != 1 {
		t.Errorf("delivered = %v, want 1", got)
	}
	if strings.Contains(logs.String(), "271828") {
		t.Error("the log holds the code")
	}
}

// TestOutboxRetriesTransientFailures checks that a message the relay
// refuses with a 4xx reply is tried again and delivered, and that one
// refused with a 5xx reply is given up on at once.
func TestOutboxRetriesTransientFailures(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{Security: smtptest.StartTLS})
	reg := prometheus.NewRegistry()
	ob, logs := outboxTo(t, srv, mail.OutboxOptions{Metrics: reg, Workers: 1, Attempts: 4})

	srv.Refuse(2, 451)
	if err := ob.Send(context.Background(), codeMessage("bob@example.com", "314159")); err != nil {
		t.Fatal(err)
	}
	flush(t, ob)
	if msgs := srv.Messages(); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "314159") {
		t.Fatalf("received %d messages after two transient refusals, want 1", len(msgs))
	}
	if got := metric(t, reg, "linkpool_mail_retries_total", ""); got != 2 {
		t.Errorf("retries = %v, want 2", got)
	}

	srv.Refuse(1, 554)
	if err := ob.Send(context.Background(), codeMessage("carol@example.com", "161803")); err != nil {
		t.Fatal(err)
	}
	flush(t, ob)
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("a permanently refused message arrived: %d messages", n)
	}
	if got := metric(t, reg, "linkpool_mail_retries_total", ""); got != 2 {
		t.Errorf("retries = %v after a permanent failure, want still 2", got)
	}

	srv.Refuse(4, 421)
	if err := ob.Send(context.Background(), codeMessage("dave@example.com", "141421")); err != nil {
		t.Fatal(err)
	}
	flush(t, ob)
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("a message refused on every attempt arrived: %d messages", n)
	}
	for _, reason := range []string{"attempts", "permanent"} {
		if got := metric(t, reg, "linkpool_mail_failed_total", reason); got != 1 {
			t.Errorf("failed{reason=%q} = %v, want 1", reason, got)
		}
	}
	log := logs.String()
	if !strings.Contains(log, "delivery failed") || !strings.Contains(log, "554") {
		t.Errorf("the failures were not logged:\n%s", log)
	}
	for _, code := range []string{"314159", "161803", "141421"} {
		if strings.Contains(log, code) {
			t.Errorf("the log holds the code %s", code)
		}
	}
}

// metric returns the value of the counter name whose reason label is
// reason ("" for an unlabelled counter).
func metric(t *testing.T, reg *prometheus.Registry, name, reason string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.Metric {
			got := ""
			for _, l := range m.Label {
				if l.GetName() == "reason" {
					got = l.GetValue()
				}
			}
			if got == reason {
				return m.GetCounter().GetValue()
			}
		}
	}
	t.Fatalf("no metric %s{reason=%q}", name, reason)
	return 0
}

// TestOutboxDrainsOnClose checks that Close delivers what is queued
// before it returns, and that Send is refused afterwards.
func TestOutboxDrainsOnClose(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{Security: smtptest.StartTLS})
	ob, _ := outboxTo(t, srv, mail.OutboxOptions{Workers: 2})
	srv.Hold()
	const n = 6
	for i := range n {
		if err := ob.Send(context.Background(), codeMessage(fmt.Sprintf("u%d@example.com", i), "100000")); err != nil {
			t.Fatal(err)
		}
	}
	closed := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		closed <- ob.Close(ctx)
	}()
	srv.Release()
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := len(srv.Messages()); got != n {
		t.Fatalf("%d of %d queued messages delivered by Close", got, n)
	}
	if err := ob.Send(context.Background(), codeMessage("late@example.com", "100000")); !errors.Is(err, mail.ErrOutboxClosed) {
		t.Errorf("Send after Close = %v, want ErrOutboxClosed", err)
	}
}

// TestOutboxCloseIsBounded checks that Close gives up when its context
// ends and says how many messages were not delivered.
func TestOutboxCloseIsBounded(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{Security: smtptest.StartTLS})
	ob, logs := outboxTo(t, srv, mail.OutboxOptions{Workers: 1})
	srv.Hold()
	for i := range 3 {
		if err := ob.Send(context.Background(), codeMessage(fmt.Sprintf("u%d@example.com", i), "100000")); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the relay never answers; shutdown has no time left
	err := ob.Close(ctx)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "3 messages not delivered") {
		t.Fatalf("Close = %v, want 3 messages reported undelivered", err)
	}
	if ob.Pending() != 0 {
		t.Errorf("Pending after Close = %d", ob.Pending())
	}
	if !strings.Contains(logs.String(), "not delivered") {
		t.Errorf("the loss was not logged:\n%s", logs.String())
	}
}

// TestOutboxOverflow checks that messages beyond the workers' queue are
// accepted all the same and delivered once their lease ends.
func TestOutboxOverflow(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{Security: smtptest.StartTLS})
	ob, _ := outboxTo(t, srv, mail.OutboxOptions{Queue: 1, Workers: 1, Lease: 500 * time.Millisecond, Poll: 20 * time.Millisecond})
	srv.Hold()
	const n = 4
	for i := range n {
		if err := ob.Send(context.Background(), codeMessage(fmt.Sprintf("u%d@example.com", i), "100000")); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
	}
	srv.Release()
	flush(t, ob)
	if got := len(srv.Messages()); got != n {
		t.Errorf("%d of %d accepted messages delivered", got, n)
	}
}

// TestOutboxRefusesWhenStoreFails checks that Send reports a message it
// could not store, so that the caller knows it was not accepted.
func TestOutboxRefusesWhenStoreFails(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{Security: smtptest.StartTLS})
	st := sqlitetest.Open(t)
	reg := prometheus.NewRegistry()
	ob, _ := outboxOn(t, st, sealtest.Box(t), srv, mail.OutboxOptions{Metrics: reg})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ob.Send(context.Background(), codeMessage("a@example.com", "100000")); err == nil {
		t.Fatal("Send with the database closed succeeded")
	}
	if got := metric(t, reg, "linkpool_mail_rejected_total", ""); got != 1 {
		t.Errorf("rejected = %v, want 1", got)
	}
	if ob.Pending() != 0 {
		t.Errorf("a refused message is pending")
	}
}

func TestOutboxRejectsInvalidMessages(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{Security: smtptest.StartTLS})
	ob, _ := outboxTo(t, srv, mail.OutboxOptions{})
	if err := ob.Send(context.Background(), mail.Message{To: "a@example.com\r\nBcc: x@example.com", Text: "x"}); !errors.Is(err, mail.ErrInvalidMessage) {
		t.Errorf("Send = %v, want ErrInvalidMessage", err)
	}
	if ob.Pending() != 0 {
		t.Errorf("an invalid message was queued")
	}
}
