package oauth

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestTokenResponseJSON: the token response is written byte for byte as
// encoding/json writes it, for plain tokens and for values that need
// escaping.
func TestTokenResponseJSON(t *testing.T) {
	for _, r := range []tokenResponse{
		{AccessToken: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", TokenType: "Bearer", ExpiresIn: 3600},
		{AccessToken: "a.b.c", IDToken: "d.e.f", RefreshToken: "AAAAAAAAAAAAAAAAAAAAAA.BBBB-_", TokenType: "Bearer", ExpiresIn: 300},
		{AccessToken: "a\"b\\c", IDToken: "<script>&", RefreshToken: "\n\x00é\u2028", TokenType: "Bearer", ExpiresIn: -1},
		{},
	} {
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(&r); err != nil {
			t.Fatal(err)
		}
		if got := r.appendJSON(nil); string(got) != want.String() {
			t.Errorf("appendJSON = %s, want %s", got, want.Bytes())
		}
	}
}

// BenchmarkTokenResponseJSON measures writing a refresh's token response.
func BenchmarkTokenResponseJSON(b *testing.B) {
	r := tokenResponse{AccessToken: string(bytes.Repeat([]byte("a"), 900)), IDToken: string(bytes.Repeat([]byte("b"), 1000)), TokenType: "Bearer", ExpiresIn: 3600}
	b.Run("appendJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = r.appendJSON(make([]byte, 0, r.jsonSize()))
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			_ = json.NewEncoder(&buf).Encode(&r)
		}
	})
}
