package cli

import (
	"strings"

	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
)

// sealSecret generates a client secret, seals it into c and returns it.
func sealSecret(box *seal.Box, c *pool.Client) string { return admin.SealSecret(box, c) }

// AlexaRedirectURLs are the three account-linking redirect URLs of a
// vendor: North America, Europe/India, and Far East/Australia.
func AlexaRedirectURLs(vendorID string) []string {
	return []string{
		"https://pitangui.amazon.com/api/skill/link/" + vendorID,
		"https://layla.amazon.com/api/skill/link/" + vendorID,
		"https://alexa.amazon.co.jp/api/skill/link/" + vendorID,
	}
}

// poolBase is the base URL of a pool's OAuth endpoints: its prefix domain
// under the auth domain when there is one, its custom domain, or the
// path-based form under the public URL.
func poolBase(publicURL, authDomain string, domains []pool.Domain, poolID string) string {
	for _, d := range domains {
		if !d.Custom && authDomain != "" {
			return "https://" + d.Domain + "." + strings.Trim(authDomain, ".")
		}
	}
	for _, d := range domains {
		if d.Custom {
			return "https://" + d.Domain
		}
	}
	return strings.TrimRight(publicURL, "/") + "/" + poolID
}
