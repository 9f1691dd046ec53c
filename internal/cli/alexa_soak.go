package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/soak"
	"github.com/linkpool/linkpool/internal/token"
	"github.com/linkpool/linkpool/verify"
)

// soakVendorID is the vendor id of the soak's Alexa redirect URLs.
const soakVendorID = "M2SOAK"

// runAlexaSoak plays a simulated span of Alexa traffic through the real
// server and skill (package soak) and exits non-zero when a link was
// dropped that the schedule did not call for, an event did not go as
// expected, or a refresh or directive failed while nothing disrupted the
// deployment.
func runAlexaSoak(ctx context.Context, e *env, args []string) error {
	var cfg soak.Config
	var duration, rotation, dir, schema, logLevel string
	var asJSON bool
	fs := newFlagSet("alexa soak", e.stderr)
	fs.StringVar(&duration, "duration", "8760h", "simulated span (Go duration, or days like 60d, weeks like 52w); at least a week")
	fs.IntVar(&cfg.Links, "links", soak.DefaultLinks, "account links (at least 2)")
	fs.StringVar(&cfg.DatabaseURL, "postgres-url", "", "PostgreSQL URL of an empty database to soak on (empty: SQLite in --dir); not --database-url, so that a server's environment cannot point the soak at its data")
	fs.IntVar(&cfg.Instances, "instances", 0, "server instances behind the front proxy (default 2 with PostgreSQL; SQLite runs 1)")
	fs.StringVar(&rotation, "rotation-every", "3w", "interval of signing-key rotations (like --duration)")
	fs.StringVar(&dir, "dir", "", "working directory for the SQLite database, the master key and the skill's database (default a temporary directory, removed afterwards)")
	fs.StringVar(&schema, "alexa-schema", "", "Amazon's alexa_smart_home_message_schema.json (default ../shared/alexa/schema/ relative to the working directory, if present)")
	fs.BoolVar(&cfg.InjectUnexpectedUnlink, "inject-unexpected-unlink", false, "revoke one link's refresh token outside the schedule, to see the soak fail")
	fs.StringVar(&logLevel, "log-level", "", "write the servers' logs to standard error at this level (default none)")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	if err := parse(fs, args, e.getenv); err != nil {
		return err
	}
	var err error
	if cfg.Duration, err = parseSpan(duration); err != nil {
		return usagef("--duration: %v", err)
	}
	if cfg.RotationEvery, err = parseSpan(rotation); err != nil {
		return usagef("--rotation-every: %v", err)
	}
	if logLevel != "" {
		if cfg.Log, err = newLogger(e.stderr, logLevel, "text"); err != nil {
			return err
		}
	}
	wd, _ := os.Getwd()
	if cfg.Schema, err = alexasim.FindSchema(schema, e.getenv, wd); err != nil {
		return fmt.Errorf("--alexa-schema: %w", err)
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "linkpool-soak-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	cfg.Dir = dir
	cfg.Progress = e.stderr
	// Interrupted, the soak stops and the temporary directory goes.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg.Hooks = soakHooks()
	rep, err := soak.Run(ctx, cfg)
	if err != nil {
		var ce *soak.ConfigError
		if errors.As(err, &ce) {
			return usagef("%v", err)
		}
		return err
	}
	if asJSON {
		if err := printJSON(e.stdout, rep); err != nil {
			return err
		}
	} else {
		rep.Print(e.stdout)
	}
	if !rep.OK() {
		return fmt.Errorf("soak failed: %d unexpected unlink(s), %d failed event(s), %d failure(s) outside the events", rep.Unexpected, rep.FailedEvents, rep.Undisrupted)
	}
	return nil
}

// soakHooks are the operator's actions the soak performs, with the code
// of `init alexa`, `keys rotate` and `skill serve`.
func soakHooks() soak.Hooks {
	return soak.Hooks{
		Setup: func(ctx context.Context, a *app.App, publicURL string) (soak.Pool, error) {
			d := newDeps(a.Store, a.Box, a.Keys, a.Accounts, a.Log)
			o := alexaOptions{
				vendorID: soakVendorID, name: "SmartLamp soak", region: "us-east-1",
				scopes: []string{pool.ScopeOpenID}, refreshDays: 3650, publicURL: publicURL,
			}
			res, err := setupAlexa(ctx, d, o)
			if err != nil {
				return soak.Pool{}, err
			}
			// The second Alexa client is `init alexa --rotate-refresh-tokens`'s.
			o.rotation = true
			c, secret, err := newAlexaClient(a.Box, res.PoolID, "alexa-rotating", o, time.Now())
			if err != nil {
				return soak.Pool{}, err
			}
			if _, _, err := d.admin.CreateUserPoolClient(ctx, c, false); err != nil {
				return soak.Pool{}, adminErr(err)
			}
			return soak.Pool{
				ID: res.PoolID, Issuer: res.Issuer, AuthorizationURI: res.AuthorizationURI, AccessTokenURI: res.AccessTokenURI,
				VendorID: soakVendorID, Scopes: res.Scopes,
				Plain:    soak.Client{ID: res.ClientID, Secret: res.ClientSecret},
				Rotating: soak.Client{ID: c.ID, Secret: secret},
			}, nil
		},
		Rotate: func(ctx context.Context, a *app.App, poolID string) (token.RotateResult, error) {
			res, _, err := a.Admin.RotateSigningKeys(ctx, poolID)
			return res, err
		},
		NewSkill: func(st skillstore.Database, box *seal.Box, v *verify.Verifier, now func() time.Time, log *slog.Logger) (*smarthome.Skill, error) {
			return newStandaloneSkill(st, box, v, smarthome.DefaultOptions(), now, log)
		},
	}
}

// parseSpan reads a Go duration, or a whole number of days (60d) or weeks
// (3w).
func parseSpan(s string) (time.Duration, error) {
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.Atoi(n)
			if err != nil || v <= 0 {
				return 0, fmt.Errorf("%q is not a whole number of %s", s, map[string]string{"d": "days", "w": "weeks"}[suffix])
			}
			return time.Duration(v) * unit, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q is not positive", s)
	}
	return d, nil
}
