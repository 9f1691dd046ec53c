package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// insertFilterUsers adds n users to the pool in one statement, with the
// attributes a large pool has: email on 90 % (mixed case), phone number
// on 30 %, preferred_username on 5 %, 50 given names and 200 family
// names, 95 % CONFIRMED, 1 % disabled. It is the fast path for tests and
// benchmarks that need many rows; users get random subs.
func insertFilterUsers(ctx context.Context, db *DB, poolID string, n int) error {
	// A page cache that holds the indexes while they grow: four times
	// faster at 100,000 users.
	if _, err := db.exec(ctx, "test", `PRAGMA cache_size = -524288`); err != nil {
		return err
	}
	defer db.exec(ctx, "test", `PRAGMA cache_size = -2000`)
	_, err := db.exec(ctx, "test", `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?2)
		INSERT INTO users (`+userColumns+`)
		SELECT ?1, lower(hex(randomblob(16))), printf('user%07d', i), printf('user%07d', i), '',
			json_patch('{}', json_object(
				'email', CASE WHEN i % 10 <> 0 THEN printf('User%d@Example.com', i) END,
				'phone_number', CASE WHEN i % 10 < 3 THEN printf('+1555%07d', i) END,
				'preferred_username', CASE WHEN i % 20 = 0 THEN printf('pref%d', i) END,
				'given_name', printf('Given%02d', i % 50),
				'family_name', printf('Family%03d', (i / 50) % 200),
				'name', printf('Given%02d Family%03d', i % 50, (i / 50) % 200))),
			CASE WHEN i % 100 < 95 THEN 'CONFIRMED' WHEN i % 100 < 99 THEN 'UNCONFIRMED' ELSE 'FORCE_CHANGE_PASSWORD' END,
			i % 100 <> 42, 'x', 0, 0, 0, 'null', 0, ?3, ?3, '', x'', '[]', '{}'
		FROM n`, poolID, n, time.Now().UnixMicro())
	return err
}

// filterCases are a filter of each attribute, exact and prefix, that
// match users of insertFilterUsers, with the index that must serve it.
func filterCases(sub string) []struct {
	f     store.UserFilter
	index string
} {
	long := strings.Repeat("x", store.FilterKeyRunes+1)
	type c = struct {
		f     store.UserFilter
		index string
	}
	var out []c
	add := func(attr, exact, prefix, index string) {
		out = append(out, c{store.UserFilter{Attribute: attr, Value: exact}, index},
			c{store.UserFilter{Attribute: attr, Value: prefix, Prefix: true}, index})
	}
	add("username", "user0000042", "user00001", "sqlite_autoindex_users_2")
	add("sub", sub, sub[:3], "sqlite_autoindex_users_1")
	add("email", "user42@example.com", "USER4", "users_filter_email")
	add("phone_number", "+15550000001", "+1555000", "users_filter_phone_number")
	add("name", "Given01 Family000", "Given0", "users_filter_name")
	add("name", long, long, "users_filter_name")
	add("given_name", "Given07", "Giv", "users_filter_given_name")
	add("family_name", "Family001", "Family0", "users_filter_family_name")
	add("preferred_username", "pref20", "pref", "users_filter_preferred_username")
	add("cognito:user_status", "confirmed", "UN", "users_filter_user_status")
	add("status", "disabled", "en", "users_filter_status")
	return out
}

// TestFilterQueryPlans: every ListUsers filter, exact and prefix, first
// page and next, is a search of its index in page order: no scan of the
// users, no sort. Plans are checked on a pool of thousands of users next
// to another pool, without statistics and after ANALYZE.
func TestFilterQueryPlans(t *testing.T) {
	ctx := t.Context()
	db, _ := openInternal(t)
	now := time.Now()
	p, other := pool.NewPool("eu-west-1", "plans", now), pool.NewPool("eu-west-1", "other", now)
	for _, x := range []pool.Pool{p, other} {
		if err := db.CreatePool(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	if err := insertFilterUsers(ctx, db, p.ID, 5000); err != nil {
		t.Fatal(err)
	}
	if err := insertFilterUsers(ctx, db, other.ID, 2000); err != nil {
		t.Fatal(err)
	}
	var sub string
	if err := db.r.QueryRowContext(ctx, `SELECT sub FROM users WHERE pool_id = ? LIMIT 1`, p.ID).Scan(&sub); err != nil {
		t.Fatal(err)
	}
	for _, stats := range []string{"without statistics", "after ANALYZE"} {
		if stats == "after ANALYZE" {
			if _, err := db.exec(ctx, "test", `ANALYZE`); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range filterCases(sub) {
			for _, first := range []bool{true, false} {
				op := "="
				if tc.f.Prefix {
					op = "^="
				}
				name := fmt.Sprintf("%s/%s %s %.20q first=%v", stats, tc.f.Attribute, op, tc.f.Value, first)
				t.Run(name, func(t *testing.T) {
					q, args := filterQuery(p.ID, tc.f, first, "m", "m", store.DefaultPageSize+1)
					plan := explain(t, db, q, args)
					want := "SEARCH users USING INDEX " + tc.index + " ("
					found := false
					for _, d := range plan {
						if strings.HasPrefix(d, "SCAN ") || strings.Contains(d, "TEMP B-TREE") {
							t.Fatalf("%q in plan %q of %s", d, plan, q)
						}
						found = found || strings.HasPrefix(d, want)
					}
					if !found {
						t.Fatalf("plan %q of %s does not search %s", plan, q, tc.index)
					}
				})
			}
		}
	}
}

// explain returns the details of the query's plan.
func explain(t *testing.T, db *DB, q string, args []any) []string {
	t.Helper()
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
	return plan
}

// TestInsertFilterUsers: the fast path writes users the store reads back
// whole, with the attribute mix it promises.
func TestInsertFilterUsers(t *testing.T) {
	ctx := t.Context()
	db, _ := openInternal(t)
	p := pool.NewPool("eu-west-1", "fill", time.Now())
	if err := db.CreatePool(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := insertFilterUsers(ctx, db, p.ID, 200); err != nil {
		t.Fatal(err)
	}
	u, err := db.GetUserByUsername(ctx, p.ID, "user0000042")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"email": "User42@Example.com", "phone_number": "+15550000042", "given_name": "Given42", "family_name": "Family000", "name": "Given42 Family000"}
	if fmt.Sprint(u.Attributes) != fmt.Sprint(want) || u.Enabled || u.Status != pool.StatusConfirmed {
		t.Fatalf("user0000042 = %+v", u)
	}
	page, err := db.FilterUsers(ctx, p.ID, store.UserFilter{Attribute: "phone_number", Value: "+1555", Prefix: true}, store.ListOptions{Limit: store.MaxPageSize})
	if err != nil || len(page.Items) != 60 {
		t.Fatalf("users with a phone number: %d, %v; want 60", len(page.Items), err)
	}
}
