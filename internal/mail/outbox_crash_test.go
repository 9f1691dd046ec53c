package mail_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/mail/smtptest"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// TestOutboxSurvivesCrash checks that a message one instance accepted and
// then died before delivering is delivered by another instance on the
// same database once the dead instance's lease ends, on each backend.
func TestOutboxSurvivesCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: -short")
	}
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "linkpool.db")
		testOutboxSurvivesCrash(t, func(ctx context.Context) (store.Store, error) { return sqlite.Open(ctx, path) })
	})
	t.Run("postgres", func(t *testing.T) {
		url := pgtest.URL(t)
		testOutboxSurvivesCrash(t, func(ctx context.Context) (store.Store, error) { return postgres.Open(ctx, url) })
	})
}

// testOutboxSurvivesCrash runs the crash on the database open connects
// to; each call of open is one instance's connection.
func testOutboxSurvivesCrash(t *testing.T, open func(context.Context) (store.Store, error)) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	instance := func() store.Store {
		st, err := open(ctx)
		if err != nil {
			t.Fatalf("open the store: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	box := sealtest.Box(t)
	const lease = time.Second

	// The first instance accepts the message; its relay never answers.
	dead := smtptest.New(t, smtptest.Options{Security: smtptest.StartTLS})
	dead.Hold()
	st1 := instance()
	ob1, _ := outboxOn(t, st1, box, dead, mail.OutboxOptions{Workers: 1, Lease: lease})
	if err := ob1.Send(ctx, codeMessage("erin@example.com", "577215")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	// Once it is delivering, the instance dies: its database connection
	// goes, then its workers stop without draining anything.
	for dead.Connections() == 0 {
		select {
		case <-ctx.Done():
			t.Fatal("the first instance never tried to deliver")
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := st1.Close(); err != nil {
		t.Fatal(err)
	}
	gone, stop := context.WithCancel(ctx)
	stop()
	_ = ob1.Close(gone)

	// A surviving instance delivers the message after the lease.
	srv := smtptest.New(t, smtptest.Options{Security: smtptest.StartTLS})
	ob2, logs := outboxOn(t, instance(), box, srv, mail.OutboxOptions{Lease: lease, Poll: 20 * time.Millisecond})
	for len(srv.Messages()) == 0 {
		select {
		case <-ctx.Done():
			t.Fatal("the message the dead instance accepted was never delivered")
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := ob2.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "577215") || msgs[0].RcptTo[0] != "erin@example.com" {
		t.Fatalf("the survivor delivered %+v", msgs)
	}
	if n := len(dead.Messages()); n != 0 {
		t.Errorf("the dead instance's relay received %d messages", n)
	}
	if strings.Contains(logs.String(), "577215") {
		t.Error("the log holds the code")
	}
}
