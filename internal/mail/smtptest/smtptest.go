// Package smtptest runs a real SMTP server on a loopback port for tests,
// in the manner of net/http/httptest: it accepts mail over plain SMTP,
// STARTTLS or implicit TLS with a throw-away self-signed certificate,
// optionally requires AUTH PLAIN, and records every message it receives,
// decoded (subject, text and HTML parts). Refuse makes it answer the
// next messages with a transient or permanent failure; Hold and Release
// make it a relay that has not answered yet.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Security selects how the server protects connections.
type Security int

// Security modes.
const (
	// Plain offers neither STARTTLS nor TLS.
	Plain Security = iota
	// StartTLS offers STARTTLS (RFC 3207).
	StartTLS
	// ImplicitTLS speaks TLS from the first byte (RFC 8314).
	ImplicitTLS
)

// Options configure a Server.
type Options struct {
	Security Security
	// User and Password, when set, are the only accepted AUTH PLAIN
	// credentials, and mail is accepted only after authentication.
	User, Password string
	// From is the sender address put into URL.
	From string
}

// Received is one message as the server received it.
type Received struct {
	MailFrom string
	RcptTo   []string
	// TLS reports whether the message came over an encrypted connection.
	TLS bool
	// AuthUser is the user that authenticated, if any.
	AuthUser string
	Raw      []byte
	Header   mail.Header
	Subject  string
	Text     string
	HTML     string
}

// Server is a running SMTP server.
type Server struct {
	// URL is an smtp:// or smtps:// URL for mail.NewSMTP that reaches
	// this server with its credentials and insecure_skip_verify=true.
	URL string
	// Addr is the host:port the server listens on.
	Addr string

	opts Options
	srv  *smtp.Server

	mu       sync.Mutex
	messages []Received
	refuse   []int         // SMTP reply codes for the next messages' MAIL commands
	held     chan struct{} // closed by Release; nil when not held
	conns    int           // connections accepted, held ones included
	stopped  chan struct{} // closed when the test ends
}

// New starts a server and stops it when the test ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.From == "" {
		opts.From = "no-reply@linkpool.test"
	}
	s := &Server{opts: opts, stopped: make(chan struct{})}
	s.srv = smtp.NewServer(smtp.BackendFunc(s.newSession))
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	s.srv.MaxMessageBytes = 1 << 20
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	// A plain server with credentials accepts AUTH in clear text, so tests
	// can check that clients refuse to send it (or do, on loopback).
	s.srv.AllowInsecureAuth = opts.Security == Plain && opts.User != ""
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	l = &holdListener{Listener: l, srv: s}
	scheme := "smtp"
	switch opts.Security {
	case StartTLS:
		s.srv.TLSConfig = selfSigned(t)
	case ImplicitTLS:
		cfg := selfSigned(t)
		s.srv.TLSConfig = cfg
		l = tls.NewListener(l, cfg)
		scheme = "smtps"
	}
	s.Addr = l.Addr().String()
	u := url.URL{Scheme: scheme, Host: s.Addr}
	if opts.User != "" {
		u.User = url.UserPassword(opts.User, opts.Password)
	}
	q := url.Values{"from": {opts.From}}
	if opts.Security != Plain {
		q.Set("insecure_skip_verify", "true")
	}
	u.RawQuery = q.Encode()
	s.URL = u.String()
	go func() { _ = s.srv.Serve(l) }()
	t.Cleanup(func() {
		close(s.stopped)
		_ = s.srv.Close()
	})
	return s
}

// Messages returns the messages received so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.messages...)
}

// Last returns the last message received, or false if there is none.
func (s *Server) Last() (Received, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.messages) == 0 {
		return Received{}, false
	}
	return s.messages[len(s.messages)-1], true
}

// Refuse makes the server answer the MAIL command of the next n messages
// with code: a 4xx code is a transient failure the client may try again
// after, a 5xx code a permanent one (RFC 5321 §4.2.1).
func (s *Server) Refuse(n, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.refuse = append(s.refuse, code)
	}
}

// Hold makes the server leave new connections unanswered, as a relay
// that is slow or far away does, until Release. Clients connect but wait
// for the greeting.
func (s *Server) Hold() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == nil {
		s.held = make(chan struct{})
	}
}

// Connections returns how many connections the server has accepted so
// far, held ones included: a client that is trying to deliver shows here
// even while the server holds it.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// Release answers the connections held since Hold, and new ones at once.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held != nil {
		close(s.held)
		s.held = nil
	}
}

// holdListener hands accepted connections to the SMTP server only while
// the server is not held.
type holdListener struct {
	net.Listener
	srv *Server
}

func (l *holdListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.srv.mu.Lock()
	held := l.srv.held
	l.srv.conns++
	l.srv.mu.Unlock()
	if held != nil {
		select {
		case <-held:
		case <-l.srv.stopped:
			c.Close()
			return nil, net.ErrClosed
		}
	}
	return c, nil
}

// refusal returns the reply code of the next refused message, or 0.
func (s *Server) refusal() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.refuse) == 0 {
		return 0
	}
	code := s.refuse[0]
	s.refuse = s.refuse[1:]
	return code
}

func (s *Server) record(m Received) {
	s.mu.Lock()
	s.messages = append(s.messages, m)
	s.mu.Unlock()
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &session{srv: s, tls: isTLS, conn: c}, nil
}

type session struct {
	srv  *Server
	conn *smtp.Conn
	tls  bool
	user string
	cur  Received
}

func (se *session) AuthMechanisms() []string {
	if se.srv.opts.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (se *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if identity != "" && identity != user {
			return smtp.ErrAuthFailed
		}
		if user != se.srv.opts.User || pass != se.srv.opts.Password {
			return smtp.ErrAuthFailed
		}
		se.user = user
		return nil
	}), nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if se.srv.opts.User != "" && se.user == "" {
		return smtp.ErrAuthRequired
	}
	if code := se.srv.refusal(); code != 0 {
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 3, 0}, Message: "refused by the test server"}
	}
	_, isTLS := se.conn.TLSConnectionState()
	se.cur = Received{MailFrom: from, TLS: isTLS || se.tls, AuthUser: se.user}
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.cur.RcptTo = append(se.cur.RcptTo, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := se.cur
	m.Raw = raw
	if err := decode(&m); err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: err.Error()}
	}
	se.srv.record(m)
	return nil
}

func (se *session) Reset()        { se.cur = Received{} }
func (se *session) Logout() error { return nil }

// decode parses the raw message into header, subject and body parts.
func decode(m *Received) error {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		return fmt.Errorf("parse message: %w", err)
	}
	m.Header = msg.Header
	dec := new(mime.WordDecoder)
	if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return fmt.Errorf("decode subject: %w", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return fmt.Errorf("content type: %w", err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		body, err := readPart(msg.Body, msg.Header.Get("Content-Transfer-Encoding"))
		if err != nil {
			return err
		}
		m.Text = body
		return nil
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("multipart: %w", err)
		}
		body, err := readPart(p, p.Header.Get("Content-Transfer-Encoding"))
		if err != nil {
			return err
		}
		pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch pt {
		case "text/plain":
			m.Text = body
		case "text/html":
			m.HTML = body
		}
	}
}

func readPart(r io.Reader, cte string) (string, error) {
	if strings.EqualFold(cte, "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("read part: %w", err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n"), nil
}

// selfSigned returns a TLS config with a fresh certificate for 127.0.0.1
// and localhost.
func selfSigned(t testing.TB) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("smtptest: key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "smtptest"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("smtptest: certificate: %v", err)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		MinVersion:   tls.VersionTLS12,
	}
}
