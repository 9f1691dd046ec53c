package skillstore

import (
	"context"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// Lamp is one SmartLamp endpoint owned by a user of the skill.
type Lamp struct {
	Owner        string // the token's sub
	ID           string // Alexa endpointId
	Name         string // friendlyName
	On           bool
	Brightness   int     // 0..100
	Hue          float64 // 0..360
	Saturation   float64 // 0..1
	ColorBright  float64 // 0..1
	Kelvin       int     // 1000..10000
	ColorMode    string  // "color" or "temperature"
	Reachable    bool
	UpdatedAt    time.Time
	CreatedAt    time.Time
	PrevBright   int // brightness to restore on TurnOn
	Version      int64
	LastChangeBy string // "alexa", "app", "cli"
}

// AlexaGrant is what AcceptGrant left for a user: the LWA tokens (sealed,
// bound to the owner with LWATokenContext) for the event gateway, once the grant code was
// exchanged. The grant code itself is not kept.
type AlexaGrant struct {
	Owner          string
	SealedTokens   []byte
	TokenExpiresAt time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// LampSession is a sign-in to the SmartLamp /lamps page. The page's sealed
// cookie holds the ID and a secret; the store keeps the SHA-256 of the
// secret, so a session ends for every copy of its cookie when the row is
// deleted.
type LampSession struct {
	ID         string
	SecretHash string // hex SHA-256 of the cookie's secret
	Owner      string // the user's sub
	Name       string // shown on the page
	// OriginJTI is the issuer's grant behind the sign-in (the ID token's
	// origin_jti), when the issuer names one.
	OriginJTI string
	// SealedTokens are the issuer's OAuth tokens, sealed, with which a
	// skill that runs apart from the pool re-checks the user.
	SealedTokens []byte
	CreatedAt    time.Time // when the sign-in completed
	CheckedAt    time.Time // when the user was last confirmed
	ExpiresAt    time.Time
}

// LWATokenSealContext is the context that earlier versions bound to
// every user's sealed LWA tokens alike. Values sealed under it still
// open, and are sealed again under LWATokenContext(owner) at their next
// write; see LWATokenContext.
const LWATokenSealContext = "smartlamp/lwa-tokens"

// LWATokenContext is the context bound to owner's sealed LWA tokens
// (AlexaGrant.SealedTokens), so that tokens copied to another user's row
// in the database do not open.
func LWATokenContext(owner string) []byte {
	return []byte(LWATokenSealContext + "/" + owner)
}

// Store is the skill's storage. The rules of store.Store hold: safe for
// concurrent use by many goroutines and processes, Update runs fn in a
// transaction and may call it more than once, errors are store's
// sentinels or a backend failure.
type Store interface {
	CreateLamp(ctx context.Context, l Lamp) error
	GetLamp(ctx context.Context, owner, id string) (Lamp, error)
	ListLamps(ctx context.Context, owner string) ([]Lamp, error)
	UpdateLamp(ctx context.Context, owner, id string, fn func(Lamp) (Lamp, error)) error
	DeleteLamp(ctx context.Context, owner, id string) error

	PutAlexaGrant(ctx context.Context, g AlexaGrant) error
	GetAlexaGrant(ctx context.Context, owner string) (AlexaGrant, error)

	// CreateLampSession fails with store.ErrAlreadyExists when the ID is taken.
	CreateLampSession(ctx context.Context, s LampSession) error
	// GetLampSession returns the session, expired ones included: the
	// caller judges ExpiresAt at its own clock.
	GetLampSession(ctx context.Context, id string) (LampSession, error)
	// TouchLampSession records a successful re-check of the user at
	// checkedAt with the (possibly refreshed) sealed tokens; store.ErrNotFound
	// when the session is gone.
	TouchLampSession(ctx context.Context, id string, sealedTokens []byte, checkedAt time.Time) error
	// DeleteLampSession ends the session; store.ErrNotFound when it is gone.
	DeleteLampSession(ctx context.Context, id string) error

	// DeleteExpiredLampSessions deletes the lamp sessions that expired
	// before now and returns how many it deleted.
	DeleteExpiredLampSessions(ctx context.Context, now time.Time) (int64, error)

	// Whole-store listings for export (`linkpool export`), in a stable
	// key order.

	// ListAllLamps pages through every lamp, by owner and then ID.
	ListAllLamps(ctx context.Context, opts store.ListOptions) (store.Page[Lamp], error)
	// ListAlexaGrants pages through every owner's Alexa grant, by owner.
	ListAlexaGrants(ctx context.Context, opts store.ListOptions) (store.Page[AlexaGrant], error)
}

// Database is a whole linkpool database: the core store and the skill's
// on the same database, as both backends implement them. Programs that
// serve the skill beside the pool, export or import, open one.
type Database interface {
	store.Store
	Store
	// Load writes a whole import (internal/transfer) into the database
	// in one transaction: fill adds the records through the Loader, each
	// after the records it refers to, and Load commits only when fill
	// returns nil, so a failure leaves the database as it was. It is
	// meant for an empty database (the import checks that first) and
	// writes in bulk: prepared statements in SQLite, COPY in
	// PostgreSQL. A Loader method's error may belong to an earlier
	// record: rows are buffered and written in batches.
	Load(ctx context.Context, fill func(Loader) error) error
}

// Loader adds records to the transaction of Database.Load. Records keep
// everything the store keeps (ids, times, hashes, sealed values); a key
// set is stored at version 1. A row that already exists (a duplicate in
// the import) fails the load; so do an identity provider identifier or a
// user identity (pool.User.Identities) that another record has.
type Loader interface {
	Pool(pool.Pool) error
	Domain(pool.Domain) error
	Client(pool.Client) error
	IdentityProvider(pool.IdentityProvider) error
	KeySet(store.KeySet) error
	SAMLKey(store.SAMLKey) error
	User(pool.User) error
	Group(pool.Group) error
	Member(poolID, group, sub string) error
	RefreshToken(store.RefreshToken) error
	// WebAuthnCredential adds a passkey; its user precedes it.
	WebAuthnCredential(pool.WebAuthnCredential) error
	Lamp(Lamp) error
	AlexaGrant(AlexaGrant) error
	// AuditRecord adds a record of the audit log, its id kept.
	AuditRecord(store.AuditRecord) error
}

// LampSessionSweep is the garbage collection of expired lamp sessions,
// for store.CollectGarbage.
func LampSessionSweep(st Store) store.Sweep {
	return store.Sweep{Name: "lamp_sessions", Run: st.DeleteExpiredLampSessions}
}
