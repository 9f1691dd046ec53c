package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/verify"
)

// Environment variables.
const (
	envIssuer         = "SMARTLAMP_ISSUER"          // required: the pool's issuer
	envClientIDs      = "SMARTLAMP_CLIENT_IDS"      // required: comma-separated accepted client_id values
	envDatabase       = "SMARTLAMP_DATABASE"        // required: postgres:// URL
	envJWKSURL        = "SMARTLAMP_JWKS_URL"        // optional: default <issuer>/.well-known/jwks.json
	envRequiredScopes = "SMARTLAMP_REQUIRED_SCOPES" // optional: comma- or space-separated
	envLWAClientID    = "SMARTLAMP_LWA_CLIENT_ID"   // optional: enables AcceptGrant exchange
	envLWASecret      = "SMARTLAMP_LWA_CLIENT_SECRET"
	envLWATokenURL    = "SMARTLAMP_LWA_TOKEN_URL"     // optional: default Login with Amazon
	envGatewayURL     = "SMARTLAMP_EVENT_GATEWAY_URL" // optional: default North America
	envMasterKey      = "SMARTLAMP_MASTER_KEY"        // optional: base64 32-byte key sealing LWA tokens
)

// config is the Lambda's configuration.
type config struct {
	verify    verify.Config
	database  string
	lwa       smarthome.LWAConfig
	gateway   string
	masterKey string
}

// loadConfig reads the configuration from getenv.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		verify: verify.Config{
			Issuer:         strings.TrimSpace(getenv(envIssuer)),
			JWKSURL:        strings.TrimSpace(getenv(envJWKSURL)),
			ClientIDs:      fields(getenv(envClientIDs)),
			RequiredScopes: fields(getenv(envRequiredScopes)),
		},
		database: strings.TrimSpace(getenv(envDatabase)),
		lwa: smarthome.LWAConfig{
			ClientID:     strings.TrimSpace(getenv(envLWAClientID)),
			ClientSecret: strings.TrimSpace(getenv(envLWASecret)),
			TokenURL:     strings.TrimSpace(getenv(envLWATokenURL)),
		},
		gateway:   strings.TrimSpace(getenv(envGatewayURL)),
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
	if (c.lwa.ClientID == "") != (c.lwa.ClientSecret == "") {
		return c, errors.New(envLWAClientID + " and " + envLWASecret + " go together")
	}
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
	cfg := smarthome.SkillConfig{Store: db, Verifier: v, LWA: c.lwa, EventGatewayURL: c.gateway, Logger: log}
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
