package benchreport

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/sqlite"
	"github.com/linkpool/linkpool/internal/token"
)

// Rate is a bound in operations per second, with one worker (one core)
// and with a worker per core (or, for argon2id, per hash slot).
type Rate struct {
	OneCore  float64
	AllCores float64
}

// Bounds are the physical limits measured on one machine.
type Bounds struct {
	// Cores is GOMAXPROCS while measuring: the workers of AllCores.
	Cores int
	// HashConcurrency is the server's --hash-concurrency: the argon2id
	// verifies run at once for Argon2.AllCores.
	HashConcurrency int
	// Argon2Params are the parameters of the argon2id verifies.
	Argon2Params password.Params

	SignRS256   Rate // token.Keys.Sign of an access token
	SignES256   Rate
	VerifyRS256 Rate // token.Keys.Verify of an RS256 access token
	Argon2      Rate // password.Hasher.Verify
	// Fsync is write+fsync of FsyncBytes at the start of one file in the
	// data directory, one after the other.
	Fsync float64
	// Commit is a one-row SQLite transaction in the data directory with
	// the store's writer settings (sqlite.WriterDSN), one after the other:
	// the store has one writer connection.
	Commit float64
}

// Max returns the higher of each bound of b and o. A bound is a ceiling:
// on a shared machine other work only lowers a measurement, so the higher
// of two is the closer estimate.
func (b Bounds) Max(o Bounds) Bounds {
	hi := func(x, y Rate) Rate {
		return Rate{OneCore: max(x.OneCore, y.OneCore), AllCores: max(x.AllCores, y.AllCores)}
	}
	b.SignRS256, b.SignES256 = hi(b.SignRS256, o.SignRS256), hi(b.SignES256, o.SignES256)
	b.VerifyRS256, b.Argon2 = hi(b.VerifyRS256, o.VerifyRS256), hi(b.Argon2, o.Argon2)
	b.Fsync, b.Commit = max(b.Fsync, o.Fsync), max(b.Commit, o.Commit)
	return b
}

// FsyncBytes is the size of the write before each fsync.
const FsyncBytes = 512

// BoundsConfig says where and how long to measure.
type BoundsConfig struct {
	// Dir is the server's data directory; the fsync and commit probes
	// write files there (removed afterwards).
	Dir string
	// Duration of each measurement; zero means 2 s.
	Duration time.Duration
	// HashConcurrency as the server runs with; zero means the server's
	// default, GOMAXPROCS.
	HashConcurrency int
}

// MeasureBounds measures every bound, one after the other, for
// cfg.Duration each.
func MeasureBounds(ctx context.Context, cfg BoundsConfig) (*Bounds, error) {
	if cfg.Dir == "" {
		return nil, errors.New("benchreport: no data directory")
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 2 * time.Second
	}
	cores := runtime.GOMAXPROCS(0)
	if cfg.HashConcurrency <= 0 {
		cfg.HashConcurrency = cores
	}
	b := &Bounds{Cores: cores, HashConcurrency: cfg.HashConcurrency, Argon2Params: password.DefaultParams}
	m := meter{ctx: ctx, d: cfg.Duration}

	if err := measureSigning(ctx, cfg.Dir, m, cores, b); err != nil {
		return nil, err
	}
	h := password.NewHasher(b.Argon2Params, cfg.HashConcurrency)
	const pw = "Bench-Passw0rd!"
	stored, err := h.Hash(ctx, pw)
	if err != nil {
		return nil, fmt.Errorf("benchreport: argon2id: %w", err)
	}
	verify := func() error {
		ok, err := h.Verify(ctx, stored, pw)
		if err == nil && !ok {
			err = errors.New("the password does not verify")
		}
		return err
	}
	if b.Argon2, err = m.rate("argon2id verify", 1, cfg.HashConcurrency, verify); err != nil {
		return nil, err
	}
	if b.Fsync, err = measureFsync(m, cfg.Dir); err != nil {
		return nil, err
	}
	if b.Commit, err = measureCommit(ctx, m, cfg.Dir); err != nil {
		return nil, err
	}
	return b, nil
}

