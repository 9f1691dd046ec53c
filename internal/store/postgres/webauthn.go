package postgres

import (
	"context"
	"errors"

	"github.com/linkpool/linkpool/internal/pool"
)

var errWebAuthnTODO = errors.New("postgres: webauthn credentials: not implemented")

// CreateWebAuthnCredential stores a new passkey.
func (db *DB) CreateWebAuthnCredential(ctx context.Context, c pool.WebAuthnCredential) error {
	return errWebAuthnTODO
}

// GetWebAuthnCredential returns the pool's credential with the id.
func (db *DB) GetWebAuthnCredential(ctx context.Context, poolID string, id []byte) (pool.WebAuthnCredential, error) {
	return pool.WebAuthnCredential{}, errWebAuthnTODO
}

// ListWebAuthnCredentials lists the user's credentials.
func (db *DB) ListWebAuthnCredentials(ctx context.Context, poolID, sub string) ([]pool.WebAuthnCredential, error) {
	return nil, errWebAuthnTODO
}

// UpdateWebAuthnCredential runs fn on the stored credential.
func (db *DB) UpdateWebAuthnCredential(ctx context.Context, poolID string, id []byte, fn func(pool.WebAuthnCredential) (pool.WebAuthnCredential, error)) error {
	return errWebAuthnTODO
}

// DeleteWebAuthnCredential deletes one of the user's credentials.
func (db *DB) DeleteWebAuthnCredential(ctx context.Context, poolID, sub string, id []byte) error {
	return errWebAuthnTODO
}

// DeleteWebAuthnCredentials deletes all of the user's credentials.
func (db *DB) DeleteWebAuthnCredentials(ctx context.Context, poolID, sub string) (int, error) {
	return 0, errWebAuthnTODO
}
