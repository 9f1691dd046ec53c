package store_test

import (
	"testing"

	"github.com/linkpool/linkpool/internal/store"
)

func TestSummarize(t *testing.T) {
	for _, tc := range []struct{ q, op, table string }{
		{"SELECT id, name FROM pools WHERE id = ?", "SELECT", "pools"},
		{"\n\t select x\n  from Users u JOIN t ON 1 WHERE email = $1", "SELECT", "users"},
		{"INSERT INTO refresh_tokens (id) VALUES ($1)", "INSERT", "refresh_tokens"},
		{"UPDATE auth_codes SET used = true WHERE code = 'abc'", "UPDATE", "auth_codes"},
		{"DELETE FROM sessions WHERE expires_at < ?", "DELETE", "sessions"},
		{"SELECT 1", "SELECT", ""},
		{"SELECT * FROM (SELECT 1)", "SELECT", ""},
		{"PRAGMA cache_size = -2000", "PRAGMA", ""},
		{"begin", "BEGIN", ""},
		{"'secret' FROM x", "", ""},
		{"", "", ""},
	} {
		op, table := store.Summarize(tc.q)
		if op != tc.op || table != tc.table {
			t.Errorf("Summarize(%q) = %q, %q; want %q, %q", tc.q, op, table, tc.op, tc.table)
		}
	}
}
