package apptest

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// Log is a captured log: a destination safe for the server's goroutines
// and the test, read back as text.
type Log struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	secrets []string
}

// Write appends p to the log.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything logged so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Logger returns a JSON slog.Logger that writes to l at debug level, so
// that a secret logged at any level is seen.
func (l *Log) Logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Secret records values (passwords, codes, tokens, client secrets) that
// must never appear in the log; NoSecrets checks them. Empty values are
// ignored.
func (l *Log) Secret(values ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, v := range values {
		if v != "" {
			l.secrets = append(l.secrets, v)
		}
	}
}

// NoSecrets fails the test if the log contains a value given to Secret
// or one of extra.
func (l *Log) NoSecrets(t testing.TB, extra ...string) {
	t.Helper()
	l.mu.Lock()
	secrets := append(append([]string(nil), l.secrets...), extra...)
	l.mu.Unlock()
	if err := FindSecret(l.String(), secrets...); err != nil {
		t.Error(err)
	}
}

// FindSecret returns an error when log contains one of secrets (empty
// ones aside), naming only the secret's length and first characters.
func FindSecret(log string, secrets ...string) error {
	for _, s := range secrets {
		if s != "" && strings.Contains(log, s) {
			return fmt.Errorf("a secret (%d characters, starting %q) appears in the log", len(s), s[:min(4, len(s))])
		}
	}
	return nil
}