// measureSigning signs and verifies access tokens with the token package's
// signer, over a SQLite store of its own in dir (only the keys are read
// from it, once).
func measureSigning(ctx context.Context, dir string, m meter, cores int, b *Bounds) error {
	path := filepath.Join(dir, "benchreport-keys.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return fmt.Errorf("benchreport: keys store: %w", err)
	}
	defer removeDB(path)
	defer st.Close()
	key := make([]byte, seal.KeySize)
	_, _ = rand.Read(key)
	box, err := seal.New(key)
	if err != nil {
		return err
	}
	keys := token.NewKeys(st, box, token.KeysOptions{RefreshInterval: token.MaxRefreshInterval})
	for _, alg := range []struct {
		name   string
		sign   *Rate
		verify *Rate
	}{{pool.AlgRS256, &b.SignRS256, &b.VerifyRS256}, {pool.AlgES256, &b.SignES256, nil}} {
		now := time.Now()
		p := pool.NewPool("us-east-1", "benchreport "+alg.name, now)
		p.SigningAlgorithm = alg.name
		if err := st.CreatePool(ctx, p); err != nil {
			return fmt.Errorf("benchreport: %w", err)
		}
		if err := keys.Ensure(ctx, p.ID, alg.name); err != nil {
			return fmt.Errorf("benchreport: %s keys: %w", alg.name, err)
		}
		claims := token.NewAccessClaims(token.AccessInput{
			Issuer: "https://id.example.com/" + p.ID, ClientID: "7uh8lb2idnder3jkjte0kqub4g",
			Sub: "7ee7bebb-291c-47e0-ae3a-83795973d5f4", Username: "janedoe", Scopes: []string{"openid"},
			OriginJTI: "a4867101-110e-490f-a082-6852d8e00e8f", JTI: "cf7c7c31-e667-4049-9a34-2cec5de8bf88",
			AuthTime: now, IssuedAt: now, ExpiresAt: now.Add(time.Hour),
		})
		tok, err := keys.Sign(ctx, p.ID, store.UseAccess, claims) // loads the keys
		if err != nil {
			return fmt.Errorf("benchreport: sign %s: %w", alg.name, err)
		}
		sign := func() error { _, err := keys.Sign(ctx, p.ID, store.UseAccess, claims); return err }
		if *alg.sign, err = m.rate(alg.name+" signature", 1, cores, sign); err != nil {
			return err
		}
		if alg.verify != nil {
			verify := func() error { _, err := keys.Verify(ctx, p.ID, store.UseAccess, tok); return err }
			if *alg.verify, err = m.rate(alg.name+" verification", 1, cores, verify); err != nil {
				return err
			}
		}
	}
	return nil
}

// measureFsync overwrites the start of one file in dir and fsyncs it.
func measureFsync(m meter, dir string) (float64, error) {
	path := filepath.Join(dir, "benchreport-fsync.tmp")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, fmt.Errorf("benchreport: fsync probe: %w", err)
	}
	defer os.Remove(path)
	defer f.Close()
	buf := make([]byte, FsyncBytes)
	var n byte
	r, err := m.rate("write+fsync", 1, 0, func() error {
		n++
		buf[0] = n
		if _, err := f.WriteAt(buf, 0); err != nil {
			return err
		}
		return f.Sync()
	})
	return r.OneCore, err
}

// measureCommit commits one-row upserts, one after the other, to a SQLite
// file in dir opened as the store opens its writer.
func measureCommit(ctx context.Context, m meter, dir string) (float64, error) {
	path := filepath.Join(dir, "benchreport-commit.db")
	db, err := sql.Open("sqlite", sqlite.WriterDSN(path))
	if err != nil {
		return 0, fmt.Errorf("benchreport: commit probe: %w", err)
	}
	defer removeDB(path)
	defer db.Close()
	db.SetMaxOpenConns(1)
	var sync int
	var journal string
	if err := db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		return 0, fmt.Errorf("benchreport: commit probe: %w", err)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&journal); err != nil {
		return 0, fmt.Errorf("benchreport: commit probe: %w", err)
	}
	if sync != 2 || journal != "wal" {
		return 0, fmt.Errorf("benchreport: commit probe: synchronous=%d, journal_mode=%s; want 2 (FULL) and wal as the store", sync, journal)
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS probe (k INTEGER PRIMARY KEY, v BLOB NOT NULL)"); err != nil {
		return 0, fmt.Errorf("benchreport: commit probe: %w", err)
	}
	v := make([]byte, 64)
	var i int
	r, err := m.rate("SQLite commit", 1, 0, func() error {
		i++
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO probe (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", i%256, v); err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	})
	return r.OneCore, err
}

func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(path + suffix)
	}
}

// meter runs an operation in a loop for a fixed time.
type meter struct {
	ctx context.Context
	d   time.Duration
}

// rate measures op with one worker and, if all > 0, with all workers at
// once, each for m.d. The first error stops the measurement.
func (m meter) rate(name string, one, all int, op func() error) (Rate, error) {
	var r Rate
	var err error
	if r.OneCore, err = m.run(one, op); err != nil {
		return r, fmt.Errorf("benchreport: %s: %w", name, err)
	}
	if all > 0 {
		if r.AllCores, err = m.run(all, op); err != nil {
			return r, fmt.Errorf("benchreport: %s on %d workers: %w", name, all, err)
		}
	}
	return r, nil
}

// run calls op from workers goroutines until m.d has passed and returns
// the completed calls per second.
func (m meter) run(workers int, op func() error) (float64, error) {
	ctx, cancel := context.WithTimeout(m.ctx, m.d)
	defer cancel()
	var done atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				if err := op(); err != nil {
					once.Do(func() { firstErr = err })
					cancel()
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return 0, firstErr
	}
	if err := m.ctx.Err(); err != nil {
		return 0, err
	}
	return float64(done.Load()) / elapsed.Seconds(), nil
}
