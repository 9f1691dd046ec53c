package postgres

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

// defaultConnectTimeout bounds the dial and start-up of a new connection
// when the URL sets no connect_timeout, so that a database that is down or
// unroutable fails a request promptly instead of hanging until the
// caller's deadline.
const defaultConnectTimeout = 5 * time.Second

// DB is a store.Store backed by PostgreSQL. It is safe for concurrent use
// by many goroutines and by several processes sharing the database.
type DB struct {
	pool *pgxpool.Pool
	// configWrites counts writes to pools, clients and domains
	// (ConfigWrites).
	configWrites atomic.Uint64
}

var (
	_ store.Store      = (*DB)(nil)
	_ skillstore.Store = (*DB)(nil)
)

// Open connects to the database at url (see the package documentation
// for the URL parameters), checks that it answers and applies pending
// migrations.
func Open(ctx context.Context, url string) (*DB, error) {
	db, err := OpenNoMigrate(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.pool.Close()
		return nil, err
	}
	return db, nil
}

// OpenNoMigrate connects to the database at url and checks that it
// answers, without touching the schema. It serves `linkpool migrate
// status`, which reports pending migrations instead of applying them;
// a server should use Open.
func OpenNoMigrate(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgconn redacts the password in the parse error.
		return nil, &Error{Op: "open", Err: err}
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	cfg.ConnConfig.Tracer = queryTracer{}
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, &Error{Op: "open", Err: err}
	}
	db := &DB{pool: p}
	if err := db.Ping(ctx); err != nil {
		p.Close()
		return nil, err
	}
	return db, nil
}

// Ping checks that the database answers; /readyz uses it. It acquires a
// connection, so it also fails when the pool cannot open one.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return &Error{Op: "ping", Err: err}
	}
	return nil
}

// Close closes every connection of the pool, waiting for connections in
// use to be released. It is safe to call more than once.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}
