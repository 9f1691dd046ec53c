package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/web"
)

// Config holds the server's dependencies and settings.
type Config struct {
	// PublicURL is the advertised base URL, e.g. "https://id.example.com".
	// Issuers are PublicURL + "/" + poolId.
	PublicURL string
	// AuthDomain is the parent domain of prefix domains: the pool with
	// prefix "smartlamp" answers at smartlamp.<AuthDomain>. Empty disables
	// prefix domains.
	AuthDomain string
	Store      store.Store
	Log        *slog.Logger
	Proxies    web.Proxies
	// Mount registers the pool endpoints (oauth, hosted UI) on the pool
	// mux, relative to the pool base.
	Mount []func(*http.ServeMux)
	// Global registers extra top-level routes, such as the SmartLamp
	// skill.
	Global []func(*http.ServeMux)
	// API serves the Cognito JSON API (internal/cognitoapi): every POST
	// to / on any host the server answers, the public URL's and every
	// pool domain's, and OPTIONS / (its CORS preflight), with the pool of
	// a pool domain host in the request's web.Target. Nil leaves POST /
	// unanswered (404).
	API http.Handler
	// Registry receives the HTTP metrics and is served on /metrics of the
	// admin handler. Nil means a private registry.
	Registry *prometheus.Registry
	// CacheTTL bounds how long pool and domain lookups are cached; changes
	// made by the CLI or another instance show within it. 0 means
	// DefaultCacheTTL.
	CacheTTL time.Duration
	// OAuthTimeout bounds how long a request to an OAuth endpoint
	// (authorize, token, revocation, userInfo, discovery, JWKS) waits for
	// the store, from before its pool is looked up; when it passes the
	// request is answered 503 temporarily_unavailable. 0 means
	// DefaultOAuthTimeout; negative means no bound.
	OAuthTimeout time.Duration
	// Now is the clock of the lookup caches; nil means time.Now.
	Now func() time.Time
}

// DefaultCacheTTL is the default Config.CacheTTL.
const DefaultCacheTTL = 5 * time.Second

// Server is linkpool's HTTP front.
type Server struct {
	cfg       Config
	public    *url.URL
	poolMux   *http.ServeMux
	globalMux *http.ServeMux
	handler   http.Handler
	registry  *prometheus.Registry

	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec

	mu      sync.Mutex
	pools   map[string]cached[pool.Pool]
	domains map[string]cached[string]
}

type cached[T any] struct {
	v       T
	ok      bool
	expires time.Time
}

// New returns a Server.
func New(cfg Config) (*Server, error) {
	u, err := url.Parse(strings.TrimRight(cfg.PublicURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("public URL %q must be an absolute http(s) URL without query", cfg.PublicURL)
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = DefaultCacheTTL
	}
	if cfg.OAuthTimeout == 0 {
		cfg.OAuthTimeout = DefaultOAuthTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.AuthDomain = strings.ToLower(strings.Trim(cfg.AuthDomain, "."))
	reg := cfg.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	s := &Server{
		cfg: cfg, public: u, registry: reg,
		poolMux: http.NewServeMux(), globalMux: http.NewServeMux(),
		pools: map[string]cached[pool.Pool]{}, domains: map[string]cached[string]{},
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "linkpool_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "linkpool_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 4.5, 10},
		}, []string{"route"}),
	}
	if err := reg.Register(s.requests); err != nil {
		return nil, err
	}
	if err := reg.Register(s.latency); err != nil {
		return nil, err
	}
	for _, m := range cfg.Mount {
		m(s.poolMux)
	}
	s.globalMux.HandleFunc("GET /healthz", s.healthz)
	s.globalMux.HandleFunc("GET /readyz", s.readyz)
	for _, g := range cfg.Global {
		g(s.globalMux)
	}
	s.handler = web.Edge(cfg.Log, cfg.Proxies, s.observe, http.HandlerFunc(s.route))
	return s, nil
}

// Handler is the public handler.
func (s *Server) Handler() http.Handler { return s.handler }

// AdminHandler serves /metrics, /healthz and /readyz for the admin
// listener, which should not be exposed publicly.
func (s *Server) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	return mux
}

