package apptest

import (
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/mail"
)

// Mailbox is a mail.Sender that keeps what it is given (the app's outbox
// delivers into it, the services send to it directly). Like every real
// sender it refuses a message that mail.Message.Validate refuses.
type Mailbox struct {
	mu   sync.Mutex
	sent []mail.Message
	// flush, when set, waits for the outbox that delivers into the
	// mailbox, so that a test sees every mail the app has queued.
	flush func(context.Context) error
}

// Send keeps m.
func (m *Mailbox) Send(_ context.Context, msg mail.Message) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, msg)
	return nil
}

// Messages returns what was delivered so far, after the app's outbox has
// delivered what it had queued.
func (m *Mailbox) Messages() []mail.Message {
	if m.flush != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		// A mail the outbox could not deliver in time is simply absent.
		_ = m.flush(ctx)
		cancel()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]mail.Message(nil), m.sent...)
}

var (
	sixDigits   = regexp.MustCompile(`\b\d{6}\b`)
	eightDigits = regexp.MustCompile(`\b\d{8}\b`)
)

// LastCode returns the six-digit code of the last delivered mail to to
// that has one, failing the test if there is none.
func (m *Mailbox) LastCode(t testing.TB, to string) string {
	t.Helper()
	return m.lastMatch(t, to, sixDigits)
}

// LastOTP returns the eight-digit one-time code of the email factor
// (account.SendEmailOTP) of the last delivered mail to to that has one,
// failing the test if there is none.
func (m *Mailbox) LastOTP(t testing.TB, to string) string {
	t.Helper()
	return m.lastMatch(t, to, eightDigits)
}

func (m *Mailbox) lastMatch(t testing.TB, to string, code *regexp.Regexp) string {
	t.Helper()
	ms := m.Messages()
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].To == to {
			if c := code.FindString(ms[i].Text); c != "" {
				return c
			}
		}
	}
	t.Fatalf("no code mailed to %s; mails: %+v", to, ms)
	return ""
}

// Count returns the number of mails delivered to to.
func (m *Mailbox) Count(to string) int {
	n := 0
	for _, msg := range m.Messages() {
		if msg.To == to {
			n++
		}
	}
	return n
}
