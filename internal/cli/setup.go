package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/token"
)

// createPool validates and stores a pool and creates its signing keys.
func createPool(ctx context.Context, st store.Store, keys *token.Keys, p pool.Pool) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := st.CreatePool(ctx, p); err != nil {
		return fmt.Errorf("create pool: %w", err)
	}
	if err := keys.Ensure(ctx, p.ID, p.SigningAlgorithm); err != nil {
		return fmt.Errorf("create signing keys: %w", err)
	}
	return nil
}

// sealSecret generates a client secret, seals it into c and returns it.
func sealSecret(box *seal.Box, c *pool.Client) string {
	secret := pool.NewClientSecret()
	c.SealedSecret = box.Seal([]byte(secret), c.SecretAAD())
	return secret
}

// openSecret returns a client's plain secret ("" for public clients).
func openSecret(box *seal.Box, c *pool.Client) (string, error) {
	if !c.HasSecret() {
		return "", nil
	}
	b, err := box.Open(c.SealedSecret, c.SecretAAD())
	if err != nil {
		return "", fmt.Errorf("open client secret (is this the right master key?): %w", err)
	}
	return string(b), nil
}

// createClient validates and stores an app client.
func createClient(ctx context.Context, st store.Store, c pool.Client) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if err := st.CreateClient(ctx, c); err != nil {
		return fmt.Errorf("create client: %w", err)
	}
	return nil
}

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
