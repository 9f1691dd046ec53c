package soak

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/token"
	"github.com/linkpool/linkpool/verify"
)

// Defaults of Config.
const (
	DefaultDuration      = 365 * 24 * time.Hour
	DefaultLinks         = 3
	DefaultRotationEvery = 3 * 7 * 24 * time.Hour
	// RefreshBefore is how long before expiry Alexa refreshes an access
	// token (Amazon's service refreshes about five minutes ahead).
	RefreshBefore = 5 * time.Minute
	// OutageFor is how long the database outage lasts: longer than the
	// server's lookup caches and key refresh interval.
	OutageFor = 10 * time.Minute
)

// Config is what Run soaks.
type Config struct {
	// Duration is the simulated span (default DefaultDuration).
	Duration time.Duration
	// Links is the number of account links, at least 2 (default 3). The
	// first uses an app client with refresh-token rotation, the second
	// is the user who changes password and signs out everywhere.
	Links int
	// DatabaseURL is a PostgreSQL URL; empty means SQLite in Dir.
	DatabaseURL string
	// Dir holds the SQLite database, the master key and the skill's own
	// database (required).
	Dir string
	// Instances is the number of server instances (PostgreSQL only;
	// default 2). SQLite runs one.
	Instances int
	// RotationEvery is the interval of signing-key rotations (default
	// three weeks).
	RotationEvery time.Duration
	// Start is the simulated start (default now).
	Start time.Time
	// Schema validates the skill's replies; nil skips that check.
	Schema *alexasim.Schema
	// Log receives the server's and the skill's logs (default none).
	Log *slog.Logger
	// Progress, when set, gets a line per simulated week.
	Progress io.Writer
	// InjectUnexpectedUnlink revokes one link's refresh token at the
	// pool's revocation endpoint outside the schedule, to show that the
	// soak fails when a link is dropped.
	InjectUnexpectedUnlink bool
	// Hooks are the operations the soak performs through linkpool's
	// command-line service code (required).
	Hooks Hooks
}

// Hooks run the operations an operator runs with the linkpool command,
// with the same code, against a running instance's app.
type Hooks struct {
	// Setup creates the pool and its Alexa app clients as `init alexa`
	// does, at publicURL: one without and one with refresh-token
	// rotation.
	Setup func(ctx context.Context, a *app.App, publicURL string) (Pool, error)
	// Rotate rotates the pool's signing keys as `keys rotate` does.
	Rotate func(ctx context.Context, a *app.App, poolID string) (token.RotateResult, error)
	// NewSkill builds the SmartLamp skill as `skill serve` does, on the
	// clock now.
	NewSkill func(st skillstore.Database, box *seal.Box, v *verify.Verifier, now func() time.Time, log *slog.Logger) (*smarthome.Skill, error)
}

// Pool is what Setup created: what the Alexa console and the skill need.
type Pool struct {
	ID               string
	Issuer           string
	AuthorizationURI string
	AccessTokenURI   string
	VendorID         string
	Scopes           []string
	// Plain has refresh-token rotation off, Rotating on.
	Plain, Rotating Client
}

// Client is an Alexa app client of the pool.
type Client struct {
	ID, Secret string
}

// postgres reports whether the soak runs on PostgreSQL.
func (c *Config) postgres() bool { return c.DatabaseURL != "" }

// withDefaults checks c and fills in its defaults.
func (c Config) withDefaults() (Config, error) {
	if c.Duration == 0 {
		c.Duration = DefaultDuration
	}
	if c.Duration < 7*24*time.Hour {
		return c, configErrorf("the duration %v is too short to hold every event: at least 168h (a week)", c.Duration)
	}
	if c.Links == 0 {
		c.Links = DefaultLinks
	}
	if c.Links < 2 || c.Links > 50 {
		return c, configErrorf("%d links: use 2 to 50 (the first rotates refresh tokens, the second signs out)", c.Links)
	}
	if c.RotationEvery == 0 {
		c.RotationEvery = DefaultRotationEvery
	}
	if c.RotationEvery < 24*time.Hour {
		return c, configErrorf("rotating the signing keys every %v: use a day or more", c.RotationEvery)
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return c, configErrorf("the database URL must be a postgres:// URL (or empty for SQLite)")
	}
	switch {
	case !c.postgres() && c.Instances > 1:
		return c, configErrorf("SQLite runs a single instance; several instances need PostgreSQL")
	case c.Instances < 0 || c.Instances > 8:
		return c, configErrorf("%d instances: use 1 to 8", c.Instances)
	case c.Instances == 0 && c.postgres():
		c.Instances = 2
	case c.Instances == 0:
		c.Instances = 1
	}
	if c.Dir == "" {
		return c, configErrorf("Config.Dir is required")
	}
	if c.Start.IsZero() {
		c.Start = time.Now()
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Hooks.Setup == nil || c.Hooks.Rotate == nil || c.Hooks.NewSkill == nil {
		return c, configErrorf("Config.Hooks are required")
	}
	return c, nil
}

// ConfigError is a Config that cannot be soaked.
type ConfigError struct{ msg string }

func (e *ConfigError) Error() string { return "soak: " + e.msg }

func configErrorf(format string, args ...any) error {
	return &ConfigError{fmt.Sprintf(format, args...)}
}
