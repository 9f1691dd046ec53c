package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
)

// Modes of the data directory and of the files in it that hold secrets.
const (
	privateDir  fs.FileMode = 0o700
	privateFile fs.FileMode = 0o600
)

// sqliteFile prepares the data directory for the SQLite store and returns
// the database path. The directory is created if needed. The directory,
// the database, its -wal and -shm files and demo.json must not be open to
// the group or others: any that is gets mode 0700 (the directory) or 0600
// (files) with a warning naming it and its old mode, before SQLite opens
// the database (SQLite gives new -wal and -shm files the database's mode).
// When a mode cannot be changed, or the path is a symbolic link to
// something open to others, the command refuses to run and says what to
// run instead. The master key file is checked by seal.Load,
// which refuses an open one: a key that may have been read is replaced,
// not merely hidden.
func (f *storageFlags) sqliteFile(log *slog.Logger) (string, error) {
	if err := os.MkdirAll(f.data, privateDir); err != nil {
		return "", fmt.Errorf("create data directory: %w", err)
	}
	db := filepath.Join(f.data, "linkpool.db")
	if err := makePrivate(log, f.data, privateDir); err != nil {
		return "", err
	}
	for _, p := range []string{db, db + "-wal", db + "-shm", filepath.Join(f.data, "demo.json")} {
		if err := makePrivate(log, p, privateFile); err != nil {
			return "", err
		}
	}
	return db, nil
}

// makePrivate gives path mode want when the group or others have any
// access to it; a missing path is left missing. A symbolic link is never
// followed to change a mode: while the directory was open to others, one
// could have been planted to point anywhere (linkpool may run as root). A
// link to something open to others is refused instead. On Windows, which
// has no Unix modes, the directory's ACLs decide and nothing is checked.
func makePrivate(log *slog.Logger, path string, want fs.FileMode) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("data directory: %w", err)
		}
		if perm := target.Mode().Perm(); perm&0o077 != 0 {
			return notPrivate(path, perm, want, errors.New("it is a symbolic link: check where it points; linkpool does not change modes through links"))
		}
		return nil
	}
	old := fi.Mode().Perm()
	if old&0o077 == 0 {
		return nil
	}
	err = os.Chmod(path, want)
	if err == nil {
		// Some file systems accept chmod and ignore it.
		if fi, err = os.Lstat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			err = fmt.Errorf("the file system kept mode %04o", fi.Mode().Perm())
		}
	}
	if err != nil {
		return notPrivate(path, old, want, err)
	}
	log.Warn("data directory: the group or others had access to this path; made it private",
		"path", path, "old_mode", fmt.Sprintf("%04o", old), "new_mode", fmt.Sprintf("%04o", want))
	return nil
}

// notPrivate is the error for a path that stays open to others.
func notPrivate(path string, mode, want fs.FileMode, why error) error {
	return fmt.Errorf("%s has mode %04o, which gives the group or others access, and it could not be made private (%w): run 'chmod %o %s' as its owner, or move the data directory to a file system with Unix permissions",
		path, mode, why, want, path)
}

// warnLogger is the logger of commands that have no --log-level: warnings
// only, as text on w.
func warnLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
