package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/linkpool/linkpool/internal/store"
)

// SQLSTATE codes the store reacts to (PostgreSQL manual, Appendix A).
const (
	codeUniqueViolation      = "23505"
	codeForeignKeyViolation  = "23503"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
)

// Error is a failed store operation. Op names the operation ("get user");
// Constraint names the violated constraint or index, when there is one;
// Err is a store sentinel (store.ErrNotFound, store.ErrAlreadyExists,
// store.ErrConflict) or the driver's error.
type Error struct {
	Op         string
	Constraint string
	Err        error
}

func (e *Error) Error() string {
	msg := "postgres: " + e.Op + ": "
	if e.Constraint != "" {
		msg += e.Constraint + ": "
	}
	return msg + e.Err.Error()
}

// Unwrap returns the sentinel or driver error.
func (e *Error) Unwrap() error { return e.Err }

// wrap turns a driver error into an *Error: no rows and a missing parent
// row (foreign-key violation) become store.ErrNotFound, a unique
// violation store.ErrAlreadyExists. Other errors are wrapped as they are.
// The PostgreSQL error detail, which quotes key values, is dropped.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *Error
	if errors.As(err, &se) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return &Error{Op: op, Err: store.ErrNotFound}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case codeUniqueViolation:
			return &Error{Op: op, Constraint: pe.ConstraintName, Err: store.ErrAlreadyExists}
		case codeForeignKeyViolation:
			return &Error{Op: op, Constraint: pe.ConstraintName, Err: store.ErrNotFound}
		}
	}
	return &Error{Op: op, Err: err}
}

// isNoRows reports whether a single-row query matched nothing.
func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// notFound is the error for an operation that matched no row.
func notFound(op string) error { return &Error{Op: op, Err: store.ErrNotFound} }

// retryable reports whether a transaction failed only because it lost a
// race that PostgreSQL resolved by aborting it, so that running it again
// may succeed.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	return pe.Code == codeSerializationFailure || pe.Code == codeDeadlockDetected
}
