package server_test

import (
	"context"
	"testing"
)

func TestServesHost(t *testing.T) {
	s, st, _ := newServer(t)
	ctx := context.Background()
	for host, want := range map[string]bool{
		"id.example.com":               true,
		"ID.Example.com.":              true,
		"smartlamp.auth.example.com":   true,
		"login.lamp.example":           true,
		"nope.auth.example.com":        false,
		"auth.example.com":             false,
		"smartlamp":                    false, // a prefix is not a custom domain
		"a.smartlamp.auth.example.com": false,
		"evil.example.org":             false,
		"":                             false,
	} {
		got, err := s.ServesHost(ctx, host)
		if err != nil || got != want {
			t.Errorf("ServesHost(%q) = %v, %v; want %v", host, got, err, want)
		}
	}
	// A deleted domain is no longer served at once.
	if err := st.DeleteDomain(ctx, "smartlamp"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ServesHost(ctx, "smartlamp.auth.example.com"); err != nil || got {
		t.Fatalf("ServesHost of a deleted domain = %v, %v", got, err)
	}
}
