// Package cli implements the linkpool command: `linkpool serve` and the
// administration commands (pool, client, domain, user, group, idp, keys,
// access-key, init, migrate, export/import, skill, alexa).
//
// `idp create|update|show|list|delete` (idp_cmd.go) administers a pool's
// identity providers through internal/admin, and `idp link|unlink` links
// a provider identity to a user through internal/account
// (AdminLinkProviderForUser, AdminDisableProviderForUser). Secret
// details can be read from files (--detail-file) and are masked in the
// output unless --show-secrets.
//
// `access-key create|list|delete` (access_key_cmd.go) manages the access
// keys of the Cognito JSON API through internal/accesskey; create prints
// the secret once, list never does.
//
// Every flag has a matching environment variable: --public-url is
// LINKPOOL_PUBLIC_URL. A secret can also come from a file named by the
// variable with a _FILE suffix (LINKPOOL_SMTP_URL_FILE), except that
// LINKPOOL_MASTER_KEY_FILE is --master-key-file, whose file is checked as
// a key file (mode 0600). Flags win over the environment.
//
// Administration commands are flag parsing and printing over
// internal/admin (pools, app clients, domains, groups, identity
// providers; adminErr renders
// its errors) and internal/account (users); they do not read or write
// those resources in the store themselves. They open the same database
// as the server and are safe to run while it serves: SQLite in WAL mode with one writer per
// process and BEGIN IMMEDIATE transactions, or PostgreSQL.
//
// With SQLite, every command that opens the store first makes the data
// directory 0700 and the database, its -wal and -shm files and demo.json
// 0600 when the group or others have access, warning with each path and
// its old mode, and refuses to run when a mode cannot be changed.
//
// The master key is created (<data>/master.key, or --master-key-file) only
// for a SQLite store that holds no data yet; a store that holds data and
// whose key file is missing is refused, naming the path and
// --master-key-file. With PostgreSQL a key is never created implicitly.
//
// The SmartLamp skill's settings (smarthome.Options: LWA client, event
// gateway, required scopes, /lamps page client) are registered with the
// same names on `serve` and `skill serve` by smartLampFlags
// (smartlamp_flags.go); `serve --skill-pool` mounts the skill for a pool.
//
// `serve --acme-email` (serve_acme.go) obtains the TLS certificates through
// internal/acme: the flags are checked against --addr, --public-url and
// --tls-cert, and the plain HTTP listener for HTTP-01 and redirects is
// started beside the TLS one.
package cli
