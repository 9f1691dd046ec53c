package cluster_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/loadtest"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
	_ "github.com/linkpool/linkpool/internal/store/sqlite" // the "sqlite" driver, for dbstat
	"github.com/linkpool/linkpool/internal/transfer"
)

var (
	millionSizes       = flag.String("million.sizes", "1000,100000", "BenchmarkMillion: deployment sizes compared, users each with one live refresh token (make bench-million: 1000,1000000)")
	millionDuration    = flag.Duration("million.duration", 10*time.Second, "BenchmarkMillion: length of each measured run")
	millionRounds      = flag.Int("million.rounds", 2, "BenchmarkMillion: rounds; each measures every size in turn, so that the sizes share the machine's noise")
	millionConcurrency = flag.Int("million.concurrency", 8, "BenchmarkMillion: workers")
	millionMarkdown    = flag.String("million.markdown", "", "BenchmarkMillion: write the results as docs/scaling.md's million block to this file")
)

// BenchmarkMillion compares refresh and sign-in rates of deployments of
// different sizes (1,000 and 1,000,000 users with as many live refresh
// tokens for `make bench-million`) on SQLite and on PostgreSQL, and
// measures what each size costs: import rate and database size per user
// and per link. For each store and size it generates the deployment with
// `linkpool seed`, loads it with `linkpool import`, then, in rounds that
// interleave the sizes, starts `linkpool serve` on it and drives
//
//   - refresh: refresh_token grants of random live tokens (the seeded
//     client: RS256, no rotation, an ID token on refresh), and
//   - sign-in: the hosted sign-in form of random users and the code
//     exchange (argon2id at the default parameters, two signatures and
//     a new refresh token),
//
// each for -million.duration with -million.concurrency workers, the
// server's rate limits off. It logs
// the rates side by side with the ratio large/small, and with
// -million.markdown FILE writes the block docs/scaling.md holds. Each
// case runs once, whatever b.N. The load generator shares the machine
// with the server (and PostgreSQL): compare ratios, not absolute rates.
func BenchmarkMillion(b *testing.B) {
	var sizes []int
	for _, s := range strings.Split(*millionSizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < *millionConcurrency {
			b.Fatalf("-million.sizes: %q is not a size of at least -million.concurrency users", s)
		}
		sizes = append(sizes, n)
	}
	key := filepath.Join(b.TempDir(), "master.key")
	(&deployment{}).cli(b, "keys", "master-key", "--out", key)
	var results []millionResult
	for _, postgres := range []bool{false, true} {
		var ds []*millionDeployment
		for _, n := range sizes {
			ds = append(ds, newMillionDeployment(b, key, n, postgres))
		}
		for round := range *millionRounds {
			for _, d := range ds {
				d.measure(b, round)
			}
		}
		for _, d := range ds {
			results = append(results, d.result)
			b.ReportMetric(d.result.refresh(), fmt.Sprintf("refresh/s(%s,%d)", d.store(), d.users))
			b.ReportMetric(d.result.signIn(), fmt.Sprintf("signin/s(%s,%d)", d.store(), d.users))
		}
	}
	table := millionTable(results)
	b.Log("\n" + table)
	if *millionMarkdown != "" {
		if err := os.WriteFile(*millionMarkdown, []byte(table), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// millionDeployment is one seeded, imported deployment.
type millionDeployment struct {
	*deployment
	users    int
	postgres bool
	url      string // PostgreSQL
	dir      string // SQLite
	seeded   transfer.Seeded
	tokens   []string // live refresh tokens
	result   millionResult
}

// millionResult is what one deployment measured.
type millionResult struct {
	store               string
	users               int
	importRate          float64 // records per second
	bytesUser, bytesRT  float64 // per user, per refresh token (a link)
	refreshes, signIns  []float64
	refreshErr, signErr int64
}

func (r millionResult) refresh() float64 { return mean(r.refreshes) }
func (r millionResult) signIn() float64  { return mean(r.signIns) }

func (d *millionDeployment) store() string {
	if d.postgres {
		return "PostgreSQL"
	}
	return "SQLite"
}

// newMillionDeployment seeds and imports a deployment of n users, each
// with one live refresh token, and measures the import and the size.
func newMillionDeployment(b *testing.B, key string, n int, postgres bool) *millionDeployment {
	b.Helper()
	dir := b.TempDir()
	d := &millionDeployment{users: n, postgres: postgres}
	if postgres {
		d.url = pgtest.URL(b)
		d.deployment = &deployment{env: []string{"LINKPOOL_DATABASE_URL=" + d.url, "LINKPOOL_MASTER_KEY_FILE=" + key}}
	} else {
		d.dir = filepath.Join(dir, "data")
		if err := os.Mkdir(d.dir, 0o700); err != nil {
			b.Fatal(err)
		}
		d.deployment = &deployment{env: []string{"LINKPOOL_DATA=" + d.dir, "LINKPOOL_MASTER_KEY_FILE=" + key}}
	}
	d.result = millionResult{store: d.store(), users: n}
	export, usersFile := filepath.Join(dir, "export.jsonl"), filepath.Join(dir, "users.jsonl")
	start := time.Now()
	d.cli(b, "seed", "--users", strconv.Itoa(n), "--out", export, "--users-out", usersFile)
	logf(b, "%s, %d users: seeded in %v", d.store(), n, time.Since(start).Round(time.Millisecond))
	d.readUsers(b, usersFile)
	start = time.Now()
	d.cli(b, "import", "--in", export)
	took := time.Since(start)
	d.result.importRate = float64(2*n+3) / took.Seconds()
	logf(b, "%s, %d users: imported %d records in %v: %.0f records/s", d.store(), n, 2*n+3, took.Round(time.Millisecond), d.result.importRate)
	os.Remove(export)
	d.measureSize(b)
	return d
}

// readUsers reads the pool, client and refresh tokens `linkpool seed`
// wrote.
func (d *millionDeployment) readUsers(b *testing.B, path string) {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	first := true
	for sc.Scan() {
		if first {
			first = false
			if err := json.Unmarshal(sc.Bytes(), &d.seeded); err != nil {
				b.Fatal(err)
			}
			continue
		}
		var u transfer.SeedUser
		if err := json.Unmarshal(sc.Bytes(), &u); err != nil {
			b.Fatal(err)
		}
		d.tokens = append(d.tokens, u.RefreshToken)
	}
	if err := sc.Err(); err != nil || len(d.tokens) != d.users {
		b.Fatalf("read %d users of %d from %s: %v", len(d.tokens), d.users, path, err)
	}
}

// measureSize records the bytes per user and per refresh token: the
// tables with their indexes (SQLite dbstat, PostgreSQL
// pg_total_relation_size).
func (d *millionDeployment) measureSize(b *testing.B) {
	ctx := context.Background()
	var users, tokens int64
	if d.postgres {
		conn, err := pgx.Connect(ctx, d.url)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `VACUUM ANALYZE`); err != nil {
			b.Fatal(err)
		}
		err = conn.QueryRow(ctx, `SELECT pg_total_relation_size('users'), pg_total_relation_size('refresh_tokens')`).Scan(&users, &tokens)
		if err != nil {
			b.Fatal(err)
		}
	} else {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(d.dir, "linkpool.db")+"?mode=ro")
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		rows, err := db.QueryContext(ctx, `SELECT s.tbl_name, sum(d.pgsize) FROM dbstat d JOIN sqlite_schema s ON s.name = d.name
			WHERE s.tbl_name IN ('users', 'refresh_tokens') GROUP BY s.tbl_name`)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var name string
			var size int64
			if err := rows.Scan(&name, &size); err != nil {
				b.Fatal(err)
			}
			if name == "users" {
				users = size
			} else {
				tokens = size
			}
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		rows.Close()
	}
	d.result.bytesUser, d.result.bytesRT = float64(users)/float64(d.users), float64(tokens)/float64(d.users)
	logf(b, "%s, %d users: users %d bytes (%.0f per user), refresh_tokens %d bytes (%.0f per link)",
		d.store(), d.users, users, d.result.bytesUser, tokens, d.result.bytesRT)
}

// measure starts `linkpool serve`, warms it up and measures refreshes and
// sign-ins.
func (d *millionDeployment) measure(b *testing.B, round int) {
	d.addr = apptest.FreeAddr(b)
	d.publicURL = "http://" + d.addr
	// The rate limits are policy, not capacity (as in BenchmarkReport):
	// at 1,000 users each token refreshes several times a second.
	d.serveFlags = []string{"--login-rate-limit", "0", "--token-rate-limit", "0"}
	in := d.start(b, fmt.Sprintf("%s-%d-%d", d.store(), d.users, round))
	defer in.kill()
	tg := &loadtest.Target{
		Base: d.publicURL + "/" + d.seeded.PoolID, ClientID: d.seeded.ClientID, ClientSecret: d.seeded.ClientSecret,
		RedirectURI: d.seeded.RedirectURI, Transport: loadtest.NewTransport(2 * *millionConcurrency),
	}
	refresh := func(ctx context.Context, rng *rand.Rand) error {
		_, err := tg.Refresh(ctx, d.tokens[rng.IntN(len(d.tokens))], "")
		return err
	}
	var signedIn atomic.Int64
	signIn := func(ctx context.Context, rng *rand.Rand) error {
		i := rng.IntN(d.users)
		from := address(i + 1)
		code, verifier, err := tg.Browser(from).SignIn(ctx, fmt.Sprintf("user%07d", i), d.seeded.Password)
		if err == nil {
			_, err = tg.Exchange(ctx, code, verifier, from)
		}
		if err == nil {
			signedIn.Add(1)
		}
		return err
	}
	drive(b, refresh, 2*time.Second) // warm up: caches, connections
	rate, errs := drive(b, refresh, *millionDuration)
	d.result.refreshes = append(d.result.refreshes, rate)
	d.result.refreshErr += errs
	rate, errs = drive(b, signIn, *millionDuration)
	d.result.signIns = append(d.result.signIns, rate)
	d.result.signErr += errs
	logf(b, "round %d, %s, %d users: %.0f refreshes/s, %.1f sign-ins/s (errors so far: %d, %d)",
		round+1, d.store(), d.users, d.result.refreshes[round], d.result.signIns[round], d.result.refreshErr, d.result.signErr)
}

// drive runs op with -million.concurrency workers for duration and
// returns the successful operations per second and the failures.
func drive(b *testing.B, op func(context.Context, *rand.Rand) error, duration time.Duration) (float64, int64) {
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	var ok, failed atomic.Int64
	var firstErr sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for w := range *millionConcurrency {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			for ctx.Err() == nil {
				err := op(ctx, rng)
				switch {
				case err == nil:
					ok.Add(1)
				case ctx.Err() == nil:
					failed.Add(1)
					firstErr.Do(func() { logf(b, "first failure: %v", err) })
				}
			}
		})
	}
	wg.Wait()
	return float64(ok.Load()) / time.Since(start).Seconds(), failed.Load()
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(max(1, len(xs)))
}

// millionTable renders the results: per store, each size's import
// rate, size and rates, and the ratios of every size to the smallest.
func millionTable(rs []millionResult) string {
	var sb strings.Builder
	host, _ := os.Hostname()
	fmt.Fprintf(&sb, "Measured %s on %s (%d rounds of %v per rate, %d workers; load generator on the same machine).\n\n",
		time.Now().UTC().Format("2006-01-02"), host, *millionRounds, *millionDuration, *millionConcurrency)
	sb.WriteString("| Store | Users (= live refresh tokens) | Import, records/s | Bytes per user | Bytes per link | Refresh/s | Sign-in/s | Refresh vs smallest | Sign-in vs smallest |\n")
	sb.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	var base millionResult
	for _, r := range rs {
		if base.store != r.store {
			base = r
		}
		fmt.Fprintf(&sb, "| %s | %d | %.0f | %.0f | %.0f | %.0f | %.1f | %+.1f %% | %+.1f %% |\n",
			r.store, r.users, r.importRate, r.bytesUser, r.bytesRT, r.refresh(), r.signIn(),
			100*(r.refresh()/base.refresh()-1), 100*(r.signIn()/base.signIn()-1))
	}
	return sb.String()
}
