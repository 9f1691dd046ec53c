package verify_test

import (
	"context"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

func benchmarkVerify(b *testing.B, k signingKey) {
	clk := newClock()
	srv := newJWKSServer(b, k)
	v := newVerifier(b, srv, clk, nil)
	tok := sign(b, k, claims(clk.Now()))
	ctx := context.Background()
	if err := v.Prefetch(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := v.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyRS256(b *testing.B) {
	benchmarkVerify(b, signingKey{kid: "rsa-1", alg: jose.RS256, key: rsaKey(b, 0)})
}

func BenchmarkVerifyES256(b *testing.B) {
	benchmarkVerify(b, signingKey{kid: "ec-1", alg: jose.ES256, key: ecKey(b)})
}
