package oauth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/linkpool/linkpool/internal/confcache"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/token"
	"github.com/linkpool/linkpool/internal/trigger"
	"github.com/linkpool/linkpool/internal/web"
)

// Config holds the Service's dependencies.
type Config struct {
	Store store.Store
	Keys  *token.Keys
	Box   *seal.Box
	Log   *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// TokenLimiter bounds token, revocation and userInfo requests per
	// client address (web.ClientKey), and token requests beyond that per
	// authenticated confidential client; nil means unlimited.
	TokenLimiter *web.Limiter
	// Metrics, when non-nil, receives the Service's collectors.
	Metrics prometheus.Registerer
	// Cache holds the app clients the endpoints authenticate and check
	// (internal/confcache); nil means a cache of the Service's own over
	// Store, polled for the life of the process.
	Cache *confcache.Cache
	// Triggers invokes the pools' pre token generation triggers; nil
	// means no trigger is ever called.
	Triggers *trigger.Invoker
}

// Service implements the OAuth 2.0 / OpenID Connect endpoints of a pool
// with Cognito's paths and behaviour.
type Service struct {
	store   store.Store
	keys    *token.Keys
	box     *seal.Box
	log     *slog.Logger
	nowFn   func() time.Time
	limiter *web.Limiter
	metrics metrics
	cache   *confcache.Cache
	// triggers invokes pre token generation (pretoken.go); may be nil.
	triggers *trigger.Invoker
	// authClients are the clients the token endpoint authenticates,
	// with their opened secrets' hashes (clients.go).
	authClients *confcache.Table[authClient]
	// poolHasGroups tells by pool id whether a pool has any group.
	poolHasGroups *confcache.Table[bool]
	// successorKey derives rotated refresh-token secrets (see rotate).
	successorKey []byte
}

type metrics struct {
	codesIssued  prometheus.Counter
	tokensIssued *prometheus.CounterVec
	tokenErrors  *prometheus.CounterVec
	// granted are tokensIssued's children of the token endpoint's grants,
	// resolved once: a successful request looks no label up.
	granted map[string]prometheus.Counter
	// apiSignIns and apiRefreshes are tokensIssued's children of the
	// Cognito API's sign-in and refresh.
	apiSignIns, apiRefreshes prometheus.Counter
}

// New returns a Service.
func New(cfg Config) *Service {
	s := &Service{
		store: cfg.Store, keys: cfg.Keys, box: cfg.Box, log: cfg.Log,
		nowFn: cfg.Now, limiter: cfg.TokenLimiter, cache: cfg.Cache, triggers: cfg.Triggers,
	}
	if s.cache == nil {
		s.cache = confcache.New(confcache.Config{Store: cfg.Store, Log: cfg.Log})
	}
	s.authClients = confcache.NewTable(s.cache, s.loadAuthClient)
	s.poolHasGroups = confcache.NewTable(s.cache, s.loadPoolHasGroups)
	if cfg.Box != nil {
		s.successorKey = cfg.Box.DeriveKey(successorKeyPurpose)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.nowFn == nil {
		s.nowFn = time.Now
	}
	s.metrics = metrics{
		codesIssued: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "linkpool_authorization_codes_issued_total", Help: "Authorization codes issued.",
		}),
		tokensIssued: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "linkpool_token_grants_total", Help: "Successful token endpoint grants by grant type.",
		}, []string{"grant_type"}),
		tokenErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "linkpool_token_errors_total", Help: "Token endpoint errors by OAuth error code.",
		}, []string{"error"}),
	}
	s.metrics.granted = make(map[string]prometheus.Counter, len(grants))
	for _, g := range grants {
		s.metrics.granted[g.grantType] = s.metrics.tokensIssued.WithLabelValues(g.grantType)
	}
	s.metrics.apiSignIns = s.metrics.tokensIssued.WithLabelValues("api_user_password")
	s.metrics.apiRefreshes = s.metrics.tokensIssued.WithLabelValues("api_refresh_token")
	if cfg.Metrics != nil {
		cfg.Metrics.MustRegister(s.metrics.codesIssued, s.metrics.tokensIssued, s.metrics.tokenErrors)
	}
	return s
}

func (s *Service) now() time.Time { return s.nowFn() }

// Mount registers the API endpoints on mux, relative to the pool base:
// POST /oauth2/token, GET|POST /oauth2/userInfo, POST /oauth2/revoke,
// GET /.well-known/openid-configuration and GET /.well-known/jwks.json.
// Handlers expect a web.Target in the request context.
func (s *Service) Mount(mux *http.ServeMux) {
	mux.HandleFunc("POST /oauth2/token", s.handleToken)
	mux.HandleFunc("GET /oauth2/userInfo", s.handleUserInfo)
	mux.HandleFunc("POST /oauth2/userInfo", s.handleUserInfo)
	mux.HandleFunc("GET /oauth2/userinfo", s.handleUserInfo)
	mux.HandleFunc("POST /oauth2/userinfo", s.handleUserInfo)
	mux.HandleFunc("OPTIONS /oauth2/userInfo", s.handleUserInfoPreflight)
	mux.HandleFunc("OPTIONS /oauth2/userinfo", s.handleUserInfoPreflight)
	mux.HandleFunc("POST /oauth2/revoke", s.handleRevoke)
	mux.HandleFunc("GET /.well-known/openid-configuration", s.handleDiscovery)
	mux.HandleFunc("GET /.well-known/jwks.json", s.handleJWKS)
}

// newCode returns an authorization code: a random UUID, the shape Cognito
// issues (122 random bits).
func newCode() string { return uuid.NewString() }

// newJTI returns a token identifier.
func newJTI() string { return uuid.NewString() }

// newOpaque returns n random bytes, base64url-encoded without padding.
func newOpaque(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is how codes, refresh-token secrets and session secrets are
// stored: hex SHA-256. They are high-entropy random values, so a fast hash
// suffices and allows an indexed lookup.
func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// HashSecret exposes the at-rest hash of high-entropy secrets for the
// hosted UI's session cookies.
func HashSecret(s string) string { return hashSecret(s) }
