// Package skillstore is the SmartLamp skill's storage contract: the
// lamps of each user, the Alexa grant (the user's Login with Amazon
// tokens, sealed) and the sign-in sessions of the /lamps page.
//
// internal/smarthome owns the contract; the core store.Store knows
// nothing of the skill. Both store backends (store/sqlite, store/postgres)
// implement Store beside store.Store on the same database, and the
// conformance suite in store/storetest covers it. Lamps and grants belong
// to a user's sub, not to a pool: deleting a pool or a user leaves them.
//
// The package also names the seal context of the LWA tokens
// (LWATokenContext), which the skill and internal/transfer share.
//
// Files: doc.go, skillstore.go (types, Store, Database and its bulk
// Loader, seal contexts).
package skillstore
