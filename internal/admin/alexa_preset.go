package admin

import (
	"context"
	"regexp"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
)

// vendorIDPattern is an Amazon developer vendor id: the upper-case
// letters and digits at the end of the Alexa Redirect URLs.
var vendorIDPattern = regexp.MustCompile(`^[A-Z0-9]{1,64}$`)

// ValidVendorID reports whether id looks like an Amazon vendor id.
func ValidVendorID(id string) bool { return vendorIDPattern.MatchString(id) }

// AlexaPreset is what `linkpool init alexa` and the console's "Alexa
// skill" preset ask for.
type AlexaPreset struct {
	// VendorID is the Amazon developer vendor id (ValidVendorID).
	VendorID string
	// Name of the pool; Region the region part of its id.
	Name, Region string
	// Domain is the pool's domain prefix; "" for none.
	Domain string
	// Scopes the skill requests; nil means openid.
	Scopes []string
	// RefreshDays is the refresh-token validity in days; 0 means
	// DefaultAlexaRefreshDays.
	RefreshDays int
	// Rotation turns on refresh-token rotation with a 60 s retry grace
	// period.
	Rotation bool
	// ExtraURLs are callback URLs registered beside the three Alexa ones.
	ExtraURLs []string
}

// DefaultAlexaRefreshDays is the refresh-token validity of an Alexa
// client: long, so that links do not silently die.
const DefaultAlexaRefreshDays = 3650

// AlexaPool is what CreateAlexaPool created.
type AlexaPool struct {
	Pool   pool.Pool
	Client pool.Client
	// Secret is the client's secret, in the clear: shown once.
	Secret string
	// Domain is the created domain, nil for none.
	Domain *pool.Domain
}

// CreateAlexaPool creates the pool of an Alexa skill from preset (the
// command line's `init alexa` and the console's preset): a pool whose
// users may sign in with their email address, a secret app client
// "alexa" with the three Alexa redirect URLs, the code grant, the scopes
// and long-lived refresh tokens, and the domain when one is asked for,
// together (SetupAlexa: a failure leaves nothing behind).
//
// Errors: InvalidParameterException for a bad vendor id, region, domain
// or client setting, and for a taken domain.
func (s *Service) CreateAlexaPool(ctx context.Context, preset AlexaPreset, now time.Time) (AlexaPool, error) {
	if !ValidVendorID(preset.VendorID) {
		return AlexaPool{}, invalidParam("VendorId", "must be the upper-case letters and digits at the end of your Alexa Redirect URLs")
	}
	if !pool.ValidRegion(preset.Region) {
		return AlexaPool{}, invalidParam("Region", "%q is not a region name like us-east-1", preset.Region)
	}
	p := pool.NewPool(preset.Region, preset.Name, now)
	p.AliasAttributes = []string{pool.AttrEmail}
	var dom *pool.Domain
	if preset.Domain != "" {
		dom = &pool.Domain{Domain: preset.Domain, PoolID: p.ID, CreatedAt: now}
	}
	c := pool.NewClient(p.ID, "alexa", now)
	secret := SealSecret(s.box, &c)
	c.CallbackURLs = append(AlexaRedirectURLs(preset.VendorID), preset.ExtraURLs...)
	c.AllowedOAuthFlows = []string{pool.FlowCode}
	c.AllowedOAuthFlowsUserPoolClient = true
	c.AllowedOAuthScopes = preset.Scopes
	if len(c.AllowedOAuthScopes) == 0 {
		c.AllowedOAuthScopes = []string{pool.ScopeOpenID}
	}
	c.RefreshTokenValidity = preset.RefreshDays
	if c.RefreshTokenValidity == 0 {
		c.RefreshTokenValidity = DefaultAlexaRefreshDays
	}
	c.TokenValidityUnits.RefreshToken = pool.UnitDays
	if preset.Rotation {
		c.RefreshTokenRotation = pool.RefreshTokenRotation{Feature: pool.RotationEnabled, RetryGracePeriodSeconds: 60}
	}
	if err := c.Validate(); err != nil {
		return AlexaPool{}, validated(err)
	}
	p, c, dom, err := s.SetupAlexa(ctx, p, c, dom)
	if err != nil {
		return AlexaPool{}, err
	}
	return AlexaPool{Pool: p, Client: c, Secret: secret, Domain: dom}, nil
}
