package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/tracing"
)

// maxBatch bounds how many writes share one transaction. A batch is what
// queued while the previous one ran, so it only fills up under load.
const maxBatch = 128

// errClosed fails a write that had not started when the database was
// closed.
var errClosed = errors.New("sqlite: database is closed")

// errBatchRolledBack fails the writes of a batch whose transaction another
// write of the batch broke (a statement after which SQLite rolled the
// whole transaction back). None of them was committed.
var errBatchRolledBack = errors.New("transaction of the write's batch rolled back")

// writer is the group commit: one goroutine owns the writer connection
// and runs every write. Callers queue a job and wait; the goroutine takes
// what is queued, runs it in one BEGIN IMMEDIATE transaction, each job in
// a savepoint of its own, commits once (one fsync) and only then tells
// each caller its result. A lone write commits at once: there is no
// waiting for company, a batch forms only from the writes that queued
// while the previous commit ran.
type writer struct {
	db    *DB
	conn  *sql.Conn // the writer pool's one connection, held for good
	queue chan *job
	// life ends when Close starts: it ends a wait for another process's
	// write lock, the one wait of the goroutine that is not bounded by
	// its own work.
	life   context.Context
	stop   context.CancelFunc
	exited chan struct{}
	once   sync.Once
	closed error
	// stmts caches the writes' prepared statements; only the goroutine
	// uses it.
	stmts map[string]*sql.Stmt
	tx    wtx // the handle the running job gets

	commits atomic.Int64 // committed batch transactions
	jobs    atomic.Int64 // writes acknowledged by them
	// observe, when set, is told each commit's number of writes (the
	// batch-size metric).
	observe func(n int)
}

// job is one queued write. state moves from queued to started (the
// goroutine runs it) or to abandoned (the caller gave up first, or the
// database closed); whichever side moves it first decides.
type job struct {
	op string
	fn func(tx *wtx) error
	// alone, when set instead of fn, runs by itself between batches with
	// the connection and its caller's context (see writer.exclusive).
	alone func(ctx context.Context, conn *sql.Conn) error
	ctx   context.Context
	state atomic.Int32
	err   error
	panic any
	done  chan struct{}
}

const (
	jobQueued int32 = iota
	jobStarted
	jobAbandoned
)

func newWriter(db *DB, conn *sql.Conn) *writer {
	life, stop := context.WithCancel(context.Background())
	w := &writer{
		db: db, conn: conn, queue: make(chan *job, 4*maxBatch),
		life: life, stop: stop, exited: make(chan struct{}), stmts: map[string]*sql.Stmt{},
	}
	w.tx = wtx{w: w}
	go w.run()
	return w
}

// do queues fn and waits for its batch to commit. It returns fn's error
// unchanged, or the batch's (wrapped with op). A caller whose context
// ends while its write is queued gets the context's error and the write
// does not run; once it has started, the caller waits for the commit, so
// an error always means the write is not stored and nil that it is
// durable.
func (w *writer) do(ctx context.Context, op string, fn func(tx *wtx) error) error {
	return w.wait(ctx, &job{op: op, fn: fn, done: make(chan struct{})})
}

// exclusive runs fn on the writer connection by itself, between batches,
// outside any transaction: fn manages its own (Load's one transaction of
// a whole import). Writes queued meanwhile wait for it.
func (w *writer) exclusive(ctx context.Context, op string, fn func(ctx context.Context, conn *sql.Conn) error) error {
	return w.wait(ctx, &job{op: op, alone: fn, ctx: ctx, done: make(chan struct{})})
}

// wait queues j and waits for its result (see do), in a span of the write
// when tracing is on (store.TraceWrite): its time includes the wait for
// the batch.
func (w *writer) wait(ctx context.Context, j *job) (err error) {
	ctx, span := store.TraceWrite(ctx, "sqlite", j.op)
	defer func() { tracing.End(span, err) }()
	return w.waitJob(ctx, j)
}

