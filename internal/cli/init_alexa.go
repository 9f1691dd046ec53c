package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
)

func runInit(ctx context.Context, e *env, args []string) error {
	return subcommands(ctx, e, "init", args, map[string]func(context.Context, *env, []string) error{
		"alexa": runInitAlexa,
	})
}

// alexaSetup is what `init alexa` creates and what the Alexa console needs.
type alexaSetup struct {
	PoolID               string   `json:"pool_id"`
	ClientID             string   `json:"client_id"`
	ClientSecret         string   `json:"client_secret"`
	Domain               string   `json:"domain,omitempty"`
	Issuer               string   `json:"issuer"`
	AuthorizationURI     string   `json:"authorization_uri"`
	AccessTokenURI       string   `json:"access_token_uri"`
	AuthenticationScheme string   `json:"authentication_scheme"`
	Scopes               []string `json:"scopes"`
	DomainList           []string `json:"domain_list"`
	RedirectURLs         []string `json:"alexa_redirect_urls"`
	JWKSURI              string   `json:"jwks_uri"`
}

type alexaOptions struct {
	vendorID    string
	name        string
	domain      string
	region      string
	scopes      []string
	refreshDays int
	rotation    bool
	extraURLs   []string
	publicURL   string
	authDomain  string
}

func runInitAlexa(ctx context.Context, e *env, args []string) error {
	var sf storageFlags
	var o alexaOptions
	var scopes, extra stringList
	var asJSON bool
	fs := newFlagSet("init alexa", e.stderr)
	sf.register(fs)
	fs.StringVar(&o.vendorID, "vendor-id", "", "your Amazon developer vendor ID (shown in the Alexa console as part of the Alexa Redirect URLs) (required)")
	fs.StringVar(&o.name, "name", "SmartLamp", "name of the user pool")
	fs.StringVar(&o.domain, "domain", "", "domain prefix of the pool: served at <prefix>.<auth-domain>")
	fs.StringVar(&o.region, "region", "us-east-1", "region part of the pool id")
	fs.Var(&scopes, "scope", "scope the skill requests (repeatable; default openid)")
	fs.IntVar(&o.refreshDays, "refresh-days", 3650, "refresh-token validity in days; long, so links do not silently die")
	fs.BoolVar(&o.rotation, "rotate-refresh-tokens", false, "rotate refresh tokens on every refresh (with a 60 s retry grace period)")
	fs.Var(&extra, "callback-url", "additional callback URL to register (repeatable)")
	fs.StringVar(&o.publicURL, "public-url", "http://localhost:8080", "public URL of the server (as for serve)")
	fs.StringVar(&o.authDomain, "auth-domain", "", "parent domain of prefix domains (as for serve)")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	if err := parse(fs, args, e.getenv); err != nil {
		return err
	}
	if !admin.ValidVendorID(o.vendorID) {
		return usagef("--vendor-id is required: the upper-case letters and digits at the end of your Alexa Redirect URLs")
	}
	o.scopes, o.extraURLs = scopes, extra
	if len(o.scopes) == 0 {
		o.scopes = []string{pool.ScopeOpenID}
	}
	deps, err := openDeps(ctx, &sf, e)
	if err != nil {
		return err
	}
	defer deps.close()
	res, err := setupAlexa(ctx, deps, o)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, res)
	}
	printAlexaSetup(e.stdout, res)
	return nil
}

