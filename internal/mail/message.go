package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// Message is one mail to one recipient. Text is required; HTML, when set,
// is sent as the preferred alternative (RFC 2046 §5.1.4).
type Message struct {
	// From is the header sender; empty means the sender's default.
	From    string
	To      string
	Subject string
	Text    string
	HTML    string
	// Lang, when set, is the BCP 47 tag of the mail's language, sent as
	// its Content-Language (RFC 3282).
	Lang string `json:",omitempty"`
	// Confidential marks a mail whose text holds a password (an
	// invitation): the development sender logs it without its text.
	Confidential bool `json:",omitempty"`
}

// Sender delivers messages. Implementations are safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrInvalidMessage reports a message that cannot be sent as given: a
// malformed address or a header with line breaks.
var ErrInvalidMessage = errors.New("mail: invalid message")

// Validate checks the parts that end up in headers, as every Sender here
// does before it sends: CR and LF would let a value inject headers
// (RFC 5322 §2.2).
func (m *Message) Validate() error {
	if _, err := parseAddress(m.To); err != nil {
		return fmt.Errorf("%w: recipient: %v", ErrInvalidMessage, err)
	}
	if m.From != "" {
		if _, err := parseAddress(m.From); err != nil {
			return fmt.Errorf("%w: sender: %v", ErrInvalidMessage, err)
		}
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return fmt.Errorf("%w: subject contains a line break", ErrInvalidMessage)
	}
	if m.Text == "" {
		return fmt.Errorf("%w: empty text body", ErrInvalidMessage)
	}
	if m.Lang != "" {
		if _, err := language.Parse(m.Lang); err != nil || len(m.Lang) > 35 || strings.ContainsAny(m.Lang, "\r\n ,;") {
			return fmt.Errorf("%w: language %q is not a language tag", ErrInvalidMessage, m.Lang)
		}
	}
	return nil
}

func parseAddress(s string) (*mail.Address, error) {
	if s == "" || len(s) > 320 || strings.ContainsAny(s, "\r\n") {
		return nil, errors.New("not a single-line address")
	}
	return mail.ParseAddress(s)
}

// encode renders m as an RFC 5322 message with a MIME multipart/alternative
// body in UTF-8, quoted-printable. Lines end in CRLF as SMTP requires
// (RFC 5321 §2.3.8).
func (m *Message) encode(from string, now time.Time) ([]byte, error) {
	var buf bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&buf, "%s: %s\r\n", k, v) }
	h("From", from)
	h("To", m.To)
	h("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	h("Date", now.Format(time.RFC1123Z))
	h("Message-ID", messageID(from))
	h("MIME-Version", "1.0")
	if m.Lang != "" {
		h("Content-Language", m.Lang)
	}
	// RFC 3834 §5: automatic responders must not answer this mail.
	h("Auto-Submitted", "auto-generated")
	if m.HTML == "" {
		h("Content-Type", "text/plain; charset=utf-8")
		h("Content-Transfer-Encoding", "quoted-printable")
		buf.WriteString("\r\n")
		if err := writeQP(&buf, m.Text); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	mw := multipart.NewWriter(&buf)
	h("Content-Type", "multipart/alternative; boundary="+mw.Boundary())
	buf.WriteString("\r\n")
	for _, part := range []struct{ typ, body string }{
		{"text/plain; charset=utf-8", m.Text},
		{"text/html; charset=utf-8", m.HTML},
	} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.typ},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		if err := writeQP(w, part.body); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeQP(w interface{ Write([]byte) (int, error) }, s string) error {
	qp := quotedprintable.NewWriter(w)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if _, err := qp.Write([]byte(strings.ReplaceAll(s, "\n", "\r\n"))); err != nil {
		return err
	}
	return qp.Close()
}

// messageID returns a unique Message-ID in the sender's domain
// (RFC 5322 §3.6.4).
func messageID(from string) string {
	domain := "linkpool.invalid"
	if a, err := mail.ParseAddress(from); err == nil {
		if i := strings.LastIndexByte(a.Address, '@'); i >= 0 {
			domain = a.Address[i+1:]
		}
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "<" + hex.EncodeToString(b[:]) + "@" + domain + ">"
}
