package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

// The group commit's tests hold the writer inside one write (holdWriter)
// while others queue, so that those form the next batch: batches are then
// known, not a matter of scheduling.

// holdWriter starts a write whose transaction stays open until release is
// called. inside, if set, runs in it first.
func holdWriter(t *testing.T, db *DB, inside func(tx *wtx) error) (release func()) {
	t.Helper()
	started, proceed, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- db.writeTx(context.Background(), "hold", func(tx *wtx) error {
			if inside != nil {
				if err := inside(tx); err != nil {
					return err
				}
			}
			close(started)
			<-proceed
			return nil
		})
	}()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("hold the writer: %v", err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(proceed)
			if err := <-done; err != nil {
				t.Errorf("the held write: %v", err)
			}
		})
	}
	t.Cleanup(release)
	return release
}

// waitQueued waits until n writes are queued behind the held one.
func waitQueued(db *DB, n int) {
	for len(db.wr.queue) < n {
		time.Sleep(time.Millisecond)
	}
}

// queue starts write in a goroutine once the writes queued before it are
// queued, so that writes queue in the order of the calls, and returns
// where its error will arrive.
func queue(db *DB, write func() error) <-chan error {
	n := len(db.wr.queue)
	ch := make(chan error, 1)
	go func() { ch <- write() }()
	waitQueued(db, n+1)
	return ch
}

type counts struct{ commits, writes int64 }

func countsOf(db *DB) counts { return counts{db.wr.commits.Load(), db.wr.jobs.Load()} }

func (c counts) since(before counts) counts {
	return counts{c.commits - before.commits, c.writes - before.writes}
}

const owner = "owner-sub"

func lampID(i int) string { return fmt.Sprintf("lamp-%02d", i) }

func createLamps(t *testing.T, db *DB, n int) {
	t.Helper()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for i := range n {
		l := skillstore.Lamp{Owner: owner, ID: lampID(i), Name: lampID(i), Kelvin: 2700, ColorMode: "temperature",
			Reachable: true, CreatedAt: now, UpdatedAt: now}
		if err := db.CreateLamp(t.Context(), l); err != nil {
			t.Fatal(err)
		}
	}
}

func setBrightness(ctx context.Context, db *DB, id string, b int) error {
	return db.UpdateLamp(ctx, owner, id, func(l skillstore.Lamp) (skillstore.Lamp, error) {
		l.Brightness = b
		return l, nil
	})
}

func brightness(t *testing.T, db *DB, id string) int {
	t.Helper()
	l, err := db.GetLamp(t.Context(), owner, id)
	if err != nil {
		t.Fatalf("GetLamp %s: %v", id, err)
	}
	return l.Brightness
}

func mustAbsent(t *testing.T, db *DB, id string) {
	t.Helper()
	if _, err := db.GetLamp(t.Context(), owner, id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("lamp %s: %v, want it not stored", id, err)
	}
}

func newLamp(id string) skillstore.Lamp {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	return skillstore.Lamp{Owner: owner, ID: id, Name: id, ColorMode: "color", CreatedAt: now, UpdatedAt: now}
}

