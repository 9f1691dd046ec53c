package passkey

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
)

// CeremonyTTL is how long a registration or sign-in ceremony may take.
const CeremonyTTL = 5 * time.Minute

// Config holds the dependencies of a Service.
type Config struct {
	Store store.Store
	// Box seals the state of sign-in ceremonies; New panics without it.
	Box *seal.Box
	// Log receives security events; nil discards them.
	Log *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Audit records an administrator's deletion of a passkey; nil
	// records nothing.
	Audit *audit.Recorder
}

// Service runs the WebAuthn ceremonies of every pool.
type Service struct {
	cfg Config
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Box == nil {
		panic("passkey: New needs a Box")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}
}

func (s *Service) now() time.Time { return s.cfg.Now() }

// RP is the relying party of one ceremony.
type RP struct {
	// ID is the RP id (a host name).
	ID string
	// Origins are the web origins ("https://host[:port]") a ceremony's
	// client data may name.
	Origins []string
	// Name is shown by authenticators (the pool's name).
	Name string
	// UserVerification is "required" or "preferred": the pool's
	// setting, "required" where the pool requires MFA.
	UserVerification string
}

// BeginRegistration starts registering a passkey for the user and
// returns the PublicKeyCredentialCreationOptions (the JSON a browser's
// navigator.credentials.create takes as publicKey, Cognito's
// CredentialCreationOptions). The ceremony's state is stored on the user
// and expires after five minutes; the user's passkeys are excluded.
func (s *Service) BeginRegistration(ctx context.Context, p pool.Pool, sub string, rp RP) (json.RawMessage, error) {
	return s.beginRegistration(ctx, p, sub, rp)
}

// FinishRegistration checks the browser's answer (the
// PublicKeyCredential as JSON, Cognito's Credential) against the stored
// state and stores the passkey named name (a default name when empty).
func (s *Service) FinishRegistration(ctx context.Context, p pool.Pool, sub string, rp RP, credential []byte, name string) (pool.WebAuthnCredential, error) {
	return s.finishRegistration(ctx, p, sub, rp, credential, name)
}

// BeginSignIn starts a passkey sign-in: for user u's passkeys, or any
// discoverable passkey of the pool when u is nil. It returns the
// PublicKeyCredentialRequestOptions JSON and the ceremony's state,
// sealed, for the caller to carry to FinishSignIn.
func (s *Service) BeginSignIn(ctx context.Context, p pool.Pool, u *pool.User, rp RP) (options json.RawMessage, state string, err error) {
	return s.beginSignIn(ctx, p, u, rp)
}

// FinishSignIn checks an assertion against the sealed state and the
// stored passkey, then the user's account (account.SignInState: a
// refusal there changes nothing), updates the passkey's sign count and
// last use, and returns the user and whether the authenticator verified
// the user.
func (s *Service) FinishSignIn(ctx context.Context, p pool.Pool, rp RP, state string, credential []byte) (pool.User, bool, error) {
	return s.finishSignIn(ctx, p, rp, state, credential)
}
