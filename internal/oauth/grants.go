package oauth

import (
	"context"
	"net/url"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/web"
)

// grants is the token endpoint's dispatch table: every grant_type it
// accepts and the function that handles it for an authenticated client
// (one file per grant). The discovery document's grant_types_supported
// is derived from it (grantTypesSupported), so the two cannot drift.
var grants = []struct {
	grantType string
	handle    func(s *Service, ctx context.Context, t web.Target, c pool.Client, form url.Values) (*tokenResponse, error)
}{
	{GrantAuthorizationCode, (*Service).grantCode},
	{GrantRefreshToken, (*Service).grantRefresh},
	{GrantClientCredentials, (*Service).grantClientCredentials},
}

// grantHandler returns the handler of grantType; nil for a grant the
// token endpoint does not support.
func grantHandler(grantType string) func(*Service, context.Context, web.Target, pool.Client, url.Values) (*tokenResponse, error) {
	for _, g := range grants {
		if g.grantType == grantType {
			return g.handle
		}
	}
	return nil
}

// grantTypesSupported lists the token endpoint's grants, in table order,
// and "implicit", which /oauth2/authorize answers (response_type=token)
// without the token endpoint.
func grantTypesSupported() []string {
	out := make([]string, 0, len(grants)+1)
	for _, g := range grants {
		out = append(out, g.grantType)
	}
	return append(out, "implicit")
}
