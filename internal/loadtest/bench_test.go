package loadtest_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkTokenEndpoint measures the refresh_token grant over loopback
// HTTP against the whole server on SQLite, from parallel clients that
// each refresh their own link, as Alexa does for many users at once.
func BenchmarkTokenEndpoint(b *testing.B) {
	for _, rotation := range []bool{false, true} {
		b.Run(fmt.Sprintf("refresh/rotation=%v", rotation), func(b *testing.B) {
			s := newServer(b, options{autoConfirm: true, rotation: rotation})
			ctx := context.Background()
			const users = 16
			tokens := make([]string, users)
			for i := range tokens {
				p, a, err := s.target.Browser("").SignUp(ctx, fmt.Sprintf("bench%d", i), fmt.Sprintf("bench%d@example.com", i), "Bench-pw-123!")
				if err != nil {
					b.Fatal(err)
				}
				code, err := a.Code(s.target, p, "sign-up")
				if err != nil {
					b.Fatal(err)
				}
				tok, err := s.target.Exchange(ctx, code, a.Verifier, "")
				if err != nil {
					b.Fatal(err)
				}
				tokens[i] = tok.RefreshToken
			}
			var next atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := int(next.Add(1)-1) % users
				rt := tokens[i]
				for pb.Next() {
					tok, err := s.target.Refresh(ctx, rt, "")
					if err != nil {
						b.Error(err)
						return
					}
					if tok.RefreshToken != "" {
						rt = tok.RefreshToken
					}
				}
			})
		})
	}
}
