package store

import (
	"context"
	"errors"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
)

// Sentinel errors. Backends wrap them with context; test with errors.Is.
var (
	// ErrNotFound: the entity does not exist (or has expired).
	ErrNotFound = errors.New("not found")
	// ErrAlreadyExists: a unique key (id, username, email, domain) is taken.
	ErrAlreadyExists = errors.New("already exists")
	// ErrConflict: the operation lost a race or the entity is in a state
	// that forbids it (an authorization code already redeemed).
	ErrConflict = errors.New("conflict")
	// ErrInvalidPageToken: ListOptions.PageToken is not a token the
	// backend issued. It is the caller's mistake, not a backend failure.
	ErrInvalidPageToken = errors.New("invalid page token")
)

// ListOptions selects one page of a listing. Limit 0 means the backend
// default (60) and values above MaxPageSize are capped; PageToken is the
// Next value of the previous page, opaque to callers. A malformed token
// fails with ErrInvalidPageToken.
type ListOptions struct {
	Limit     int
	PageToken string
}

// Page is one page of a listing. Next is empty on the last page.
type Page[T any] struct {
	Items []T
	Next  string
}

// DefaultPageSize is the page size when ListOptions.Limit is zero.
const DefaultPageSize = 60

// MaxPageSize caps ListOptions.Limit.
const MaxPageSize = 1000

// AuthCode is an issued authorization code (RFC 6749 §4.1.2). Only the
// SHA-256 of the code is stored.
type AuthCode struct {
	ID                  string // hex SHA-256 of the code
	PoolID              string
	ClientID            string
	Sub                 string
	RedirectURI         string
	Scopes              []string
	Nonce               string
	CodeChallenge       string
	CodeChallengeMethod string
	AuthTime            time.Time
	OriginJTI           string // identifies the authentication; copied to tokens
	CreatedAt           time.Time
	ExpiresAt           time.Time
	RedeemedAt          time.Time // zero until redeemed
	// ReplayedAt is when the code was first presented again after its
	// redemption; zero if it never was. A replayed code's grant may not be
	// stored any more (CreateRefreshToken).
	ReplayedAt time.Time
}

// RefreshToken is one grant family: the authentication that an
// authorization code or implicit grant produced, and the refresh token that
// continues it. The wire token is "<ID>.<secret>"; only hashes of secrets
// are stored. With rotation, SecretHash is the current secret and
// PrevSecretHash the previous one, accepted until PrevValidUntil.
// GraceDepth is how many secrets before the current one PrevValidUntil
// covers: 1 after a rotation, one more for each rotation that came within
// the grace period of the one before it (0, in grants stored before it
// was kept, counts as 1).
type RefreshToken struct {
	ID             string
	OriginJTI      string
	PoolID         string
	ClientID       string
	Sub            string
	Scopes         []string
	AuthTime       time.Time
	CodeID         string // AuthCode.ID that created it; empty for implicit grants
	SecretHash     string // empty for grants without a refresh token
	PrevSecretHash string
	PrevValidUntil time.Time
	GraceDepth     int
	CreatedAt      time.Time
	LastUsedAt     time.Time
	ExpiresAt      time.Time
	RevokedAt      time.Time // zero unless revoked
}

// RefreshGrant is a grant family with its user, as GetRefreshGrant reads
// them.
type RefreshGrant struct {
	Token RefreshToken
	// User is the grant's user; zero, with UserFound false, when the
	// user does not exist.
	User      pool.User
	UserFound bool
}

// Revoked reports whether the grant was revoked.
func (t *RefreshToken) Revoked() bool { return !t.RevokedAt.IsZero() }

// RevokeFilter selects grant families to revoke. Every non-empty field must
// match; PoolID is required.
type RevokeFilter struct {
	PoolID   string
	Sub      string
	ClientID string
	CodeID   string
}

// Session is a hosted-UI sign-in session. The cookie holds "<ID>.<secret>";
// the store keeps the hash of the secret.
type Session struct {
	ID         string
	SecretHash string
	PoolID     string
	Sub        string
	// IdentityProvider is how the session signed in: pool.ProviderCognito
	// (the pool's own password form) or the name of the identity provider.
	// A session is reused only for clients whose
	// SupportedIdentityProviders list it; "" (sessions stored before the
	// column existed) is reused for none.
	IdentityProvider string
	// SecondFactor is the factor the sign-in passed after its first
	// (pool.FactorSoftwareToken, pool.FactorEmail, pool.FactorWebAuthn for
	// a verified passkey that counts as two), or "" for none. A session is
	// reused only when account.NextStep would ask nothing more of it.
	SecondFactor string
	AuthTime     time.Time
	CreatedAt    time.Time
	ExpiresAt    time.Time
}

