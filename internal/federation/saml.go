package federation

import (
	"context"
	"net/url"

	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
)

// Placeholder until internal/federation/samlflow lands.
type samlClient struct{}
type samlPending struct {
	RequestID string `json:"r"`
}

func (s *Service) beginSAML(ctx context.Context, p pool.Pool, base string, details map[string]string, relay string) (string, *samlPending, error) {
	return "", nil, &upstream.Error{Kind: upstream.Unavailable, Description: "SAML is not available."}
}

func (s *Service) finishSAML(ctx context.Context, p pool.Pool, base string, idp pool.IdentityProvider, details map[string]string, pending samlPending, params url.Values) (string, map[string]string, error) {
	return "", nil, &upstream.Error{Kind: upstream.Unavailable, Description: "SAML is not available."}
}
