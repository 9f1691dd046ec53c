package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/linkpool/linkpool/internal/store"
)

// wrap adds the operation to err and translates what SQLite reports into
// the store's sentinels, by result code rather than message text:
// sql.ErrNoRows is store.ErrNotFound, a UNIQUE or PRIMARY KEY violation is
// store.ErrAlreadyExists, and a FOREIGN KEY violation (the owning pool or
// user does not exist) is store.ErrNotFound. Every other error, including
// other constraint failures, stays a backend failure. SQLite's messages
// name columns, never values, so no secret ends up in an error.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%s: %w", op, store.ErrAlreadyExists)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%s: %w", op, store.ErrNotFound)
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}
