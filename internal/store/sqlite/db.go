package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	"modernc.org/sqlite" // also registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

var (
	_ store.Store      = (*DB)(nil)
	_ skillstore.Store = (*DB)(nil)
)

// busyTimeoutMillis is how long a connection waits for another process's
// write lock before failing with SQLITE_BUSY. A caller stops waiting, with
// its context's error and its write not run, when its context is done
// while the group commit waits for the lock: the server bounds the OAuth
// endpoints' waits by their deadline (server.Config.OAuthTimeout).
const busyTimeoutMillis = 10000

// DB is a store.Store on one SQLite file. It is safe for concurrent use.
type DB struct {
	w  *sql.DB // one connection, owned by wr
	wr *writer // runs every write: group commit
	r  *sql.DB // readers; query_only
	rq *readStmts
	// batchSize observes the number of writes of each commit.
	batchSize prometheus.Histogram
	// writesFailing is set when a write fails because the file cannot be
	// written (I/O error, disk full, read-only file) and cleared when a
	// write commits; see Ping.
	writesFailing atomic.Bool
	// configWrites counts writes to pools, clients and domains
	// (ConfigWrites).
	configWrites atomic.Uint64
}

// Open opens the database at path, creating the file with mode 0600 if
// needed (its directory must exist), and applies pending migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	db, err := OpenNoMigrate(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenNoMigrate opens the database at path like Open but leaves the
// schema as it is. It serves `linkpool migrate status`, which reports
// pending migrations instead of applying them; a server should use Open.
func OpenNoMigrate(ctx context.Context, path string) (*DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := createPrivate(abs); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w, err := sql.Open("sqlite", dsn(abs, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	conn, err := w.Conn(ctx)
	if err == nil {
		err = conn.PingContext(ctx)
		if err != nil {
			conn.Close()
		}
	}
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}

	readers := max(4, runtime.GOMAXPROCS(0))
	r, err := sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		conn.Close()
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	r.SetConnMaxLifetime(0)
	r.SetConnMaxIdleTime(0)

	db := &DB{w: w, r: r, rq: newReadStmts(r), batchSize: newBatchSizeHistogram()}
	db.wr = newWriter(db, conn)
	db.wr.observe = func(n int) { db.batchSize.Observe(float64(n)) }
	return db, nil
}

// createPrivate creates an empty database file readable and writable by its
// owner only, unless the file exists. SQLite would create it with mode
// 0644 less the umask; it creates the -wal and -shm files with the mode of
// the database file, so they are private too. An existing file is left as
// it is: the cli package checks and fixes the modes before opening.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// dsn builds the connection string. The writer sets up the file: WAL
// (readers do not block the writer), synchronous=FULL (WAL's default
// NORMAL may lose the last commits on power loss), foreign keys (off by
// default in SQLite) and BEGIN IMMEDIATE transactions: a deferred
// transaction that reads and then writes fails with SQLITE_BUSY_SNAPSHOT
// without waiting for the busy timeout, an immediate one waits for the
// lock first. Readers are query_only.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", OmitHost: true, Path: path, RawQuery: q.Encode()}
	return u.String()
}

// Close closes the database.
func (db *DB) Close() error {
	return errors.Join(db.rq.close(), db.r.Close(), db.wr.close(), db.w.Close())
}

// Ping checks that the database file answers a query: it reads the
// schema, so a missing or unreadable file fails. It reads through the
// reader pool, so a long write transaction does not hold it up.
//
// A file that can be read but not written (a full disk, a read-only or
// immutable file) passes that check, yet the server cannot sign anyone
// in. So once a write has failed for such a reason, Ping also writes one
// probe row, and fails until a write succeeds again: a readiness check
// then takes the instance out of service while it cannot write, and back
// in when it can, without waiting for user traffic to find out.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&n); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	if db.writesFailing.Load() {
		if _, err := db.exec(ctx, "ping: write probe", `INSERT INTO write_probe (id, at) VALUES (1, ?)
			ON CONFLICT (id) DO UPDATE SET at = excluded.at`, time.Now().UnixMicro()); err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
	}
	return nil
}

// noteWrite records the outcome of a write for Ping.
func (db *DB) noteWrite(err error) {
	switch {
	case err == nil:
		db.writesFailing.Store(false)
	case fileFailure(err):
		db.writesFailing.Store(true)
	}
}

// fileFailure reports whether SQLite failed to write the file itself,
// rather than refusing the statement (a constraint) or timing out on a
// lock held by another writer.
func fileFailure(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN,
		sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}

// writeTx runs fn as one write of the group commit (see writer): in a
// savepoint of a BEGIN IMMEDIATE transaction, and returns once that
// transaction has committed, or failed. It returns fn's error unchanged,
// so that Update callbacks' errors reach the caller as they were; after
// an error nothing of fn is stored.
func (db *DB) writeTx(ctx context.Context, op string, fn func(tx *wtx) error) error {
	return db.wr.do(ctx, op, fn)
}

// exec runs one statement as a write of the group commit.
func (db *DB) exec(ctx context.Context, op, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := db.wr.do(ctx, op, func(tx *wtx) error {
		var err error
		res, err = tx.Exec(query, args...)
		return wrap(op, err)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// execOne runs one statement on the writer that must affect a row; none
// means the entity does not exist.
func (db *DB) execOne(ctx context.Context, op, query string, args ...any) error {
	res, err := db.exec(ctx, op, query, args...)
	if err != nil {
		return err
	}
	return mustAffect(op, res)
}

func mustAffect(op string, res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	return nil
}
