package account

import (
	"context"
	"errors"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// ListUsers returns a page of p's users, at most limit (1 to
// store.MaxPageSize), from pageToken on (empty: the first page), and the
// token of the next page (empty: none). A token that is not one this
// returned is an InvalidParameterException naming PaginationToken.
func (s *Service) ListUsers(ctx context.Context, p pool.Pool, limit int, pageToken string) ([]pool.User, string, error) {
	if limit < 1 || limit > store.MaxPageSize {
		return nil, "", &Error{Type: InvalidParameterException, Message: "Invalid limit.", Field: "Limit"}
	}
	page, err := s.store.ListUsers(ctx, p.ID, store.ListOptions{Limit: limit, PageToken: pageToken})
	if errors.Is(err, store.ErrInvalidPageToken) {
		return nil, "", &Error{Type: InvalidParameterException, Message: "Invalid pagination token.", Field: "PaginationToken", Cause: err}
	}
	if err != nil {
		return nil, "", err
	}
	return page.Items, page.Next, nil
}
