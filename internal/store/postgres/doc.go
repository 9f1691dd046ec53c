// Package postgres implements store.Store and the skill's
// skillstore.Store on PostgreSQL, for deployments
// that run several linkpool instances against one database.
//
// It uses pgx's native API over a pgxpool connection pool, in the extended
// protocol with cached prepared statements; it never interpolates values
// into SQL text.
//
// # Opening
//
// Open connects, checks that the server answers and applies pending schema
// migrations. OpenNoMigrate connects without migrating, for tools such as
// `linkpool migrate status` that must not change the schema. Both take a
// PostgreSQL connection URL, for example
//
//	postgres://linkpool:secret@db.internal:5432/linkpool?sslmode=verify-full
//
// # Pool sizing
//
// The connection pool is configured through the URL query, parsed by
// pgxpool.ParseConfig:
//
//	pool_max_conns                  most open connections (default: max(4, GOMAXPROCS))
//	pool_min_conns                  connections kept open when idle (default 0)
//	pool_min_idle_conns             idle connections kept ready (default 0)
//	pool_max_conn_lifetime          close connections older than this (default 1h)
//	pool_max_conn_lifetime_jitter   spread of the lifetime, so connections do not expire together
//	pool_max_conn_idle_time         close connections idle longer than this (default 30m)
//	pool_health_check_period        how often idle connections are checked (default 1m)
//	pool_ping_timeout               bound on the liveness ping of an idle connection
//	connect_timeout                 seconds to wait for a new connection (unset or 0: 5 here)
//
// Other parameters (sslmode, search_path, application_name, ...) are
// passed to PostgreSQL as usual. A deployment that keeps linkpool in its
// own schema sets search_path; migrations and queries then use it.
//
// # Schema and migrations
//
// Migrations are the embedded files migrations/NNNN_name.sql. Each runs in
// its own transaction and is recorded in schema_migrations(version, name,
// applied_at). A run holds a session-level advisory lock on a dedicated
// connection, so instances that start together apply each migration
// exactly once: the others wait, then find nothing pending.
//
// Times are TIMESTAMPTZ with microsecond precision and come back in UTC;
// the zero time.Time is stored as NULL. Nil slices, maps and byte slices
// are stored as NULL too, so every value round-trips unchanged.
//
// # Listings
//
// Listings paginate by key (keyset pagination) in byte order: a page token
// carries the last key of its page, so pages stay consistent while rows
// are added or removed, and every page is one index range scan. Tokens
// are store.PageToken values, the same format as store/sqlite's.
//
// FilterUsers (filterusers.go), the ListUsers Filter, reads one index per
// searchable attribute (migration 0011): expression indexes in byte order
// (COLLATE "C", so a prefix is a range whatever the database's collation)
// over the JSON attributes (partial: only users that have the
// attribute, truncated to store.FilterKeyRunes characters to fit a
// B-tree entry), the lower-cased status, the enabled flag and sub, each
// followed by sub, plus the username key's unique index. Its query runs
// with bitmap scans and sorts off for its transaction, so the planner
// takes the ordered index scan that stops after the page even when it
// underestimates the range; TestFilterQueryPlans checks every attribute
// and operator, custom and generic plans, on analysed data.
//
// # Federation
//
// Migration 0012 (idps.go, useridentities.go) adds identity_providers,
// with their IdpIdentifiers also in idp_identifiers (primary key pool
// and identifier), written in the provider's transaction, and
// users.identities, a JSONB column read with every user, indexed by one
// user_identities row per identity (primary key pool, provider,
// subject; cascade from the user) that CreateUser and UpdateUser bring
// in line with the user in the same transaction, taking the index rows
// in key order. A user without identities is still created with one
// statement. Load (bulk.go) sends a table's child rows (identities,
// identifiers) with a COPY right after their parents'.
//
// # Passkeys
//
// Migration 0016 (webauthn.go) adds webauthn_credentials, primary key
// pool and credential id (BYTEA, compared bytewise), with a foreign key
// to the user that cascades; the index (pool, sub, created_at, id)
// serves the user's list in its order and the cascade. The update locks
// the row like the others. The same migration adds
// sessions.second_factor.
//
// # Triggers
//
// Migration 0017 (pools.go) adds pools.lambda_config, the pool's
// LambdaConfig as JSONB, and pools.trigger_secret, its sealed webhook
// signing secret (BYTEA, NULL when none).
//
// # Concurrency
//
// Transactions run at READ COMMITTED. Read-modify-write updates lock the
// row with SELECT ... FOR UPDATE before calling the caller's function, so
// concurrent updates of one row are serialised and each sees the result
// of the previous one. ConsumeAuthCode is a single conditional UPDATE, so
// of several concurrent redemptions exactly one succeeds. Transactions
// that fail with a serialization failure (SQLSTATE 40001) or a deadlock
// (40P01) are retried a few times.
//
// # Errors
//
// Errors are *Error values naming the operation. A missing row (or a
// missing parent, such as the pool of a new client) wraps store.ErrNotFound,
// a unique-key violation wraps store.ErrAlreadyExists, an authorization
// code redeemed twice wraps store.ErrConflict, and a page token this
// store did not issue for that listing wraps store.ErrInvalidPageToken.
// Anything else, such as an unreachable server, wraps the driver's error
// and is none of the sentinels. Error texts never contain codes, tokens,
// hashes or secrets.
package postgres
