package sqlite

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

// loadCacheKiB is the page cache of the writer connection during Load:
// inserts in random key order (subs, token ids) touch index pages all
// over the file, and the default 2 MiB cache would write and read them
// back many times before the commit.
const loadCacheKiB = 256 << 10

// Load writes an import in one writer transaction (BEGIN IMMEDIATE, so
// other writers, this process's included, wait for it) with one prepared statement per table,
// reused for every row. The indexes created by the migrations (CREATE
// INDEX, not the UNIQUE and PRIMARY KEY constraints of the tables) are
// dropped first and created again from their stored definitions after
// the rows, in the same transaction: one sorted build costs less than
// inserting every row into every index in random key order. A unique
// index that the rows violate fails the load. Nothing is committed
// unless fill returns nil and the indexes build.
// The rows are the ones the Create methods write, built by the same
// value functions; a refresh token's insert skips the replayed-code
// check, as an empty database holds no authorization codes.
func (db *DB) Load(ctx context.Context, fill func(skillstore.Loader) error) error {
	const op = "load"
	return db.wr.exclusive(ctx, op, func(ctx context.Context, conn *sql.Conn) error {
		return db.load(ctx, conn, fill)
	})
}

// load is Load on the writer connection, which the group commit lends it
// between batches.
func (db *DB) load(ctx context.Context, conn *sql.Conn, fill func(skillstore.Loader) error) error {
	const op = "load"
	var cache int
	if err := conn.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil {
		return wrap(op, err)
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -`+strconv.Itoa(loadCacheKiB)); err != nil {
		return wrap(op, err)
	}
	// The connection is the writer's: its cache goes back to what it
	// was, whatever happens to the load. Restoring a setting cannot fail
	// in a way worth more than the load's own error.
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = `+strconv.Itoa(cache))

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		db.noteWrite(err)
		return wrap(op, err)
	}
	l := &loader{ctx: ctx, tx: tx, stmts: map[string]*sql.Stmt{}}
	// Whatever ends the load (an error, a panic in fill), its statements
	// and its transaction end with it: a transaction left open would hold
	// the writer connection for good. After a commit the rollback does
	// nothing.
	defer func() {
		for _, s := range l.stmts {
			s.Close()
		}
		_ = tx.Rollback()
	}()
	indexes, err := dropIndexes(ctx, tx)
	if err == nil {
		err = fill(l)
	}
	if err == nil {
		err = createIndexes(ctx, tx, indexes)
	}
	if err != nil {
		if fileFailure(err) {
			db.noteWrite(err)
		}
		return err
	}
	err = tx.Commit()
	db.noteWrite(err)
	return wrap(op, err)
}

// index is a stored index definition.
type index struct{ name, sql string }

