package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/linkpool/linkpool/internal/tracing"
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// Edge wraps the whole server: it assigns a request id (reusing a
// well-formed X-Request-Id from a trusted proxy), derives the client
// address and its rate-limit key, recovers panics into a bare 500 without
// details, and writes one structured access-log line per request. The log
// line carries method, path (never the query string, which may hold codes
// or tokens), status, duration, client address and request id. When
// tracing is on (internal/tracing) it opens the request's span, continuing
// an incoming traceparent, and ends it with the status; observe may name
// it after the route (tracing.Routed).
func Edge(log *slog.Logger, proxies Proxies, observe func(r *http.Request, status int, d time.Duration), next http.Handler) http.Handler {
	log = slog.New(ContextHandler(log.Handler()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ip := proxies.ClientAddr(r)
		id := r.Header.Get("X-Request-Id")
		if id == "" || !requestIDPattern.MatchString(id) || !proxies.fromTrusted(r) {
			id = newRequestID()
		}
		e := &edge{requestID: id, clientIP: ip, clientKey: proxies.LimitKey(ip)}
		ctx, span := tracing.Server(context.WithValue(r.Context(), edgeKey, e), r, id)
		r = r.WithContext(ctx)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		rec.Header().Set("X-Request-Id", id)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					span.End()
					panic(v)
				}
				log.ErrorContext(ctx, "panic serving request", "path", r.URL.Path, "panic", v)
				if !rec.wrote {
					rec.Header().Set("Content-Type", "text/plain; charset=utf-8")
					rec.WriteHeader(http.StatusInternalServerError)
					_, _ = rec.Write([]byte("Internal error.\n"))
				}
			}
			d := time.Since(start)
			status, level := rec.status, slog.LevelInfo
			if e.gone.Load() {
				status, level = StatusClientClosedRequest, slog.LevelDebug
			}
			if observe != nil {
				observe(r, status, d)
			}
			tracing.Finish(span, status)
			log.LogAttrs(ctx, level, "request",
				slog.String("method", r.Method),
				slog.String("host", r.Host),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Duration("duration", d),
				slog.String("client_ip", ip),
			)
		}()
		next.ServeHTTP(rec, r)
	})
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status = code
		s.wrote = true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if !s.wrote {
		s.wrote = true
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
