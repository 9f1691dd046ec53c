package token_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/token"
)

// kidPattern is Cognito's kid shape: 32 bytes in standard base64.
var kidPattern = regexp.MustCompile(`^[A-Za-z0-9+/]{43}=$`)

func TestEnsureCreatesKeySet(t *testing.T) {
	tests := []struct {
		name string
		alg  string
	}{
		{name: "RS256", alg: pool.AlgRS256},
		{name: "ES256", alg: pool.AlgES256},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sqliteBackend)
			k := e.keys(0)
			mustEnsure(t, k, e.poolID, tc.alg)

			info, err := k.Describe(context.Background(), e.poolID)
			if err != nil {
				t.Fatal(err)
			}
			if info.Version != 1 {
				t.Fatalf("version = %d after first Ensure, want 1", info.Version)
			}
			if len(info.Keys) != 4 {
				t.Fatalf("got %d keys, want 4 (active and next for id and access)", len(info.Keys))
			}
			seen := map[string]bool{}
			for _, key := range info.Keys {
				if !kidPattern.MatchString(key.KID) {
					t.Errorf("kid %q is not 44-char standard base64", key.KID)
				}
				if seen[key.KID] {
					t.Errorf("kid %s appears twice", key.KID)
				}
				seen[key.KID] = true
				if key.Alg != tc.alg || !key.Published || !key.NotAfter.IsZero() || !key.CreatedAt.Equal(e.clock.Now()) {
					t.Errorf("key %+v: want alg %s, published, no NotAfter, created now", key, tc.alg)
				}
			}
			for _, use := range []string{store.UseID, store.UseAccess} {
				byState(t, info.Keys, use, store.KeyActive)
				byState(t, info.Keys, use, store.KeyNext)
			}

			// Idempotent: nothing is rewritten.
			mustEnsure(t, k, e.poolID, tc.alg)
			mustEnsure(t, e.keys(0), e.poolID, pool.AlgES256)
			again, err := k.Describe(context.Background(), e.poolID)
			if err != nil {
				t.Fatal(err)
			}
			if again.Version != 1 || !slices.Equal(kidList(again.Keys), kidList(info.Keys)) {
				t.Fatalf("repeated Ensure changed the set: version %d, kids %v", again.Version, kidList(again.Keys))
			}
		})
	}
}

func kidList(keys []token.KeyInfo) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.KID
	}
	return out
}

// TestEnsureConcurrent races ten Ensure calls from two instances (two
// store handles on one database): exactly one key set results.
func TestEnsureConcurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("concurrency stress: -short")
	}
	for _, b := range multiInstance {
		t.Run(b.name, func(t *testing.T) {
			e := newEnv(t, b)
			instances := []*token.Keys{e.instance(t, 0), e.instance(t, 0)}
			var wg sync.WaitGroup
			errs := make([]error, 10)
			for i := range errs {
				wg.Go(func() {
					errs[i] = instances[i%2].Ensure(context.Background(), e.poolID, pool.AlgRS256)
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("Ensure %d: %v", i, err)
				}
			}
			set, err := e.st.GetKeySet(context.Background(), e.poolID)
			if err != nil {
				t.Fatal(err)
			}
			if set.Version != 1 || len(set.Keys) != 4 {
				t.Fatalf("after racing Ensure: version %d with %d keys, want version 1 with 4 keys", set.Version, len(set.Keys))
			}
			// Both instances sign with the same keys.
			a := sign(t, instances[0], e.poolID, store.UseAccess, sampleClaims)
			c := sign(t, instances[1], e.poolID, store.UseAccess, sampleClaims)
			if kidOf(t, a) != kidOf(t, c) {
				t.Fatalf("instances sign with different access keys: %s, %s", kidOf(t, a), kidOf(t, c))
			}
		})
	}
}

func TestEnsureRejects(t *testing.T) {
	e := newEnv(t, sqliteBackend)
	k := e.keys(0)
	tests := []struct {
		name    string
		poolID  string
		alg     string
		wantErr error
	}{
		{name: "unsupported alg", poolID: e.poolID, alg: "HS256", wantErr: token.ErrUnsupportedAlg},
		{name: "none", poolID: e.poolID, alg: "none", wantErr: token.ErrUnsupportedAlg},
		{name: "empty alg", poolID: e.poolID, alg: "", wantErr: token.ErrUnsupportedAlg},
		{name: "unknown pool", poolID: "us-east-1_NOSUCHPL0", alg: pool.AlgES256, wantErr: store.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := k.Ensure(context.Background(), tc.poolID, tc.alg); !errors.Is(err, tc.wantErr) {
				t.Fatalf("Ensure error = %v, want %v", err, tc.wantErr)
			}
		})
	}
	if _, err := e.st.GetKeySet(context.Background(), e.poolID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("rejected Ensure stored keys: GetKeySet error = %v", err)
	}
}

