package passkey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
)

// Config holds the dependencies of a Service.
type Config struct {
	Store store.Store
	// Box seals the state of sign-in ceremonies; New panics without it.
	Box *seal.Box
	// Log receives security events; nil discards them.
	Log *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
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
	return &Service{cfg: cfg}
}

// RP is the relying party of one ceremony.
type RP struct {
	// ID is the RP id (a host name).
	ID string
	// Origins are the web origins ("https://host[:port]") a ceremony's
	// client data may name.
	Origins []string
	// Name is shown by authenticators (the pool's name).
	Name string
	// UserVerification is "required" or "preferred".
	UserVerification string
}

var errTODO = errors.New("passkey: not implemented")

// RPFor returns the relying party for a ceremony of pool p at origin:
// the pool's RelyingPartyId, or the origin's host when unset. The origin
// must be https (http only for localhost) and its host the RP id or
// under it; otherwise an *account.Error WebAuthnRelyingPartyMismatchException
// / WebAuthnOriginNotAllowedException.
func RPFor(p pool.Pool, origin string) (RP, error) { return RP{}, errTODO }

// RPForAPI returns the relying party of the Cognito API's WebAuthn
// actions and WEB_AUTHN challenge, which have no page of their own: the
// RP id is the pool's RelyingPartyId, or host (the host the API was
// called at, a pool domain) when unset; the origins are https://<RP id>
// (http for localhost) and those of allowed (the pool's CORS origins)
// whose host is the RP id or under it.
func RPForAPI(p pool.Pool, host string, allowed []string) (RP, error) { return RP{}, errTODO }

// BeginRegistration starts registering a passkey for the user and
// returns the PublicKeyCredentialCreationOptions (the JSON a browser's
// navigator.credentials.create takes as publicKey, Cognito's
// CredentialCreationOptions). The ceremony's state is stored on the user
// and expires after five minutes; the user's passkeys are excluded.
func (s *Service) BeginRegistration(ctx context.Context, p pool.Pool, sub string, rp RP) (json.RawMessage, error) {
	return nil, errTODO
}

// FinishRegistration checks the browser's answer (the
// PublicKeyCredential as JSON, Cognito's Credential) against the stored
// state and stores the passkey named name (a default name when empty).
func (s *Service) FinishRegistration(ctx context.Context, p pool.Pool, sub string, rp RP, credential []byte, name string) (pool.WebAuthnCredential, error) {
	return pool.WebAuthnCredential{}, errTODO
}

// BeginSignIn starts a passkey sign-in: for user u's passkeys, or any
// discoverable passkey of the pool when u is nil. It returns the
// PublicKeyCredentialRequestOptions JSON and the ceremony's state,
// sealed, for the caller to carry to FinishSignIn.
func (s *Service) BeginSignIn(ctx context.Context, p pool.Pool, u *pool.User, rp RP) (options json.RawMessage, state string, err error) {
	return nil, "", errTODO
}

// FinishSignIn checks an assertion against the sealed state and the
// stored passkey, updates its sign count, and returns the user (after
// account.SignInState) and whether the authenticator verified the user.
func (s *Service) FinishSignIn(ctx context.Context, p pool.Pool, rp RP, state string, credential []byte) (pool.User, bool, error) {
	return pool.User{}, false, errTODO
}

// List returns the user's passkeys.
func (s *Service) List(ctx context.Context, p pool.Pool, sub string) ([]pool.WebAuthnCredential, error) {
	creds, err := s.cfg.Store.ListWebAuthnCredentials(ctx, p.ID, sub)
	if err != nil {
		return nil, fmt.Errorf("passkey: list passkeys: %w", err)
	}
	return creds, nil
}

// Delete deletes one of the user's passkeys; ResourceNotFoundException
// when the user has none with that id.
func (s *Service) Delete(ctx context.Context, p pool.Pool, sub string, id []byte) error {
	err := s.cfg.Store.DeleteWebAuthnCredential(ctx, p.ID, sub, id)
	if errors.Is(err, store.ErrNotFound) {
		return &account.Error{Type: account.ResourceNotFoundException, Message: "The passkey was not found."}
	}
	if err != nil {
		return fmt.Errorf("passkey: delete passkey: %w", err)
	}
	return nil
}
