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
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/linkpool/linkpool/internal/confcache"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/tracing"
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
	// Cache holds the pools and domains requests are resolved with
	// (internal/confcache): changes made by this process show at once,
	// those of the CLI or another instance within its poll interval.
	// Required.
	Cache *confcache.Cache
	// OAuthTimeout bounds how long a request to an OAuth endpoint
	// (authorize, token, revocation, userInfo, discovery, JWKS) waits for
	// the store, from before its pool is looked up; when it passes the
	// request is answered 503 temporarily_unavailable. 0 means
	// DefaultOAuthTimeout; negative means no bound.
	OAuthTimeout time.Duration
}

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
	// routeMetrics are the collectors of each route label, read-only
	// after New.
	routeMetrics map[string]*routeMetrics
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
	if cfg.Cache == nil {
		return nil, errors.New("server: no configuration cache")
	}
	if cfg.OAuthTimeout == 0 {
		cfg.OAuthTimeout = DefaultOAuthTimeout
	}
	cfg.AuthDomain = strings.ToLower(strings.Trim(cfg.AuthDomain, "."))
	reg := cfg.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	s := &Server{
		cfg: cfg, public: u, registry: reg,
		poolMux: http.NewServeMux(), globalMux: http.NewServeMux(),
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
	s.resolveMetrics()
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
	tracing.SetAttr(r.Context(), tracing.PoolID, p.ID)
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
	return s.cfg.Cache.Pools.Get(ctx, id)
}

// domainPool maps a host name to a pool id: "<prefix>.<AuthDomain>" looks
// up the prefix, any other host is looked up as a custom domain.
func (s *Server) domainPool(ctx context.Context, host string) (string, bool, error) {
	name, custom := host, true
	if s.cfg.AuthDomain != "" && strings.HasSuffix(host, "."+s.cfg.AuthDomain) {
		name, custom = strings.TrimSuffix(host, "."+s.cfg.AuthDomain), false
	}
	d, found, err := s.cfg.Cache.Domains.Get(ctx, name)
	if err != nil || !found || d.Custom != custom {
		return "", false, err
	}
	return d.PoolID, true, nil
}

// routes are the bounded values of the route label: the pool-relative
// paths of known endpoints, "cognito-idp" (POST /) and "other".
var routes = []string{"/oauth2/authorize", "/oauth2/token", "/oauth2/userInfo", "/oauth2/userinfo", "/oauth2/revoke",
	"/.well-known/openid-configuration", "/.well-known/jwks.json", "/login", "/signup", "/confirm",
	"/confirmUser", "/resendcode", "/forgotPassword", "/confirmForgotPassword", "/confirmforgotPassword",
	"/changePassword", "/logout", "/error", "/oauth2/idpresponse", "/saml2/idpresponse", "/saml2/metadata", "/healthz", "/readyz", "/alexa/smart-home", "/lamps",
	"cognito-idp", "other"}

// routeMetrics are one route's collectors, resolved on first use and kept,
// so that a request does not look its label values up; series appear in
// /metrics once used, as before.
type routeMetrics struct {
	latency atomic.Pointer[prometheus.Observer]
	codes   [600]atomic.Pointer[prometheus.Counter] // by status code
}

func (s *Server) resolveMetrics() {
	s.routeMetrics = make(map[string]*routeMetrics, len(routes))
	for _, r := range routes {
		s.routeMetrics[r] = &routeMetrics{}
	}
}

// observe records metrics with a bounded route label: the pool-relative
// path of known endpoints, or "other".
func (s *Server) observe(r *http.Request, status int, d time.Duration) {
	route := "other"
	if p := relPath(r.URL.Path); p == "/" {
		if r.Method == http.MethodPost {
			route = "cognito-idp"
		}
	} else if _, known := s.routeMetrics[p]; known && p != "other" && p != "cognito-idp" {
		route = p
	}
	tracing.Routed(r.Context(), r.Method, route)
	m := s.routeMetrics[route]
	if status >= 0 && status < len(m.codes) {
		c := m.codes[status].Load()
		if c == nil {
			v := s.requests.WithLabelValues(route, strconv.Itoa(status))
			c = &v
			m.codes[status].Store(c)
		}
		(*c).Inc()
	} else {
		s.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	}
	o := m.latency.Load()
	if o == nil {
		v := s.latency.WithLabelValues(route)
		o = &v
		m.latency.Store(o)
	}
	(*o).Observe(d.Seconds())
}

// MountGlobal registers more top-level routes. Call it before serving.
func (s *Server) MountGlobal(fns ...func(*http.ServeMux)) {
	for _, f := range fns {
		f(s.globalMux)
	}
}
