package store_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/linkpool/linkpool/internal/store"
)

func TestPrefixEnd(t *testing.T) {
	tests := []struct {
		p, end string
		ok     bool
	}{
		{"", "", false},
		{"a", "b", true},
		{"user4", "user5", true},
		{"a\U0010FFFF", "b", true},
		{"\U0010FFFF\U0010FFFF", "", false},
		{"x\uD7FF", "x\uE000", true},
		{"é", "ê", true},
		{"z\x7f", "z\u0080", true},
	}
	for _, tc := range tests {
		end, ok := store.PrefixEnd(tc.p)
		if end != tc.end || ok != tc.ok {
			t.Errorf("PrefixEnd(%q) = %q, %v; want %q, %v", tc.p, end, ok, tc.end, tc.ok)
		}
	}
}

// TestPrefixEndIsTheRange: p <= s < end holds exactly for the strings s
// that start with p, in byte order, over random strings of characters
// chosen to sit next to the edges (ASCII, the surrogate gap, U+10FFFF).
func TestPrefixEndIsTheRange(t *testing.T) {
	alphabet := []rune{'a', 'b', 0x7f, 0x80, 0xD7FF, 0xE000, 0xFFFF, 0x10000, utf8.MaxRune - 1, utf8.MaxRune}
	r := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		var b strings.Builder
		for range r.IntN(4) {
			b.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 20000 {
		p, s := word(), word()
		if r.IntN(2) == 0 {
			s = p + s
		}
		end, ok := store.PrefixEnd(p)
		in := p <= s && (!ok || s < end)
		if in != strings.HasPrefix(s, p) {
			t.Fatalf("p %q, s %q: in range [p, %q) (open %v) = %v, HasPrefix = %v", p, s, end, !ok, in, !in)
		}
		if ok && !utf8.ValidString(end) {
			t.Fatalf("PrefixEnd(%q) = %q, not UTF-8", p, end)
		}
	}
}

func TestFoldASCII(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "abc": "abc", "Alice@Example.COM": "alice@example.com", "ÉMILE": "Émile", "\u212A": "\u212A", "İ": "İ",
	} {
		if got := store.FoldASCII(in); got != want {
			t.Errorf("FoldASCII(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKeyRange(t *testing.T) {
	n := store.FilterKeyRunes
	long := strings.Repeat("名", n)
	tests := []struct {
		f               store.UserFilter
		key, end        string
		hasEnd, recheck bool
	}{
		{store.UserFilter{Attribute: "email", Value: "A@B"}, "a@b", "", false, false},
		{store.UserFilter{Attribute: "name", Value: "A@B"}, "A@B", "", false, false},
		{store.UserFilter{Attribute: "name", Value: "Jo", Prefix: true}, "Jo", "Jp", true, false},
		{store.UserFilter{Attribute: "status", Value: "EN", Prefix: true}, "en", "eo", true, false},
		{store.UserFilter{Attribute: "name", Value: "", Prefix: true}, "", "", false, false},
		// As long as the key: equal keys may hide longer values.
		{store.UserFilter{Attribute: "name", Value: long}, long, "", false, true},
		{store.UserFilter{Attribute: "name", Value: long, Prefix: true}, long, long[:len(long)-len("名")] + string(rune(0x540E)), true, false},
		{store.UserFilter{Attribute: "name", Value: long + "x"}, long, "", false, true},
		{store.UserFilter{Attribute: "name", Value: long + "x", Prefix: true}, long, long[:len(long)-len("名")] + string(rune(0x540E)), true, true},
	}
	for _, tc := range tests {
		key, end, hasEnd, recheck := tc.f.KeyRange()
		if key != tc.key || end != tc.end || hasEnd != tc.hasEnd || recheck != tc.recheck {
			t.Errorf("%+.40v: KeyRange = %.40q, %.40q, %v, %v; want %.40q, %.40q, %v, %v", tc.f,
				key, end, hasEnd, recheck, tc.key, tc.end, tc.hasEnd, tc.recheck)
		}
	}
}

func TestUserFilterCheck(t *testing.T) {
	for _, a := range store.FilterAttributes {
		if err := (store.UserFilter{Attribute: a, Value: "x"}).Check(); err != nil {
			t.Errorf("%s: %v", a, err)
		}
	}
	for _, f := range []store.UserFilter{
		{Attribute: "custom:tier", Value: "x"}, {Attribute: "", Value: "x"}, {Attribute: "email_verified"},
		{Attribute: "name", Value: "a\x00"}, {Attribute: "name", Value: "\xff"},
	} {
		if err := f.Check(); err == nil {
			t.Errorf("%+v: no error", f)
		}
	}
}
