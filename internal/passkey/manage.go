package passkey

import (
	"context"
	"errors"
	"fmt"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

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
func (s *Service) Delete(ctx context.Context, p pool.Pool, sub string, id []byte) (err error) {
	defer func() {
		s.cfg.Audit.RecordActor(ctx, audit.Entry{Action: "DeleteWebAuthnCredential", PoolID: p.ID, Target: sub}, err)
	}()
	err = s.cfg.Store.DeleteWebAuthnCredential(ctx, p.ID, sub, id)
	if errors.Is(err, store.ErrNotFound) {
		return newErr(account.ResourceNotFoundException, msgPasskeyNotFound)
	}
	if err != nil {
		return fmt.Errorf("passkey: delete passkey: %w", err)
	}
	return nil
}