func TestWithoutKeys(t *testing.T) {
	e := newEnv(t, sqliteBackend)
	k := e.keys(0)
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{name: "Sign", call: func() error { _, err := k.Sign(ctx, e.poolID, store.UseID, sampleClaims); return err }, want: token.ErrNoKeys},
		{name: "JWKS", call: func() error { _, err := k.JWKS(ctx, e.poolID); return err }, want: token.ErrNoKeys},
		{name: "Verify", call: func() error { _, err := k.Verify(ctx, e.poolID, store.UseID, "a.b.c"); return err }, want: token.ErrNoKeys},
		{name: "Rotate", call: func() error { _, err := k.Rotate(ctx, e.poolID, pool.AlgRS256, time.Hour, 0); return err }, want: token.ErrNoKeys},
		{name: "List", call: func() error { _, err := k.List(ctx, e.poolID); return err }, want: token.ErrNoKeys},
		{name: "Sign unknown use", call: func() error { _, err := k.Sign(ctx, e.poolID, "refresh", sampleClaims); return err }, want: token.ErrUnknownUse},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestSignVerifiesAgainstJWKS signs as the token endpoint does and checks
// the token the way a relying party would: parse the JWKS JSON as a
// jose.JSONWebKeySet, find the kid, verify with go-jose.
func TestSignVerifiesAgainstJWKS(t *testing.T) {
	tests := []struct {
		name    string
		alg     string
		jwkKeys []string // the members a published JWK has, as in Cognito's JWKS
	}{
		{name: "RS256", alg: pool.AlgRS256, jwkKeys: []string{"alg", "e", "kid", "kty", "n", "use"}},
		{name: "ES256", alg: pool.AlgES256, jwkKeys: []string{"alg", "crv", "kid", "kty", "use", "x", "y"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sqliteBackend)
			k := e.keys(0)
			mustEnsure(t, k, e.poolID, tc.alg)
			now := e.clock.Now()

			access := token.NewAccessClaims(token.AccessInput{
				Issuer: "https://cognito-idp.us-east-1.amazonaws.com/" + e.poolID, ClientID: "client1",
				Sub: "sub-1", Username: "jane", Scopes: []string{"openid", "email"},
				AuthTime: now, IssuedAt: now, ExpiresAt: now.Add(time.Hour),
			})
			accessTok := sign(t, k, e.poolID, store.UseAccess, access)
			idTok := sign(t, k, e.poolID, store.UseID, token.IDClaims(token.IDInput{
				Issuer: access.Issuer, Audience: "client1", Sub: "sub-1", Username: "jane",
				AtHash: token.AtHash(accessTok, tc.alg), AuthTime: now, IssuedAt: now, ExpiresAt: now.Add(time.Hour),
			}))

			set, raw := jwks(t, k, e.poolID)
			if len(set.Keys) != 4 {
				t.Fatalf("JWKS has %d keys, want 4 (active and next per use)", len(set.Keys))
			}
			var generic struct {
				Keys []map[string]any `json:"keys"`
			}
			if err := json.Unmarshal(raw, &generic); err != nil {
				t.Fatal(err)
			}
			for _, jwk := range generic.Keys {
				var members []string
				for m := range jwk {
					members = append(members, m)
				}
				slices.Sort(members)
				if !slices.Equal(members, tc.jwkKeys) {
					t.Fatalf("published JWK has members %v, want exactly %v", members, tc.jwkKeys)
				}
				if jwk["use"] != "sig" || jwk["alg"] != tc.alg {
					t.Fatalf("published JWK %v: want use sig, alg %s", jwk, tc.alg)
				}
			}
			for _, k := range set.Keys {
				if !k.IsPublic() {
					t.Fatalf("JWKS publishes private key material for %s", k.KeyID)
				}
			}

			for _, c := range []struct {
				use string
				tok string
			}{{store.UseAccess, accessTok}, {store.UseID, idTok}} {
				h := header(t, c.tok)
				if len(h) != 2 || h["alg"] != tc.alg || !kidPattern.MatchString(fmt.Sprint(h["kid"])) {
					t.Fatalf("%s token header = %v, want exactly {alg: %s, kid: <44-char base64>}", c.use, h, tc.alg)
				}
				parsed, err := jwt.ParseSigned(c.tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(tc.alg)})
				if err != nil {
					t.Fatalf("%s token does not parse: %v", c.use, err)
				}
				found := set.Key(parsed.Headers[0].KeyID)
				if len(found) != 1 {
					t.Fatalf("%s token kid %s is not in the JWKS", c.use, parsed.Headers[0].KeyID)
				}
				var got map[string]any
				if err := parsed.Claims(found[0].Key, &got); err != nil {
					t.Fatalf("%s token does not verify against the JWKS: %v", c.use, err)
				}
				if got["sub"] != "sub-1" || got["token_use"] != c.use {
					t.Fatalf("%s token claims = %v", c.use, got)
				}
			}
			if kidOf(t, accessTok) == kidOf(t, idTok) {
				t.Fatal("ID and access tokens are signed with the same key")
			}
			keys := mustList(t, k, e.poolID)
			if kidOf(t, accessTok) != byState(t, keys, store.UseAccess, store.KeyActive) ||
				kidOf(t, idTok) != byState(t, keys, store.UseID, store.KeyActive) {
				t.Fatal("tokens are not signed with the active keys")
			}
		})
	}
}

