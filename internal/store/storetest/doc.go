// Package storetest is the conformance suite every storage backend must
// pass, modelled on Dex's storage/conformance: Run and RunConcurrency
// execute named subtests, each on a fresh store from the caller's factory.
// A backend implements both contracts on one database, the core
// store.Store and the SmartLamp skill's skillstore.Store
// (skillstore.Database), and the suite covers both.
//
// The factory must return an empty store backed by a real database and
// register its own cleanup (closing the store, dropping the database) with
// t.Cleanup.
//
// Besides the rules written on the two interfaces, the suite pins
// these behaviours, which callers rely on:
//
//   - Deleting an entity that does not exist fails with store.ErrNotFound
//     (DeletePool, DeleteClient, DeleteDomain, DeleteUser, DeleteGroup,
//     DeleteSession, DeleteLamp, DeleteAccessKey, DeleteIdentityProvider).
//   - Creating a client, domain, user, group or identity provider in a
//     pool that does not exist, and UpdateKeySet on such a pool, fail
//     with store.ErrNotFound.
//   - Lookups by an empty key (GetUserByEmail with an empty EmailKey)
//     find nothing, even though many users have an empty EmailKey.
//   - RemoveUserFromGroup of a user who is not a member succeeds.
//   - Refresh-token OriginJTI is unique, like the ID.
//   - ListRefreshTokens returns the user's grant families, revoked ones
//     included; RevokeRefreshTokens without a PoolID fails and revokes
//     nothing.
//   - ListDomains orders by domain name, ListLamps by lamp ID. Paginated
//     listings use any stable order, never return an empty page with a
//     non-empty Next, and reject a token they did not issue with
//     store.ErrInvalidPageToken. Page tokens have one format on both
//     backends (store.PageToken: the listing's scope and the last key),
//     so a token of another listing or pool is refused too.
//   - FilterUsers matches as store.UserFilter says (ASCII-only case
//     folding for email and the statuses, SQL wildcards and quotes as
//     plain characters, no match on an absent attribute, values longer
//     than the indexed key compared in full), orders by the attribute's
//     key, then sub, and pages stay stable while users come and go.
//   - The core GarbageCollect leaves lamp sessions alone;
//     DeleteExpiredLampSessions collects them.
//   - Identity provider names, identifiers and user identities are
//     compared exactly (no case folding). Updating a provider or a user
//     frees the identifiers or identities it drops at once; deleting a
//     provider leaves its users' identities, deleting a user or a pool
//     frees them. The bulk load keeps the same uniqueness.
//   - Every time comes back in UTC, truncated to the microsecond, and a
//     zero time comes back zero. Empty slices and maps may come back nil.
//
// Update callbacks see the stored value; the suite never changes the
// identifying fields of an entity (ids, owning pool, owner) in an Update.
package storetest
