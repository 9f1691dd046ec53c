package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Defaults of the SMTP sender.
const (
	// DefaultSMTPTimeout bounds one delivery: connecting, TLS,
	// authentication and submission together.
	DefaultSMTPTimeout = 30 * time.Second
	// Submission (RFC 6409) and submissions (RFC 8314 §3.3) ports.
	portSubmission  = "587"
	portSubmissions = "465"
)

// SMTP submits mail to a relay. Each Send opens a connection, upgrades it
// with STARTTLS when the server offers it (always TLS for smtps://),
// authenticates with PLAIN when the URL has credentials, and delivers one
// message. It is safe for concurrent use.
type SMTP struct {
	addr     string
	host     string
	implicit bool
	user     string
	pass     string
	from     string
	timeout  time.Duration
	tls      *tls.Config
	now      func() time.Time
}

// NewSMTP configures an SMTP sender from a URL:
//
//	smtp://user:pass@host:port?from=no-reply@example.com
//	smtps://user:pass@host:465?from=no-reply@example.com&timeout=10s
//
// smtp:// uses STARTTLS when the server offers it (port 587 by default);
// smtps:// uses implicit TLS (port 465 by default, RFC 8314). from is
// required. timeout bounds one whole delivery (default 30s).
// insecure_skip_verify=true disables certificate verification and exists
// for tests with self-signed certificates only.
//
// Credentials are never sent over an unencrypted connection, except to a
// loopback address: when the server does not offer STARTTLS, Send fails
// instead.
func NewSMTP(rawURL string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Parse errors repeat the input, which holds the password.
		return nil, errors.New("mail: SMTP URL does not parse")
	}
	s := &SMTP{timeout: DefaultSMTPTimeout, now: time.Now}
	port := portSubmission
	switch u.Scheme {
	case "smtp":
	case "smtps":
		s.implicit = true
		port = portSubmissions
	default:
		return nil, fmt.Errorf("mail: SMTP URL scheme must be smtp or smtps, got %q", u.Scheme)
	}
	s.host = u.Hostname()
	if s.host == "" {
		return nil, errors.New("mail: SMTP URL has no host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("mail: SMTP URL port %q is not a port number", p)
		}
		port = p
	}
	s.addr = net.JoinHostPort(s.host, port)
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	q := u.Query()
	for k := range q {
		switch k {
		case "from", "timeout", "insecure_skip_verify":
		default:
			return nil, fmt.Errorf("mail: unknown SMTP URL option %q", k)
		}
	}
	from, err := mail.ParseAddress(q.Get("from"))
	if err != nil {
		return nil, errors.New("mail: SMTP URL needs from=<sender address>")
	}
	s.from = from.Address
	if v := q.Get("timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > 10*time.Minute {
			return nil, fmt.Errorf("mail: SMTP timeout %q must be a duration between 0 and 10m", v)
		}
		s.timeout = d
	}
	s.tls = &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
	switch v := q.Get("insecure_skip_verify"); v {
	case "", "false":
	case "true":
		s.tls.InsecureSkipVerify = true
	default:
		return nil, fmt.Errorf("mail: insecure_skip_verify must be true or false, got %q", v)
	}
	return s, nil
}

// From returns the envelope sender.
func (s *SMTP) From() string { return s.from }

// Send delivers m. The envelope sender is the URL's from address; the From
// header is m.From when set. When ctx ends or the timeout passes, the
// connection is closed and Send returns the context's error.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	to, _ := parseAddress(m.To)
	header := s.from
	if m.From != "" {
		header = m.From
	}
	body, err := m.encode(header, s.now())
	if err != nil {
		return fmt.Errorf("mail: encode: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.deliver(ctx, to.Address, body); err != nil {
		return fmt.Errorf("mail: send via %s: %w", s.addr, err)
	}
	return nil
}

func (s *SMTP) deliver(ctx context.Context, to string, body []byte) error {
	c, encrypted, err := s.connect(ctx, true)
	if err != nil && !s.implicit && noStartTLS(err) {
		// Opportunistic STARTTLS (RFC 3207): the server does not offer it,
		// so continue in clear text on a new connection.
		c, encrypted, err = s.connect(ctx, false)
	}
	if err != nil {
		return ctxErr(ctx, err)
	}
	defer c.close()
	if s.user != "" {
		if !encrypted && !isLoopback(s.host) {
			return errors.New("server does not offer STARTTLS; refusing to send credentials in clear text")
		}
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("server does not offer AUTH")
		}
		if err := c.Auth(sasl.NewPlainClient("", s.user, s.pass)); err != nil {
			return ctxErr(ctx, err)
		}
	}
	if err := c.SendMail(s.from, []string{to}, bytes.NewReader(body)); err != nil {
		return ctxErr(ctx, err)
	}
	return ctxErr(ctx, c.Quit())
}

// client is an SMTP client whose connection is closed when the request
// context ends.
type client struct {
	*smtp.Client
	stop func() bool
}

func (c *client) close() {
	c.stop()
	_ = c.Close()
}

// connect dials the server and, for smtp:// with starttls set, upgrades
// the connection. It reports whether the connection is encrypted.
func (s *SMTP) connect(ctx context.Context, starttls bool) (*client, bool, error) {
	d := net.Dialer{Timeout: s.timeout}
	var conn net.Conn
	var err error
	if s.implicit {
		td := tls.Dialer{NetDialer: &d, Config: s.tls}
		conn, err = td.DialContext(ctx, "tcp", s.addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.addr)
	}
	if err != nil {
		return nil, false, err
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	var c *smtp.Client
	if starttls && !s.implicit {
		c, err = smtp.NewClientStartTLS(conn, s.tls)
		if err != nil {
			stop()
			_ = conn.Close()
			return nil, false, err
		}
	} else {
		c = smtp.NewClient(conn)
	}
	c.CommandTimeout = s.timeout
	c.SubmissionTimeout = s.timeout
	return &client{Client: c, stop: stop}, s.implicit || starttls, nil
}

// noStartTLS reports go-smtp's error for a server that does not offer
// STARTTLS; the library has no sentinel for it. The SMTP tests cover both
// kinds of server, so a change of wording fails them.
func noStartTLS(err error) bool {
	var se *smtp.SMTPError
	return !errors.As(err, &se) && strings.Contains(err.Error(), "doesn't support STARTTLS")
}

// ctxErr prefers the context's error when the context ended, since the
// connection error is then only a consequence.
func ctxErr(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
