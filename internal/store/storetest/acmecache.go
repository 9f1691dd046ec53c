package storetest

import (
	"bytes"
	"testing"

	"github.com/linkpool/linkpool/internal/store"
)

func testACMECache(t *testing.T, s store.Store) {
	ctx := t.Context()
	key := "auth.example.test"
	_, err := s.GetACMECache(ctx, key)
	mustNotFound(t, err, "GetACMECache before put")
	mustOK(t, s.DeleteACMECache(ctx, key), "DeleteACMECache of an absent entry")

	first := []byte{0x01, 0x00, 0xfe, 0xff, 0x42}
	mustOK(t, s.PutACMECache(ctx, key, first, base()), "PutACMECache")
	got, err := s.GetACMECache(ctx, key)
	mustOK(t, err, "GetACMECache")
	if !bytes.Equal(got, first) {
		t.Fatalf("GetACMECache = %x, want %x", got, first)
	}

	// A renewal (by this or another instance) replaces the value.
	second := bytes.Repeat([]byte{0x07}, 4096)
	mustOK(t, s.PutACMECache(ctx, key, second, base().Add(1)), "PutACMECache replacing")
	got, err = s.GetACMECache(ctx, key)
	mustOK(t, err, "GetACMECache after replace")
	if !bytes.Equal(got, second) {
		t.Fatalf("GetACMECache after replace = %d bytes, want the %d of the second put", len(got), len(second))
	}

	// Keys are distinct: the account key beside the certificate.
	account := "acme_account+key"
	mustOK(t, s.PutACMECache(ctx, account, first, base()), "PutACMECache account key")
	got, err = s.GetACMECache(ctx, key)
	mustOK(t, err, "GetACMECache of the certificate after the account key")
	if !bytes.Equal(got, second) {
		t.Fatal("putting another key changed the certificate entry")
	}

	mustOK(t, s.DeleteACMECache(ctx, key), "DeleteACMECache")
	_, err = s.GetACMECache(ctx, key)
	mustNotFound(t, err, "GetACMECache after delete")
	got, err = s.GetACMECache(ctx, account)
	mustOK(t, err, "GetACMECache of the account key after deleting the certificate")
	if !bytes.Equal(got, first) {
		t.Fatal("deleting one key changed another")
	}
}
