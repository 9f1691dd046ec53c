package token_test

import (
	"context"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/token"
)

func benchKeys(b *testing.B, alg string) (*token.Keys, *env) {
	b.Helper()
	e := newEnv(b, sqliteBackend)
	// A refresh interval longer than any benchmark: measure the hot path.
	k := e.keys(time.Hour)
	mustEnsure(b, k, e.poolID, alg)
	return k, e
}

func benchAccessClaims(e *env) token.AccessClaims {
	now := e.clock.Now()
	return token.NewAccessClaims(token.AccessInput{
		Issuer:   "https://cognito-idp.us-east-1.amazonaws.com/" + e.poolID,
		ClientID: "7uh8lb2idnder3jkjte0kqub4g", Sub: "7ee7bebb-291c-47e0-ae3a-83795973d5f4",
		Username: "janedoe", Groups: []string{"admins"}, Scopes: []string{"openid", "email", "profile"},
		OriginJTI: "a4867101-110e-490f-a082-6852d8e00e8f", JTI: "cf7c7c31-e667-4049-9a34-2cec5de8bf88",
		AuthTime: now, IssuedAt: now, ExpiresAt: now.Add(time.Hour),
	})
}

func benchSign(b *testing.B, alg, use string, claims func(*env) any) {
	k, e := benchKeys(b, alg)
	cl := claims(e)
	ctx := context.Background()
	sign(b, k, e.poolID, use, cl) // warm the cache
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Sign(ctx, e.poolID, use, cl); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignAccessRS256(b *testing.B) {
	benchSign(b, pool.AlgRS256, store.UseAccess, func(e *env) any { return benchAccessClaims(e) })
}

func BenchmarkSignAccessES256(b *testing.B) {
	benchSign(b, pool.AlgES256, store.UseAccess, func(e *env) any { return benchAccessClaims(e) })
}

func BenchmarkSignIDRS256(b *testing.B) {
	benchSign(b, pool.AlgRS256, store.UseID, func(e *env) any {
		now := e.clock.Now()
		return token.IDClaims(token.IDInput{
			Issuer:   "https://cognito-idp.us-east-1.amazonaws.com/" + e.poolID,
			Audience: "7uh8lb2idnder3jkjte0kqub4g", Sub: "7ee7bebb-291c-47e0-ae3a-83795973d5f4",
			Username: "janedoe", Groups: []string{"admins"},
			Attributes: map[string]string{
				"email": "janedoe@example.com", "email_verified": "true", "name": "Jane Doe", "custom:tier": "gold",
			},
			Nonce: "n-0S6_WzA2Mj", AtHash: "UgU2L46RWptYhG-SpkWVaQ", OriginJTI: "a4867101-110e-490f-a082-6852d8e00e8f",
			JTI: "80779029-0000-4000-8000-000000000000", AuthTime: now, IssuedAt: now, ExpiresAt: now.Add(time.Hour),
		})
	})
}

func BenchmarkVerifyRS256(b *testing.B) {
	k, e := benchKeys(b, pool.AlgRS256)
	tok := sign(b, k, e.poolID, store.UseAccess, benchAccessClaims(e))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Verify(ctx, e.poolID, store.UseAccess, tok); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJWKS(b *testing.B) {
	k, e := benchKeys(b, pool.AlgRS256)
	ctx := context.Background()
	jwks(b, k, e.poolID)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.JWKS(ctx, e.poolID); err != nil {
			b.Fatal(err)
		}
	}
}