// setupAlexa creates the pool, the secret app client with the three Alexa
// redirect URLs, the code grant and the scopes, and the domain
// (admin.Service.CreateAlexaPool), and returns the values of the Alexa
// console.
func setupAlexa(ctx context.Context, d *deps, o alexaOptions) (alexaSetup, error) {
	now := time.Now()
	if !pool.ValidRegion(o.region) {
		return alexaSetup{}, usagef("--region %q is not a region name like us-east-1", o.region)
	}
	if o.domain != "" {
		if err := (&pool.Domain{Domain: o.domain}).Validate(); err != nil {
			return alexaSetup{}, err
		}
	}
	// The admin service creates the three parts together and deletes the
	// pool again when a later part fails, so a failed run leaves nothing;
	// the console's preset is the same call.
	res, err := d.admin.CreateAlexaPool(ctx, admin.AlexaPreset{
		VendorID: o.vendorID, Name: o.name, Region: o.region, Domain: o.domain, Scopes: o.scopes,
		RefreshDays: o.refreshDays, Rotation: o.rotation, ExtraURLs: o.extraURLs,
	}, now)
	if errors.Is(err, store.ErrAlreadyExists) && o.domain != "" {
		return alexaSetup{}, fmt.Errorf("domain %q is taken", o.domain)
	}
	if err != nil {
		return alexaSetup{}, adminErr(err)
	}
	var domains []pool.Domain
	if res.Domain != nil {
		domains = append(domains, *res.Domain)
	}
	c := res.Client
	// The same values the console shows on the pool's page.
	v, _ := admin.AlexaConsoleValues(o.publicURL, o.authDomain, domains, c)
	return alexaSetup{
		PoolID: res.Pool.ID, ClientID: c.ID, ClientSecret: res.Secret, Domain: o.domain, Issuer: v.Issuer,
		AuthorizationURI:     v.AuthorizationURI,
		AccessTokenURI:       v.AccessTokenURI,
		AuthenticationScheme: v.AuthenticationScheme,
		Scopes:               v.Scopes,
		DomainList:           []string{},
		RedirectURLs:         c.CallbackURLs[:3],
		JWKSURI:              v.JWKSURI,
	}, nil
}

// newAlexaClient builds the secret app client Alexa uses: the three Alexa
// redirect URLs, the code grant, the scopes, long-lived refresh tokens
// and, with o.rotation, refresh-token rotation with a 60 s retry grace
// period. It returns the client and its secret.
func newAlexaClient(box *seal.Box, poolID, name string, o alexaOptions, now time.Time) (pool.Client, string, error) {
	c := pool.NewClient(poolID, name, now)
	secret := sealSecret(box, &c)
	c.CallbackURLs = append(AlexaRedirectURLs(o.vendorID), o.extraURLs...)
	c.AllowedOAuthFlows = []string{pool.FlowCode}
	c.AllowedOAuthFlowsUserPoolClient = true
	c.AllowedOAuthScopes = o.scopes
	c.RefreshTokenValidity = o.refreshDays
	c.TokenValidityUnits.RefreshToken = pool.UnitDays
	if o.rotation {
		c.RefreshTokenRotation = pool.RefreshTokenRotation{Feature: pool.RotationEnabled, RetryGracePeriodSeconds: 60}
	}
	if err := c.Validate(); err != nil {
		return pool.Client{}, "", err
	}
	return c, secret, nil
}

func printAlexaSetup(w io.Writer, s alexaSetup) {
	fmt.Fprintf(w, "Created user pool %s with app client %q and the three Alexa redirect URLs.\n\n", s.PoolID, "alexa")
	fmt.Fprintln(w, "Paste into the Alexa developer console, Build > Account Linking:")
	_ = printFields(w, [][2]string{
		{"  Authorization Grant Type", "Auth Code Grant"},
		{"  Your Web Authorization URI", s.AuthorizationURI},
		{"  Access Token URI", s.AccessTokenURI},
		{"  Your Client ID", s.ClientID},
		{"  Your Secret", s.ClientSecret},
		{"  Your Authentication Scheme", s.AuthenticationScheme},
		{"  Scope", join(s.Scopes)},
		{"  Domain List", "(leave empty: the hosted pages load nothing from other domains)"},
		{"  Default Access Token Expiration Time", "(leave empty: the token response carries expires_in)"},
	})
	fmt.Fprintln(w, "\nRegistered Alexa Redirect URLs (compare with the console):")
	for _, u := range s.RedirectURLs {
		fmt.Fprintln(w, "  "+u)
	}
	fmt.Fprintf(w, "\nSkill backends verify access tokens with issuer %s\nand JWKS %s (accept client id %s).\n", s.Issuer, s.JWKSURI, s.ClientID)
	fmt.Fprintln(w, "The client secret is shown once here; 'linkpool client show --reveal-secret' shows it again.")
}