func (w *writer) waitJob(ctx context.Context, j *job) error {
	op := j.op
	if err := ctx.Err(); err != nil {
		return wrap(op, err)
	}
	select {
	case w.queue <- j:
	case <-ctx.Done():
		return wrap(op, ctx.Err())
	case <-w.exited:
		return wrap(op, errClosed)
	}
	select {
	case <-j.done:
	case <-ctx.Done():
		if j.state.CompareAndSwap(jobQueued, jobAbandoned) {
			return wrap(op, ctx.Err())
		}
		<-j.done
	case <-w.exited:
		if j.state.CompareAndSwap(jobQueued, jobAbandoned) {
			return wrap(op, errClosed)
		}
		<-j.done
	}
	if j.panic != nil {
		panic(j.panic)
	}
	return j.err
}

// close stops the goroutine after the batch it is running and releases
// the connection. Writes still queued fail with errClosed.
func (w *writer) close() error {
	w.once.Do(func() {
		w.stop()
		<-w.exited
		var errs []error
		for q, st := range w.stmts {
			errs = append(errs, st.Close())
			delete(w.stmts, q)
		}
		w.closed = errors.Join(append(errs, w.conn.Close())...)
	})
	return w.closed
}

func (w *writer) run() {
	defer close(w.exited)
	batch := make([]*job, 0, maxBatch)
	for {
		// Once Close has begun, what is still queued fails with
		// errClosed (see do), even if it is ready to run.
		if w.life.Err() != nil {
			return
		}
		var alone *job
		select {
		case j := <-w.queue:
			batch = batch[:0]
			if j.alone != nil {
				alone = j
			} else {
				batch = append(batch, j)
			}
		case <-w.life.Done():
			return
		}
	fill:
		for alone == nil && len(batch) < maxBatch {
			select {
			case j := <-w.queue:
				if j.alone != nil {
					alone = j
				} else {
					batch = append(batch, j)
				}
			default:
				break fill
			}
		}
		if len(batch) > 0 {
			w.runBatch(batch)
			clear(batch)
		}
		if alone != nil {
			w.runAlone(alone)
		}
	}
}

// runAlone runs an exclusive job (see exclusive).
func (w *writer) runAlone(j *job) {
	if !j.state.CompareAndSwap(jobQueued, jobStarted) {
		return
	}
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				j.panic = p
				w.rollback() // whatever transaction fn left open
			}
		}()
		err = j.alone(j.ctx, w.conn)
	}()
	j.finish(err)
}

// runBatch runs the jobs in one transaction and reports each job's result.
func (w *writer) runBatch(batch []*job) {
	// Take the write lock before starting any job: while it waits for
	// another process, callers can still give up.
	if _, err := w.control(w.life, "BEGIN IMMEDIATE"); err != nil {
		w.db.noteWrite(err)
		if w.life.Err() != nil { // Close ended the wait
			err = errClosed
		}
		for _, j := range batch {
			if j.state.CompareAndSwap(jobQueued, jobStarted) {
				j.finish(wrap(j.op, err))
			}
		}
		return
	}
	ok := make([]*job, 0, len(batch)) // the jobs whose savepoint was released
	// The jobs that failed hear of it only when the batch has ended: a
	// conflict with an earlier job of the batch must not be answered
	// before that job's row is committed and readable.
	var failed []*job
	defer func() {
		for _, j := range failed {
			j.finish(j.err)
		}
	}()
	for i, j := range batch {
		if !j.state.CompareAndSwap(jobQueued, jobStarted) {
			continue
		}
		err, broken := w.runJob(j)
		if broken != nil {
			// SQLite rolled the whole transaction back: nothing of the
			// batch so far is stored. The jobs not yet run get a
			// transaction of their own.
			w.db.noteWrite(broken)
			w.rollback()
			for _, k := range ok {
				k.finish(fmt.Errorf("%s: %w: %v", k.op, errBatchRolledBack, broken))
			}
			j.finish(err)
			for _, k := range failed {
				k.finish(k.err)
			}
			failed = nil
			w.runBatch(batch[i+1:])
			return
		}
		if err != nil {
			j.err = err
			failed = append(failed, j)
			continue
		}
		ok = append(ok, j)
	}
	if len(ok) == 0 {
		w.rollback()
		return
	}
	_, err := w.control(context.Background(), "COMMIT")
	w.db.noteWrite(err)
	if err != nil {
		w.rollback() // a failed COMMIT may leave the transaction open
		for _, j := range ok {
			j.finish(wrap(j.op, err))
		}
		return
	}
	w.commits.Add(1)
	w.jobs.Add(int64(len(ok)))
	if w.observe != nil {
		w.observe(len(ok))
	}
	for _, j := range ok {
		j.finish(nil)
	}
}

