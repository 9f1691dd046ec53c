package cluster_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/loadtest"
	"github.com/linkpool/linkpool/internal/mail/smtptest"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

// TestCluster runs three instances on one PostgreSQL database behind the
// round-robin proxy, so that consecutive requests of one user land on
// different instances: a page from one and its form post at another, a
// code issued by one and redeemed at another, a refresh token rotated at
// one and presented at another, a lockout counted across all of them, a
// key rotation published by all. Then eight workers load the cluster
// while one instance is killed with SIGKILL: every sign-up and token the
// clients got a success response for is still there and works through
// the survivors.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster of linkpool processes: -short")
	}
	ctx := context.Background()
	mails := smtptest.New(t, smtptest.Options{})
	px := newProxy(t)
	dbURL := pgtest.URL(t)
	d := postgresDeployment(t, dbURL)
	d.publicURL, d.smtpURL = px.URL, mails.URL
	d.serveFlags = []string{"--key-refresh-interval", "1s"}
	plainSetup := d.initAlexa(t, "--name", "Plain")
	rotSetup := d.initAlexa(t, "--name", "Rotating", "--rotate-refresh-tokens")
	insts := []*instance{d.start(t, "a"), d.start(t, "b"), d.start(t, "c")}
	px.set(insts...)
	plain, rot := target(px.URL, plainSetup), target(px.URL, rotSetup)
	var secrets secretList
	secrets.add(password, plainSetup.ClientSecret, rotSetup.ClientSecret)

	t.Run("sign-up and code exchange across instances", func(t *testing.T) {
		mark := len(px.hops())
		tok, err := signUp(ctx, plain, mails, "ada", address(1))
		if err != nil {
			t.Fatalf("sign-up journey: %v", err)
		}
		secrets.add(tok.RefreshToken, tok.AccessToken)
		hops := px.hops()[mark:]
		get, post := find(hops, "GET", "/signup"), find(hops, "POST", "/signup")
		if get < 0 || post < 0 || hops[get].backend == hops[post].backend {
			t.Fatalf("the sign-up form and its post were not served by different instances: %v", hops)
		}
		ex := find(hops, "POST", "/oauth2/token")
		if ex < 1 || hops[ex-1].method != "POST" || hops[ex-1].backend == hops[ex].backend {
			t.Fatalf("the code was not issued and redeemed at different instances: %v", hops)
		}
		mark = len(px.hops())
		for range 3 {
			if _, err := plain.Refresh(ctx, tok.RefreshToken, address(1)); err != nil {
				t.Fatalf("refresh: %v", err)
			}
		}
		if n := backends(px.hops()[mark:]); n != 3 {
			t.Fatalf("three refreshes were served by %d instances, want 3", n)
		}
	})

	t.Run("sign-in form and session across instances", func(t *testing.T) {
		b := plain.Browser(address(1))
		mark := len(px.hops())
		code, verifier, err := b.SignIn(ctx, "ada", password)
		if err != nil {
			t.Fatalf("sign-in: %v", err)
		}
		hops := px.hops()[mark:]
		get, post := find(hops, "GET", "/login"), find(hops, "POST", "/login")
		if get < 0 || post < 0 || hops[get].backend == hops[post].backend {
			t.Fatalf("the sign-in form and its post were not served by different instances: %v", hops)
		}
		if _, err := plain.Exchange(ctx, code, verifier, address(1)); err != nil {
			t.Fatalf("exchange: %v", err)
		}
		// The session opened by the instance that took the post
		// re-authorizes at the others without a page.
		for range 2 {
			mark := len(px.hops())
			p, a, err := b.Authorize(ctx)
			if err != nil {
				t.Fatal(err)
			}
			code, err := a.Code(plain, p, "silent authorize")
			if err != nil {
				t.Fatalf("the session did not hold at another instance: %v", err)
			}
			if at := px.hops()[mark]; at.backend == hops[post].backend {
				t.Fatalf("authorize was served by %s, which opened the session", at.backend)
			}
			if _, err := plain.Exchange(ctx, code, a.Verifier, address(1)); err != nil {
				t.Fatalf("exchange after silent authorization: %v", err)
			}
		}
	})

	t.Run("rotated refresh tokens across instances", func(t *testing.T) {
		tok, err := signUp(ctx, rot, mails, "bea", address(2))
		if err != nil {
			t.Fatalf("sign-up journey: %v", err)
		}
		first := tok.RefreshToken
		mark := len(px.hops())
		latest := first
		for range 2 {
			next, err := rot.Refresh(ctx, latest, address(2))
			if err != nil || next.RefreshToken == "" || next.RefreshToken == latest {
				t.Fatalf("refresh with rotation: %v", err)
			}
			latest = next.RefreshToken
			secrets.add(latest)
		}
		if n := backends(px.hops()[mark:]); n != 2 {
			t.Fatalf("two refreshes were served by %d instances, want 2", n)
		}
		// Within the 60 s retry grace period the first token, two
		// rotations old, is a retry: at whichever instance it arrives it
		// gets the current token back and nothing is replaced.
		retry, err := rot.Refresh(ctx, first, address(2))
		if err != nil || retry.RefreshToken != latest {
			t.Fatalf("retry of a superseded token within the grace period: %v, want the current token back", err)
		}
		// With the grace period set to 0, the next rotation ends every
		// superseded token's grace at once: the first token presented
		// again at yet another instance is then a replay, which revokes
		// the grant (RFC 9700 §4.14.2) for every instance.
		d.cli(t, "client", "update", "--client", rotSetup.ClientID, "--retry-grace-seconds", "0")
		d.configSeen(t, insts...)
		// The load below kills an instance mid-refresh and retries with
		// the token it held: that needs the grace period back.
		defer func() {
			d.cli(t, "client", "update", "--client", rotSetup.ClientID, "--retry-grace-seconds", "60")
			d.configSeen(t, insts...)
		}()
		next, err := rot.Refresh(ctx, latest, address(2))
		if err != nil || next.RefreshToken == latest {
			t.Fatalf("refresh with rotation after the grace period was set to 0: %v", err)
		}
		latest = next.RefreshToken
		secrets.add(latest)
		if _, err := rot.Refresh(ctx, first, address(2)); !isTokenError(err, "invalid_grant") {
			t.Fatalf("replayed rotated-out token: %v, want invalid_grant", err)
		}
		if _, err := rot.Refresh(ctx, latest, address(2)); !isTokenError(err, "invalid_grant") {
			t.Fatalf("the latest token of a revoked grant: %v, want invalid_grant", err)
		}
	})

	t.Run("lockout across instances", func(t *testing.T) {
		if _, err := signUp(ctx, plain, mails, "cid", address(3)); err != nil {
			t.Fatalf("sign-up journey: %v", err)
		}
		mark := len(px.hops())
		for range 5 { // the pool locks after five failures
			_, _, err := plain.Browser(address(3)).SignIn(ctx, "cid", "Wrong-pw-1234!")
			var pe *loadtest.PageError
			if !errors.As(err, &pe) || pe.Status != http.StatusBadRequest {
				t.Fatalf("wrong password: %v, want the form again with an error", err)
			}
			// A sign-in is three requests; with three instances the
			// next one's post goes to the next instance.
			px.skip()
		}
		var posts []string
		for _, h := range px.hops()[mark:] {
			if h.method == "POST" && strings.HasSuffix(h.path, "/login") {
				posts = append(posts, h.backend)
			}
		}
		if n := backends(hopsOf(posts)); n != 3 {
			t.Fatalf("the failed sign-ins reached %d instances (%v), want all 3", n, posts)
		}
		// Every instance now refuses the right password.
		for range 3 {
			if _, _, err := plain.Browser(address(3)).SignIn(ctx, "cid", password); err == nil {
				t.Fatal("a locked-out user signed in at another instance")
			}
		}
		st, err := postgres.Open(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		u, err := st.GetUserByUsername(ctx, plainSetup.PoolID, "cid")
		if err != nil || !u.Locked(time.Now()) {
			t.Fatalf("cid is not locked in the database: %v (locked until %v)", err, u.LockedUntil)
		}
	})

	t.Run("key rotation published by every instance", func(t *testing.T) {
		before := kids(t, d, plainSetup.PoolID)
		d.cli(t, "keys", "rotate", "--pool", plainSetup.PoolID)
		var fresh []string
		for _, k := range kids(t, d, plainSetup.PoolID) {
			if !slices.Contains(before, k) {
				fresh = append(fresh, k)
			}
		}
		if len(fresh) != 2 {
			t.Fatalf("rotation created %d keys (%v), want next keys for ID and access tokens", len(fresh), fresh)
		}
		// Each instance re-reads the key set every second; wait, with
		// a deadline, until all of them publish the new keys.
		deadline := time.Now().Add(30 * time.Second)
		for _, in := range insts {
			for !publishes(in, plainSetup.PoolID, fresh) {
				if time.Now().After(deadline) {
					t.Fatalf("%s does not publish the new keys", in.name)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		// Tokens keep verifying across instances after the rotation.
		tok, err := signIn(ctx, plain, "ada", address(1))
		if err != nil {
			t.Fatalf("sign-in after the rotation: %v", err)
		}
		if _, err := plain.Refresh(ctx, tok.RefreshToken, address(1)); err != nil {
			t.Fatalf("refresh after the rotation: %v", err)
		}
	})

	t.Run("an instance killed under load", func(t *testing.T) {
		// A code the victim issued and the client holds, not yet
		// redeemed: it must redeem at a survivor after the kill.
		victim := insts[1]
		var held struct{ code, verifier string }
		for range len(insts) {
			mark := len(px.hops())
			code, verifier, err := plain.Browser(address(1)).SignIn(ctx, "ada", password)
			if err != nil {
				t.Fatal(err)
			}
			if i := find(px.hops()[mark:], "POST", "/login"); i >= 0 && px.hops()[mark+i].backend == victim.name {
				held.code, held.verifier = code, verifier
				break
			}
			px.skip()
		}
		if held.code == "" {
			t.Fatal("no code was issued by the instance to be killed")
		}
		killLoad(t, ctx, px, victim, mails, []*loadtest.Target{plain, rot}, &secrets)
		if _, err := plain.Exchange(ctx, held.code, held.verifier, address(1)); err != nil {
			t.Fatalf("a code issued by the killed instance does not redeem at a survivor: %v", err)
		}
	})

	for _, in := range insts {
		if err := apptest.FindSecret(in.log.String(), secrets.all()...); err != nil {
			t.Errorf("log of %s: %v", in.name, err)
		}
	}
}

// vuser is a load-test user and what its client holds: the refresh
// token of the last acknowledged response.
type vuser struct {
	name, from string
	tg         *loadtest.Target
	refresh    string
}

// killLoad runs eight workers doing sign-ups, sign-ins with code grants
// and refreshes, kills victim after forty acknowledged operations, and
// lets every worker do ten more. Then everything acknowledged must hold.
func killLoad(t *testing.T, ctx context.Context, px *proxy, victim *instance, mails *smtptest.Server, targets []*loadtest.Target, secrets *secretList) {
	const workers, afterKill = 8, 10
	var (
		mu       sync.Mutex
		acked    []*vuser
		gateway  int // operations cut short by the kill (502)
		failures []string
		okAfter  atomic.Int64
		done     atomic.Int64
		killed   = make(chan struct{})
		serial   atomic.Int64
	)
	serial.Store(1000)
	killOnce := sync.OnceFunc(func() {
		victim.kill()
		close(killed)
	})
	isKilled := func() bool {
		select {
		case <-killed:
			return true
		default:
			return false
		}
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			tg := targets[w%len(targets)]
			var mine []*vuser
			after := 0
			for i := 0; after < afterKill; i++ {
				wasKilled := isKilled()
				op := "refresh"
				switch {
				case len(mine) == 0 || i%5 == 0:
					op = "signup"
				case i%5 == 1:
					op = "code"
				}
				var err error
				var u *vuser
				switch op {
				case "signup":
					n := int(serial.Add(1))
					u = &vuser{name: "load" + strconv.Itoa(n), from: address(n), tg: tg}
					var tok loadtest.Tokens
					if tok, err = signUp(ctx, tg, mails, u.name, u.from); err == nil {
						u.refresh = tok.RefreshToken
						mine = append(mine, u)
						mu.Lock()
						acked = append(acked, u)
						mu.Unlock()
					}
				case "code":
					u = mine[i%len(mine)]
					var tok loadtest.Tokens
					if tok, err = signIn(ctx, tg, u.name, u.from); err == nil {
						mu.Lock()
						u.refresh = tok.RefreshToken
						mu.Unlock()
					}
				default:
					u = mine[i%len(mine)]
					var tok loadtest.Tokens
					if tok, err = tg.Refresh(ctx, u.refresh, u.from); err == nil && tok.RefreshToken != "" {
						mu.Lock()
						u.refresh = tok.RefreshToken
						mu.Unlock()
					}
				}
				mu.Lock()
				switch {
				case err == nil:
				case badGateway(err):
					gateway++
				default:
					failures = append(failures, op+": "+err.Error())
				}
				mu.Unlock()
				if err == nil {
					if wasKilled {
						okAfter.Add(1)
					}
					if done.Add(1) == 40 {
						killOnce()
					}
				}
				if wasKilled {
					after++
				}
				if !wasKilled && i > 200 {
					mu.Lock()
					failures = append(failures, "the instance was never killed")
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d operations failed for other reasons than the kill:\n%s", len(failures), strings.Join(failures, "\n"))
	}
	// Only requests in flight when the instance died may fail: at most
	// one per worker.
	if gateway > workers {
		t.Fatalf("%d operations got 502, more than the %d that can have been in flight at the kill", gateway, workers)
	}
	if okAfter.Load() < workers*afterKill-int64(gateway) {
		t.Fatalf("only %d operations succeeded after the kill", okAfter.Load())
	}
	t.Logf("%d operations acknowledged, %d cut short by the kill, %d users", done.Load(), gateway, len(acked))

	// Everything acknowledged holds, served by the survivors.
	for _, u := range acked {
		secrets.add(u.refresh)
		if _, err := u.tg.Refresh(ctx, u.refresh, u.from); err != nil {
			t.Errorf("%s: the last acknowledged refresh token: %v", u.name, err)
		}
		if _, err := signIn(ctx, u.tg, u.name, u.from); err != nil {
			t.Errorf("%s: an acknowledged sign-up cannot sign in: %v", u.name, err)
		}
	}
}

// find returns the index of the first hop with method whose path ends in
// suffix, or -1.
func find(hops []hop, method, suffix string) int {
	return slices.IndexFunc(hops, func(h hop) bool { return h.method == method && strings.HasSuffix(h.path, suffix) })
}

// backends counts the distinct instances that served hops.
func backends(hops []hop) int {
	seen := map[string]bool{}
	for _, h := range hops {
		seen[h.backend] = true
	}
	return len(seen)
}

func hopsOf(names []string) []hop {
	out := make([]hop, len(names))
	for i, n := range names {
		out[i].backend = n
	}
	return out
}

// kids lists the pool's key ids with the command line.
func kids(t *testing.T, d *deployment, poolID string) []string {
	t.Helper()
	var keys []struct {
		KID string `json:"kid"`
	}
	if err := json.Unmarshal([]byte(d.cli(t, "keys", "list", "--pool", poolID, "--json")), &keys); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range keys {
		out = append(out, k.KID)
	}
	return out
}

// publishes reports whether the instance's own JWKS, fetched directly,
// lists every kid.
func publishes(in *instance, poolID string, kids []string) bool {
	resp, err := http.Get("http://" + in.addr + "/" + poolID + "/.well-known/jwks.json")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var set struct {
		Keys []jwk `json:"keys"`
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &set) != nil {
		return false
	}
	for _, kid := range kids {
		if !slices.ContainsFunc(set.Keys, func(k jwk) bool { return k.KID == kid }) {
			return false
		}
	}
	return true
}

// jwk is the part of a published key the tests read.
type jwk struct {
	KID string `json:"kid"`
}

// secretList collects secrets that must never appear in a log.
type secretList struct {
	mu sync.Mutex
	s  []string
}

func (l *secretList) add(s ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.s = append(l.s, s...)
}

func (l *secretList) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.s)
}
