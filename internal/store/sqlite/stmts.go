package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/tracing"
)

// readStmts prepares each read query once and reuses it: database/sql
// keeps a prepared statement per reader connection, so a lookup on the
// sign-in or token path skips SQLite's parser. Writes have their own
// cache on the writer connection (writer.stmt), used only by the group
// commit's goroutine. Each read is a span when tracing is on
// (store.TraceQuery).
type readStmts struct {
	db *sql.DB
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

func newReadStmts(db *sql.DB) *readStmts {
	return &readStmts{db: db, m: map[string]*sql.Stmt{}}
}

func (s *readStmts) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	s.mu.RLock()
	st := s.m[query]
	s.mu.RUnlock()
	if st != nil {
		return st, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.m[query]; st != nil {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.m[query] = st
	return st, nil
}

// QueryRowContext runs a single-row read.
func (s *readStmts) QueryRowContext(ctx context.Context, query string, args ...any) scanner {
	ctx, span := store.TraceQuery(ctx, "sqlite", query)
	defer span.End()
	st, err := s.stmt(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// QueryContext runs a read returning rows.
func (s *readStmts) QueryContext(ctx context.Context, query string, args ...any) (rows *sql.Rows, err error) {
	ctx, span := store.TraceQuery(ctx, "sqlite", query)
	defer func() { tracing.End(span, err) }()
	st, err := s.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (s *readStmts) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for q, st := range s.m {
		errs = append(errs, st.Close())
		delete(s.m, q)
	}
	return errors.Join(errs...)
}

// errRow is a row whose query could not be prepared.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
