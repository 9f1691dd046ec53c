package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// DeleteUser deletes a signed-in user (Cognito DeleteUser, authorized by
// the user's access token), as AdminDeleteUser does: with the user's
// group memberships, sessions and refresh tokens, so that every token the
// user holds is refused afterwards.
//
// Errors: UserNotFoundException when the user is already gone.
func (s *Service) DeleteUser(ctx context.Context, p pool.Pool, sub string) error {
	if err := s.store.DeleteUser(ctx, p.ID, sub); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return userNotFound()
		}
		return fmt.Errorf("account: delete user: %w", err)
	}
	return nil
}
