package seal_test

import (
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/linkpool/linkpool/internal/seal"
)

func TestLoadOrCreateCreatesPrivateKeyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "keys")
	path := filepath.Join(dir, "master.key")

	box, created, err := seal.LoadOrCreate(path)
	if err != nil {
		t.Fatalf("LoadOrCreate: %v", err)
	}
	if !created {
		t.Fatal("created = false for a missing file")
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("key file mode = %04o, want 0600", perm)
	}
	dinfo, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := dinfo.Mode().Perm(); perm != 0o700 {
		t.Fatalf("key dir mode = %04o, want 0700", perm)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(key) != seal.KeySize {
		t.Fatalf("key file holds %q: want 32 bytes of standard base64 (err %v)", raw, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want only the key file (temporary file left behind?)", len(entries))
	}

	sealed := box.Seal([]byte("v"), []byte("c"))
	again, created, err := seal.LoadOrCreate(path)
	if err != nil {
		t.Fatalf("second LoadOrCreate: %v", err)
	}
	if created {
		t.Fatal("created = true for an existing file")
	}
	if got, err := again.Open(sealed, []byte("c")); err != nil || string(got) != "v" {
		t.Fatalf("reloaded key cannot open a value sealed before: %q, %v", got, err)
	}
}

func TestLoadOrCreateConcurrentAgree(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	const n = 8
	boxes := make([]*seal.Box, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { boxes[i], _, errs[i] = seal.LoadOrCreate(path) })
	}
	wg.Wait()
	sealed := boxes[0].Seal([]byte("v"), nil)
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("instance %d: %v", i, errs[i])
		}
		if _, err := boxes[i].Open(sealed, nil); err != nil {
			t.Fatalf("instance %d ended up with a different key", i)
		}
	}
}

func TestLoadOrCreateRefuses(t *testing.T) {
	goodKey := base64.StdEncoding.EncodeToString(make([]byte, seal.KeySize)) + "\n"
	tests := []struct {
		name     string
		contents string
		mode     os.FileMode
		wantMsg  string
	}{
		{name: "world readable", contents: goodKey, mode: 0o644, wantMsg: "chmod 600"},
		{name: "group readable", contents: goodKey, mode: 0o640, wantMsg: "chmod 600"},
		{name: "world writable", contents: goodKey, mode: 0o602, wantMsg: "chmod 600"},
		{name: "garbage", contents: "not a key\n", mode: 0o600, wantMsg: "bad contents"},
		{name: "short key", contents: base64.StdEncoding.EncodeToString(make([]byte, 16)), mode: 0o600, wantMsg: "bad contents"},
		{name: "empty", contents: "", mode: 0o600, wantMsg: "bad contents"},
		{name: "huge", contents: strings.Repeat("A", 4096), mode: 0o600, wantMsg: "too large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "master.key")
			if err := os.WriteFile(path, []byte(tc.contents), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			box, created, err := seal.LoadOrCreate(path)
			var kfe *seal.KeyFileError
			if !errors.As(err, &kfe) {
				t.Fatalf("LoadOrCreate error = %v, want *KeyFileError", err)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("error %q does not mention %q", err, tc.wantMsg)
			}
			if box != nil || created {
				t.Fatalf("got box=%v created=%v with an error", box, created)
			}
			after, err := os.ReadFile(path)
			if err != nil || string(after) != tc.contents {
				t.Fatal("refused key file was modified")
			}
			if st, _ := os.Stat(path); st.Mode().Perm() != tc.mode {
				t.Fatalf("refused key file mode changed to %04o", st.Mode().Perm())
			}
		})
	}
}

func TestLoadOrCreateRefusesDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	_, _, err := seal.LoadOrCreate(path)
	var kfe *seal.KeyFileError
	if !errors.As(err, &kfe) {
		t.Fatalf("error = %v, want *KeyFileError", err)
	}
}

// TestLoadNeverCreates protects callers that must not make a new key:
// Load reports a missing file as fs.ErrNotExist and leaves it missing.
func TestLoadNeverCreates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	if _, err := seal.Load(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load of a missing file: %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load created %s (stat: %v)", path, err)
	}
	made, _, err := seal.LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := seal.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sealed := made.Seal([]byte("secret"), []byte("aad"))
	if got, err := loaded.Open(sealed, []byte("aad")); err != nil || string(got) != "secret" {
		t.Fatalf("Load returned another key: %q, %v", got, err)
	}
}
