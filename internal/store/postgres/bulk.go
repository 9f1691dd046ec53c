package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

// loadBatch is how many rows of one table Load buffers before it sends
// them with one COPY.
const loadBatch = 10000

// Load writes an import in one transaction. The indexes created by the
// migrations with CREATE INDEX (not those of PRIMARY KEY and UNIQUE
// constraints) are dropped first and created again from their stored
// definitions after the rows, in the same transaction: one sorted build
// costs less than maintaining them row by row. Rows are buffered per table
// and sent with COPY (pgx CopyFrom, the binary protocol) when the table
// changes or loadBatch rows are waiting, so each record's row still
// reaches the database after the rows it refers to. Nothing is committed
// unless fill returns nil. The rows are the ones the Create methods
// write, built by the same argument functions; a refresh token skips the
// replayed-code check, as an empty database holds no authorization codes.
func (db *DB) Load(ctx context.Context, fill func(skillstore.Loader) error) error {
	const op = "load"
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return wrap(op, err)
	}
	// Whatever ends the load (an error, a panic in fill), the transaction
	// ends with it; after a commit the rollback does nothing.
	defer tx.Rollback(context.WithoutCancel(ctx))
	l := &loader{ctx: ctx, tx: tx}
	indexes, err := dropIndexes(ctx, tx)
	if err == nil {
		err = fill(l)
	}
	if err == nil {
		err = l.flush()
	}
	if err == nil {
		err = createIndexes(ctx, tx, indexes)
	}
	if err != nil {
		return err
	}
	return wrap(op, tx.Commit(ctx))
}

// index is a stored index definition.
type index struct{ name, def string }

// dropIndexes drops the indexes of the schema that no constraint owns
// (those of CREATE INDEX, not of PRIMARY KEY or UNIQUE constraints) and
// returns their definitions.
func dropIndexes(ctx context.Context, tx pgx.Tx) ([]index, error) {
	const op = "load: drop indexes"
	rows, err := tx.Query(ctx, `SELECT c.relname, pg_get_indexdef(i.indexrelid)
		FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema()
			AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
		ORDER BY c.relname`)
	if err != nil {
		return nil, wrap(op, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (index, error) {
		var ix index
		err := r.Scan(&ix.name, &ix.def)
		return ix, err
	})
	if err != nil {
		return nil, wrap(op, err)
	}
	for _, ix := range out {
		if _, err := tx.Exec(ctx, `DROP INDEX `+pgx.Identifier{ix.name}.Sanitize()); err != nil {
			return nil, wrap(op, err)
		}
	}
	return out, nil
}

// createIndexes creates the dropped indexes again.
func createIndexes(ctx context.Context, tx pgx.Tx, indexes []index) error {
	for _, ix := range indexes {
		if _, err := tx.Exec(ctx, ix.def); err != nil {
			return wrap("load: create index "+ix.name, err)
		}
	}
	return nil
}

// copyTable is a table Load fills with COPY.
type copyTable struct {
	name    string
	op      string
	columns []string
}

func newCopyTable(name, op, columns string) *copyTable {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = strings.TrimSpace(c)
	}
	return &copyTable{name: name, op: op, columns: cols}
}

var (
	copyPools         = newCopyTable("pools", "load pools", poolColumns)
	copyDomains       = newCopyTable("domains", "load domains", domainColumns)
	copyClients       = newCopyTable("clients", "load clients", clientColumns)
	copyUsers         = newCopyTable("users", "load users", userColumns)
	copyIdentities    = newCopyTable("user_identities", "load user identities", "pool_id, provider_name, subject, sub")
	copyIdps          = newCopyTable("identity_providers", "load identity providers", idpColumns)
	copyIdentifiers   = newCopyTable("idp_identifiers", "load identity provider identifiers", "pool_id, identifier, provider_name")
	copyGroups        = newCopyTable("groups", "load groups", groupColumns)
	copyMembers       = newCopyTable("group_members", "load group members", "pool_id, group_name, sub")
	copyRefreshTokens = newCopyTable("refresh_tokens", "load refresh tokens", refreshTokenColumns)
	copyLamps         = newCopyTable("lamps", "load lamps", lampColumns)
	copyPasskeys      = newCopyTable("webauthn_credentials", "load webauthn credentials", webAuthnColumns)
	copyAlexaGrants   = newCopyTable("alexa_grants", "load alexa grants",
		"owner, grant_code, sealed_tokens, token_expires_at, created_at, updated_at")
	copyAudit = newCopyTable("audit_log", "load audit records", auditColumns)
)

// loader is Load's skillstore.Loader.
type loader struct {
	ctx   context.Context
	tx    pgx.Tx
	table *copyTable // of the buffered rows
	rows  [][]any
	// child and childRows buffer the rows of a table whose rows refer to
	// the buffered ones (a user's identities, a provider's identifiers):
	// flush sends them right after them.
	child     *copyTable
	childRows [][]any
}

