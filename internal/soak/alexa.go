package soak

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store/sqlite"
	"github.com/linkpool/linkpool/verify"
)

// skillHost runs the SmartLamp skill as its developer would host it,
// apart from the pool: its own database and listener, and the pool's
// JWKS fetched over HTTP through the front proxy.
type skillHost struct {
	st    skillstore.Database
	skill *smarthome.Skill
	srv   *http.Server
	url   string
}

func startSkill(ctx context.Context, cfg *Config, c clock, box *seal.Box, p Pool) (*skillHost, error) {
	st, err := sqlite.Open(ctx, filepath.Join(cfg.Dir, "skill.db"))
	if err != nil {
		return nil, err
	}
	v, err := verify.New(verify.Config{
		Issuer: p.Issuer, ClientIDs: []string{p.Plain.ID, p.Rotating.ID},
		HTTPClient: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}},
		Now:        c.Now,
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	sk, err := cfg.Hooks.NewSkill(st, box, v, c.Now, cfg.Log)
	if err != nil {
		st.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = sk.Close(ctx)
		st.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/alexa/smart-home", sk.Handler())
	h := &skillHost{st: st, skill: sk, url: "http://" + ln.Addr().String() + "/alexa/smart-home",
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(discard{}, "", 0)}}
	go func() { _ = h.srv.Serve(ln) }()
	return h, nil
}

func (h *skillHost) close(ctx context.Context) {
	_ = h.srv.Shutdown(ctx)
	_ = h.skill.Close(ctx)
	_ = h.st.Close()
}

// errResponseLost is what Alexa sees when the token endpoint's response
// is lost on the way back.
var errResponseLost = errors.New("soak: the connection dropped before the response arrived")

// lossyTransport is Amazon's network: when armed, the next request to a
// token endpoint reaches the server, which processes it, and its response
// is dropped, so Alexa retries as after a network failure.
type lossyTransport struct {
	next  http.RoundTripper
	armed atomic.Bool
	lost  atomic.Int64
}

func (t *lossyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.URL.Path, "/oauth2/token") || !t.armed.CompareAndSwap(true, false) {
		return resp, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	t.lost.Add(1)
	return nil, errResponseLost
}

// alexaEnv is the simulator's environment: Amazon's network, the shared
// clock (backoff passes in simulated time), the skill, and a refresh
// five minutes before expiry.
func alexaEnv(c clock, tr *lossyTransport, skillURL string, schema *alexasim.Schema) alexasim.Env {
	return alexasim.Env{
		HTTPClient:    &http.Client{Transport: tr},
		Now:           c.Now,
		Sleep:         c.sleep,
		Skill:         &alexasim.HTTPSkill{URL: skillURL, Client: &http.Client{Transport: &http.Transport{}}},
		Schema:        schema,
		RefreshBefore: RefreshBefore,
	}
}
