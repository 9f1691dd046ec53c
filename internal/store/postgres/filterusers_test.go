package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

// insertFilterUsers adds n users to the pool in one statement, with the
// attributes a large pool has: email on 90 % (mixed case), phone number
// on 30 %, preferred_username on 5 %, 50 given names and 200 family
// names, 95 % CONFIRMED, 1 % disabled. It is the fast path for tests and
// benchmarks that need many rows; users get random subs.
func insertFilterUsers(ctx context.Context, db *DB, poolID string, n int) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO users (`+userColumns+`)
		SELECT $1, gen_random_uuid()::text, format('user%s', lpad(i::text, 7, '0')), format('user%s', lpad(i::text, 7, '0')), '',
			jsonb_strip_nulls(jsonb_build_object(
				'email', CASE WHEN i % 10 <> 0 THEN format('User%s@Example.com', i) END,
				'phone_number', CASE WHEN i % 10 < 3 THEN format('+1555%s', lpad(i::text, 7, '0')) END,
				'preferred_username', CASE WHEN i % 20 = 0 THEN format('pref%s', i) END,
				'given_name', format('Given%s', lpad((i % 50)::text, 2, '0')),
				'family_name', format('Family%s', lpad((i / 50 % 200)::text, 3, '0')),
				'name', format('Given%s Family%s', lpad((i % 50)::text, 2, '0'), lpad((i / 50 % 200)::text, 3, '0')))),
			CASE WHEN i % 100 < 95 THEN 'CONFIRMED' WHEN i % 100 < 99 THEN 'UNCONFIRMED' ELSE 'FORCE_CHANGE_PASSWORD' END,
			i % 100 <> 42, 'x', NULL, 0, NULL, NULL, NULL, $3, $3, '', '\x'::bytea, NULL, '{}'
		FROM generate_series(0, $2::int - 1) AS i`, poolID, n, time.Now().UTC())
	return err
}

// openFilterDB opens a migrated store on a fresh database.
func openFilterDB(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), pgtest.URL(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
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
	add("username", "user0000042", "user00001", "users_pool_username_key_idx")
	add("sub", sub, sub[:3], "users_filter_sub")
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

// filterPlanNode is the part of EXPLAIN (FORMAT JSON) output the test
// reads.
type filterPlanNode struct {
	Type     string           `json:"Node Type"`
	Relation string           `json:"Relation Name"`
	Index    string           `json:"Index Name"`
	Plans    []filterPlanNode `json:"Plans"`
}

func (n filterPlanNode) walk(out []filterPlanNode) []filterPlanNode {
	out = append(out, n)
	for _, c := range n.Plans {
		out = c.walk(out)
	}
	return out
}

// TestFilterQueryPlans: every ListUsers filter, exact and prefix, first
// page and next, is a scan of its index in page order: no sequential
// scan, no sort, under the settings FilterUsers sets (sequential scans
// allowed) and the statistics of ANALYZE on a pool of thousands of users
// next to another pool, for the plan of the values given (custom) and
// the generic plan PostgreSQL may switch a prepared statement to.
func TestFilterQueryPlans(t *testing.T) {
	if testing.Short() {
		t.Skip("PostgreSQL query plans on thousands of users: -short")
	}
	ctx := t.Context()
	db := openFilterDB(t)
	now := time.Now()
	p, other := pool.NewPool("eu-west-1", "plans", now), pool.NewPool("eu-west-1", "other", now)
	for _, x := range []pool.Pool{p, other} {
		if err := db.CreatePool(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	if err := insertFilterUsers(ctx, db, p.ID, 20000); err != nil {
		t.Fatal(err)
	}
	if err := insertFilterUsers(ctx, db, other.ID, 5000); err != nil {
		t.Fatal(err)
	}
	if _, err := db.pool.Exec(ctx, `ANALYZE users`); err != nil {
		t.Fatal(err)
	}
	var sub string
	if err := db.pool.QueryRow(ctx, `SELECT sub FROM users WHERE pool_id = $1 LIMIT 1`, p.ID).Scan(&sub); err != nil {
		t.Fatal(err)
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	// The settings FilterUsers runs its query with, for the session.
	if _, err := conn.Exec(ctx, strings.ReplaceAll(filterPlanSettings, "true)", "false)")); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
		if _, err := conn.Exec(ctx, `SET plan_cache_mode = `+mode); err != nil {
			t.Fatal(err)
		}
		for _, tc := range filterCases(sub) {
			for _, first := range []bool{true, false} {
				op := "="
				if tc.f.Prefix {
					op = "^="
				}
				t.Run(fmt.Sprintf("%s/%s %s %.20q first=%v", mode, tc.f.Attribute, op, tc.f.Value, first), func(t *testing.T) {
					// A next page starts after a key in the range.
					key, _, _, _ := tc.f.KeyRange()
					q, args := filterQuery(p.ID, tc.f, first, key, "8", store.DefaultPageSize+1)
					// A prepared statement, so that plan_cache_mode applies.
					name := fmt.Sprintf("plan_%d", time.Now().UnixNano())
					if _, err := conn.Conn().Prepare(ctx, name, "EXPLAIN (FORMAT JSON) "+q); err != nil {
						t.Fatalf("prepare %s: %v", q, err)
					}
					var out string
					if err := conn.QueryRow(ctx, name, args...).Scan(&out); err != nil {
						t.Fatalf("EXPLAIN %s: %v", q, err)
					}
					var plan []struct{ Plan filterPlanNode }
					if err := json.Unmarshal([]byte(out), &plan); err != nil || len(plan) != 1 {
						t.Fatalf("EXPLAIN output %q: %v", out, err)
					}
					found := false
					for _, n := range plan[0].Plan.walk(nil) {
						if n.Type == "Seq Scan" || strings.Contains(n.Type, "Sort") {
							t.Fatalf("%s in plan %s of %s", n.Type, out, q)
						}
						// A bitmap scan returns rows out of index order: fine
						// for the one user of a unique key, and any other
						// would need the Sort refused above.
						found = found || (strings.HasSuffix(n.Type, "Index Scan") && n.Index == tc.index)
						// An exact filter on a value most of the pool shares
						// (95 % of these users are confirmed) pages by sub, so
						// PostgreSQL may as rightly read the primary key in sub
						// order and stop after the page, about as many rows.
						found = found || (common(tc.f) && n.Type == "Index Scan" && n.Index == "users_pkey")
					}
					if !found {
						t.Fatalf("plan %s of %s does not scan %s", out, q, tc.index)
					}
				})
			}
		}
	}
}

// common reports whether f is an exact filter on a value most users of
// insertFilterUsers share.
func common(f store.UserFilter) bool {
	return !f.Prefix && f.Attribute == "cognito:user_status" && f.Value == "confirmed"
}

// TestInsertFilterUsers: the fast path writes users the store reads back
// whole, with the attribute mix it promises.
func TestInsertFilterUsers(t *testing.T) {
	if testing.Short() {
		t.Skip("PostgreSQL: -short")
	}
	ctx := t.Context()
	db := openFilterDB(t)
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
