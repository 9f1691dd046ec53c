package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/verify"
)

// Environment variables of the Lambda's own: which tokens it accepts and
// where its data is. The skill's settings (required scopes, the LWA client,
// the event gateway) are smarthome.Options, read from the SMARTLAMP_*
// variable each Option names, with the same defaults and checks as the
// flags of `linkpool serve` and `linkpool skill serve`.
const (
	envIssuer    = "SMARTLAMP_ISSUER"     // required: the pool's issuer
	envClientIDs = "SMARTLAMP_CLIENT_IDS" // required: comma-separated accepted client_id values
	envDatabase  = "SMARTLAMP_DATABASE"   // required: postgres:// URL
	envJWKSURL   = "SMARTLAMP_JWKS_URL"   // optional: default <issuer>/.well-known/jwks.json
	envMasterKey = "SMARTLAMP_MASTER_KEY" // optional: base64 32-byte key sealing LWA tokens
)

// config is the Lambda's configuration.
type config struct {
	verify    verify.Config
	database  string
	skill     smarthome.Options
	masterKey string
}

// loadConfig reads the configuration from getenv. A secret setting is
// also read from the file its _FILE variable names.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		verify: verify.Config{
			Issuer:    strings.TrimSpace(getenv(envIssuer)),
			JWKSURL:   strings.TrimSpace(getenv(envJWKSURL)),
			ClientIDs: fields(getenv(envClientIDs)),
		},
		database:  strings.TrimSpace(getenv(envDatabase)),
		skill:     smarthome.DefaultOptions(),
		masterKey: getenv(envMasterKey),
	}
	var missing []string
	for name, v := range map[string]string{envIssuer: c.verify.Issuer, envDatabase: c.database} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(c.verify.ClientIDs) == 0 {
		missing = append(missing, envClientIDs)
	}
	if len(missing) > 0 {
		return c, fmt.Errorf("missing %s", strings.Join(slices.Sorted(slices.Values(missing)), ", "))
	}
	var errs []error
	for _, opt := range c.skill.OptionList() {
		if opt.LambdaEnv == "" {
			continue // the /lamps page: the Lambda serves none
		}
		v := getenv(opt.LambdaEnv)
		if v == "" && opt.Secret {
			if file := getenv(opt.LambdaEnv + "_FILE"); file != "" {
				b, err := os.ReadFile(file)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s_FILE: %w", opt.LambdaEnv, err))
					continue
				}
				v = strings.TrimRight(string(b), "\r\n")
			}
		}
		if v == "" {
			continue
		}
		if err := opt.Value.Set(v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", opt.LambdaEnv, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	if err := c.skill.Validate(func(o smarthome.Option) string { return o.LambdaEnv }); err != nil {
		return c, err
	}
	c.verify.RequiredScopes = c.skill.RequiredScopes
	return c, nil
}

// setup builds the skill and returns the handler that main passes to
// lambda.Start, and a function releasing the database.
func setup(ctx context.Context, getenv func(string) string, log *slog.Logger) (func(context.Context, json.RawMessage) (json.RawMessage, error), func(), error) {
	c, err := loadConfig(getenv)
	if err != nil {
		return nil, nil, err
	}
	v, err := verify.New(c.verify)
	if err != nil {
		return nil, nil, err
	}
	db, err := postgres.Open(ctx, c.database)
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	cfg := c.skill.SkillConfig()
	cfg.Store, cfg.Verifier, cfg.Logger = db, v, log
	if strings.TrimSpace(c.masterKey) != "" {
		box, err := seal.ParseKey(c.masterKey)
		if err != nil {
			db.Close()
			return nil, nil, fmt.Errorf("%s: %w", envMasterKey, err)
		}
		cfg.Seal = func(aad, p []byte) ([]byte, error) { return box.Seal(p, aad), nil }
		cfg.Open = func(aad, s []byte) ([]byte, error) { return box.Open(s, aad) }
	}
	skill, err := smarthome.NewSkill(cfg)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	// Warm the key cache during the Lambda init phase; a failure here is
	// retried on the first directive.
	if err := v.Prefetch(ctx); err != nil {
		log.Warn("smartlamp-lambda: key set not fetched at start", "error", err.Error())
	}
	release := func() {
		_ = skill.Close(context.Background())
		db.Close()
	}
	return skill.LambdaHandler(), release, nil
}

func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}
