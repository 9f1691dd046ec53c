package sqlite

import (
	"context"

	"github.com/linkpool/linkpool/internal/pool"
)

const domainColumns = `domain, pool_id, custom, created_at`

func scanDomain(row scanner) (pool.Domain, error) {
	var d pool.Domain
	err := row.Scan(&d.Domain, &d.PoolID, &d.Custom, timeCol{&d.CreatedAt})
	return d, err
}

// CreateDomain stores a domain. Domain names are unique across pools.
func (db *DB) CreateDomain(ctx context.Context, d pool.Domain) error {
	defer db.configWrote()
	_, err := db.exec(ctx, "create domain", `INSERT INTO domains (`+domainColumns+`) VALUES (?, ?, ?, ?)`,
		d.Domain, d.PoolID, d.Custom, micros(d.CreatedAt))
	return err
}

// GetDomain returns the domain with the given name.
func (db *DB) GetDomain(ctx context.Context, domain string) (pool.Domain, error) {
	d, err := scanDomain(db.rq.QueryRowContext(ctx, `SELECT `+domainColumns+` FROM domains WHERE domain = ?`, domain))
	return d, wrap("get domain", err)
}

// ListDomains returns the pool's domains ordered by name.
func (db *DB) ListDomains(ctx context.Context, poolID string) ([]pool.Domain, error) {
	return queryAll(ctx, db.rq, "list domains", scanDomain,
		`SELECT `+domainColumns+` FROM domains WHERE pool_id = ? ORDER BY domain`, poolID)
}

// DeleteDomain deletes the domain.
func (db *DB) DeleteDomain(ctx context.Context, domain string) error {
	defer db.configWrote()
	return db.execOne(ctx, "delete domain", `DELETE FROM domains WHERE domain = ?`, domain)
}