// Key uses.
const (
	UseID     = "id"
	UseAccess = "access"
)

// Key states in a rotation.
const (
	KeyNext    = "next"    // published in JWKS, not yet signing
	KeyActive  = "active"  // signing
	KeyRetired = "retired" // published until NotAfter, no longer signing
)

// SigningKey is one JWS signing key of a pool.
type SigningKey struct {
	KID       string
	Use       string // UseID or UseAccess
	Alg       string // RS256 or ES256
	State     string
	Sealed    []byte // private key (PKCS#8 DER) sealed with the master key
	Public    []byte // public JWK, JSON
	CreatedAt time.Time
	// NotAfter: a retired key leaves JWKS after this instant, when every
	// token it signed has expired.
	NotAfter time.Time
}

// KeySet is all signing keys of a pool. Version increases by one with
// every update, so readers can detect rotation cheaply.
type KeySet struct {
	PoolID    string
	Version   int64
	Keys      []SigningKey
	UpdatedAt time.Time
}

// SAMLKey is a pool's SAML service-provider key pair, which signs its
// AuthnRequests and decrypts assertions encrypted to it (Cognito's
// signing certificate, GetSigningCertificate). A pool has at most one.
type SAMLKey struct {
	PoolID      string
	Sealed      []byte // private key (PKCS#8 DER) sealed with the master key, bound to the pool
	Certificate []byte // self-signed X.509 certificate, DER
	CreatedAt   time.Time
}

// SealContext is the context Sealed is sealed with: it binds the private
// key to its pool, so that a sealed key copied to another pool's row
// does not open there.
func (k SAMLKey) SealContext() []byte { return []byte("saml-key/" + k.PoolID) }

// OutboxMail is one mail waiting for delivery (mail.Outbox). Message is
// the mail sealed with the master key and bound to ID, so that the row
// alone yields nothing. A row is due when NextAttemptAt has passed; a
// claim leases it until LeaseUntil and moves NextAttemptAt there, so
// that the row is due again if its claimer dies.
type OutboxMail struct {
	ID            string
	Sealed        []byte
	Attempts      int // claims so far
	NextAttemptAt time.Time
	LeaseUntil    time.Time // zero until claimed
	CreatedAt     time.Time
}

// OutboxMaxAge is how long a mail may wait in the outbox: GarbageCollect
// deletes mail created longer ago, which its senders gave up on or never
// finished (the codes in it have expired by then).
const OutboxMaxAge = 24 * time.Hour

// AccessKey is an AWS-style access key for the Cognito JSON API
// (internal/accesskey). Sealed is the 40-character secret sealed with the
// master key and bound to the key ID; the secret is never stored in plain.
// The policy is AllPools, or the pools PoolIDs lists; a ReadOnly key may
// only call actions that change nothing.
type AccessKey struct {
	ID          string
	Sealed      []byte
	Description string
	AllPools    bool
	PoolIDs     []string
	ReadOnly    bool
	CreatedAt   time.Time
	LastUsedAt  time.Time // zero until first used; recorded best effort
}

// GCResult counts what GarbageCollect removed.
type GCResult struct {
	AuthCodes     int64
	RefreshTokens int64
	Sessions      int64
	Mail          int64
	AuthSessions  int64 // consumed challenge sessions (ConsumeAuthSession)
}

