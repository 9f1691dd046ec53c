package cli

import (
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
)

// sealSecret generates a client secret, seals it into c and returns it.
func sealSecret(box *seal.Box, c *pool.Client) string { return admin.SealSecret(box, c) }

// AlexaRedirectURLs are the three account-linking redirect URLs of a
// vendor (admin.AlexaRedirectURLs).
func AlexaRedirectURLs(vendorID string) []string { return admin.AlexaRedirectURLs(vendorID) }

// poolBase is the base URL of a pool's OAuth endpoints
// (admin.PoolBaseURL).
func poolBase(publicURL, authDomain string, domains []pool.Domain, poolID string) string {
	return admin.PoolBaseURL(publicURL, authDomain, domains, poolID)
}
