package attack_test

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/smarthome/alexa"
)

// jws builds a compact JWS from a header and claims, signed by sign
// (nil: an empty signature).
func jws(t testing.TB, header, claims map[string]any, sign func(input []byte) []byte) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	input := b64(h) + "." + b64(c)
	var sig []byte
	if sign != nil {
		sig = sign([]byte(input))
	}
	return input + "." + b64(sig)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// decodeSegment returns the JSON object of a token segment.
func decodeSegment(t testing.TB, tok string, i int) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[i])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func rs256(key *rsa.PrivateKey) func([]byte) []byte {
	return func(in []byte) []byte {
		sum := sha256.Sum256(in)
		sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
		if err != nil {
			panic(err)
		}
		return sig
	}
}

func hs256(key []byte) func([]byte) []byte {
	return func(in []byte) []byte {
		m := hmac.New(sha256.New, key)
		m.Write(in)
		return m.Sum(nil)
	}
}

// forgery is a token an attacker presents, and whether the skill must
// call it expired rather than invalid.
type forgery struct {
	name    string
	token   string
	expired bool
	// userInfoOnly: only the pool itself can refuse it. The skill verifies
	// Cognito tokens too, whose JWKS does not say which key signs access
	// tokens, so there token_use binds the token to its use (as in every
	// Cognito verifier), not the key.
	userInfoOnly bool
}

