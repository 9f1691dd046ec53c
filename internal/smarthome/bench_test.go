package smarthome_test

import (
	"bytes"
	"context"
	"testing"
)

// BenchmarkTurnOnRS256 measures whole directives: JSON in, RS256 token
// verification, a SQLite read-modify-write transaction, JSON out.
func BenchmarkTurnOnRS256(b *testing.B) {
	e := newEnv(b, nil)
	e.addLamp(b, "bench-user", "lamp-1")
	raw := []byte(directive("Alexa.PowerController", "TurnOn", "lamp-1", e.iss.Token(b, "bench-user"), nil))
	ctx := context.Background()
	if out, _ := e.skill.Invoke(ctx, raw); !containsResponse(out) {
		b.Fatalf("warm-up reply %s", out)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.skill.Invoke(ctx, raw); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "directives/s")
}

func containsResponse(out []byte) bool { return bytes.Contains(out, []byte(`"name":"Response"`)) }
