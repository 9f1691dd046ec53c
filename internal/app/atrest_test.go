package app_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/accesskey"
	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/smarthome/alexa"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// TestDatabaseAloneYieldsNoUsableSecret protects the promise of
// docs/operations.md that whoever copies the database without the master
// key gets no usable secret. It fills a real SQLite file through the real
// services and endpoints (a pool with signing keys, a client secret, users
// with passwords, a pending sign-up code and a reset code, a hosted-UI
// session, a redeemed and an unredeemed authorization code, a refresh
// token, an access key of the JSON API, a webhook trigger's signing secret, an Alexa grant code and the Login with Amazon tokens it yields),
// then reads every column of every table, decoding JSON, base64 and hex on
// the way, and scans the raw bytes of the database and its WAL: none of
// the secrets the test saw may appear in plaintext, base64 or hex, and
// every password hash must be an argon2id PHC string.
func TestDatabaseAloneYieldsNoUsableSecret(t *testing.T) {
	if testing.Short() {
		t.Skip("slow whole-database test: -short")
	}
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "linkpool.db")
	st, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	masterKey := make([]byte, seal.KeySize)
	_, _ = rand.Read(masterKey)
	box, err := seal.New(masterKey)
	if err != nil {
		t.Fatal(err)
	}
	mails := &mailbox{}
	srv := httptest.NewUnstartedServer(nil)
	t.Cleanup(srv.Close)
	publicURL := "http://" + srv.Listener.Addr().String()
	a, err := app.New(app.Config{Store: st, Box: box, PublicURL: publicURL, HashConcurrency: 2, Mailer: mails})
	if err != nil {
		t.Fatal(err)
	}
	mails.outbox = a.Mail

	var known secrets
	known.add("master key", masterKey)
	known.add("one-time code key", box.DeriveKey(account.CodeKeyPurpose))

	// Login with Amazon and the event gateway, with every token it hands
	// out recorded.
	lwaID, lwaSecret := "amzn1.application-oa2-client.atrest", "lwa-secret-"+rand.Text()
	known.addText("LWA client secret", lwaSecret)
	gw := &tokenTap{h: alexasim.NewGateway(alexasim.GatewayConfig{ClientID: lwaID, ClientSecret: lwaSecret})}
	lwaSrv := httptest.NewServer(gw)
	t.Cleanup(lwaSrv.Close)

	now := time.Now()
	p := pool.NewPool("eu-west-1", "At rest", now)
	if err := st.CreatePool(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := a.Keys.Ensure(ctx, p.ID, p.SigningAlgorithm); err != nil {
		t.Fatal(err)
	}
	c := pool.NewClient(p.ID, "alexa", now)
	clientSecret := pool.NewClientSecret()
	known.addText("client secret", clientSecret)
	c.SealedSecret = box.Seal([]byte(clientSecret), c.SecretAAD())
	c.CallbackURLs = []string{rpCallback}
	c.AllowedOAuthFlows = []string{pool.FlowCode}
	c.AllowedOAuthFlowsUserPoolClient = true
	c.AllowedOAuthScopes = []string{pool.ScopeOpenID, pool.ScopeEmail}
	if err := st.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	// An access key of the JSON API, whose secret must be sealed.
	_, accessSecret, err := accesskey.New(accesskey.Config{Store: st, Box: box}).Create(ctx, accesskey.CreateInput{Description: "at rest"})
	if err != nil {
		t.Fatal(err)
	}
	known.addText("access key secret", accessSecret)
	// A webhook trigger, whose signing secret the admin service seals.
	if _, err := a.Admin.SetLambdaConfig(ctx, p.ID, pool.LambdaConfig{PreSignUp: "https://hooks.example.com/pre-sign-up"}); err != nil {
		t.Fatal(err)
	}
	triggerSecret, err := a.Admin.TriggerSecret(ctx, p.ID)
	if err != nil || triggerSecret == "" {
		t.Fatalf("TriggerSecret: %q, %v", triggerSecret, err)
	}
	known.addText("webhook signing secret", triggerSecret)
	// Identity providers: an OIDC provider's client secret and Sign in
	// with Apple's private key, sealed by the admin service.
	idpSecret := "idp-secret-" + rand.Text()
	known.addText("identity provider client secret", idpSecret)
	if _, err := a.Admin.CreateIdentityProvider(ctx, pool.IdentityProvider{PoolID: p.ID, ProviderName: "Corp", ProviderType: pool.ProviderOIDC,
		ProviderDetails: map[string]string{pool.DetailClientID: "corp", pool.DetailClientSecret: idpSecret,
			pool.DetailAuthorizeScopes: "openid", pool.DetailOIDCIssuer: "https://idp.example.com"}}); err != nil {
		t.Fatal(err)
	}
	appleKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	appleDER, err := x509.MarshalPKCS8PrivateKey(appleKey)
	if err != nil {
		t.Fatal(err)
	}
	known.addPrivateKey(t, "Apple", appleDER)
	if _, err := a.Admin.CreateIdentityProvider(ctx, pool.IdentityProvider{PoolID: p.ID, ProviderName: pool.ProviderSignInWithApple,
		ProviderType: pool.ProviderSignInWithApple, ProviderDetails: map[string]string{pool.DetailClientID: "com.example.atrest",
			pool.DetailTeamID: "TEAM123456", pool.DetailKeyID: "KEY1234567", pool.DetailAuthorizeScopes: "email",
			pool.DetailPrivateKey: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: appleDER}))}}); err != nil {
		t.Fatal(err)
	}
	_, mount, err := a.MountSkill(publicURL, app.SkillOptions{
		PoolID: p.ID, ClientIDs: []string{c.ID},
		Options: smarthome.Options{
			LWA:             smarthome.LWAConfig{ClientID: lwaID, ClientSecret: lwaSecret, TokenURL: lwaSrv.URL + "/auth/o2/token"},
			EventGatewayURL: lwaSrv.URL + "/v3/events",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	a.Server.MountGlobal(mount)
	srv.Config.Handler = a.Server.Handler()
	srv.Start()

	// Users: one with a password and a pending reset code, one with a
	// pending sign-up code.
	carolPW, davePW := "Carol-1a"+rand.Text(), "Dave-2b"+rand.Text()
	known.addText("carol's password", carolPW)
	known.addText("dave's password", davePW)
	if _, err := a.Accounts.AdminCreateUser(ctx, p, account.AdminCreateUserInput{
		Username: "carol", TemporaryPassword: carolPW, Permanent: true, EmailVerified: true,
		Attributes: map[string]string{"email": "carol@example.com"},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Accounts.SignUp(ctx, p, account.SignUpInput{
		Username: "dave", Password: davePW, Attributes: map[string]string{"email": "dave@example.com"},
	}); err != nil {
		t.Fatal(err)
	}
	known.addCode("sign-up code", mails.code(t, "dave@example.com"))

	// The hosted UI: a session, a code that is redeemed for tokens and one
	// that is left unredeemed.
	oidcCtx := oidc.ClientContext(ctx, http.DefaultClient)
	provider, err := oidc.NewProvider(oidcCtx, publicURL+"/"+p.ID)
	if err != nil {
		t.Fatal(err)
	}
	cfg := oauth2.Config{ClientID: c.ID, ClientSecret: clientSecret, RedirectURL: rpCallback,
		Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email"}}
	verifier := oauth2.GenerateVerifier()
	known.addText("PKCE verifier", verifier)
	b := browser(t)
	cb := signIn(t, b, cfg.AuthCodeURL("s1", oauth2.S256ChallengeOption(verifier)), "carol", carolPW)
	code := cb.Query().Get("code")
	known.addText("redeemed authorization code", code)
	tok, err := cfg.Exchange(oidcCtx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	known.addText("access token", tok.AccessToken)
	known.addText("ID token", tok.Extra("id_token").(string))
	known.addText("refresh token", tok.RefreshToken)
	_, rtSecret, ok := strings.Cut(tok.RefreshToken, ".")
	if !ok {
		t.Fatalf("refresh token %q has no secret part", tok.RefreshToken)
	}
	known.addText("refresh token secret", rtSecret)
	cb2 := signIn(t, b, cfg.AuthCodeURL("s2"), "carol", carolPW)
	known.addText("unredeemed authorization code", cb2.Query().Get("code"))
	var cookie string
	base, _ := url.Parse(publicURL + "/" + p.ID + "/oauth2/authorize")
	for _, ck := range b.Jar.Cookies(base) {
		if ck.Name == "lp_session" {
			cookie = ck.Value
		}
	}
	if cookie == "" {
		t.Fatal("no session cookie after sign-in")
	}
	known.addText("session cookie", cookie)
	_, cookieSecret, _ := strings.Cut(cookie, ".")
	known.addText("session cookie secret", cookieSecret)

	// A reset code for carol, after her sign-in (which would end it).
	if _, err := a.Accounts.ForgotPassword(ctx, p, "carol"); err != nil {
		t.Fatal(err)
	}
	known.addCode("reset code", mails.code(t, "carol@example.com"))

	// A sign-up whose mail is still in the outbox: the relay has it but
	// has not answered yet, so the message stays stored.
	hold := make(chan struct{})
	mails.mu.Lock()
	mails.hold = hold
	mails.mu.Unlock()
	t.Cleanup(func() { close(hold) })
	erinPW := "Erin-3c" + rand.Text()
	known.addText("erin's password", erinPW)
	if _, err := a.Accounts.SignUp(ctx, p, account.SignUpInput{
		Username: "erin", Password: erinPW, Attributes: map[string]string{"email": "erin@example.com"},
	}); err != nil {
		t.Fatal(err)
	}
	known.addCode("queued sign-up code", mails.arrived(t, "erin@example.com"))

	// Alexa: AcceptGrant, whose grant code the skill exchanges at Login
	// with Amazon for tokens it keeps sealed. The code itself is single
	// use and not kept.
	grantCode := gw.h.(*alexasim.Gateway).NewGrantCode("kitchen")
	known.addText("Alexa grant code", grantCode)
	acceptGrant(t, publicURL, grantCode, tok.AccessToken)
	if len(gw.tokens()) < 2 {
		t.Fatalf("Login with Amazon handed out %d tokens, want an access and a refresh token", len(gw.tokens()))
	}
	for i, s := range gw.tokens() {
		known.addText(fmt.Sprintf("LWA token %d", i), s)
	}

	// Signing keys of both algorithms, opened with the master key as the
	// server does.
	ec := pool.NewPool("eu-west-1", "At rest ES256", now)
	ec.SigningAlgorithm = pool.AlgES256
	if err := st.CreatePool(ctx, ec); err != nil {
		t.Fatal(err)
	}
	if err := a.Keys.Ensure(ctx, ec.ID, ec.SigningAlgorithm); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{p.ID, ec.ID} {
		set, err := st.GetKeySet(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, sk := range set.Keys {
			der, err := box.Open(sk.Sealed, []byte("signing-key/"+id+"/"+sk.KID))
			if err != nil {
				t.Fatalf("open key %s: %v", sk.KID, err)
			}
			known.addPrivateKey(t, sk.KID, der)
		}
	}

	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var queued int
	if err := db.QueryRow(`SELECT count(*) FROM mail_outbox`).Scan(&queued); err != nil {
		t.Fatal(err)
	}
	if queued == 0 {
		t.Fatal("no mail is queued in the outbox")
	}
	hashes := scanTables(t, db, &known)
	if hashes < 2 {
		t.Fatalf("found %d password hashes, want carol's and dave's", hashes)
	}
	for _, f := range []string{dbPath, dbPath + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if name, form := known.foundIn(raw); name != "" {
			t.Errorf("%s holds the %s (%s)", filepath.Base(f), name, form)
		}
	}
}

// secrets are the values the database must not yield, each with the
// encodings under which a stored copy would still be usable.
type secrets struct {
	list []secretValue
}

type secretValue struct {
	name  string
	forms map[string][]byte // encoding -> bytes
	code  bool              // a short numeric code: matched as a whole token only
}

// add registers a binary secret under its raw, hex and base64 forms.
func (s *secrets) add(name string, raw []byte) {
	if len(raw) < 16 {
		panic("secret too short to scan for: " + name)
	}
	forms := map[string][]byte{
		"raw":        raw,
		"hex":        []byte(hex.EncodeToString(raw)),
		"HEX":        []byte(strings.ToUpper(hex.EncodeToString(raw))),
		"base64":     []byte(base64.RawStdEncoding.EncodeToString(raw)),
		"base64url":  []byte(base64.RawURLEncoding.EncodeToString(raw)),
		"base64-pad": []byte(base64.StdEncoding.EncodeToString(raw)),
	}
	s.list = append(s.list, secretValue{name: name, forms: forms})
}

// addText registers a text secret; when it is itself base64url or hex,
// the bytes it encodes are registered too.
func (s *secrets) addText(name, text string) {
	if text == "" {
		panic("empty secret: " + name)
	}
	s.add(name, []byte(text))
	for _, dec := range decodings(text) {
		if len(dec) >= 16 {
			s.add(name+" (decoded)", dec)
		}
	}
}

// addCode registers a six-digit code.
func (s *secrets) addCode(name, code string) {
	s.list = append(s.list, secretValue{name: name, code: true, forms: map[string][]byte{"raw": []byte(code)}})
}

// addPrivateKey registers a PKCS#8 private key in every form a copy could
// take: PKCS#8, PKCS#1 or SEC 1 DER, PEM, and the private numbers (which a
// JWK holds base64url-encoded).
func (s *secrets) addPrivateKey(t *testing.T, kid string, der []byte) {
	t.Helper()
	name := "private key " + kid
	s.add(name+" PKCS#8", der)
	s.addText(name+" PEM", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})))
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		t.Fatal(err)
	}
	switch k := priv.(type) {
	case *rsa.PrivateKey:
		s.add(name+" PKCS#1", x509.MarshalPKCS1PrivateKey(k))
		s.add(name+" d", k.D.Bytes())
		for i, p := range k.Primes {
			s.add(fmt.Sprintf("%s prime %d", name, i), p.Bytes())
		}
	case *ecdsa.PrivateKey:
		sec1, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		s.add(name+" SEC1", sec1)
		d, err := k.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		s.add(name+" d", d)
	default:
		t.Fatalf("key %s: unexpected type %T", kid, priv)
	}
}

// foundIn returns the name and form of the first secret in b.
func (s *secrets) foundIn(b []byte) (name, form string) {
	for _, v := range s.list {
		for f, enc := range v.forms {
			if v.code && containsToken(b, enc) || !v.code && bytes.Contains(b, enc) {
				return v.name, f
			}
		}
	}
	return "", ""
}

// containsToken reports whether code occurs in b with neither a letter,
// a digit nor a base64 character next to it: a stored code, not six digits
// that happen to sit inside a hash.
func containsToken(b, code []byte) bool {
	for i := 0; ; {
		j := bytes.Index(b[i:], code)
		if j < 0 {
			return false
		}
		at := i + j
		end := at + len(code)
		if (at == 0 || !tokenByte(b[at-1])) && (end == len(b) || !tokenByte(b[end])) {
			return true
		}
		i = at + 1
	}
}

func tokenByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.IndexByte("+/=_-$.", c) >= 0
}

// decodings returns what text decodes to as hex or any base64 variant.
func decodings(text string) [][]byte {
	text = strings.TrimSpace(text)
	var out [][]byte
	if b, err := hex.DecodeString(text); err == nil {
		out = append(out, b)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(text); err == nil {
			out = append(out, b)
		}
	}
	return out
}

// phc is an argon2id hash in the PHC string format.
var phc = regexp.MustCompile(`^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]{16,}\$[A-Za-z0-9+/]{32,}$`)

// scanTables reads every column of every row of every table and fails on
// any value that holds a known secret, directly or inside JSON, base64 or
// hex. It checks the password hashes and returns how many it saw.
func scanTables(t *testing.T, db *sql.DB, known *secrets) (passwordHashes int) {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 10 {
		t.Fatalf("only %d tables: %v", len(tables), tables)
	}
	cells := 0
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var b []byte
				switch v := v.(type) {
				case string:
					b = []byte(v)
				case []byte:
					b = v
				default:
					continue
				}
				cells++
				if table == "users" && cols[i] == "password_hash" && len(b) > 0 {
					passwordHashes++
					if !phc.Match(b) {
						t.Errorf("users.password_hash %q is not an argon2id PHC string", b)
					}
				}
				for _, cand := range expand(b, 3) {
					if name, form := known.foundIn(cand); name != "" {
						t.Errorf("%s.%s holds the %s (%s)", table, cols[i], name, form)
						break
					}
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	if cells == 0 {
		t.Fatal("read no values")
	}
	return passwordHashes
}

// expand returns b and, depth levels deep, the string values and keys of
// b as JSON and what b decodes to as hex or base64.
func expand(b []byte, depth int) [][]byte {
	out := [][]byte{b}
	if depth == 0 {
		return out
	}
	var doc any
	if json.Unmarshal(b, &doc) == nil {
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case string:
				out = append(out, expand([]byte(v), depth-1)...)
			case float64:
				out = append(out, []byte(fmt.Sprint(v)))
			case []any:
				for _, e := range v {
					walk(e)
				}
			case map[string]any:
				for k, e := range v {
					out = append(out, []byte(k))
					walk(e)
				}
			}
		}
		walk(doc)
	}
	for _, dec := range decodings(string(b)) {
		out = append(out, expand(dec, depth-1)...)
	}
	return out
}

// mailbox keeps the mails the service sends.
type mailbox struct {
	mu     sync.Mutex
	sent   []mail.Message
	outbox *mail.Outbox // delivers to the mailbox
	// hold, when set before the mail is sent, keeps Send from answering
	// until it is closed, as a relay that is slow to answer does.
	hold chan struct{}
}

func (m *mailbox) Send(ctx context.Context, msg mail.Message) error {
	m.mu.Lock()
	m.sent = append(m.sent, msg)
	hold := m.hold
	m.mu.Unlock()
	if hold == nil {
		return nil
	}
	select {
	case <-hold:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// arrived returns the code in the first mail to to once the mailbox has
// it, whether or not it has answered.
func (m *mailbox) arrived(t *testing.T, to string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		m.mu.Lock()
		for _, msg := range m.sent {
			if c := sixDigits.FindString(msg.Text); msg.To == to && c != "" {
				m.mu.Unlock()
				return c
			}
		}
		m.mu.Unlock()
		select {
		case <-ctx.Done():
			t.Fatalf("no mail to %s reached the mailbox", to)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// code returns the code in the last mail to to, once the queued mail
// has been delivered.
func (m *mailbox) code(t *testing.T, to string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.outbox.Flush(ctx); err != nil {
		t.Fatalf("queued mail not delivered: %v", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.sent) - 1; i >= 0; i-- {
		if m.sent[i].To == to {
			if c := sixDigits.FindString(m.sent[i].Text); c != "" {
				return c
			}
		}
	}
	t.Fatalf("no code mailed to %s", to)
	return ""
}

// tokenTap serves Login with Amazon and records the tokens its token
// endpoint hands out.
type tokenTap struct {
	h  http.Handler
	mu sync.Mutex
	tk []string
}

func (g *tokenTap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	g.h.ServeHTTP(rec, r)
	if r.URL.Path == "/auth/o2/token" && rec.Code == http.StatusOK {
		var tr struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		}
		if json.Unmarshal(rec.Body.Bytes(), &tr) == nil {
			g.mu.Lock()
			for _, s := range []string{tr.AccessToken, tr.RefreshToken} {
				if s != "" {
					g.tk = append(g.tk, s)
				}
			}
			g.mu.Unlock()
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func (g *tokenTap) tokens() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.tk...)
}

// acceptGrant sends Alexa.Authorization/AcceptGrant to the skill as
// Alexa does after linking, and requires AcceptGrant.Response.
func acceptGrant(t *testing.T, publicURL, grantCode, accessToken string) {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{
		"grant":   map[string]string{"type": "OAuth2.AuthorizationCode", "code": grantCode},
		"grantee": alexa.Scope{Type: alexa.ScopeBearerToken, Token: accessToken},
	})
	body, _ := json.Marshal(alexa.DirectiveEnvelope{Directive: &alexa.Directive{
		Header: alexa.Header{Namespace: alexa.NamespaceAuthorization, Name: "AcceptGrant",
			PayloadVersion: alexa.PayloadVersion, MessageID: alexa.NewMessageID()},
		Payload: payload,
	}})
	resp, err := http.Post(publicURL+"/alexa/smart-home", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Contains(out, []byte(`"AcceptGrant.Response"`)) {
		t.Fatalf("AcceptGrant: %d %s", resp.StatusCode, out)
	}
}