// TestGroupCommitConcurrentWrites: 64 writers rotate their own refresh
// tokens and switch their own lamps at once. Every write succeeds, and
// every acknowledged write is in the file after Close and a reopen.
func TestGroupCommitConcurrentWrites(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "linkpool.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	p := pool.NewPool("eu-west-1", "p", now)
	c := pool.NewClient(p.ID, "c", now)
	if err := errors.Join(db.CreatePool(ctx, p), db.CreateClient(ctx, c)); err != nil {
		t.Fatal(err)
	}
	const writers, rounds = 64, 10
	createLamps(t, db, writers)
	for i := range writers {
		rt := store.RefreshToken{ID: fmt.Sprintf("rt-%02d", i), OriginJTI: fmt.Sprintf("o-%02d", i), PoolID: p.ID, ClientID: c.ID,
			Sub: owner, SecretHash: "s0", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := db.CreateRefreshToken(ctx, rt); err != nil {
			t.Fatal(err)
		}
	}
	before := countsOf(db)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			for r := 1; r <= rounds && errs[i] == nil; r++ {
				errs[i] = errors.Join(
					db.UpdateRefreshToken(ctx, fmt.Sprintf("rt-%02d", i), func(t store.RefreshToken) (store.RefreshToken, error) {
						t.PrevSecretHash, t.SecretHash = t.SecretHash, fmt.Sprintf("s%d", r)
						return t, nil
					}),
					setBrightness(ctx, db, lampID(i), r))
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	got := countsOf(db).since(before)
	if got.writes != 2*writers*rounds {
		t.Fatalf("%d writes acknowledged, want %d", got.writes, 2*writers*rounds)
	}
	t.Logf("%d writes in %d commits", got.writes, got.commits)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range writers {
		rt, err := db.GetRefreshToken(ctx, fmt.Sprintf("rt-%02d", i))
		if err != nil || rt.SecretHash != fmt.Sprintf("s%d", rounds) || rt.PrevSecretHash != fmt.Sprintf("s%d", rounds-1) {
			t.Errorf("refresh token %d after reopening: %q, %q, %v", i, rt.SecretHash, rt.PrevSecretHash, err)
		}
		if b := brightness(t, db, lampID(i)); b != rounds {
			t.Errorf("lamp %d after reopening: brightness %d, want %d", i, b, rounds)
		}
	}
}

// TestGroupCommitBatches: the writes that queue while a transaction runs
// commit together in the next one, and the metrics count them.
func TestGroupCommitBatches(t *testing.T) {
	db, _ := openInternal(t)
	const n = 40
	createLamps(t, db, n)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(db)
	before := countsOf(db)

	release := holdWriter(t, db, nil)
	results := make([]<-chan error, n)
	for i := range n {
		results[i] = queue(db, func() error { return setBrightness(t.Context(), db, lampID(i), i+1) })
	}
	release()
	for i, r := range results {
		if err := <-r; err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if got := countsOf(db).since(before); got != (counts{commits: 2, writes: n + 1}) {
		t.Fatalf("%d writes in %d commits; want the held write alone, then the %d queued ones in one commit", got.writes, got.commits, n)
	}
	for i := range n {
		if b := brightness(t, db, lampID(i)); b != i+1 {
			t.Fatalf("lamp %d: brightness %d, want %d", i, b, i+1)
		}
	}

	after := countsOf(db)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, mf := range mfs {
		m := mf.GetMetric()[0]
		seen[mf.GetName()] = true
		switch mf.GetName() {
		case "linkpool_sqlite_commits_total":
			if v := m.GetCounter().GetValue(); v != float64(after.commits) {
				t.Errorf("%s = %v, want %d", mf.GetName(), v, after.commits)
			}
		case "linkpool_sqlite_writes_total":
			if v := m.GetCounter().GetValue(); v != float64(after.writes) {
				t.Errorf("%s = %v, want %d", mf.GetName(), v, after.writes)
			}
		case "linkpool_sqlite_commit_batch_size":
			h := m.GetHistogram()
			if h.GetSampleCount() != uint64(after.commits) || h.GetSampleSum() != float64(after.writes) {
				t.Errorf("%s: %d samples summing to %v, want %d summing to %d", mf.GetName(), h.GetSampleCount(), h.GetSampleSum(), after.commits, after.writes)
			}
			for _, b := range h.GetBucket() {
				if b.GetUpperBound() == 32 && b.GetCumulativeCount() != uint64(after.commits-1) {
					t.Errorf("%s: %d commits of at most 32 writes, want all but the batch of %d", mf.GetName(), b.GetCumulativeCount(), n)
				}
			}
		}
	}
	for _, name := range []string{"linkpool_sqlite_commits_total", "linkpool_sqlite_writes_total", "linkpool_sqlite_commit_batch_size"} {
		if !seen[name] {
			t.Errorf("metric %s missing", name)
		}
	}
}

var errRefused = errors.New("refused by the callback")

// TestGroupCommitFailingWrites: writes of one batch that fail (their
// callback's error, a key conflict, a missing foreign row, a statement
// that fails after another has written) get their own errors and leave
// nothing behind; the other writes of the batch commit.
func TestGroupCommitFailingWrites(t *testing.T) {
	db, _ := openInternal(t)
	createLamps(t, db, 4)
	before := countsOf(db)
	release := holdWriter(t, db, nil)

	good0 := queue(db, func() error { return setBrightness(t.Context(), db, lampID(0), 50) })
	refused := queue(db, func() error {
		return db.UpdateLamp(t.Context(), owner, lampID(1), func(l skillstore.Lamp) (skillstore.Lamp, error) {
			l.Brightness = 99
			return l, errRefused
		})
	})
	wroteThenRefused := queue(db, func() error {
		return db.writeTx(t.Context(), "write then refuse", func(tx *wtx) error {
			if _, err := tx.Exec(`INSERT INTO lamps (`+lampColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				append([]any{owner, "ghost"}, lampValues(newLamp("ghost"))...)...); err != nil {
				return err
			}
			return errRefused
		})
	})
	duplicate := queue(db, func() error { return db.CreateLamp(t.Context(), newLamp(lampID(2))) })
	wroteThenConflict := queue(db, func() error {
		return db.writeTx(t.Context(), "write then conflict", func(tx *wtx) error {
			for _, id := range []string{"extra", lampID(3)} {
				if _, err := tx.Exec(`INSERT INTO lamps (`+lampColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					append([]any{owner, id}, lampValues(newLamp(id))...)...); err != nil {
					return wrap("write then conflict", err)
				}
			}
			return nil
		})
	})
	noPool := queue(db, func() error {
		return db.CreateUser(t.Context(), pool.User{PoolID: "no-such-pool", Sub: pool.NewSub(), Username: "u", UsernameKey: "u"})
	})
	good1 := queue(db, func() error { return setBrightness(t.Context(), db, lampID(1), 60) })
	created := queue(db, func() error { return db.CreateLamp(t.Context(), newLamp("new")) })
	release()

	for name, err := range map[string]error{"good0": <-good0, "good1": <-good1, "created": <-created} {
		if err != nil {
			t.Errorf("%s beside failing writes: %v", name, err)
		}
	}
	if err := <-refused; !errors.Is(err, errRefused) {
		t.Errorf("refused update: %v, want the callback's error", err)
	}
	if err := <-wroteThenRefused; !errors.Is(err, errRefused) {
		t.Errorf("write then refuse: %v, want the callback's error", err)
	}
	if err := <-duplicate; !errors.Is(err, store.ErrAlreadyExists) {
		t.Errorf("duplicate lamp: %v, want store.ErrAlreadyExists", err)
	}
	if err := <-wroteThenConflict; !errors.Is(err, store.ErrAlreadyExists) {
		t.Errorf("write then conflict: %v, want store.ErrAlreadyExists", err)
	}
	if err := <-noPool; !errors.Is(err, store.ErrNotFound) {
		t.Errorf("user of a missing pool: %v, want store.ErrNotFound", err)
	}
	if got := countsOf(db).since(before); got != (counts{commits: 2, writes: 4}) {
		t.Errorf("%d writes in %d commits; want the held write, then the 3 good ones of the batch in one commit", got.writes, got.commits)
	}
	if b := brightness(t, db, lampID(0)); b != 50 {
		t.Errorf("lamp 0: brightness %d, want 50", b)
	}
	if b := brightness(t, db, lampID(1)); b != 60 {
		t.Errorf("lamp 1: brightness %d, want 60 (the refused update's 99 must not be stored)", b)
	}
	if l, err := db.GetLamp(t.Context(), owner, lampID(2)); err != nil || l.ColorMode != "temperature" {
		t.Errorf("lamp 2 after a duplicate create: %+v, %v", l, err)
	}
	mustAbsent(t, db, "ghost")
	mustAbsent(t, db, "extra")
	if _, err := db.GetLamp(t.Context(), owner, "new"); err != nil {
		t.Errorf("lamp created beside failing writes: %v", err)
	}
}

// TestGroupCommitCancelledWrites: a write whose context ends before it
// starts, before or after it was queued, returns the context's error and
// stores nothing.
func TestGroupCommitCancelledWrites(t *testing.T) {
	db, _ := openInternal(t)
	before := countsOf(db)

	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	if err := db.CreateLamp(cancelled, newLamp("early")); !errors.Is(err, context.Canceled) {
		t.Fatalf("CreateLamp with a cancelled context: %v", err)
	}
	if got := countsOf(db).since(before); got.writes != 0 {
		t.Fatalf("%d writes acknowledged for a cancelled one", got.writes)
	}

	release := holdWriter(t, db, nil)
	ctx, cancel := context.WithCancel(t.Context())
	late := queue(db, func() error { return db.CreateLamp(ctx, newLamp("late")) })
	after := queue(db, func() error { return db.CreateLamp(t.Context(), newLamp("after")) })
	cancel()
	if err := <-late; !errors.Is(err, context.Canceled) {
		t.Fatalf("CreateLamp cancelled while queued: %v", err)
	}
	release()
	if err := <-after; err != nil {
		t.Fatalf("the write queued after the cancelled one: %v", err)
	}
	if got := countsOf(db).since(before); got != (counts{commits: 2, writes: 2}) {
		t.Fatalf("%d writes in %d commits; want the held write and the one after the cancelled", got.writes, got.commits)
	}
	mustAbsent(t, db, "early")
	mustAbsent(t, db, "late")
	if _, err := db.GetLamp(t.Context(), owner, "after"); err != nil {
		t.Fatal(err)
	}
}

// TestGroupCommitCommitFailure: when the batch's COMMIT fails, every
// write of the batch fails and none is stored; the next batch commits.
// A foreign key checked at COMMIT (PRAGMA defer_foreign_keys) makes the
// COMMIT fail.
func TestGroupCommitCommitFailure(t *testing.T) {
	db, _ := openInternal(t)
	createLamps(t, db, 3)
	before := countsOf(db)
	release := holdWriter(t, db, nil)
	var results []<-chan error
	results = append(results, queue(db, func() error {
		return db.writeTx(t.Context(), "defer foreign keys", func(tx *wtx) error {
			_, err := tx.Exec(`PRAGMA defer_foreign_keys = ON`)
			return err
		})
	}))
	for i := range 3 {
		results = append(results, queue(db, func() error { return setBrightness(t.Context(), db, lampID(i), 70) }))
	}
	results = append(results, queue(db, func() error {
		return db.CreateUser(t.Context(), pool.User{PoolID: "no-such-pool", Sub: pool.NewSub(), Username: "u", UsernameKey: "u"})
	}))
	release()
	for i, r := range results {
		if err := <-r; err == nil {
			t.Errorf("write %d of a batch whose COMMIT failed succeeded", i)
		}
	}
	if got := countsOf(db).since(before); got != (counts{commits: 1, writes: 1}) {
		t.Errorf("%d writes in %d commits; want only the held write", got.writes, got.commits)
	}
	for i := range 3 {
		if b := brightness(t, db, lampID(i)); b != 0 {
			t.Errorf("lamp %d: brightness %d stored by a failed commit", i, b)
		}
	}
	if err := setBrightness(t.Context(), db, lampID(0), 80); err != nil {
		t.Fatalf("a write after the failed commit: %v", err)
	}
	if b := brightness(t, db, lampID(0)); b != 80 {
		t.Fatalf("lamp 0: brightness %d, want 80", b)
	}
}

// TestGroupCommitRolledBackTransaction: a statement after which SQLite
// rolls the whole transaction back (here a trigger's RAISE(ROLLBACK))
// fails the writes of the batch before it, which are not stored; the
// writes queued after it commit in a transaction of their own.
func TestGroupCommitRolledBackTransaction(t *testing.T) {
	db, _ := openInternal(t)
	createLamps(t, db, 2)
	if err := db.writeTx(t.Context(), "create trigger", func(tx *wtx) error {
		return tx.ExecScript(`CREATE TRIGGER roll_back BEFORE INSERT ON lamps WHEN NEW.name = 'roll back'
			BEGIN SELECT RAISE(ROLLBACK, 'rolled back'); END`)
	}); err != nil {
		t.Fatal(err)
	}
	before := countsOf(db)
	release := holdWriter(t, db, nil)
	first := queue(db, func() error { return setBrightness(t.Context(), db, lampID(0), 10) })
	rollback := queue(db, func() error {
		l := newLamp("bad")
		l.Name = "roll back"
		return db.CreateLamp(t.Context(), l)
	})
	last := queue(db, func() error { return setBrightness(t.Context(), db, lampID(1), 20) })
	release()
	if err := <-first; !errors.Is(err, errBatchRolledBack) {
		t.Errorf("write before the rollback: %v, want errBatchRolledBack", err)
	}
	if err := <-rollback; err == nil {
		t.Error("the rolling-back write succeeded")
	}
	if err := <-last; err != nil {
		t.Errorf("write after the rollback: %v", err)
	}
	if got := countsOf(db).since(before); got != (counts{commits: 2, writes: 2}) {
		t.Errorf("%d writes in %d commits; want the held write and the last one", got.writes, got.commits)
	}
	if b := brightness(t, db, lampID(0)); b != 0 {
		t.Errorf("lamp 0: brightness %d stored by a rolled-back transaction", b)
	}
	if b := brightness(t, db, lampID(1)); b != 20 {
		t.Errorf("lamp 1: brightness %d, want 20", b)
	}
	mustAbsent(t, db, "bad")
}

// TestGroupCommitPanic: a callback that panics panics in its caller's
// goroutine, stores nothing, and does not affect its batch.
func TestGroupCommitPanic(t *testing.T) {
	db, _ := openInternal(t)
	createLamps(t, db, 2)
	release := holdWriter(t, db, nil)
	panicked := queue(db, func() (err error) {
		defer func() {
			if p := recover(); p != "boom" {
				err = fmt.Errorf("recovered %v, want the callback's panic", p)
			}
		}()
		return db.UpdateLamp(t.Context(), owner, lampID(0), func(l skillstore.Lamp) (skillstore.Lamp, error) {
			panic("boom")
		})
	})
	good := queue(db, func() error { return setBrightness(t.Context(), db, lampID(1), 5) })
	release()
	if err := <-panicked; err != nil {
		t.Error(err)
	}
	if err := <-good; err != nil {
		t.Errorf("write beside a panicking one: %v", err)
	}
	if b := brightness(t, db, lampID(1)); b != 5 {
		t.Errorf("lamp 1: brightness %d, want 5", b)
	}
}

// TestGroupCommitClose: Close lets the running batch commit; writes still
// queued fail and are not stored.
func TestGroupCommitClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "linkpool.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	release := holdWriter(t, db, func(tx *wtx) error {
		_, err := tx.Exec(`INSERT INTO lamps (`+lampColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			append([]any{owner, "running"}, lampValues(newLamp("running"))...)...)
		return err
	})
	queued := queue(db, func() error { return db.CreateLamp(t.Context(), newLamp("queued")) })
	closed := make(chan error, 1)
	go func() { closed <- db.Close() }()
	for db.wr.life.Err() == nil {
		time.Sleep(time.Millisecond)
	}
	release()
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if err := <-queued; !errors.Is(err, errClosed) {
		t.Fatalf("write queued at Close: %v, want errClosed", err)
	}
	if err := db.CreateLamp(t.Context(), newLamp("later")); !errors.Is(err, errClosed) {
		t.Fatalf("write after Close: %v, want errClosed", err)
	}

	db, err = Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.GetLamp(t.Context(), owner, "running"); err != nil {
		t.Fatalf("the write running at Close: %v", err)
	}
	mustAbsent(t, db, "queued")
	mustAbsent(t, db, "later")
}

