// Package store defines linkpool's storage contract: one Store interface
// over pools, app clients, domains, identity providers, users (with the
// provider identities linked to them), groups, authorization codes,
// refresh tokens, hosted-UI sessions (with how each signed in,
// Session.IdentityProvider), the consumed challenge sessions of
// the Cognito API, signing keys, the pools' SAML key pairs (SAMLKey,
// created once with the insert-if-absent EnsureSAMLKey), the mail outbox
// and API access keys.
// CollectGarbage runs GarbageCollect periodically, with the Sweeps of
// packages that keep their own records on the same database (the skill's
// contract, internal/smarthome/skillstore, which both backends implement
// too).
//
// The contract is Dex-shaped: Create/Get/List/Delete per entity, Update
// with a callback for read-modify-write inside one transaction, sentinel
// errors (ErrNotFound, ErrAlreadyExists, ErrConflict), a context on every
// call and no SQL types in signatures. Backends live in store/sqlite and
// store/postgres; store/storetest is the conformance suite both pass.
//
// Any error that is not one of the sentinels means the backend failed
// (database down, disk full). Callers must treat it as an internal,
// possibly transient failure, never as a verdict on the caller's
// credentials.
//
// Identity providers (federation, issue 14) are configuration, like
// clients: their writes raise ConfigVersion. Each backend indexes the
// providers' IdpIdentifiers and the users' Identities in tables of their
// own, written in the transaction of the provider or user, so that an
// identifier belongs to one provider and a (provider, subject) to one
// user of a pool, and GetIdentityProviderByIdentifier and
// GetUserByIdentity are one index read.
//
// Times are stored with microsecond precision and returned in UTC.
//
// TraceQuery and TraceWrite open the spans of the backends' statements
// when tracing is on (internal/tracing): named "<backend>.query" or
// "<backend>.write", with the statement's operation and table, never its
// arguments.
package store
