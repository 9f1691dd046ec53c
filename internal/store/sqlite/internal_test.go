package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

func openInternal(t testing.TB) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "linkpool.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func pragma(t *testing.T, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, name string) string {
	t.Helper()
	var v string
	if err := q.QueryRowContext(t.Context(), "PRAGMA "+name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

// writerPragma reads a setting of the writer connection, through the
// group commit that owns it.
func writerPragma(t *testing.T, db *DB, name string) string {
	t.Helper()
	var v string
	if err := db.writeTx(t.Context(), "pragma", func(tx *wtx) error {
		return tx.QueryRow("PRAGMA " + name).Scan(&v)
	}); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

// TestConnectionSettings: both pools run with the settings the package
// documents (synchronous 2 is FULL).
func TestConnectionSettings(t *testing.T) {
	db, _ := openInternal(t)
	tests := []struct {
		name   string
		db     *sql.DB // nil: the writer
		pragma string
		want   string
	}{
		{"writer journal", nil, "journal_mode", "wal"},
		{"writer synchronous", nil, "synchronous", "2"},
		{"writer foreign keys", nil, "foreign_keys", "1"},
		{"writer busy timeout", nil, "busy_timeout", "10000"},
		{"writer writable", nil, "query_only", "0"},
		{"reader journal", db.r, "journal_mode", "wal"},
		{"reader foreign keys", db.r, "foreign_keys", "1"},
		{"reader busy timeout", db.r, "busy_timeout", "10000"},
		{"reader query only", db.r, "query_only", "1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			if tc.db == nil {
				got = writerPragma(t, db, tc.pragma)
			} else {
				got = pragma(t, tc.db, tc.pragma)
			}
			if got != tc.want {
				t.Fatalf("PRAGMA %s = %s, want %s", tc.pragma, got, tc.want)
			}
		})
	}
	if s := db.w.Stats(); s.MaxOpenConnections != 1 || s.InUse != 1 {
		t.Fatalf("writer allows %d connections and holds %d, want 1 held by the group commit", s.MaxOpenConnections, s.InUse)
	}
}