// TestGroupCommitLoadRunsAlone: a bulk Load has the writer connection to
// itself. A write queued while it runs waits for it and then commits in a
// batch of its own; a failed Load leaves nothing and the writer goes on.
func TestGroupCommitLoadRunsAlone(t *testing.T) {
	db, _ := openInternal(t)
	ctx := t.Context()
	now := time.Now()
	loaded := pool.NewPool("eu-west-1", "loaded", now)
	queued := pool.NewPool("eu-west-1", "queued", now)
	var during <-chan error
	err := db.Load(ctx, func(l skillstore.Loader) error {
		if err := l.Pool(loaded); err != nil {
			return err
		}
		during = queue(db, func() error { return db.CreatePool(ctx, queued) })
		select {
		case err := <-during:
			t.Errorf("a write committed during the load: %v", err)
		default:
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if err := <-during; err != nil {
		t.Fatalf("write queued during the load: %v", err)
	}
	for _, p := range []pool.Pool{loaded, queued} {
		if _, err := db.GetPool(ctx, p.ID); err != nil {
			t.Errorf("pool %s: %v", p.Name, err)
		}
	}

	refused := pool.NewPool("eu-west-1", "refused", now)
	boom := errors.New("boom")
	if err := db.Load(ctx, func(l skillstore.Loader) error {
		if err := l.Pool(refused); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("failed Load: %v", err)
	}
	if _, err := db.GetPool(ctx, refused.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("pool of a failed load: %v", err)
	}
	createLamps(t, db, 1) // the writer goes on

	// A panic in fill reaches Load's caller and ends the load's
	// transaction with it: the writer goes on and Close does not hang.
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic in fill did not reach Load's caller")
			}
		}()
		_ = db.Load(ctx, func(l skillstore.Loader) error {
			if err := l.Pool(pool.NewPool("eu-west-1", "panicked", now)); err != nil {
				return err
			}
			panic("fill panicked")
		})
	}()
	if err := db.CreatePool(ctx, pool.NewPool("eu-west-1", "after the panic", now)); err != nil {
		t.Fatalf("write after a load panicked: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close after a load panicked: %v", err)
	}
}

// TestGroupCommitConflictAnsweredAfterCommit: a write that conflicts with
// an earlier write of its own batch learns of the conflict only once the
// batch has committed, so the row it conflicts with is there to read (a
// first federated sign-in that loses the race to create its user reads
// the winner's user at once), and no write hears of a failure before the
// batch it ran in has ended.
func TestGroupCommitConflictAnsweredAfterCommit(t *testing.T) {
	db, _ := openInternal(t)
	release := holdWriter(t, db, nil)

	first := queue(db, func() error { return db.CreateLamp(t.Context(), newLamp("racer")) })
	loser := &job{op: "create lamp", done: make(chan struct{}), fn: func(tx *wtx) error {
		_, err := tx.Exec(`INSERT INTO lamps (`+lampColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			append([]any{owner, "racer"}, lampValues(newLamp("racer"))...)...)
		return wrap("create lamp", err)
	}}
	seen := make(chan error, 1)
	go func() {
		err := db.wr.wait(t.Context(), loser)
		if errors.Is(err, store.ErrAlreadyExists) {
			_, err = db.GetLamp(t.Context(), owner, "racer")
		}
		seen <- err
	}()
	waitQueued(db, 2)
	answeredEarly := false
	last := queue(db, func() error {
		return db.writeTx(t.Context(), "last", func(tx *wtx) error {
			select {
			case <-loser.done:
				answeredEarly = true
			default:
			}
			return nil
		})
	})
	release()

	if err := <-first; err != nil {
		t.Fatalf("first create: %v", err)
	}
	if err := <-last; err != nil {
		t.Fatalf("last write: %v", err)
	}
	if err := <-seen; err != nil {
		t.Errorf("the conflicting create read the row it conflicts with: %v, want it found", err)
	}
	if answeredEarly {
		t.Errorf("the conflicting write was answered while its batch was still open")
	}
}
