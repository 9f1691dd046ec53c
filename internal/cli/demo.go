package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/store"
)

// demoVendorID is the vendor id of the demo's Alexa redirect URLs.
const demoVendorID = "LINKPOOLDEMO"

// demoState is what the demo remembers in <data>/demo.json (mode 0600)
// so that a restart reuses the same pool. The demo password is printed
// once, when the demo is created, and never stored; the client secret is
// sealed in the store like every client's.
type demoState struct {
	PoolID       string `json:"pool_id"`
	ClientID     string `json:"client_id"`
	LampsClient  string `json:"lamps_client_id"`
	Username     string `json:"username"`
	Password     string `json:"-"` // set only when the demo was just created
	PublicURL    string `json:"public_url"`
	CreatedAtUTC string `json:"created_at"`
}

// created reports whether the demo was created by this start.
func (st demoState) created() bool { return st.Password != "" }

// prepareDemo creates, on first start, a demo pool, the Alexa client, a
// client for the SmartLamp /lamps page and a confirmed demo user, and
// remembers them in the data directory.
func prepareDemo(ctx context.Context, sf *storageFlags, publicURL string, e *env) (demoState, error) {
	path := filepath.Join(sf.data, "demo.json")
	var st demoState
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &st); err != nil {
			return st, fmt.Errorf("%s: %w", path, err)
		}
		d, err := openDeps(ctx, sf, e)
		if err != nil {
			return st, err
		}
		defer d.close()
		if _, err := d.admin.DescribeUserPool(ctx, st.PoolID); err == nil {
			// Earlier versions kept the password here: rewrite without it.
			var old struct {
				Password string `json:"password"`
			}
			if json.Unmarshal(b, &old) == nil && old.Password != "" {
				if err := writeDemoState(path, st); err != nil {
					return st, err
				}
			}
			return st, nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return st, err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return st, err
	}
	d, err := openDeps(ctx, sf, e)
	if err != nil {
		return st, err
	}
	defer d.close()
	lampsCallback := strings.TrimRight(publicURL, "/") + "/lamps/callback"
	res, err := setupAlexa(ctx, d, alexaOptions{
		vendorID: demoVendorID, name: "SmartLamp demo", region: "us-east-1",
		scopes: []string{pool.ScopeOpenID, pool.ScopeEmail, pool.ScopeProfile}, refreshDays: 3650,
		publicURL: publicURL,
	})
	if err != nil {
		return st, err
	}
	p, err := d.getPool(ctx, res.PoolID)
	if err != nil {
		return st, err
	}
	now := time.Now()
	lc := pool.NewClient(p.ID, "smartlamp-web", now)
	lc.CallbackURLs = []string{lampsCallback}
	lc.LogoutURLs = []string{strings.TrimSuffix(lampsCallback, "/callback")}
	lc.AllowedOAuthFlows = []string{pool.FlowCode}
	lc.AllowedOAuthFlowsUserPoolClient = true
	lc.AllowedOAuthScopes = []string{pool.ScopeOpenID, pool.ScopeEmail, pool.ScopeProfile}
	// The /lamps page re-checks its user by refreshing and keeps only the
	// access and refresh tokens, like the demo's Alexa client.
	lc.IDTokenOnRefresh = false
	if lc, _, err = d.admin.CreateUserPoolClient(ctx, lc, false); err != nil {
		return st, adminErr(err)
	}
	created, err := d.accounts.AdminCreateUser(ctx, p, account.AdminCreateUserInput{
		Username:      "demo",
		Attributes:    map[string]string{pool.AttrEmail: "demo@example.com", "name": "Demo User"},
		EmailVerified: true,
		Permanent:     true,
	})
	if err != nil {
		return st, fmt.Errorf("create demo user: %w", err)
	}
	st = demoState{
		PoolID: p.ID, ClientID: res.ClientID, LampsClient: lc.ID, Username: "demo",
		Password: created.TemporaryPassword, PublicURL: publicURL, CreatedAtUTC: now.UTC().Format(time.RFC3339),
	}
	if err := writeDemoState(path, st); err != nil {
		return st, err
	}
	return st, nil
}

func writeDemoState(path string, st demoState) error {
	b, _ := json.MarshalIndent(st, "", "  ")
	return os.WriteFile(path, b, 0o600)
}

// demoSkill returns the SmartLamp options for the demo pool: its Alexa
// client and its /lamps page client, with the skill's other settings
// (LWA, event gateway, scopes) as serve's flags give them.
func demoSkill(st demoState, publicURL string, o smarthome.Options) app.SkillOptions {
	o.LampsClientID, o.LampsClientSecret = st.LampsClient, ""
	return app.SkillOptions{
		PoolID:           st.PoolID,
		ClientIDs:        []string{st.ClientID},
		Options:          o,
		LampsRedirectURL: strings.TrimRight(publicURL, "/") + "/lamps/callback",
	}
}

// printDemo tells a new user what is running and how to use it. The
// password and the client secret are printed only when the demo was just
// created (secret non-empty); later starts say how to show or reset them.
func printDemo(w io.Writer, st demoState, a *app.App, publicURL, secret string) {
	base := strings.TrimRight(publicURL, "/") + "/" + st.PoolID
	q := url.Values{
		"client_id": {st.ClientID}, "response_type": {"code"}, "scope": {"openid"},
		"redirect_uri": {AlexaRedirectURLs(demoVendorID)[0]}, "state": {"demo"},
	}
	fmt.Fprintf(w, "\nlinkpool demo is ready.\n\n")
	_ = printFields(w, [][2]string{
		{"  Sign in and see your lamps", strings.TrimRight(publicURL, "/") + "/lamps"},
		{"  Hosted login (as Alexa opens it)", base + "/oauth2/authorize?" + q.Encode()},
		{"  Demo user", st.Username},
		{"  Demo password", orShownOnce(st.Password)},
	})
	fmt.Fprintln(w, "\nAlexa console values (Build > Account Linking):")
	_ = printFields(w, [][2]string{
		{"  Your Web Authorization URI", base + "/oauth2/authorize"},
		{"  Access Token URI", base + "/oauth2/token"},
		{"  Your Client ID", st.ClientID},
		{"  Your Secret", orShownOnce(secret)},
		{"  Your Authentication Scheme", "HTTP Basic (Recommended)"},
		{"  Scope", "openid"},
		{"  Domain List", "(empty)"},
	})
	if secret == "" {
		fmt.Fprintf(w, "\nThe password and the secret were printed when the demo was created. To show the secret:\n"+
			"  linkpool client show --client %s --reveal-secret\nTo give the demo user a new password:\n"+
			"  linkpool user set-password --pool %s --username %s --password-stdin --permanent\n"+
			"(with the same --data or --database-url and master key as serve)\n", st.ClientID, st.PoolID, st.Username)
	}
	fmt.Fprintf(w, "\nSmartLamp skill endpoint: %s/alexa/smart-home (issuer %s)\n", strings.TrimRight(publicURL, "/"), base)
	fmt.Fprintf(w, "Alexa needs HTTPS on port 443 with a publicly trusted certificate: see docs/operations.md.\n\n")
}

func orShownOnce(v string) string {
	if v == "" {
		return "(shown once, at creation: see below)"
	}
	return v
}
