package admin

import (
	"context"
	"slices"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// CORSOrigins returns the web origins whose browser apps may call pool
// p's unsigned Cognito API actions cross-origin: p.CORSOrigins when the
// operator set them, otherwise the origins of the http(s) callback URLs
// of p's app clients (an app's callback usually lives where the app
// does). The list is sorted and without duplicates.
func (s *Service) CORSOrigins(ctx context.Context, p pool.Pool) ([]string, error) {
	if len(p.CORSOrigins) > 0 {
		out := slices.Clone(p.CORSOrigins)
		slices.Sort(out)
		return slices.Compact(out), nil
	}
	var out []string
	opts := store.ListOptions{Limit: MaxPageSize}
	for {
		page, err := s.st.ListClients(ctx, p.ID, opts)
		if err != nil {
			return nil, storeErr(err, "list clients", KindPool, p.ID)
		}
		for _, c := range page.Items {
			for _, u := range c.CallbackURLs {
				if o, ok := pool.Origin(u); ok {
					out = append(out, o)
				}
			}
		}
		if page.Next == "" {
			break
		}
		opts.PageToken = page.Next
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// AllCORSOrigins returns the union of every pool's CORSOrigins, for a
// request that names no pool (a CORS preflight, which has no body).
func (s *Service) AllCORSOrigins(ctx context.Context) ([]string, error) {
	var out []string
	opts := store.ListOptions{Limit: MaxPageSize}
	for {
		page, err := s.st.ListPools(ctx, opts)
		if err != nil {
			return nil, storeErr(err, "list pools", KindPool, "")
		}
		for _, p := range page.Items {
			o, err := s.CORSOrigins(ctx, p)
			if err != nil {
				return nil, err
			}
			out = append(out, o...)
		}
		if page.Next == "" {
			break
		}
		opts.PageToken = page.Next
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