// dropIndexes drops the indexes created with CREATE INDEX and returns
// their definitions.
func dropIndexes(ctx context.Context, tx *sql.Tx) ([]index, error) {
	const op = "load: drop indexes"
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`)
	if err != nil {
		return nil, wrap(op, err)
	}
	var out []index
	for rows.Next() {
		var ix index
		if err := rows.Scan(&ix.name, &ix.sql); err != nil {
			rows.Close()
			return nil, wrap(op, err)
		}
		out = append(out, ix)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrap(op, err)
	}
	for _, ix := range out {
		if _, err := tx.ExecContext(ctx, `DROP INDEX `+quoteIdent(ix.name)); err != nil {
			return nil, wrap(op, err)
		}
	}
	return out, nil
}

// createIndexes creates the dropped indexes again.
func createIndexes(ctx context.Context, tx *sql.Tx, indexes []index) error {
	for _, ix := range indexes {
		if _, err := tx.ExecContext(ctx, ix.sql); err != nil {
			return wrap("load: create index "+ix.name, err)
		}
	}
	return nil
}

// quoteIdent quotes an SQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// loader is Load's skillstore.Loader.
type loader struct {
	ctx   context.Context
	tx    *sql.Tx
	stmts map[string]*sql.Stmt // by query
}

// exec runs query, prepared once per load, with args.
func (l *loader) exec(op, query string, args ...any) error {
	s, ok := l.stmts[query]
	if !ok {
		var err error
		if s, err = l.tx.PrepareContext(l.ctx, query); err != nil {
			return wrap(op, err)
		}
		l.stmts[query] = s
	}
	_, err := s.ExecContext(l.ctx, args...)
	return wrap(op, err)
}

// insert is the INSERT of n values into columns of table.
func insert(table, columns string, n int) string {
	return `INSERT INTO ` + table + ` (` + columns + `) VALUES (?` + strings.Repeat(", ?", n-1) + `)`
}

var (
	loadPool         = insert("pools", poolColumns, 22)
	loadDomain       = insert("domains", domainColumns, 4)
	loadClient       = insert("clients", clientColumns, 25)
	loadUser         = insert("users", userColumns, 20)
	loadIdentity     = insert("user_identities", "pool_id, provider_name, subject, sub", 4)
	loadIdp          = insert("identity_providers", idpColumns, 9)
	loadIdentifier   = insert("idp_identifiers", "pool_id, identifier, provider_name", 3)
	loadGroup        = insert("groups", groupColumns, 7)
	loadMember       = insert("group_members", "pool_id, group_name, sub", 3)
	loadRefreshToken = insert("refresh_tokens", refreshColumns, 16)
	loadLamp         = insert("lamps", lampColumns, 16)
	loadPasskey      = insert("webauthn_credentials", webAuthnColumns, 17)
)

func (l *loader) Pool(p pool.Pool) error {
	const op = "load pool"
	v, err := poolValues(p)
	if err != nil {
		return wrap(op, err)
	}
	return l.exec(op, loadPool, append([]any{p.ID}, v...)...)
}

func (l *loader) Domain(d pool.Domain) error {
	return l.exec("load domain", loadDomain, d.Domain, d.PoolID, d.Custom, micros(d.CreatedAt))
}

func (l *loader) Client(c pool.Client) error {
	const op = "load client"
	v, err := clientValues(c)
	if err != nil {
		return wrap(op, err)
	}
	return l.exec(op, loadClient, append([]any{c.ID, c.PoolID}, v...)...)
}

func (l *loader) KeySet(ks store.KeySet) error {
	const op = "load key set"
	var e encoder
	keys := e.json(encodeKeys(ks.Keys))
	if e.err != nil {
		return wrap(op, e.err)
	}
	return l.exec(op, `INSERT INTO key_sets (`+keySetColumns+`) VALUES (?, 1, ?, ?)`, ks.PoolID, keys, micros(ks.UpdatedAt))
}

func (l *loader) User(u pool.User) error {
	const op = "load user"
	v, err := userValues(u)
	if err != nil {
		return wrap(op, err)
	}
	if err := l.exec(op, loadUser, append([]any{u.PoolID, u.Sub}, v...)...); err != nil {
		return err
	}
	for _, id := range u.Identities {
		if err := l.exec(op, loadIdentity, u.PoolID, id.ProviderName, id.UserID, u.Sub); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) IdentityProvider(p pool.IdentityProvider) error {
	const op = "load identity provider"
	v, err := idpValues(p)
	if err != nil {
		return wrap(op, err)
	}
	if err := l.exec(op, loadIdp, append([]any{p.PoolID, p.ProviderName}, v...)...); err != nil {
		return err
	}
	for _, id := range p.IdpIdentifiers {
		if err := l.exec(op, loadIdentifier, p.PoolID, id, p.ProviderName); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) Group(g pool.Group) error {
	return l.exec("load group", loadGroup,
		g.PoolID, g.Name, g.Description, precedence(g), g.RoleArn, micros(g.CreatedAt), micros(g.UpdatedAt))
}

func (l *loader) Member(poolID, group, sub string) error {
	return l.exec("load group member", loadMember, poolID, group, sub)
}

func (l *loader) RefreshToken(t store.RefreshToken) error {
	const op = "load refresh token"
	v, err := refreshValues(t)
	if err != nil {
		return wrap(op, err)
	}
	return l.exec(op, loadRefreshToken, append([]any{t.ID, t.OriginJTI, t.PoolID, t.ClientID, t.Sub}, v...)...)
}

func (l *loader) WebAuthnCredential(c pool.WebAuthnCredential) error {
	const op = "load webauthn credential"
	v, err := webAuthnValues(c)
	if err != nil {
		return wrap(op, err)
	}
	return l.exec(op, loadPasskey, append([]any{c.PoolID, blob(c.ID)}, v...)...)
}

func (l *loader) Lamp(lamp skillstore.Lamp) error {
	return l.exec("load lamp", loadLamp, append([]any{lamp.Owner, lamp.ID}, lampValues(lamp)...)...)
}

func (l *loader) AuditRecord(r store.AuditRecord) error {
	var enc encoder
	changed := r.Changed
	if changed == nil {
		changed = []store.AuditChange{}
	}
	changedJSON := enc.json(changed)
	if enc.err != nil {
		return wrap("load audit record", enc.err)
	}
	return l.exec("load audit record", `INSERT INTO audit_log (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Time.UnixMicro(), r.ActorKind, r.ActorID, r.Action, r.PoolID, r.Target, changedJSON, r.Result, r.RequestID)
}

func (l *loader) AlexaGrant(g skillstore.AlexaGrant) error {
	return l.exec("load alexa grant", `INSERT INTO alexa_grants
			(owner, grant_code, sealed_tokens, token_expires_at, created_at, updated_at)
		VALUES (?, '', ?, ?, ?, ?)`,
		g.Owner, blob(g.SealedTokens), micros(g.TokenExpiresAt), micros(g.CreatedAt), micros(g.UpdatedAt))
}