// runJob runs one job in a savepoint. err is the job's own failure, after
// which its savepoint is rolled back; broken is set when the transaction
// itself is gone, so that nothing of the batch can be committed.
func (w *writer) runJob(j *job) (err, broken error) {
	ctx := context.Background()
	if _, err := w.control(ctx, "SAVEPOINT job"); err != nil {
		return wrap(j.op, err), err
	}
	err = w.call(j)
	if err == nil {
		if _, rerr := w.control(ctx, "RELEASE job"); rerr != nil {
			return wrap(j.op, rerr), rerr
		}
		return nil, nil
	}
	// A statement that failed on the file is noted; a callback's own
	// error says nothing about the file.
	if fileFailure(err) {
		w.db.noteWrite(err)
	}
	if _, rerr := w.control(ctx, "ROLLBACK TO job"); rerr != nil {
		return err, err
	}
	if _, rerr := w.control(ctx, "RELEASE job"); rerr != nil {
		return err, rerr
	}
	return err, nil
}

// call runs the job's function. A panic is handed to the caller, which
// re-panics in its own goroutine; the job counts as failed.
func (w *writer) call(j *job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			j.panic = p
			err = fmt.Errorf("%s: panic: %v", j.op, p)
		}
	}()
	return j.fn(&w.tx)
}

// rollback ends the transaction, if SQLite has not already.
func (w *writer) rollback() {
	_, _ = w.control(context.Background(), "ROLLBACK")
}

func (j *job) finish(err error) {
	j.err = err
	close(j.done)
}

// stmt returns the prepared statement of query on the writer connection.
func (w *writer) stmt(query string) (*sql.Stmt, error) {
	if st := w.stmts[query]; st != nil {
		return st, nil
	}
	st, err := w.conn.PrepareContext(context.Background(), query)
	if err != nil {
		return nil, err
	}
	w.stmts[query] = st
	return st, nil
}

// control runs a transaction-control statement (BEGIN, SAVEPOINT, ...),
// prepared once like the writes.
func (w *writer) control(ctx context.Context, query string) (sql.Result, error) {
	st, err := w.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx)
}

// wtx is a job's handle on the batch transaction, valid only while the
// job's function runs. Its statements run to completion whatever the
// caller's context: a statement interrupted inside a transaction may roll
// back the whole transaction, the other jobs' writes with it. The caller's
// context is checked before the job starts (see writer.do).
type wtx struct{ w *writer }

// Exec runs a statement that returns no rows.
func (t *wtx) Exec(query string, args ...any) (sql.Result, error) {
	st, err := t.w.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(context.Background(), args...)
}

// QueryRow runs a statement that returns at most one row.
func (t *wtx) QueryRow(query string, args ...any) scanner {
	st, err := t.w.stmt(query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(context.Background(), args...)
}

// Query runs a statement that returns rows.
func (t *wtx) Query(query string, args ...any) (*sql.Rows, error) {
	st, err := t.w.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(context.Background(), args...)
}

// ExecScript runs SQL text of several statements (a migration) without
// keeping it prepared.
func (t *wtx) ExecScript(script string) error {
	_, err := t.w.conn.ExecContext(context.Background(), script)
	return err
}
