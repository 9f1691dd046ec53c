package soak

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"sync"
	"time"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// instance is one linkpool server: its own store connections, its app and
// its HTTP server on a loopback port.
type instance struct {
	name string
	st   skillstore.Database
	app  *app.App
	srv  *http.Server
	url  *url.URL
}

// deployment is the instances behind the front proxy, over one database.
type deployment struct {
	cfg    *Config
	clock  clock
	box    *seal.Box
	dbURL  string // the instances' PostgreSQL URL (through the outage proxy)
	dbPath string // the SQLite file
	front  *front
	n      int // instances started so far, for names

	mu        sync.Mutex
	instances []*instance
}

// openStore opens a store connection as an instance does.
func (d *deployment) openStore(ctx context.Context) (skillstore.Database, error) {
	if d.cfg.postgres() {
		return postgres.Open(ctx, d.dbURL)
	}
	return sqlite.Open(ctx, d.dbPath)
}

// start starts one more instance and puts it behind the front proxy.
func (d *deployment) start(ctx context.Context) (*instance, error) {
	st, err := d.openStore(ctx)
	if err != nil {
		return nil, err
	}
	a, err := app.New(app.Config{
		Store: st, Box: d.box, Log: d.cfg.Log, PublicURL: d.front.url,
		HashConcurrency: 2,
		// The limiter counts requests per wall-clock minute, and the soak
		// packs an hour of traffic into a few milliseconds; the simulated
		// load, a few requests per link and hour, is far below any limit.
		TokenRatePerMinute: -1,
		OAuthTimeout:       time.Second,
		Now:                d.clock.Now,
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = a.Shutdown(ctx)
		st.Close()
		return nil, err
	}
	d.n++
	in := &instance{
		name: fmt.Sprintf("instance-%d", d.n), st: st, app: a,
		srv: &http.Server{Handler: a.Server.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(discard{}, "", 0)},
		url: &url.URL{Scheme: "http", Host: ln.Addr().String()},
	}
	go func() { _ = in.srv.Serve(ln) }()
	d.mu.Lock()
	d.instances = append(d.instances, in)
	d.mu.Unlock()
	return in, nil
}

// live returns the instances serving.
func (d *deployment) live() []*instance {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]*instance(nil), d.instances...)
}

// remove takes in out of the front proxy's rotation.
func (d *deployment) remove(in *instance) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, x := range d.instances {
		if x == in {
			d.instances = append(d.instances[:i], d.instances[i+1:]...)
			return
		}
	}
}

// kill stops in abruptly, as a crashed process stops: its listener and
// every connection close at once, requests in flight fail, and its
// database connections go.
func (d *deployment) kill(in *instance) {
	d.remove(in)
	_ = in.srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // no grace: the outbox stops without delivering
	_ = in.app.Shutdown(ctx)
	_ = in.st.Close()
}

// stop shuts in down gracefully, as on SIGTERM.
func (d *deployment) stop(ctx context.Context, in *instance) error {
	d.remove(in)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err := in.srv.Shutdown(ctx)
	err = errors.Join(err, in.app.Shutdown(ctx))
	return errors.Join(err, in.st.Close())
}

// close stops every instance and the front proxy.
func (d *deployment) close(ctx context.Context) {
	for _, in := range d.live() {
		_ = d.stop(ctx, in)
	}
	d.front.close()
}

// front is the load balancer in front of the instances: the public URL
// points at it, and it sends each request to the next live instance in
// turn. With no instance it answers 502, as a load balancer does.
type front struct {
	d     *deployment
	url   string
	srv   *http.Server
	proxy *httputil.ReverseProxy

	mu   sync.Mutex
	next int
	// onPick, when set, runs once for the next request sent to victim.
	victim *instance
	onPick func(*instance)
}

type targetKey struct{}

func newFront(d *deployment) (*front, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &front{d: d, url: "http://" + ln.Addr().String()}
	f.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			in := pr.In.Context().Value(targetKey{}).(*instance)
			pr.SetURL(in.url)
			pr.Out.Host = pr.In.Host
		},
		Transport: &http.Transport{MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second},
		ErrorLog:  log.New(discard{}, "", 0),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, "bad gateway", http.StatusBadGateway)
		},
	}
	f.srv = &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(discard{}, "", 0)}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	in, hook := f.pick()
	if in == nil {
		http.Error(w, "no instance is serving", http.StatusBadGateway)
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), targetKey{}, in))
	if hook == nil {
		f.proxy.ServeHTTP(w, r)
		return
	}
	// The armed request: forward it, and kill its instance while it is
	// in flight. The answer waits for the kill, so that no later request
	// of the soak (which sends one at a time) can be the one killed.
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.proxy.ServeHTTP(w, r)
	}()
	time.Sleep(time.Millisecond)
	hook(in)
	<-done
}

// pick chooses the next live instance, round robin, and returns the
// armed hook when that instance is the victim of armKill.
func (f *front) pick() (*instance, func(*instance)) {
	live := f.d.live()
	if len(live) == 0 {
		return nil, nil
	}
	f.mu.Lock()
	in := live[f.next%len(live)]
	f.next++
	var hook func(*instance)
	if f.onPick != nil && in == f.victim {
		hook, f.onPick, f.victim = f.onPick, nil, nil
	}
	f.mu.Unlock()
	return in, hook
}

// armKill makes the next request routed to victim kill it while the
// request is in flight.
func (f *front) armKill(victim *instance, kill func(*instance)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.victim = victim
	f.onPick = kill
}

// disarm cancels armKill and reports whether it was still armed (no
// request was sent to the victim).
func (f *front) disarm() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	armed := f.onPick != nil
	f.onPick, f.victim = nil, nil
	return armed
}

func (f *front) close() { _ = f.srv.Close() }

// sqlitePath is the SQLite database of the soak in dir.
func sqlitePath(dir string) string { return filepath.Join(dir, "linkpool.db") }

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