// add buffers one row of t, sending the buffer first when it holds
// another table's rows or is full.
func (l *loader) add(t *copyTable, row []any) error {
	if l.table != t || len(l.rows) >= loadBatch {
		if err := l.flush(); err != nil {
			return err
		}
		l.table = t
	}
	l.rows = append(l.rows, row)
	return nil
}

// addChild buffers one row of t that refers to the row last added.
func (l *loader) addChild(t *copyTable, row []any) {
	l.child = t
	l.childRows = append(l.childRows, row)
}

// flush sends the buffered rows with one COPY, then their children's
// with another.
func (l *loader) flush() error {
	if len(l.rows) == 0 {
		return nil
	}
	t := l.table
	_, err := l.tx.CopyFrom(l.ctx, pgx.Identifier{t.name}, t.columns, pgx.CopyFromRows(l.rows))
	clear(l.rows)
	l.rows = l.rows[:0]
	if err != nil {
		return wrap(t.op, err)
	}
	if len(l.childRows) == 0 {
		return nil
	}
	c := l.child
	_, err = l.tx.CopyFrom(l.ctx, pgx.Identifier{c.name}, c.columns, pgx.CopyFromRows(l.childRows))
	clear(l.childRows)
	l.childRows = l.childRows[:0]
	return wrap(c.op, err)
}

func (l *loader) Pool(p pool.Pool) error {
	args, err := poolArgs(&p)
	if err != nil {
		return wrap(copyPools.op, err)
	}
	return l.add(copyPools, args)
}

func (l *loader) Domain(d pool.Domain) error {
	return l.add(copyDomains, []any{d.Domain, d.PoolID, d.Custom, ts(d.CreatedAt)})
}

func (l *loader) Client(c pool.Client) error {
	args, err := clientArgs(&c)
	if err != nil {
		return wrap(copyClients.op, err)
	}
	return l.add(copyClients, args)
}

// KeySet writes the key set at version 1 and its keys with plain
// statements: there is one per pool.
func (l *loader) KeySet(ks store.KeySet) error {
	const op = "load key set"
	if err := l.flush(); err != nil {
		return err
	}
	var b pgx.Batch
	b.Queue(`INSERT INTO key_sets (pool_id, version, updated_at) VALUES ($1, 1, $2)`, ks.PoolID, ts(ks.UpdatedAt))
	for i, k := range ks.Keys {
		b.Queue(`INSERT INTO signing_keys (pool_id, kid, ordinal, use, alg, state, sealed, public,
				created_at, not_after)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			ks.PoolID, k.KID, i, k.Use, k.Alg, k.State, k.Sealed, k.Public, ts(k.CreatedAt), ts(k.NotAfter))
	}
	return wrap(op, l.tx.SendBatch(l.ctx, &b).Close())
}

func (l *loader) User(u pool.User) error {
	args, err := userArgs(&u)
	if err != nil {
		return wrap(copyUsers.op, err)
	}
	if err := l.add(copyUsers, args); err != nil {
		return err
	}
	for _, id := range u.Identities {
		l.addChild(copyIdentities, []any{u.PoolID, id.ProviderName, id.UserID, u.Sub})
	}
	return nil
}

func (l *loader) IdentityProvider(p pool.IdentityProvider) error {
	args, err := idpArgs(&p)
	if err != nil {
		return wrap(copyIdps.op, err)
	}
	if err := l.add(copyIdps, args); err != nil {
		return err
	}
	for _, id := range p.IdpIdentifiers {
		l.addChild(copyIdentifiers, []any{p.PoolID, id, p.ProviderName})
	}
	return nil
}

func (l *loader) Group(g pool.Group) error {
	return l.add(copyGroups, groupArgs(&g))
}

func (l *loader) Member(poolID, group, sub string) error {
	return l.add(copyMembers, []any{poolID, group, sub})
}

func (l *loader) RefreshToken(t store.RefreshToken) error {
	return l.add(copyRefreshTokens, refreshTokenArgs(&t))
}

func (l *loader) WebAuthnCredential(c pool.WebAuthnCredential) error {
	return l.add(copyPasskeys, webAuthnArgs(c))
}

func (l *loader) Lamp(lamp skillstore.Lamp) error {
	return l.add(copyLamps, lampArgs(&lamp))
}

func (l *loader) AuditRecord(r store.AuditRecord) error {
	changed := r.Changed
	if changed == nil {
		changed = []store.AuditChange{}
	}
	b, err := encodeJSON(changed)
	if err != nil {
		return wrap("load audit record", err)
	}
	return l.add(copyAudit, []any{r.ID, ts(r.Time), r.ActorKind, r.ActorID, r.Action, r.PoolID, r.Target, b, r.Result, r.RequestID})
}

func (l *loader) AlexaGrant(g skillstore.AlexaGrant) error {
	return l.add(copyAlexaGrants, []any{g.Owner, "", g.SealedTokens, ts(g.TokenExpiresAt), ts(g.CreatedAt), ts(g.UpdatedAt)})
}
