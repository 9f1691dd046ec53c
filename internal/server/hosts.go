package server

import (
	"context"
	"strings"
)

// ServesHost reports whether host (a name without port, any case) is one
// this server answers for: the public URL's host or a pool domain, a
// prefix domain under the auth domain or a custom domain, as requests are
// resolved. It reads the configuration cache, so an unknown name costs
// one indexed lookup until the configuration changes.
func (s *Server) ServesHost(ctx context.Context, host string) (bool, error) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "" {
		return false, nil
	}
	if host == strings.ToLower(s.public.Hostname()) {
		return true, nil
	}
	_, found, err := s.domainPool(ctx, host)
	return found, err
}
