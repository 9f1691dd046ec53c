// Package confcache keeps in memory the configuration that requests read
// on every call: pools, domains, app clients, and what is derived from
// them and from groups (a pool's CORS origins, a client with its secret's
// hash, whether a pool has any group). A request served from it makes no
// store round trip for its configuration.
//
// Invalidation holds across instances and across processes sharing one
// database. The database keeps a configuration version that triggers raise
// in the same transaction as every write to pools, clients, domains and
// groups (store.Store.ConfigVersion), so no write path (the JSON API, the CLI
// against the same SQLite file while `serve` runs, another instance, an
// import) can forget it. Each Cache reads it once per PollInterval in the
// background, never per request, and drops everything it holds when it
// changes. Writes made through this process's store handle are seen at
// once (store.Store.ConfigWrites): no entry loaded before such a write is
// served after it.
//
// Staleness: a change made elsewhere is served by this instance for at
// most PollInterval plus one version read. While the version cannot be
// read (the database is out), cached entries keep serving for MaxStale
// after the last successful read; after that every lookup goes to the
// store, which answers as it does in the outage, until a read succeeds
// again and the cache starts empty.
//
// Files: cache.go (the Cache and its poller), table.go (a keyed table of
// one kind of value).
package confcache
