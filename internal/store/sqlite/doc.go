// Package sqlite is linkpool's embedded store: a store.Store and the
// skill's skillstore.Store on one SQLite file, through the pure-Go modernc.org/sqlite driver, so the server stays
// a single static binary.
//
// The database runs in WAL mode with synchronous=FULL, so an acknowledged
// write survives a process or power failure, and with foreign keys on, so
// deleting a pool cascades to everything it owns. SQLite allows one
// writer at a time: DB keeps one writer connection, whose transactions
// start with BEGIN IMMEDIATE, taking the write lock up front, and a pool of
// reader connections for plain reads, which WAL lets run beside the
// writer. Every read-modify-write (Update callbacks, code redemption) runs
// inside a writer transaction, so it is serialised within the process and,
// through the busy timeout, with other processes on the same file.
//
// Writes go through a group commit (writer.go). One goroutine owns the
// writer connection; a write (writeTx, exec) is queued and its caller
// waits. The goroutine takes everything queued, up to maxBatch writes,
// runs it in one transaction with each write in a savepoint of its own,
// and commits once: concurrent writes share the COMMIT and its fsync, and
// the commits no longer wait for each other through database/sql's
// connection hand-offs. Each caller learns its result only after the
// COMMIT, so an acknowledged write is durable, as before. A write that
// fails (its callback's error, a constraint) is rolled back to its
// savepoint and gets its own error, without touching the others; a failed
// COMMIT fails every write of its batch. A write whose context ends before
// it starts is not run and returns the context's error; once it has
// started it runs to the end and its caller waits for the commit, so an
// error always means nothing of it is stored. There is no waiting for
// company: a lone write commits at once, and a batch is what queued while
// the previous transaction ran. The writer prepares each statement once on
// its connection. linkpool_sqlite_commits_total,
// linkpool_sqlite_writes_total and linkpool_sqlite_commit_batch_size
// (metrics.go; DB is a prometheus.Collector) show how well writes group.
//
// Ping reads, so a health check never waits for the writer; after a write
// has failed on the file itself (disk full, read-only or immutable file)
// it also writes a probe row until that succeeds, so that readiness
// reflects whether the server can write.
//
// Open creates a new database file with mode 0600, whatever the umask;
// SQLite gives the -wal and -shm files the database file's mode, so they
// are private too. The modes of an existing file are the caller's
// concern (the cli package fixes them before opening).
//
// The schema lives in versioned SQL files under migrations/, embedded in
// the binary and applied by Open.
//
// FilterUsers (filterusers.go), the ListUsers Filter, reads one index per
// searchable attribute (migration 0012): expression indexes over the
// JSON attributes (partial: only users that have the attribute), the
// lower-cased status and the enabled flag, each followed by sub, plus the
// username key's UNIQUE constraint and the primary key. The expressions
// in filterusers.go must match the migration's text, or SQLite scans;
// TestFilterQueryPlans checks every attribute and operator.
//
// Federation (migration 0013; idps.go, useridentities.go): providers
// live in identity_providers, their IdpIdentifiers also in
// idp_identifiers (primary key pool and identifier), written in the
// provider's write. A user's Identities are the users.identities JSON
// column, read with every user, and one user_identities row each
// (primary key pool, provider, subject; cascade from the user), which
// CreateUser and UpdateUser bring in line with the user in the same
// write: rows of identities removed are deleted, those added inserted,
// so a taken identity fails the write and a freed one is free at once.
// Load (bulk.go) writes both index tables too.
//
// Passkeys (migration 0017; webauthn.go) are rows of
// webauthn_credentials, primary key pool and credential id (a BLOB),
// with a foreign key to the user that cascades; the index (pool, sub,
// created_at, id) serves the user's list in its order and the cascade.
// The same migration adds sessions.second_factor.
//
// Triggers (migration 0018; pools.go): a pool's LambdaConfig is the
// pools.lambda_config JSON column and its webhook signing secret, sealed,
// the pools.trigger_secret BLOB (empty when none).
package sqlite
