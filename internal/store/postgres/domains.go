package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/pool"
)

const domainColumns = `domain, pool_id, custom, created_at`

func scanDomain(row pgx.Row) (pool.Domain, error) {
	var d pool.Domain
	err := row.Scan(&d.Domain, &d.PoolID, &d.Custom, (*utcTime)(&d.CreatedAt))
	return d, err
}

// CreateDomain maps a new host name to an existing pool; the name must be
// free in every pool.
func (db *DB) CreateDomain(ctx context.Context, d pool.Domain) error {
	defer db.configWrote()
	_, err := db.pool.Exec(ctx, `INSERT INTO domains (`+domainColumns+`) VALUES ($1, $2, $3, $4)`,
		d.Domain, d.PoolID, d.Custom, ts(d.CreatedAt))
	return wrap("create domain", err)
}

// GetDomain returns the mapping of a host name.
func (db *DB) GetDomain(ctx context.Context, domain string) (pool.Domain, error) {
	d, err := scanDomain(db.pool.QueryRow(ctx, `SELECT `+domainColumns+` FROM domains WHERE domain = $1`, domain))
	return d, wrap("get domain", err)
}

// ListDomains returns the pool's domains ordered by name.
func (db *DB) ListDomains(ctx context.Context, poolID string) ([]pool.Domain, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+domainColumns+` FROM domains WHERE pool_id = $1 ORDER BY domain`, poolID)
	if err != nil {
		return nil, wrap("list domains", err)
	}
	ds, err := collectAll(rows, scanDomain)
	return ds, wrap("list domains", err)
}

// DeleteDomain removes the mapping of a host name.
func (db *DB) DeleteDomain(ctx context.Context, domain string) error {
	defer db.configWrote()
	tag, err := db.pool.Exec(ctx, `DELETE FROM domains WHERE domain = $1`, domain)
	if err != nil {
		return wrap("delete domain", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("delete domain")
	}
	return nil
}
