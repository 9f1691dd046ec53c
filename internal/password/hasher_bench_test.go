package password_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/linkpool/linkpool/internal/password"
)

func BenchmarkHash(b *testing.B) {
	h := password.NewHasher(password.DefaultParams, 0)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	h := password.NewHasher(password.DefaultParams, 0)
	ctx := context.Background()
	stored, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		ok, err := h.Verify(ctx, stored, "correct horse battery staple")
		if err != nil || !ok {
			b.Fatalf("Verify = %v, %v", ok, err)
		}
	}
}

func BenchmarkVerifyParallel(b *testing.B) {
	h := password.NewHasher(password.DefaultParams, 0)
	ctx := context.Background()
	stored, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, err := h.Verify(ctx, stored, "correct horse battery staple"); err != nil || !ok {
				b.Errorf("Verify = %v, %v", ok, err)
				return
			}
		}
	})
}

// BenchmarkVerifyOWASP verifies one password at a time with each of
// OWASP's equally strong settings: the throughput of one core per
// setting, for docs/operations.md's table.
func BenchmarkVerifyOWASP(b *testing.B) {
	ctx := context.Background()
	for _, p := range password.OWASPSettings {
		b.Run(fmt.Sprintf("m=%dMiB,t=%d", p.Memory/1024, p.Time), func(b *testing.B) {
			h := password.NewHasher(p, 1)
			stored, err := h.Hash(ctx, "correct horse battery staple")
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if ok, err := h.Verify(ctx, stored, "correct horse battery staple"); err != nil || !ok {
					b.Fatalf("Verify = %v, %v", ok, err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifies/s")
		})
	}
}
