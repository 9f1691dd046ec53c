package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"

	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/transfer"
)

// missingKeyError is a master key file that is not there when the store
// needs its key: a new key would open none of the store's sealed secrets,
// and with PostgreSQL every instance must use the same key.
type missingKeyError struct {
	path     string
	postgres bool
}

func (e *missingKeyError) Error() string {
	if e.postgres {
		return fmt.Sprintf("no master key at %s: with PostgreSQL every instance must use the key the database's secrets are sealed with, and none is ever created; put that key file there or pass where it is with --master-key-file (or LINKPOOL_MASTER_KEY_FILE)", e.path)
	}
	return fmt.Sprintf("no master key at %s, but the database already holds data sealed with one: put that key file back there or pass where it is with --master-key-file (or LINKPOOL_MASTER_KEY_FILE); a new key would open none of its secrets, so none is created", e.path)
}

// errPostgresNoKey is PostgreSQL without any master key configured.
var errPostgresNoKey = errors.New("with PostgreSQL, all instances must share one master key: pass --master-key-file (or LINKPOOL_MASTER_KEY_FILE / LINKPOOL_MASTER_KEY); create one with 'linkpool keys master-key --out FILE'")

// loadBox loads the configured master key: --master-key, else
// --master-key-file, else <data>/master.key with SQLite. It never creates
// a key; a missing key file is a *missingKeyError.
func (f *storageFlags) loadBox() (*seal.Box, error) {
	if f.masterKey != "" {
		return seal.ParseKey(f.masterKey)
	}
	path := f.masterKeyFile
	if path == "" {
		if f.postgres() {
			return nil, errPostgresNoKey
		}
		path = filepath.Join(f.data, "master.key")
	}
	box, err := seal.Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &missingKeyError{path: path, postgres: f.postgres()}
	}
	return box, err
}

// openBox loads the master key of st, the opened store. A missing key
// file is created only with SQLite and only while st holds no data
// (transfer.Empty): a new key next to existing data would open none of
// its sealed secrets, and `serve` would then refuse to start. With
// PostgreSQL every instance must use the same key, so it is never
// created implicitly.
func (f *storageFlags) openBox(ctx context.Context, st skillstore.Database, log io.Writer) (*seal.Box, error) {
	box, path, err := f.findBox(ctx, st)
	if err != nil || path == "" {
		return box, err
	}
	box, created, err := seal.LoadOrCreate(path)
	if err != nil {
		return nil, err
	}
	if created && log != nil {
		fmt.Fprintf(log, "created master key %s: back it up together with the database; without it sealed secrets cannot be opened\n", path)
	}
	return box, nil
}

// checkBox is openBox for commands that seal and open nothing (export):
// it refuses what openBox refuses but creates no key, and with PostgreSQL
// and no key configured it checks nothing.
func (f *storageFlags) checkBox(ctx context.Context, st skillstore.Database) error {
	if f.postgres() && f.masterKey == "" && f.masterKeyFile == "" {
		return nil
	}
	_, _, err := f.findBox(ctx, st)
	return err
}

// findBox loads the master key of st. When the key file is missing and
// may be created (SQLite, st empty) it returns the file's path instead.
func (f *storageFlags) findBox(ctx context.Context, st skillstore.Database) (*seal.Box, string, error) {
	box, err := f.loadBox()
	var missing *missingKeyError
	if !errors.As(err, &missing) || missing.postgres {
		return box, "", err
	}
	empty, err := transfer.Empty(ctx, st)
	if err != nil {
		return nil, "", err
	}
	if !empty {
		return nil, "", missing
	}
	return nil, missing.path, nil
}
