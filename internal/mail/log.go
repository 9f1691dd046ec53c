package mail

import (
	"context"
	"log/slog"
)

// Log is the development sender: it writes every message, one-time codes
// included, to a structured log instead of delivering it. That is its
// purpose, so that a developer can sign up without a mail relay; it must
// not be used in production, where the log would hold every code.
type Log struct {
	log *slog.Logger
}

// NewLog returns a Log sender writing to log, and warns on log that mail
// is not being delivered.
func NewLog(log *slog.Logger) *Log {
	if log == nil {
		log = slog.Default()
	}
	log.Warn("mail: development sender in use; mails are written to this log, one-time codes included, and not delivered. Configure an smtp:// URL in production.")
	return &Log{log: log}
}

// Send logs m at level INFO with the message "mail" and the attributes
// from, to, subject and text. The text of a Confidential message, which
// holds a password, is left out.
func (l *Log) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	text := m.Text
	if m.Confidential {
		text = withheld
	}
	l.log.LogAttrs(ctx, slog.LevelInfo, "mail",
		slog.String("from", m.From),
		slog.String("to", m.To),
		slog.String("subject", m.Subject),
		slog.String("text", text),
	)
	return nil
}

// withheld is logged for the text of a Confidential message.
const withheld = "(withheld: the mail holds a password)"

var (
	_ Sender = (*Log)(nil)
	_ Sender = (*SMTP)(nil)
)
