package account

import (
	"context"
	"errors"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// ListUsers returns a page of p's users that match f (the zero filter:
// every user), at most limit (1 to store.MaxPageSize), from pageToken on
// (empty: the first page), and the token of the next page (empty: none).
// A filtered listing is read from the filter attribute's index, so its
// cost follows the page, not the pool. A token that is not one this
// returned for the same filter attribute is an InvalidParameterException
// naming PaginationToken.
func (s *Service) ListUsers(ctx context.Context, p pool.Pool, f UserFilter, limit int, pageToken string) ([]pool.User, string, error) {
	if limit < 1 || limit > store.MaxPageSize {
		return nil, "", &Error{Type: InvalidParameterException, Message: "Invalid limit.", Field: "Limit"}
	}
	opts := store.ListOptions{Limit: limit, PageToken: pageToken}
	var (
		page store.Page[pool.User]
		err  error
	)
	if f.Attribute == "" {
		page, err = s.store.ListUsers(ctx, p.ID, opts)
	} else {
		page, err = s.store.FilterUsers(ctx, p.ID, f.storeFilter(p), opts)
	}
	if errors.Is(err, store.ErrInvalidPageToken) {
		return nil, "", &Error{Type: InvalidParameterException, Message: "Invalid pagination token.", Field: "PaginationToken", Cause: err}
	}
	if err != nil {
		return nil, "", err
	}
	return page.Items, page.Next, nil
}
