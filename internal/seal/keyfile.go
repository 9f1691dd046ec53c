package seal

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ParseKey decodes a master key written as standard or URL-safe base64,
// padded or not, with surrounding whitespace ignored, and returns a Box for
// it. The decoded key must be exactly 32 bytes.
func ParseKey(text string) (*Box, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, &KeyError{Reason: "empty"}
	}
	key, err := decodeBase64(text)
	if err != nil {
		// The text is a secret: report the problem, never the input.
		return nil, &KeyError{Reason: "not base64"}
	}
	return New(key)
}

func decodeBase64(text string) ([]byte, error) {
	encodings := []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding,
		base64.URLEncoding, base64.RawURLEncoding,
	}
	var firstErr error
	for _, enc := range encodings {
		b, err := enc.Strict().DecodeString(text)
		if err == nil {
			return b, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}

// KeyFileError reports a master key file that cannot be used as it is.
type KeyFileError struct {
	Path   string
	Reason string
	Err    error
}

func (e *KeyFileError) Error() string {
	msg := "seal: key file " + e.Path + ": " + e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *KeyFileError) Unwrap() error { return e.Err }

// LoadOrCreate reads the master key file at path and returns its Box. When
// the file does not exist it creates one holding 32 random bytes as
// standard base64 text, with mode 0600, written to a temporary file in the
// same directory and renamed into place so that a crash never leaves a
// partial key; missing parent directories are created with mode 0700.
// created reports whether a new key was written.
//
// A key file that the group or others may read is refused: the operator
// must chmod 600 it first.
func LoadOrCreate(path string) (box *Box, created bool, err error) {
	box, err = Load(path)
	if err == nil {
		return box, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	if err := create(path); err != nil {
		// Another process may have created it first; use whichever won.
		if errors.Is(err, fs.ErrExist) {
			box, err = Load(path)
			return box, false, err
		}
		return nil, false, err
	}
	box, err = Load(path)
	if err != nil {
		return nil, false, err
	}
	return box, true, nil
}

// Load reads the master key file at path and returns its Box, refusing
// what LoadOrCreate refuses. It never creates a key: a missing file is an
// error for which errors.Is(err, fs.ErrNotExist) holds.
func Load(path string) (*Box, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, &KeyFileError{Path: path, Reason: "cannot open", Err: err}
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, &KeyFileError{Path: path, Reason: "cannot stat", Err: err}
	}
	if !info.Mode().IsRegular() {
		return nil, &KeyFileError{Path: path, Reason: "not a regular file"}
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, &KeyFileError{Path: path, Reason: fmt.Sprintf(
			"mode %04o lets other users read the master key; run: chmod 600 %s", perm, path)}
	}
	// A key file is about 45 bytes; refuse anything large rather than read it.
	const maxKeyFile = 1024
	buf, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, &KeyFileError{Path: path, Reason: "cannot read", Err: err}
	}
	if len(buf) > maxKeyFile {
		return nil, &KeyFileError{Path: path, Reason: "too large to be a master key"}
	}
	box, err := ParseKey(string(buf))
	if err != nil {
		return nil, &KeyFileError{Path: path, Reason: "bad contents", Err: err}
	}
	return box, nil
}

func create(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return &KeyFileError{Path: path, Reason: "cannot create directory", Err: err}
	}
	key := make([]byte, KeySize)
	_, _ = rand.Read(key)
	text := base64.StdEncoding.EncodeToString(key) + "\n"

	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return &KeyFileError{Path: path, Reason: "cannot create temporary file", Err: err}
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // no-op after a successful link
	// CreateTemp already uses 0600; make it explicit against odd umasks.
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return &KeyFileError{Path: path, Reason: "cannot chmod temporary file", Err: err}
	}
	if _, err := tmp.WriteString(text); err != nil {
		tmp.Close()
		return &KeyFileError{Path: path, Reason: "cannot write temporary file", Err: err}
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return &KeyFileError{Path: path, Reason: "cannot sync temporary file", Err: err}
	}
	if err := tmp.Close(); err != nil {
		return &KeyFileError{Path: path, Reason: "cannot close temporary file", Err: err}
	}
	// os.Link fails if path exists, unlike rename: two processes creating
	// the key at once cannot overwrite each other's key after one of them
	// has started sealing with it.
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		// Filesystems without hard links: fall back to rename.
		if rerr := os.Rename(tmpName, path); rerr != nil {
			return &KeyFileError{Path: path, Reason: "cannot move key into place", Err: rerr}
		}
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
