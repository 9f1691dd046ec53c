package seal_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/seal"
)

func mustBox(t testing.TB) *seal.Box {
	t.Helper()
	key := make([]byte, seal.KeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	b, err := seal.New(key)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return b
}

func TestSealOpenRoundTrip(t *testing.T) {
	box := mustBox(t)
	tests := []struct {
		name      string
		plaintext []byte
		context   []byte
	}{
		{name: "empty plaintext", plaintext: []byte{}, context: []byte("ctx")},
		{name: "nil context", plaintext: []byte("secret"), context: nil},
		{name: "client secret", plaintext: []byte("s3cr3t-value"), context: []byte("client-secret/abc")},
		{name: "large", plaintext: bytes.Repeat([]byte{0xAB}, 1<<16), context: []byte("signing-key/p/k")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sealed := box.Seal(tc.plaintext, tc.context)
			if len(tc.plaintext) > 0 && bytes.Contains(sealed, tc.plaintext) {
				t.Fatal("sealed value contains the plaintext")
			}
			got, err := box.Open(sealed, tc.context)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tc.plaintext) {
				t.Fatalf("Open = %q, want %q", got, tc.plaintext)
			}
		})
	}
}

func TestSealUsesFreshNonce(t *testing.T) {
	box := mustBox(t)
	a := box.Seal([]byte("same"), []byte("ctx"))
	b := box.Seal([]byte("same"), []byte("ctx"))
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are identical; nonce is not random")
	}
	if a[0] != 1 || b[0] != 1 {
		t.Fatalf("version byte = %d, %d; want 1", a[0], b[0])
	}
}

func TestOpenRejects(t *testing.T) {
	box := mustBox(t)
	other := mustBox(t)
	ctx := []byte("client-secret/client-a")
	sealed := box.Seal([]byte("top secret"), ctx)

	flip := func(i int) []byte {
		c := bytes.Clone(sealed)
		c[i] ^= 0x01
		return c
	}
	tests := []struct {
		name    string
		box     *seal.Box
		sealed  []byte
		context []byte
	}{
		{name: "wrong key", box: other, sealed: sealed, context: ctx},
		{name: "wrong context", box: box, sealed: sealed, context: []byte("client-secret/client-b")},
		{name: "missing context", box: box, sealed: sealed, context: nil},
		{name: "tampered version", box: box, sealed: flip(0), context: ctx},
		{name: "tampered nonce", box: box, sealed: flip(3), context: ctx},
		{name: "tampered ciphertext", box: box, sealed: flip(14), context: ctx},
		{name: "tampered tag", box: box, sealed: flip(len(sealed) - 1), context: ctx},
		{name: "truncated by one", box: box, sealed: sealed[:len(sealed)-1], context: ctx},
		{name: "truncated to header", box: box, sealed: sealed[:13], context: ctx},
		{name: "single byte", box: box, sealed: []byte{1}, context: ctx},
		{name: "empty", box: box, sealed: []byte{}, context: ctx},
		{name: "nil", box: box, sealed: nil, context: ctx},
		{name: "garbage", box: box, sealed: bytes.Repeat([]byte{0xFF}, 64), context: ctx},
		{name: "extended", box: box, sealed: append(bytes.Clone(sealed), 0), context: ctx},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.box.Open(tc.sealed, tc.context)
			if !errors.Is(err, seal.ErrOpen) {
				t.Fatalf("Open error = %v, want ErrOpen", err)
			}
			if got != nil {
				t.Fatalf("Open returned plaintext %q on failure", got)
			}
			if strings.Contains(err.Error(), "top secret") {
				t.Fatal("error message leaks the plaintext")
			}
		})
	}
}

func TestNewRejectsKeyLength(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		t.Run(fmt.Sprintf("%d bytes", n), func(t *testing.T) {
			_, err := seal.New(make([]byte, n))
			var ke *seal.KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("New(%d bytes) error = %v, want *KeyError", n, err)
			}
		})
	}
}

func TestParseKey(t *testing.T) {
	key := make([]byte, seal.KeySize)
	for i := range key {
		key[i] = byte(0xF0 + i%16) // exercises '+' '/' vs '-' '_'
	}
	ref, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed := ref.Seal([]byte("x"), nil)

	good := []struct {
		name string
		text string
	}{
		{name: "std padded", text: base64.StdEncoding.EncodeToString(key)},
		{name: "std raw", text: base64.RawStdEncoding.EncodeToString(key)},
		{name: "url padded", text: base64.URLEncoding.EncodeToString(key)},
		{name: "url raw", text: base64.RawURLEncoding.EncodeToString(key)},
		{name: "surrounding whitespace", text: "  \t" + base64.StdEncoding.EncodeToString(key) + "\n\r\n"},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			box, err := seal.ParseKey(tc.text)
			if err != nil {
				t.Fatalf("ParseKey: %v", err)
			}
			if _, err := box.Open(sealed, nil); err != nil {
				t.Fatalf("parsed key does not open a value sealed with the original key: %v", err)
			}
		})
	}

	secretish := base64.StdEncoding.EncodeToString(key[:16])
	bad := []struct {
		name string
		text string
	}{
		{name: "empty", text: ""},
		{name: "whitespace only", text: " \n\t "},
		{name: "not base64", text: "this is not a key!!"},
		{name: "16 bytes", text: secretish},
		{name: "33 bytes", text: base64.StdEncoding.EncodeToString(make([]byte, 33))},
		{name: "hex", text: strings.Repeat("ab", 32)},
		{name: "inner whitespace", text: base64.StdEncoding.EncodeToString(key)[:20] + " " + base64.StdEncoding.EncodeToString(key)[20:]},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			box, err := seal.ParseKey(tc.text)
			var ke *seal.KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("ParseKey error = %v, want *KeyError", err)
			}
			if box != nil {
				t.Fatal("ParseKey returned a Box along with an error")
			}
			if strings.TrimSpace(tc.text) != "" && strings.Contains(err.Error(), strings.TrimSpace(tc.text)) {
				t.Fatal("error message repeats the key text")
			}
		})
	}
}

func TestDeriveKey(t *testing.T) {
	a, _ := seal.New(bytes.Repeat([]byte{1}, 32))
	a2, _ := seal.New(bytes.Repeat([]byte{1}, 32))
	b, _ := seal.New(bytes.Repeat([]byte{2}, 32))
	k1 := a.DeriveKey("cookies")
	if len(k1) != 32 || !bytes.Equal(k1, a2.DeriveKey("cookies")) {
		t.Fatal("derivation must be deterministic per master key and purpose")
	}
	if bytes.Equal(k1, a.DeriveKey("other")) || bytes.Equal(k1, b.DeriveKey("cookies")) {
		t.Fatal("keys must differ by purpose and by master key")
	}
	if bytes.Equal(k1, bytes.Repeat([]byte{1}, 32)) {
		t.Fatal("derived key equals the master key")
	}
}