func TestJWKSOrderIsDeterministic(t *testing.T) {
	e := newEnv(t, sqliteBackend)
	k := e.keys(0)
	mustEnsure(t, k, e.poolID, pool.AlgES256)
	if _, err := k.Rotate(context.Background(), e.poolID, pool.AlgES256, time.Hour, 0); err != nil {
		t.Fatal(err)
	}
	keys := mustList(t, k, e.poolID)
	want := []string{
		byState(t, keys, store.UseID, store.KeyActive), byState(t, keys, store.UseID, store.KeyNext), byState(t, keys, store.UseID, store.KeyRetired),
		byState(t, keys, store.UseAccess, store.KeyActive), byState(t, keys, store.UseAccess, store.KeyNext), byState(t, keys, store.UseAccess, store.KeyRetired),
	}
	_, first := jwks(t, k, e.poolID)
	set, _ := jwks(t, e.keys(0), e.poolID) // another instance renders the same bytes
	if got := kids(set); !slices.Equal(got, want) {
		t.Fatalf("JWKS order = %v, want %v", got, want)
	}
	_, second := jwks(t, e.keys(0), e.poolID)
	if !bytes.Equal(first, second) {
		t.Fatal("two instances render different JWKS documents for one key set")
	}
}

// TestSignUsesCache: within the refresh interval signing needs no store
// at all; once the interval has passed the key set is read again.
func TestSignUsesCache(t *testing.T) {
	e := newEnv(t, sqliteBackend)
	mustEnsure(t, e.keys(0), e.poolID, pool.AlgES256)
	handle := e.open(t)
	k := token.NewKeys(handle, e.box, token.KeysOptions{Now: e.clock.Now, RefreshInterval: 10 * time.Second})
	first := sign(t, k, e.poolID, store.UseAccess, sampleClaims)
	if err := handle.Close(); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(9 * time.Second)
	second := sign(t, k, e.poolID, store.UseAccess, sampleClaims)
	if kidOf(t, first) != kidOf(t, second) {
		t.Fatal("cached signing switched keys")
	}
	if _, err := k.JWKS(context.Background(), e.poolID); err != nil {
		t.Fatalf("JWKS within the refresh interval touched the store: %v", err)
	}
	e.clock.Advance(2 * time.Second)
	if _, err := k.Sign(context.Background(), e.poolID, store.UseAccess, sampleClaims); err == nil {
		t.Fatal("Sign after the refresh interval did not re-read the (closed) store")
	}
}

