package store

import "strings"

// Row is one result row of either backend's driver (*sql.Row, pgx.Row).
type Row interface {
	Scan(dest ...any) error
}

// Prefixed is a row scanned into Head's destinations first and then the
// caller's: one row of a join, read by the scan functions of its tables
// (a refresh grant and its user, GetRefreshGrant).
type Prefixed struct {
	Row  Row
	Head []any
}

// Scan scans the row into Head and then dest.
func (p Prefixed) Scan(dest ...any) error {
	return p.Row.Scan(append(p.Head[:len(p.Head):len(p.Head)], dest...)...)
}

// Qualified prefixes each column of a comma-separated list with alias,
// for the select list of a join.
func Qualified(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}