// forgeries builds every forged or misused token against tg from a
// genuine link. jwksHits counts requests to the attacker's key server.
func forgeries(t *testing.T, tg *target, genuine tokenReply, jwksHits *atomic.Int64) []forgery {
	t.Helper()
	ctx := context.Background()
	hdr := decodeSegment(t, genuine.AccessToken, 0)
	claims := decodeSegment(t, genuine.AccessToken, 1)
	kid, _ := hdr["kid"].(string)
	with := func(changes map[string]any) map[string]any {
		c := map[string]any{}
		for k, v := range claims {
			c[k] = v
		}
		for k, v := range changes {
			if v == nil {
				delete(c, k)
				continue
			}
			c[k] = v
		}
		return c
	}
	now := time.Now()

	// The attacker's own RSA key, published on the attacker's server.
	attackerKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	attackerJWK := map[string]any{
		"kty": "RSA", "kid": "attacker", "alg": "RS256", "use": "sig",
		"n": b64(attackerKey.N.Bytes()), "e": b64(big.NewInt(int64(attackerKey.E)).Bytes()),
	}
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		jwksHits.Add(1)
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []any{attackerJWK}})
	}))
	t.Cleanup(jwks.Close)

	// The pool's public access-token key, as published in its JWKS, in
	// the encodings an HS256 confusion attack tries as the HMAC key.
	resp, err := http.Get(tg.issuer + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	rawJWKS, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(rawJWKS, &set); err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	var pub *rsa.PublicKey
	var pubJWK []byte
	for _, k := range set.Keys {
		if k["kid"] == kid {
			n, _ := base64.RawURLEncoding.DecodeString(k["n"].(string))
			e, _ := base64.RawURLEncoding.DecodeString(k["e"].(string))
			pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
			pubJWK, _ = json.Marshal(k)
		}
	}
	if pub == nil {
		t.Fatalf("access key %q not in the JWKS %s", kid, rawJWKS)
	}
	pkix, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := x509.MarshalPKCS1PublicKey(pub)

	// Tokens signed with real keys of this server: the other pool's, and
	// this pool's with claims it never issues.
	sign := func(poolID, use string, c map[string]any) string {
		tok, err := tg.app.Keys.Sign(ctx, poolID, use, c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}

	fs := []forgery{
		{name: "alg none, no signature", token: jws(t, map[string]any{"alg": "none", "kid": kid}, claims, nil)},
		{name: "alg none, with a signature", token: jws(t, map[string]any{"alg": "none", "kid": kid}, claims, func([]byte) []byte { return []byte("sig") })},
		{name: "alg None", token: jws(t, map[string]any{"alg": "None", "kid": kid}, claims, nil)},
		{name: "no alg", token: jws(t, map[string]any{"kid": kid}, claims, hs256(pkix))},
		{name: "HS256 keyed with the public key (PEM, PKIX)", token: jws(t, map[string]any{"alg": "HS256", "kid": kid}, claims,
			hs256(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})))},
		{name: "HS256 keyed with the public key (PEM, PKCS#1)", token: jws(t, map[string]any{"alg": "HS256", "kid": kid}, claims,
			hs256(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: pkcs1})))},
		{name: "HS256 keyed with the public key (DER)", token: jws(t, map[string]any{"alg": "HS256", "kid": kid}, claims, hs256(pkix))},
		{name: "HS256 keyed with the public key (JWK)", token: jws(t, map[string]any{"alg": "HS256", "kid": kid}, claims, hs256(pubJWK))},
		{name: "HS256 keyed with the modulus", token: jws(t, map[string]any{"alg": "HS256", "kid": kid}, claims, hs256(pub.N.Bytes()))},
		{name: "real kid, attacker's key", token: jws(t, map[string]any{"alg": "RS256", "kid": kid}, claims, rs256(attackerKey))},
		{name: "unknown kid", token: jws(t, map[string]any{"alg": "RS256", "kid": "attacker"}, claims, rs256(attackerKey))},
		{name: "no kid", token: jws(t, map[string]any{"alg": "RS256"}, claims, rs256(attackerKey))},
		{name: "kid path traversal", token: jws(t, map[string]any{"alg": "RS256", "kid": "../../../../../../dev/null"}, claims, hs256(nil))},
		{name: "kid path traversal, HS256 empty key", token: jws(t, map[string]any{"alg": "HS256", "kid": "../../../../../../dev/null"}, claims, hs256(nil))},
		{name: "kid SQL injection", token: jws(t, map[string]any{"alg": "RS256", "kid": "x' UNION SELECT 'attacker' --"}, claims, rs256(attackerKey))},
		{name: "kid SQL injection, HS256", token: jws(t, map[string]any{"alg": "HS256", "kid": "' OR '1'='1"}, claims, hs256([]byte("attacker")))},
		{name: "kid with a NUL byte", token: jws(t, map[string]any{"alg": "RS256", "kid": kid + "\x00attacker"}, claims, rs256(attackerKey))},
		{name: "kid not a string", token: jws(t, map[string]any{"alg": "RS256", "kid": map[string]any{"$ne": ""}}, claims, rs256(attackerKey))},
		{name: "jku to the attacker's key set", token: jws(t, map[string]any{"alg": "RS256", "kid": "attacker", "jku": jwks.URL}, claims, rs256(attackerKey))},
		{name: "jku with the real kid", token: jws(t, map[string]any{"alg": "RS256", "kid": kid, "jku": jwks.URL}, claims, rs256(attackerKey))},
		{name: "x5u to the attacker", token: jws(t, map[string]any{"alg": "RS256", "kid": "attacker", "x5u": jwks.URL}, claims, rs256(attackerKey))},
		{name: "embedded jwk", token: jws(t, map[string]any{"alg": "RS256", "kid": "attacker", "jwk": attackerJWK}, claims, rs256(attackerKey))},
		{name: "embedded jwk with the real kid", token: jws(t, map[string]any{"alg": "RS256", "kid": kid, "jwk": attackerJWK}, claims, rs256(attackerKey))},
		{name: "signature stripped", token: strings.Join(strings.Split(genuine.AccessToken, ".")[:2], ".") + "."},
		{name: "claims changed under the signature", token: func() string {
			p := strings.Split(genuine.AccessToken, ".")
			c, _ := json.Marshal(with(map[string]any{"sub": "attacker"}))
			return p[0] + "." + b64(c) + "." + p[2]
		}()},
		{name: "ID token as access token", token: genuine.IDToken},
		{name: "ID token key signing access claims", userInfoOnly: true, token: sign(tg.pool.ID, "id", claims)},
		{name: "another pool's key", token: sign(tg.other.ID, "access", claims)},
		{name: "another pool's token", token: sign(tg.other.ID, "access", with(map[string]any{
			"iss": tg.publicURL + "/" + tg.other.ID, "client_id": tg.otherClient.ID}))},
		{name: "wrong issuer", token: sign(tg.pool.ID, "access", with(map[string]any{"iss": attackerSite + "/" + tg.pool.ID}))},
		{name: "issuer with a trailing slash", token: sign(tg.pool.ID, "access", with(map[string]any{"iss": tg.issuer + "/"}))},
		{name: "not yet valid", token: sign(tg.pool.ID, "access", with(map[string]any{
			"iat": now.Add(time.Hour).Unix(), "nbf": now.Add(time.Hour).Unix(), "exp": now.Add(2 * time.Hour).Unix()}))},
		{name: "token_use id", token: sign(tg.pool.ID, "access", with(map[string]any{"token_use": "id"}))},
		{name: "expired", expired: true, token: sign(tg.pool.ID, "access", with(map[string]any{
			"iat": now.Add(-3 * time.Hour).Unix(), "exp": now.Add(-2 * time.Hour).Unix()}))},
	}
	for _, f := range fs {
		tg.logs.Secret(f.token)
	}
	return fs
}