// Store is linkpool's storage. Implementations must be safe for concurrent
// use by many goroutines and by several processes sharing one database.
//
// Update methods run fn inside a transaction on the current value and store
// what it returns; fn may be called more than once and must not have side
// effects. If fn returns an error, nothing is stored and Update returns
// that error unchanged.
type Store interface {
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	Close() error

	// ConfigVersion returns the configuration version: a counter the
	// database itself raises, in the same transaction, with every write
	// to pools, clients, domains, groups and identity providers (not
	// group memberships),
	// whoever makes it (this process, another instance, the CLI, an
	// import). Caches of configuration (internal/confcache) read it
	// periodically and drop what they hold when it changes.
	ConfigVersion(ctx context.Context) (int64, error)
	// ConfigWrites counts the writes to pools, clients, domains, groups
	// and identity providers this handle has made, raised when each returns (succeeded or
	// not). It is how a cache in this process sees its own process's
	// changes at once, without reading the database.
	ConfigWrites() uint64

	CreatePool(ctx context.Context, p pool.Pool) error
	GetPool(ctx context.Context, id string) (pool.Pool, error)
	ListPools(ctx context.Context, opts ListOptions) (Page[pool.Pool], error)
	UpdatePool(ctx context.Context, id string, fn func(pool.Pool) (pool.Pool, error)) error
	// DeletePool deletes the pool and everything in it.
	DeletePool(ctx context.Context, id string) error

	CreateClient(ctx context.Context, c pool.Client) error
	GetClient(ctx context.Context, clientID string) (pool.Client, error)
	ListClients(ctx context.Context, poolID string, opts ListOptions) (Page[pool.Client], error)
	UpdateClient(ctx context.Context, clientID string, fn func(pool.Client) (pool.Client, error)) error
	DeleteClient(ctx context.Context, clientID string) error

	CreateDomain(ctx context.Context, d pool.Domain) error
	GetDomain(ctx context.Context, domain string) (pool.Domain, error)
	ListDomains(ctx context.Context, poolID string) ([]pool.Domain, error)
	DeleteDomain(ctx context.Context, domain string) error

	// CreateUser fails with ErrAlreadyExists when the sub, the UsernameKey
	// or a non-empty EmailKey is taken in the pool.
	CreateUser(ctx context.Context, u pool.User) error
	GetUser(ctx context.Context, poolID, sub string) (pool.User, error)
	GetUserByUsername(ctx context.Context, poolID, usernameKey string) (pool.User, error)
	GetUserByEmail(ctx context.Context, poolID, emailKey string) (pool.User, error)
	ListUsers(ctx context.Context, poolID string, opts ListOptions) (Page[pool.User], error)
	// FilterUsers lists the pool's users that match f (UserFilter), from
	// an index, ordered by the attribute's key, then sub. Its page tokens
	// belong to the attribute's scope (FilterScope); a token of another
	// listing fails with ErrInvalidPageToken.
	FilterUsers(ctx context.Context, poolID string, f UserFilter, opts ListOptions) (Page[pool.User], error)
	UpdateUser(ctx context.Context, poolID, sub string, fn func(pool.User) (pool.User, error)) error
	// DeleteUser deletes the user, its group memberships, sessions,
	// refresh tokens and passkeys.
	DeleteUser(ctx context.Context, poolID, sub string) error

	CreateGroup(ctx context.Context, g pool.Group) error
	GetGroup(ctx context.Context, poolID, name string) (pool.Group, error)
	ListGroups(ctx context.Context, poolID string, opts ListOptions) (Page[pool.Group], error)
	UpdateGroup(ctx context.Context, poolID, name string, fn func(pool.Group) (pool.Group, error)) error
	DeleteGroup(ctx context.Context, poolID, name string) error
	// AddUserToGroup is idempotent; it fails with ErrNotFound when the user
	// or the group does not exist.
	AddUserToGroup(ctx context.Context, poolID, group, sub string) error
	// CreateUserInGroup creates u (with its identities) as a member of g in
	// one transaction, creating g first when the pool has no group of its
	// name (an existing group is joined as it is). It fails as CreateUser
	// does, with ErrAlreadyExists, and then writes nothing: no group, no
	// user, no membership.
	CreateUserInGroup(ctx context.Context, u pool.User, g pool.Group) error
	RemoveUserFromGroup(ctx context.Context, poolID, group, sub string) error
	// ListGroupsForUser returns the user's groups ordered by precedence
	// (lowest first, unset last), then name.
	ListGroupsForUser(ctx context.Context, poolID, sub string) ([]pool.Group, error)
	ListUsersInGroup(ctx context.Context, poolID, group string, opts ListOptions) (Page[pool.User], error)

	// CreateIdentityProvider fails with ErrAlreadyExists when the pool has
	// a provider of that name, or another of its providers has one of
	// p.IdpIdentifiers. Providers are configuration: their writes raise
	// the configuration version.
	CreateIdentityProvider(ctx context.Context, p pool.IdentityProvider) error
	GetIdentityProvider(ctx context.Context, poolID, name string) (pool.IdentityProvider, error)
	// GetIdentityProviderByIdentifier returns the provider that lists
	// identifier in its IdpIdentifiers; ErrNotFound when none does.
	GetIdentityProviderByIdentifier(ctx context.Context, poolID, identifier string) (pool.IdentityProvider, error)
	// ListIdentityProviders lists the pool's providers by name.
	ListIdentityProviders(ctx context.Context, poolID string, opts ListOptions) (Page[pool.IdentityProvider], error)
	// UpdateIdentityProvider fails with ErrAlreadyExists when fn gives the
	// provider an identifier another provider has; fn cannot rename it.
	UpdateIdentityProvider(ctx context.Context, poolID, name string, fn func(pool.IdentityProvider) (pool.IdentityProvider, error)) error
	// DeleteIdentityProvider deletes the provider; the users it created
	// and their linked identities stay, as in Cognito.
	DeleteIdentityProvider(ctx context.Context, poolID, name string) error
	// GetUserByIdentity returns the user that subject at the provider
	// named providerName is linked to (pool.User.Identities, which
	// CreateUser and UpdateUser keep unique per pool, provider and subject
	// and fail with ErrAlreadyExists when another user has one of them).
	GetUserByIdentity(ctx context.Context, poolID, providerName, subject string) (pool.User, error)

	CreateAuthCode(ctx context.Context, c AuthCode) error
	// ConsumeAuthCode marks the code redeemed at now and returns it. It
	// returns ErrNotFound for an unknown or expired code. A code already
	// redeemed is marked replayed (ReplayedAt, set by the first replay
	// only) in the same statement and returned together with ErrConflict.
	// Of any number of concurrent calls, exactly one succeeds.
	ConsumeAuthCode(ctx context.Context, id string, now time.Time) (AuthCode, error)

	// CreateRefreshToken stores a new grant family. When t.CodeID names a
	// stored code that is marked replayed it stores nothing and returns
	// ErrConflict. The check and the insert are atomic with respect to
	// ConsumeAuthCode's mark: a grant stored before the mark commits is
	// visible to any statement that starts after it, so a replay that
	// marks the code and then revokes its grants (RevokeFilter.CodeID)
	// leaves no unrevoked grant of the code, whatever the interleaving.
	CreateRefreshToken(ctx context.Context, t RefreshToken) error
	GetRefreshToken(ctx context.Context, id string) (RefreshToken, error)
	// GetRefreshGrant returns the grant family with the given id and its
	// user in one round trip, what a refresh reads; ErrNotFound when there
	// is no such grant.
	GetRefreshGrant(ctx context.Context, id string) (RefreshGrant, error)
	GetRefreshTokenByOrigin(ctx context.Context, originJTI string) (RefreshToken, error)
	UpdateRefreshToken(ctx context.Context, id string, fn func(RefreshToken) (RefreshToken, error)) error
	// RevokeRefreshTokens marks every matching, unrevoked grant revoked at
	// now and returns how many it revoked.
	RevokeRefreshTokens(ctx context.Context, f RevokeFilter, now time.Time) (int64, error)
	ListRefreshTokens(ctx context.Context, poolID, sub string) ([]RefreshToken, error)

	CreateSession(ctx context.Context, s Session) error
	GetSession(ctx context.Context, id string) (Session, error)
	DeleteSession(ctx context.Context, id string) error
	DeleteUserSessions(ctx context.Context, poolID, sub string) error

	// GetKeySet returns ErrNotFound when the pool has no keys yet.
	GetKeySet(ctx context.Context, poolID string) (KeySet, error)
	// UpdateKeySet runs fn on the current key set (Version 0 and no keys
	// when none exists) and stores the result with Version+1. Concurrent
	// updates are serialised, so fn always sees the latest set: exactly one
	// of several instances racing to rotate performs the rotation.
	UpdateKeySet(ctx context.Context, poolID string, fn func(KeySet) (KeySet, error)) error

	// WebAuthn credentials (passkeys), pool.WebAuthnCredential. The id
	// is unique in the pool (ErrAlreadyExists); a credential of a user
	// that does not exist is ErrNotFound; deleting a user or a pool
	// deletes its credentials. ListWebAuthnCredentials orders by
	// CreatedAt, then id. UpdateWebAuthnCredential runs fn on the stored
	// credential inside one transaction (the sign count, LastUsedAt, the
	// name); pool, user and id do not change. DeleteWebAuthnCredential is
	// ErrNotFound unless the user has that credential;
	// DeleteWebAuthnCredentials deletes all of a user's and says how many.
	CreateWebAuthnCredential(ctx context.Context, c pool.WebAuthnCredential) error
	GetWebAuthnCredential(ctx context.Context, poolID string, id []byte) (pool.WebAuthnCredential, error)
	ListWebAuthnCredentials(ctx context.Context, poolID, sub string) ([]pool.WebAuthnCredential, error)
	UpdateWebAuthnCredential(ctx context.Context, poolID string, id []byte, fn func(pool.WebAuthnCredential) (pool.WebAuthnCredential, error)) error
	DeleteWebAuthnCredential(ctx context.Context, poolID, sub string, id []byte) error
	DeleteWebAuthnCredentials(ctx context.Context, poolID, sub string) (int, error)

	// GetSAMLKey returns ErrNotFound when the pool has no SAML key yet.
	GetSAMLKey(ctx context.Context, poolID string) (SAMLKey, error)
	// EnsureSAMLKey stores k as its pool's SAML key unless the pool has
	// one, and returns the pool's key: k, or the one stored before (by
	// another instance too). ErrNotFound when the pool does not exist.
	EnsureSAMLKey(ctx context.Context, k SAMLKey) (SAMLKey, error)

	// EnqueueMail stores a mail for delivery; ErrAlreadyExists when the
	// ID is taken.
	EnqueueMail(ctx context.Context, m OutboxMail) error
	// ClaimMail leases up to limit due mails (NextAttemptAt at or before
	// now), those due longest first, until leaseUntil: it adds one to
	// their Attempts, sets LeaseUntil and NextAttemptAt to leaseUntil and
	// returns them so updated. Concurrent claimers, in this process or
	// another, never claim the same row; a claimed row is due again, for
	// anyone, when its lease ends.
	ClaimMail(ctx context.Context, now, leaseUntil time.Time, limit int) ([]OutboxMail, error)
	// RetryMail ends the lease leaseUntil on the mail and makes it due at
	// next. It returns ErrNotFound when the mail is gone or leased again
	// since (the lease ended and another claimer took it).
	RetryMail(ctx context.Context, id string, leaseUntil, next time.Time) error
	// DeleteMail deletes a delivered or abandoned mail; ErrNotFound when
	// it is gone.
	DeleteMail(ctx context.Context, id string) error

	// CreateAccessKey fails with ErrAlreadyExists when the ID is taken.
	CreateAccessKey(ctx context.Context, k AccessKey) error
	GetAccessKey(ctx context.Context, id string) (AccessKey, error)
	// ListAccessKeys returns every access key, by ID.
	ListAccessKeys(ctx context.Context) ([]AccessKey, error)
	// TouchAccessKey records a use of the key at usedAt; a LastUsedAt
	// already later stays. ErrNotFound when the key is gone.
	TouchAccessKey(ctx context.Context, id string, usedAt time.Time) error
	// DeleteAccessKey deletes the key; ErrNotFound when it is gone.
	DeleteAccessKey(ctx context.Context, id string) error

	// GetACMECache returns the sealed value of an automatic-certificate
	// cache entry (internal/acme: the ACME account key, a certificate with
	// its private key); ErrNotFound when there is none.
	GetACMECache(ctx context.Context, key string) ([]byte, error)
	// PutACMECache stores the sealed value of the entry key, replacing the
	// one stored before, by any instance.
	PutACMECache(ctx context.Context, key string, sealed []byte, updatedAt time.Time) error
	// DeleteACMECache deletes the entry key; deleting an absent entry is
	// not an error.
	DeleteACMECache(ctx context.Context, key string) error

	// ConsumeAuthSession records that the challenge session id (the
	// Cognito API's Session and SRP secret block) was answered; it is
	// kept until expiresAt. It fails with ErrConflict when the id was
	// recorded before: of any number of concurrent calls with one id,
	// on any instance, exactly one succeeds.
	ConsumeAuthSession(ctx context.Context, id string, expiresAt time.Time) error

	// GarbageCollect deletes authorization codes, refresh tokens, hosted-UI
	// sessions and consumed challenge sessions that expired
	// before now, and outbox mail created more than OutboxMaxAge before now.
	GarbageCollect(ctx context.Context, now time.Time) (GCResult, error)

	// Whole-store listings for export (`linkpool export`). They page
	// through every row of every pool in a stable key order,
	// revoked and expired refresh tokens included; request paths use the
	// scoped methods above.

	// ListAllRefreshTokens pages through every grant family, by ID.
	ListAllRefreshTokens(ctx context.Context, opts ListOptions) (Page[RefreshToken], error)
	// ListAllWebAuthnCredentials pages through every passkey, by pool,
	// then credential id.
	ListAllWebAuthnCredentials(ctx context.Context, opts ListOptions) (Page[pool.WebAuthnCredential], error)

	AuditStore
	MetricStore
}
