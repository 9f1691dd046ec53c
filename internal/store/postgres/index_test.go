package postgres

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

// statement is one SQL statement the store sent, with its arguments.
type statement struct {
	sql  string
	args []any
}

// recorder is a pgx tracer that keeps every statement sent, batched ones
// included.
type recorder struct {
	mu    sync.Mutex
	stmts []statement
}

func (r *recorder) add(sql string, args []any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stmts = append(r.stmts, statement{sql, args})
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stmts = nil
}

func (r *recorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	r.add(d.SQL, d.Args)
	return ctx
}

func (r *recorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (r *recorder) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (r *recorder) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	r.add(d.SQL, d.Args)
}

func (r *recorder) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// TestLookupsUseIndexes records every statement a workload touching each
// Store method sends, then asks PostgreSQL to plan each read, update and
// delete with sequential scans disabled. A plan that still contains a Seq
// Scan has no index to use: the lookup would read the whole table.
func TestLookupsUseIndexes(t *testing.T) {
	ctx := t.Context()
	cfg, err := pgxpool.ParseConfig(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	cfg.ConnConfig.Tracer = rec
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := &DB{pool: p}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	rec.reset()
	runWorkload(t, db)

	conn, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	relations := map[string]bool{}
	explained := 0
	for _, st := range rec.stmts {
		verb := strings.ToUpper(strings.Fields(st.sql)[0])
		if seen[st.sql] || !slices.Contains([]string{"SELECT", "UPDATE", "DELETE", "WITH"}, verb) {
			continue
		}
		seen[st.sql] = true
		explained++
		var out string
		if err := conn.QueryRow(ctx, `EXPLAIN (FORMAT JSON) `+st.sql, st.args...).Scan(&out); err != nil {
			t.Errorf("EXPLAIN %s: %v", oneLine(st.sql), err)
			continue
		}
		var plan []struct{ Plan planNode }
		if err := json.Unmarshal([]byte(out), &plan); err != nil || len(plan) != 1 {
			t.Fatalf("EXPLAIN output %q: %v", out, err)
		}
		for _, scan := range plan[0].Plan.walk(nil) {
			relations[scan.Relation] = true
			if scan.Type == "Seq Scan" {
				t.Errorf("sequential scan of %s in: %s", scan.Relation, oneLine(st.sql))
			}
		}
	}
	if explained < 40 {
		t.Errorf("explained only %d statements; the workload misses methods", explained)
	}
	for _, table := range []string{"pools", "clients", "domains", "users", "groups", "group_members",
		"auth_codes", "refresh_tokens", "sessions", "key_sets", "signing_keys", "lamps", "alexa_grants",
		"webauthn_credentials", "metric_increases"} {
		if !relations[table] {
			t.Errorf("no statement read table %s; the workload misses methods", table)
		}
	}
}

// planNode is the part of EXPLAIN (FORMAT JSON) output the test reads.
type planNode struct {
	Type     string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Plans    []planNode `json:"Plans"`
}

func (n planNode) walk(out []planNode) []planNode {
	out = append(out, n)
	for _, c := range n.Plans {
		out = c.walk(out)
	}
	return out
}

func oneLine(sql string) string { return strings.Join(strings.Fields(sql), " ") }

// runWorkload calls every Store method at least once, on data that makes
// each statement reach its lookup.
func runWorkload(t *testing.T, db *DB) {
	t.Helper()
	ctx := t.Context()
	now := time.Now().UTC()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	p := pool.NewPool("eu-west-1", "indexes", now)
	must("CreatePool", db.CreatePool(ctx, p))
	_, err := db.GetPool(ctx, p.ID)
	must("GetPool", err)
	_, err = db.ListPools(ctx, store.ListOptions{Limit: 1})
	must("ListPools", err)
	must("UpdatePool", db.UpdatePool(ctx, p.ID, func(p pool.Pool) (pool.Pool, error) { return p, nil }))

	c := pool.NewClient(p.ID, "app", now)
	must("CreateClient", db.CreateClient(ctx, c))
	_, err = db.GetClient(ctx, c.ID)
	must("GetClient", err)
	_, err = db.ListClients(ctx, p.ID, store.ListOptions{})
	must("ListClients", err)
	must("UpdateClient", db.UpdateClient(ctx, c.ID, func(c pool.Client) (pool.Client, error) { return c, nil }))

	d := pool.Domain{Domain: "auth-indexes", PoolID: p.ID, CreatedAt: now}
	must("CreateDomain", db.CreateDomain(ctx, d))
	_, err = db.GetDomain(ctx, d.Domain)
	must("GetDomain", err)
	_, err = db.ListDomains(ctx, p.ID)
	must("ListDomains", err)

	u := pool.User{PoolID: p.ID, Sub: pool.NewSub(), Username: "alice", UsernameKey: "alice", EmailKey: "alice@example.com", CreatedAt: now}
	must("CreateUser", db.CreateUser(ctx, u))
	_, err = db.GetUser(ctx, p.ID, u.Sub)
	must("GetUser", err)
	_, err = db.GetUserByUsername(ctx, p.ID, u.UsernameKey)
	must("GetUserByUsername", err)
	_, err = db.GetUserByEmail(ctx, p.ID, u.EmailKey)
	must("GetUserByEmail", err)
	page, err := db.ListUsers(ctx, p.ID, store.ListOptions{Limit: 1})
	must("ListUsers", err)
	_, err = db.ListUsers(ctx, p.ID, store.ListOptions{PageToken: store.PageToken("users/"+p.ID, page.Items[0].UsernameKey)})
	must("ListUsers next page", err)
	for _, f := range []store.UserFilter{{Attribute: "email", Value: "alice@"}, {Attribute: "name", Value: "A", Prefix: true}} {
		_, err = db.FilterUsers(ctx, p.ID, f, store.ListOptions{})
		must("FilterUsers", err)
		_, err = db.FilterUsers(ctx, p.ID, f, store.ListOptions{PageToken: store.PageToken(store.FilterScope(p.ID, f), "a\x00"+u.Sub)})
		must("FilterUsers next page", err)
	}
	must("UpdateUser", db.UpdateUser(ctx, p.ID, u.Sub, func(u pool.User) (pool.User, error) { return u, nil }))

	g := pool.Group{PoolID: p.ID, Name: "admins", CreatedAt: now}
	must("CreateGroup", db.CreateGroup(ctx, g))
	_, err = db.GetGroup(ctx, p.ID, g.Name)
	must("GetGroup", err)
	_, err = db.ListGroups(ctx, p.ID, store.ListOptions{})
	must("ListGroups", err)
	must("UpdateGroup", db.UpdateGroup(ctx, p.ID, g.Name, func(g pool.Group) (pool.Group, error) { return g, nil }))
	must("AddUserToGroup", db.AddUserToGroup(ctx, p.ID, g.Name, u.Sub))
	_, err = db.ListGroupsForUser(ctx, p.ID, u.Sub)
	must("ListGroupsForUser", err)
	_, err = db.ListUsersInGroup(ctx, p.ID, g.Name, store.ListOptions{})
	must("ListUsersInGroup", err)
	must("RemoveUserFromGroup", db.RemoveUserFromGroup(ctx, p.ID, g.Name, u.Sub))
	must("RemoveUserFromGroup again", db.RemoveUserFromGroup(ctx, p.ID, g.Name, u.Sub))

	code := store.AuthCode{ID: "code", PoolID: p.ID, ClientID: c.ID, Sub: u.Sub, CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
	must("CreateAuthCode", db.CreateAuthCode(ctx, code))
	_, err = db.ConsumeAuthCode(ctx, code.ID, now)
	must("ConsumeAuthCode", err)
	rt := store.RefreshToken{ID: "rt", OriginJTI: "jti", PoolID: p.ID, ClientID: c.ID, Sub: u.Sub, CodeID: code.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	must("CreateRefreshToken", db.CreateRefreshToken(ctx, rt))
	_, err = db.ConsumeAuthCode(ctx, code.ID, now)
	if err == nil {
		t.Fatal("ConsumeAuthCode twice succeeded")
	}
	_, err = db.GetRefreshToken(ctx, rt.ID)
	must("GetRefreshToken", err)
	_, err = db.GetRefreshGrant(ctx, rt.ID)
	must("GetRefreshGrant", err)
	_, err = db.GetRefreshTokenByOrigin(ctx, rt.OriginJTI)
	must("GetRefreshTokenByOrigin", err)
	must("UpdateRefreshToken", db.UpdateRefreshToken(ctx, rt.ID, func(r store.RefreshToken) (store.RefreshToken, error) { return r, nil }))
	_, err = db.ListRefreshTokens(ctx, p.ID, u.Sub)
	must("ListRefreshTokens", err)
	for _, f := range []store.RevokeFilter{
		{PoolID: p.ID}, {PoolID: p.ID, Sub: u.Sub}, {PoolID: p.ID, ClientID: c.ID}, {PoolID: p.ID, CodeID: code.ID},
		{PoolID: p.ID, Sub: u.Sub, ClientID: c.ID, CodeID: code.ID},
	} {
		_, err = db.RevokeRefreshTokens(ctx, f, now)
		must("RevokeRefreshTokens", err)
	}

	s := store.Session{ID: "sess", PoolID: p.ID, Sub: u.Sub, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	must("CreateSession", db.CreateSession(ctx, s))
	_, err = db.GetSession(ctx, s.ID)
	must("GetSession", err)
	must("DeleteSession", db.DeleteSession(ctx, s.ID))
	must("DeleteUserSessions", db.DeleteUserSessions(ctx, p.ID, u.Sub))

	wc := pool.WebAuthnCredential{PoolID: p.ID, Sub: u.Sub, ID: []byte{0, 1, 0xff}, PublicKey: []byte{1}, CreatedAt: now}
	must("CreateWebAuthnCredential", db.CreateWebAuthnCredential(ctx, wc))
	_, err = db.GetWebAuthnCredential(ctx, p.ID, wc.ID)
	must("GetWebAuthnCredential", err)
	_, err = db.ListWebAuthnCredentials(ctx, p.ID, u.Sub)
	must("ListWebAuthnCredentials", err)
	must("UpdateWebAuthnCredential", db.UpdateWebAuthnCredential(ctx, p.ID, wc.ID, func(c pool.WebAuthnCredential) (pool.WebAuthnCredential, error) {
		c.SignCount++
		return c, nil
	}))
	_, err = db.ListAllWebAuthnCredentials(ctx, store.ListOptions{})
	must("ListAllWebAuthnCredentials", err)
	_, err = db.ListAllWebAuthnCredentials(ctx, store.ListOptions{PageToken: store.PageToken("webauthn_credentials", store.BytesKey(p.ID, wc.ID))})
	must("ListAllWebAuthnCredentials next page", err)
	must("DeleteWebAuthnCredential", db.DeleteWebAuthnCredential(ctx, p.ID, u.Sub, wc.ID))
	wc.ID = []byte{2}
	must("CreateWebAuthnCredential", db.CreateWebAuthnCredential(ctx, wc))
	_, err = db.DeleteWebAuthnCredentials(ctx, p.ID, u.Sub)
	must("DeleteWebAuthnCredentials", err)
	must("CreateWebAuthnCredential for the cascade", db.CreateWebAuthnCredential(ctx, wc))

	must("UpdateKeySet", db.UpdateKeySet(ctx, p.ID, func(ks store.KeySet) (store.KeySet, error) {
		ks.Keys = []store.SigningKey{{KID: "k1", Use: store.UseID, Alg: pool.AlgRS256, State: store.KeyActive}}
		return ks, nil
	}))
	_, err = db.GetKeySet(ctx, p.ID)
	must("GetKeySet", err)

	l := skillstore.Lamp{Owner: u.Sub, ID: "lamp-1", Name: "Desk", CreatedAt: now}
	must("CreateLamp", db.CreateLamp(ctx, l))
	_, err = db.GetLamp(ctx, l.Owner, l.ID)
	must("GetLamp", err)
	_, err = db.ListLamps(ctx, l.Owner)
	must("ListLamps", err)
	must("UpdateLamp", db.UpdateLamp(ctx, l.Owner, l.ID, func(l skillstore.Lamp) (skillstore.Lamp, error) { return l, nil }))
	must("DeleteLamp", db.DeleteLamp(ctx, l.Owner, l.ID))

	must("PutAlexaGrant", db.PutAlexaGrant(ctx, skillstore.AlexaGrant{Owner: u.Sub, CreatedAt: now}))
	_, err = db.GetAlexaGrant(ctx, u.Sub)
	must("GetAlexaGrant", err)

	// Export listings, first and following pages.
	_, err = db.ListAllRefreshTokens(ctx, store.ListOptions{})
	must("ListAllRefreshTokens", err)
	_, err = db.ListAllRefreshTokens(ctx, store.ListOptions{PageToken: store.PageToken("refresh_tokens", rt.ID)})
	must("ListAllRefreshTokens next page", err)
	_, err = db.ListAllLamps(ctx, store.ListOptions{})
	must("ListAllLamps", err)
	_, err = db.ListAllLamps(ctx, store.ListOptions{PageToken: store.PageToken("lamps", u.Sub+"\x00lamp-1")})
	must("ListAllLamps next page", err)
	_, err = db.ListAlexaGrants(ctx, store.ListOptions{})
	must("ListAlexaGrants", err)
	_, err = db.ListAlexaGrants(ctx, store.ListOptions{PageToken: store.PageToken("alexa_grants", u.Sub)})
	must("ListAlexaGrants next page", err)

	_, err = db.GarbageCollect(ctx, now)
	must("GarbageCollect", err)
	minute := now.Truncate(time.Minute)
	must("AppendMetrics", db.AppendMetrics(ctx, "instance", []store.MetricIncrease{{Time: minute, Series: "codes", Value: 1}}))
	must("AppendMetrics again", db.AppendMetrics(ctx, "instance", []store.MetricIncrease{{Time: minute, Series: "codes", Value: 1}}))
	_, err = db.ListMetrics(ctx, minute.Add(-time.Hour))
	must("ListMetrics", err)
	_, err = db.PurgeMetrics(ctx, minute.Add(-time.Hour))
	must("PurgeMetrics", err)
	must("DeleteGroup", db.DeleteGroup(ctx, p.ID, g.Name))
	must("DeleteUser", db.DeleteUser(ctx, p.ID, u.Sub))
	must("DeleteDomain", db.DeleteDomain(ctx, d.Domain))
	must("DeleteClient", db.DeleteClient(ctx, c.ID))
	must("DeletePool", db.DeletePool(ctx, p.ID))
}