// Issuer returns the issuer URL of a pool.
func (s *Server) Issuer(poolID string) string { return s.public.String() + "/" + poolID }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.cfg.Store.Ping(ctx); err != nil {
		s.cfg.Log.WarnContext(r.Context(), "readiness check failed", "error", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unavailable\n"))
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

// route resolves the pool of a request by host or by path prefix.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	if s.cfg.API != nil && r.Method == http.MethodPost && r.URL.Path == "/" {
		s.cfg.API.ServeHTTP(w, r)
		return
	}
	if s.cfg.API != nil && r.Method == http.MethodOptions && r.URL.Path == "/" {
		s.apiPreflight(w, r)
		return
	}
	r, cancel := s.withBudget(r)
	defer cancel()
	host := requestHost(r)
	if host != "" && host != strings.ToLower(s.public.Hostname()) {
		poolID, found, err := s.domainPool(r.Context(), host)
		if err != nil {
			s.unavailable(w, r, err)
			return
		}
		if found {
			s.servePool(w, r, poolID, s.scheme(r)+"://"+r.Host, "")
			return
		}
	}
	if seg, rest, ok := firstSegment(r.URL.Path); ok && pool.ValidPoolID(seg) {
		base := s.public.String() + "/" + seg
		basePath := strings.TrimSuffix(s.public.Path, "/") + "/" + seg
		if clean := cleanPath(rest); clean != rest {
			// The pool's mux would redirect to the clean path without the
			// pool prefix it never saw: redirect inside the prefix here.
			u := *r.URL
			u.Path, u.RawPath = basePath+clean, ""
			http.Redirect(w, r, u.RequestURI(), http.StatusTemporaryRedirect)
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = rest
		r2.URL.RawPath = ""
		s.servePool(w, r2, seg, base, basePath)
		return
	}
	s.globalMux.ServeHTTP(w, r)
}

// requestHost is the request's host name in lower case, without a port.
func requestHost(r *http.Request) string {
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return host
}

// apiPreflight hands a CORS preflight of the Cognito API (OPTIONS /) to
// the API, with the pool of the host in the request's web.Target when the
// host is a pool domain: a preflight has no body to name its pool.
func (s *Server) apiPreflight(w http.ResponseWriter, r *http.Request) {
	if host := requestHost(r); host != "" && host != strings.ToLower(s.public.Hostname()) {
		poolID, found, err := s.domainPool(r.Context(), host)
		if err != nil {
			s.unavailable(w, r, err)
			return
		}
		if found {
			p, found, err := s.pool(r.Context(), poolID)
			if err != nil {
				s.unavailable(w, r, err)
				return
			}
			if found {
				r = r.WithContext(web.WithTarget(r.Context(), web.Target{Pool: p, Base: s.scheme(r) + "://" + r.Host, Issuer: s.Issuer(p.ID)}))
			}
		}
	}
	s.cfg.API.ServeHTTP(w, r)
}

func (s *Server) scheme(r *http.Request) string {
	if s.public.Scheme == "https" {
		return "https"
	}
	return s.cfg.Proxies.ForwardedProto(r)
}

func (s *Server) servePool(w http.ResponseWriter, r *http.Request, poolID, base, basePath string) {
	p, found, err := s.pool(r.Context(), poolID)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	if !found {
		http.NotFound(w, r)
		return
	}
	t := web.Target{Pool: p, Base: base, BasePath: basePath, Issuer: s.Issuer(p.ID)}
	s.poolMux.ServeHTTP(w, r.WithContext(web.WithTarget(r.Context(), t)))
}

// cleanPath is the canonical form http.ServeMux redirects to: no dot
// segments or doubled slashes, a trailing slash kept.
func cleanPath(p string) string {
	np := path.Clean(p)
	if strings.HasSuffix(p, "/") && np != "/" {
		np += "/"
	}
	return np
}

// firstSegment splits "/a/b/c" into "a" and "/b/c".
func firstSegment(p string) (seg, rest string, ok bool) {
	if !strings.HasPrefix(p, "/") {
		return "", "", false
	}
	seg, rest, found := strings.Cut(p[1:], "/")
	if !found {
		return seg, "/", seg != ""
	}
	return seg, "/" + rest, seg != ""
}

func (s *Server) pool(ctx context.Context, id string) (pool.Pool, bool, error) {
	now := s.cfg.Now()
	s.mu.Lock()
	c, ok := s.pools[id]
	s.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.v, c.ok, nil
	}
	p, err := s.cfg.Store.GetPool(ctx, id)
	found := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return pool.Pool{}, false, err
	}
	s.mu.Lock()
	if len(s.pools) > 10000 {
		clear(s.pools)
	}
	s.pools[id] = cached[pool.Pool]{v: p, ok: found, expires: now.Add(s.cfg.CacheTTL)}
	s.mu.Unlock()
	return p, found, nil
}

// domainPool maps a host name to a pool id: "<prefix>.<AuthDomain>" looks
// up the prefix, any other host is looked up as a custom domain.
func (s *Server) domainPool(ctx context.Context, host string) (string, bool, error) {
	name := host
	custom := true
	if s.cfg.AuthDomain != "" && strings.HasSuffix(host, "."+s.cfg.AuthDomain) {
		name = strings.TrimSuffix(host, "."+s.cfg.AuthDomain)
		custom = false
	}
	key := name
	if custom {
		key = "custom:" + name
	}
	now := s.cfg.Now()
	s.mu.Lock()
	c, ok := s.domains[key]
	s.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.v, c.ok, nil
	}
	d, err := s.cfg.Store.GetDomain(ctx, name)
	found := err == nil && d.Custom == custom
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", false, err
	}
	s.mu.Lock()
	if len(s.domains) > 10000 {
		clear(s.domains)
	}
	s.domains[key] = cached[string]{v: d.PoolID, ok: found, expires: now.Add(s.cfg.CacheTTL)}
	s.mu.Unlock()
	return d.PoolID, found, nil
}

// observe records metrics with a bounded route label: the pool-relative
// path of known endpoints, or "other".
func (s *Server) observe(r *http.Request, status int, d time.Duration) {
	p := relPath(r.URL.Path)
	route := "other"
	switch p {
	case "/oauth2/authorize", "/oauth2/token", "/oauth2/userInfo", "/oauth2/userinfo", "/oauth2/revoke",
		"/.well-known/openid-configuration", "/.well-known/jwks.json", "/login", "/signup", "/confirm",
		"/confirmUser", "/resendcode", "/forgotPassword", "/confirmForgotPassword", "/confirmforgotPassword",
		"/changePassword", "/logout", "/error", "/healthz", "/readyz", "/alexa/smart-home", "/lamps":
		route = p
	case "/":
		if r.Method == http.MethodPost {
			route = "cognito-idp"
		}
	}
	s.requests.WithLabelValues(route, fmt.Sprint(status)).Inc()
	s.latency.WithLabelValues(route).Observe(d.Seconds())
}

// MountGlobal registers more top-level routes. Call it before serving.
func (s *Server) MountGlobal(fns ...func(*http.ServeMux)) {
	for _, f := range fns {
		f(s.globalMux)
	}
}