// TestForgedTokensRefusedByUserInfo protects /oauth2/userInfo from forged
// and misused JWTs: every one is answered 401 with Cognito's invalid_token
// error, never a 5xx, and the attacker's key server is never contacted.
func TestForgedTokensRefusedByUserInfo(t *testing.T) {
	tg := newTarget(t, targetOptions{})
	genuine := tg.link(t)
	var hits atomic.Int64
	for _, f := range forgeries(t, tg, genuine, &hits) {
		t.Run(f.name, func(t *testing.T) {
			status, hdr, body := userInfo(t, tg, f.token)
			var e struct {
				Error string `json:"error"`
			}
			_ = json.Unmarshal(body, &e)
			if status != http.StatusUnauthorized || e.Error != "invalid_token" ||
				!strings.Contains(hdr.Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Fatalf("userInfo: %d %s (WWW-Authenticate %q), want 401 invalid_token", status, body, hdr.Get("WWW-Authenticate"))
			}
			if strings.Contains(string(body), "carol") {
				t.Fatalf("userInfo released the user: %s", body)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the attacker's key server was fetched %d times", n)
	}
	// The positive control.
	if status, _, body := userInfo(t, tg, genuine.AccessToken); status != http.StatusOK || !strings.Contains(string(body), "carol") {
		t.Fatalf("userInfo with the genuine token: %d %s", status, body)
	}
}

// TestForgedTokensRefusedBySkill protects the SmartLamp skill's directive
// endpoint from the same tokens: INVALID_AUTHORIZATION_CREDENTIAL
// (EXPIRED_AUTHORIZATION_CREDENTIAL for a genuine expired token), never
// INTERNAL_ERROR, and the lamp does not change.
func TestForgedTokensRefusedBySkill(t *testing.T) {
	tg := newTarget(t, targetOptions{})
	genuine := tg.link(t)
	var hits atomic.Int64
	for _, f := range forgeries(t, tg, genuine, &hits) {
		if f.userInfoOnly {
			continue
		}
		t.Run(f.name, func(t *testing.T) {
			want := alexa.ErrInvalidAuthorization
			if f.expired {
				want = alexa.ErrExpiredAuthorization
			}
			status, ev := directive(t, tg, "Alexa.PowerController", "TurnOn", f.token)
			if status != http.StatusOK || ev.Event.Header.Name != "ErrorResponse" || ev.Event.Payload.Type != string(want) {
				t.Fatalf("skill: %d %s %s, want ErrorResponse %s", status, ev.Event.Header.Name, ev.Event.Payload.Type, want)
			}
			status, ev = directive(t, tg, "Alexa.Discovery", "Discover", f.token)
			if status != http.StatusOK || ev.Event.Payload.Type != string(want) {
				t.Fatalf("discovery: %d %s %s, want %s", status, ev.Event.Header.Name, ev.Event.Payload.Type, want)
			}
		})
	}
	if tg.lampOn(t) {
		t.Fatal("a forged token switched the lamp on")
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the attacker's key server was fetched %d times", n)
	}
	// The positive control.
	if _, ev := directive(t, tg, "Alexa.PowerController", "TurnOn", genuine.AccessToken); ev.Event.Header.Name != "Response" || !tg.lampOn(t) {
		t.Fatalf("the genuine token did not switch the lamp on: %+v", ev)
	}
}

func userInfo(t testing.TB, tg *target, token string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, tg.issuer+"/oauth2/userInfo", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, body
}

// event is the part of a skill response the tests read.
type event struct {
	Event struct {
		Header struct {
			Name string `json:"name"`
		} `json:"header"`
		Payload struct {
			Type string `json:"type"`
		} `json:"payload"`
	} `json:"event"`
}

// directive sends a Smart Home directive for the lamp with token, as
// Alexa does, and returns the status and event.
func directive(t testing.TB, tg *target, namespace, name, token string) (int, event) {
	t.Helper()
	header := map[string]any{"namespace": namespace, "name": name, "payloadVersion": "3",
		"messageId": alexa.NewMessageID(), "correlationToken": "corr"}
	d := map[string]any{"header": header, "payload": map[string]any{}}
	if namespace == "Alexa.Discovery" {
		delete(header, "correlationToken")
		d["payload"] = map[string]any{"scope": map[string]any{"type": "BearerToken", "token": token}}
	} else {
		d["endpoint"] = map[string]any{"scope": map[string]any{"type": "BearerToken", "token": token},
			"endpointId": tg.lampID, "cookie": map[string]string{}}
	}
	body, err := json.Marshal(map[string]any{"directive": d})
	if err != nil {
		t.Fatal(err)
	}
	return postDirective(t, tg, string(body))
}

func postDirective(t testing.TB, tg *target, body string) (int, event) {
	t.Helper()
	resp, err := http.Post(tg.publicURL+"/alexa/smart-home", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var ev event
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("skill answered %d with no event: %.500s", resp.StatusCode, raw)
	}
	return resp.StatusCode, ev
}
