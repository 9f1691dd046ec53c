package token_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/token"
)

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func b64json(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b64(b)
}

// signWith signs payload with an arbitrary key and header kid, as an
// attacker holding some other key would.
func signWith(t *testing.T, alg jose.SignatureAlgorithm, key any, kid string, payload []byte) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVerify(t *testing.T) {
	e := newEnv(t, sqliteBackend)
	k := e.keys(0)
	ctx := context.Background()
	mustEnsure(t, k, e.poolID, pool.AlgRS256)

	accessTok := sign(t, k, e.poolID, store.UseAccess, sampleClaims)
	idTok := sign(t, k, e.poolID, store.UseID, sampleClaims)
	keys := mustList(t, k, e.poolID)
	accessKid := byState(t, keys, store.UseAccess, store.KeyActive)
	accessNext := byState(t, keys, store.UseAccess, store.KeyNext)
	idKid := byState(t, keys, store.UseID, store.KeyActive)
	set, _ := jwks(t, k, e.poolID)
	accessPub := set.Key(accessKid)[0].Key.(*rsa.PublicKey)
	payload, _ := json.Marshal(map[string]any{"sub": "attacker", "token_use": "access", "scope": "openid"})
	parts := strings.Split(accessTok, ".")

	// HS256 keyed with the public key: the classic algorithm confusion.
	pubDER, err := x509.MarshalPKIXPublicKey(accessPub)
	if err != nil {
		t.Fatal(err)
	}
	hsInput := b64json(t, map[string]string{"alg": "HS256", "kid": accessKid}) + "." + b64(payload)
	mac := hmac.New(sha256.New, pubDER)
	mac.Write([]byte(hsInput))
	hsTok := hsInput + "." + b64(mac.Sum(nil))

	otherRSA, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	otherEC, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tamperedPayload := parts[0] + "." + b64(payload) + "." + parts[2]
	// Replace one character by another of the base64url alphabet, so that
	// the signature still decodes but no longer matches.
	sig := []byte(parts[2])
	if sig[10] == 'A' {
		sig[10] = 'B'
	} else {
		sig[10] = 'A'
	}
	tamperedSig := parts[0] + "." + parts[1] + "." + string(sig)
	tamperedHeader := b64json(t, map[string]string{"alg": "RS256", "kid": accessNext}) + "." + parts[1] + "." + parts[2]

	tests := []struct {
		name string
		use  string
		tok  string
		want error
	}{
		{name: "alg none", use: store.UseAccess, tok: b64json(t, map[string]string{"alg": "none", "kid": accessKid}) + "." + b64(payload) + ".", want: token.ErrAlgorithm},
		{name: "alg none without kid", use: store.UseAccess, tok: b64json(t, map[string]string{"alg": "none"}) + "." + b64(payload) + ".", want: token.ErrAlgorithm},
		{name: "HS256 with the public key as secret", use: store.UseAccess, tok: hsTok, want: token.ErrAlgorithm},
		{name: "ES256 on an RS256 pool", use: store.UseAccess, tok: signWith(t, jose.ES256, otherEC, accessKid, payload), want: token.ErrAlgorithm},
		{name: "unknown kid", use: store.UseAccess, tok: signWith(t, jose.RS256, otherRSA, "FRFiwL9rFN69iq9hi8hh7Y/ePWF9Dl0SOri3gtkG2Kk=", payload), want: token.ErrUnknownKey},
		{name: "no kid", use: store.UseAccess, tok: signWith(t, jose.RS256, otherRSA, "", payload), want: token.ErrUnknownKey},
		{name: "our kid, someone else's key", use: store.UseAccess, tok: signWith(t, jose.RS256, otherRSA, accessKid, payload), want: token.ErrSignature},
		{name: "tampered payload", use: store.UseAccess, tok: tamperedPayload, want: token.ErrSignature},
		{name: "tampered signature", use: store.UseAccess, tok: tamperedSig, want: token.ErrSignature},
		{name: "kid swapped to the next key", use: store.UseAccess, tok: tamperedHeader, want: token.ErrSignature},
		{name: "ID token where an access token is due", use: store.UseAccess, tok: idTok, want: token.ErrUnknownKey},
		{name: "access token where an ID token is due", use: store.UseID, tok: accessTok, want: token.ErrUnknownKey},
		{name: "oversized", use: store.UseAccess, tok: parts[0] + "." + strings.Repeat("A", token.MaxTokenBytes) + "." + parts[2], want: token.ErrMalformed},
		{name: "empty", use: store.UseAccess, tok: "", want: token.ErrMalformed},
		{name: "no dots", use: store.UseAccess, tok: "garbage", want: token.ErrMalformed},
		{name: "one dot", use: store.UseAccess, tok: parts[0] + "." + parts[1], want: token.ErrMalformed},
		{name: "JWE-like five parts", use: store.UseAccess, tok: accessTok + "." + parts[1] + "." + parts[2], want: token.ErrMalformed},
		{name: "many dots", use: store.UseAccess, tok: strings.Repeat(".", 4000), want: token.ErrMalformed},
		{name: "three empty parts", use: store.UseAccess, tok: "..", want: token.ErrMalformed},
		{name: "not base64", use: store.UseAccess, tok: "!!.??.**", want: token.ErrMalformed},
		{name: "header not JSON", use: store.UseAccess, tok: b64([]byte("nope")) + "." + parts[1] + "." + parts[2], want: token.ErrMalformed},
		{name: "JSON serialization", use: store.UseAccess, tok: `{"payload":"` + parts[1] + `","protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`, want: token.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := k.Verify(ctx, e.poolID, tc.use, tc.tok)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify error = %v, want %v", err, tc.want)
			}
			if got != nil {
				t.Fatalf("Verify returned claims %s with an error", got)
			}
			if len(tc.tok) > 8 && strings.Contains(err.Error(), tc.tok[:len(tc.tok)/2]) {
				t.Fatal("error message contains the token")
			}
		})
	}

	t.Run("valid tokens", func(t *testing.T) {
		for use, tok := range map[string]string{store.UseAccess: accessTok, store.UseID: idTok} {
			raw, err := k.Verify(ctx, e.poolID, use, tok)
			if err != nil {
				t.Fatalf("Verify(%s): %v", use, err)
			}
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil || m["sub"] != "user-1" {
				t.Fatalf("Verify(%s) claims = %s (%v)", use, raw, err)
			}
		}
		if kidOf(t, idTok) != idKid {
			t.Fatal("ID token not signed by the ID key")
		}
	})
	t.Run("unknown use", func(t *testing.T) {
		if _, err := k.Verify(ctx, e.poolID, "refresh", accessTok); !errors.Is(err, token.ErrUnknownUse) {
			t.Fatalf("error = %v, want ErrUnknownUse", err)
		}
	})
}