// TestWriterBeginsImmediate: a write holds the write lock from BEGIN,
// before any statement of its own, so read-modify-write transactions wait
// for the lock up front instead of failing to upgrade later.
func TestWriterBeginsImmediate(t *testing.T) {
	db, path := openInternal(t)
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var otherErr error
	err = db.writeTx(t.Context(), "probe", func(*wtx) error {
		_, otherErr = other.ExecContext(t.Context(), "BEGIN IMMEDIATE; ROLLBACK")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if otherErr == nil || !strings.Contains(otherErr.Error(), "SQLITE_BUSY") {
		t.Fatalf("another connection took the write lock during a writer transaction: err = %v", otherErr)
	}
}

// TestQueryPlans: every lookup the store makes is answered from an index
// (a primary key, a UNIQUE constraint or a CREATE INDEX), never by
// scanning a table. The WHERE clauses mirror the store's queries.
func TestQueryPlans(t *testing.T) {
	db, _ := openInternal(t)
	queries := []string{
		`SELECT * FROM pools WHERE id = ?`,
		`SELECT * FROM pools WHERE id > ? ORDER BY id LIMIT ?`,
		`SELECT * FROM clients WHERE id = ?`,
		`SELECT * FROM clients WHERE pool_id = ? AND id > ? ORDER BY id LIMIT ?`,
		`SELECT * FROM domains WHERE domain = ?`,
		`SELECT * FROM domains WHERE pool_id = ? ORDER BY domain`,
		`SELECT * FROM users WHERE pool_id = ? AND sub = ?`,
		`SELECT * FROM users WHERE pool_id = ? AND username_key = ?`,
		`SELECT * FROM users WHERE pool_id = ? AND email_key = ? AND email_key <> ''`,
		`SELECT * FROM users WHERE pool_id = ? AND sub > ? ORDER BY sub LIMIT ?`,
		`SELECT * FROM groups WHERE pool_id = ? AND name = ?`,
		`SELECT * FROM groups WHERE pool_id = ? AND name > ? ORDER BY name LIMIT ?`,
		`SELECT g.* FROM group_members m JOIN groups g ON g.pool_id = m.pool_id AND g.name = m.group_name
			WHERE m.pool_id = ? AND m.sub = ? ORDER BY g.precedence IS NULL, g.precedence, g.name`,
		`SELECT u.* FROM group_members m JOIN users u ON u.pool_id = m.pool_id AND u.sub = m.sub
			WHERE m.pool_id = ? AND m.group_name = ? AND m.sub > ? ORDER BY m.sub LIMIT ?`,
		`UPDATE auth_codes SET redeemed_at = ? WHERE id = ? AND redeemed_at = 0 AND expires_at > ? RETURNING *`,
		`SELECT * FROM auth_codes WHERE id = ?`,
		`SELECT * FROM refresh_tokens WHERE id = ?`,
		`SELECT rt.*, u.* FROM refresh_tokens rt JOIN users u ON u.pool_id = rt.pool_id AND u.sub = rt.sub WHERE rt.id = ?`,
		`SELECT * FROM refresh_tokens WHERE origin_jti = ?`,
		`SELECT * FROM refresh_tokens WHERE pool_id = ? AND sub = ? ORDER BY created_at, id`,
		`UPDATE refresh_tokens SET revoked_at = ? WHERE pool_id = ? AND revoked_at = 0`,
		`UPDATE refresh_tokens SET revoked_at = ? WHERE pool_id = ? AND revoked_at = 0 AND sub = ?`,
		`UPDATE refresh_tokens SET revoked_at = ? WHERE pool_id = ? AND revoked_at = 0 AND client_id = ?`,
		`UPDATE refresh_tokens SET revoked_at = ? WHERE pool_id = ? AND revoked_at = 0 AND code_id = ? AND code_id <> ''`,
		`DELETE FROM refresh_tokens WHERE pool_id = ? AND sub = ?`,
		`SELECT * FROM sessions WHERE id = ?`,
		`DELETE FROM sessions WHERE pool_id = ? AND sub = ?`,
		`SELECT * FROM key_sets WHERE pool_id = ?`,
		`SELECT * FROM lamps WHERE owner = ? AND id = ?`,
		`SELECT * FROM lamps WHERE owner = ? ORDER BY id`,
		`SELECT * FROM alexa_grants WHERE owner = ?`,
		`SELECT * FROM refresh_tokens WHERE id > ? ORDER BY id LIMIT ?`,
		`SELECT * FROM lamps WHERE (owner, id) > (?, ?) ORDER BY owner, id LIMIT ?`,
		`SELECT * FROM alexa_grants WHERE owner > ? ORDER BY owner LIMIT ?`,
		`SELECT * FROM webauthn_credentials WHERE pool_id = ? AND id = ?`,
		`SELECT * FROM webauthn_credentials WHERE pool_id = ? AND sub = ? ORDER BY created_at, id`,
		`UPDATE webauthn_credentials SET sign_count = ? WHERE pool_id = ? AND id = ?`,
		`DELETE FROM webauthn_credentials WHERE pool_id = ? AND id = ? AND sub = ?`,
		`DELETE FROM webauthn_credentials WHERE pool_id = ? AND sub = ?`,
		`SELECT * FROM webauthn_credentials WHERE (pool_id, id) > (?, ?) ORDER BY pool_id, id LIMIT ?`,
		`DELETE FROM auth_codes WHERE expires_at <= ? AND expires_at <> 0`,
		`DELETE FROM refresh_tokens WHERE expires_at <= ? AND expires_at <> 0`,
		`DELETE FROM sessions WHERE expires_at <= ? AND expires_at <> 0`,
		`SELECT time, series, sum(value) FROM metric_increases WHERE time >= ? GROUP BY time, series ORDER BY time, series`,
		`DELETE FROM metric_increases WHERE time < ?`,
		// Foreign-key cascades look children up by the parent key.
		`SELECT * FROM auth_codes WHERE pool_id = ?`,
		`SELECT * FROM refresh_tokens WHERE pool_id = ?`,
		`SELECT * FROM sessions WHERE pool_id = ?`,
		`SELECT * FROM clients WHERE pool_id = ?`,
		`SELECT * FROM domains WHERE pool_id = ?`,
		`SELECT * FROM group_members WHERE pool_id = ? AND sub = ?`,
		`SELECT * FROM webauthn_credentials WHERE pool_id = ? AND sub = ?`,
	}
	for _, q := range queries {
		t.Run(strings.Join(strings.Fields(q), " "), func(t *testing.T) {
			n := strings.Count(q, "?")
			args := make([]any, n)
			for i := range args {
				args[i] = "x"
			}
			rows, err := db.r.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, notused int
				var detail string
				if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			for _, d := range plan {
				if strings.HasPrefix(d, "SCAN ") {
					t.Fatalf("full scan: %q in plan %q", d, plan)
				}
				if strings.Contains(d, "USE TEMP B-TREE") && !strings.Contains(q, "precedence") {
					t.Fatalf("sort without index: %q in plan %q", d, plan)
				}
			}
		})
	}
}