// TestSealedPrivateKeys: the database holds private keys only sealed under
// the master key, bound to their pool and kid.
func TestSealedPrivateKeys(t *testing.T) {
	e := newEnv(t, sqliteBackend)
	mustEnsure(t, e.keys(0), e.poolID, pool.AlgRS256)
	set, err := e.st.GetKeySet(context.Background(), e.poolID)
	if err != nil {
		t.Fatal(err)
	}
	other := newBox(t)
	for i, sk := range set.Keys {
		ctxBytes := []byte("signing-key/" + e.poolID + "/" + sk.KID)
		der, err := e.box.Open(sk.Sealed, ctxBytes)
		if err != nil {
			t.Fatalf("key %s does not open with the master key and its context: %v", sk.KID, err)
		}
		priv, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			t.Fatalf("sealed value is not PKCS#8: %v", err)
		}
		var pub jose.JSONWebKey
		if err := pub.UnmarshalJSON(sk.Public); err != nil || !pub.IsPublic() {
			t.Fatalf("stored public key is not a public JWK: %v", err)
		}
		signer, ok := priv.(crypto.Signer)
		if !ok {
			t.Fatalf("sealed key %T cannot sign", priv)
		}
		if !signer.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub.Key) {
			t.Fatal("sealed private key does not match the stored public key")
		}
		for off := 0; off+16 <= len(der); off += 8 {
			if bytes.Contains(sk.Sealed, der[off:off+16]) {
				t.Fatalf("sealed value contains raw private key bytes at offset %d", off)
			}
		}
		if _, err := other.Open(sk.Sealed, ctxBytes); !errors.Is(err, seal.ErrOpen) {
			t.Fatalf("another master key opened the private key: %v", err)
		}
		swapped := set.Keys[(i+1)%len(set.Keys)]
		if _, err := e.box.Open(sk.Sealed, []byte("signing-key/"+e.poolID+"/"+swapped.KID)); !errors.Is(err, seal.ErrOpen) {
			t.Fatal("a sealed key opens under another key's context")
		}
	}

	// An instance with the wrong master key refuses to sign.
	wrong := token.NewKeys(e.st, other, token.KeysOptions{Now: e.clock.Now})
	_, err = wrong.Sign(context.Background(), e.poolID, store.UseID, sampleClaims)
	var ke *token.KeyError
	if !errors.As(err, &ke) || !errors.Is(err, seal.ErrOpen) {
		t.Fatalf("Sign with the wrong master key: error = %v, want *KeyError wrapping seal.ErrOpen", err)
	}
}

// TestTamperedKeySet: a key set altered in the database is refused rather
// than used to sign.
func TestTamperedKeySet(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(keys []store.SigningKey)
	}{
		{name: "sealed keys swapped between rows", tamper: func(keys []store.SigningKey) {
			a, b := active(keys, store.UseID), active(keys, store.UseAccess)
			keys[a].Sealed, keys[b].Sealed = keys[b].Sealed, keys[a].Sealed
		}},
		{name: "public key replaced", tamper: func(keys []store.SigningKey) {
			a, n := active(keys, store.UseID), next(keys, store.UseID)
			keys[a].Public = keys[n].Public
		}},
		{name: "kid changed", tamper: func(keys []store.SigningKey) {
			a := active(keys, store.UseID)
			keys[a].KID = "FRFiwL9rFN69iq9hi8hh7Y/ePWF9Dl0SOri3gtkG2Kk="
		}},
		{name: "alg changed", tamper: func(keys []store.SigningKey) {
			keys[active(keys, store.UseID)].Alg = pool.AlgRS256
		}},
		{name: "private JWK published", tamper: func(keys []store.SigningKey) {
			a := active(keys, store.UseID)
			var m map[string]any
			_ = json.Unmarshal(keys[a].Public, &m)
			m["d"] = "AQAB"
			keys[a].Public, _ = json.Marshal(m)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sqliteBackend)
			mustEnsure(t, e.keys(0), e.poolID, pool.AlgES256)
			err := e.st.UpdateKeySet(context.Background(), e.poolID, func(s store.KeySet) (store.KeySet, error) {
				tc.tamper(s.Keys)
				return s, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.keys(0).Sign(context.Background(), e.poolID, store.UseID, sampleClaims)
			var ke *token.KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("Sign with a tampered key set: error = %v, want *KeyError", err)
			}
		})
	}
}

func active(keys []store.SigningKey, use string) int { return find(keys, use, store.KeyActive) }
func next(keys []store.SigningKey, use string) int   { return find(keys, use, store.KeyNext) }

func find(keys []store.SigningKey, use, state string) int {
	for i, k := range keys {
		if k.Use == use && k.State == state {
			return i
		}
	}
	panic("no " + state + " " + use + " key")
}
