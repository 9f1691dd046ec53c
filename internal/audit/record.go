package audit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/web"
)

// ResultOK is the Result of a change that succeeded.
const ResultOK = "ok"

// Entry is what a service knows of a change it made or refused.
type Entry struct {
	Action  string
	PoolID  string
	Target  string
	Changed []store.AuditChange
}

// Config holds a Recorder's dependencies.
type Config struct {
	Store store.AuditStore
	// Log receives the failures to write a record; nil discards them.
	Log *slog.Logger
	// Metrics, if set, registers linkpool_audit_write_failures_total.
	Metrics prometheus.Registerer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Recorder appends records to the audit log. A nil *Recorder records
// nothing (services built without one, in tests of other packages).
type Recorder struct {
	st       store.AuditStore
	log      *slog.Logger
	failures prometheus.Counter
	now      func() time.Time
}

// New returns a Recorder; Store is required.
func New(c Config) *Recorder {
	if c.Store == nil {
		panic("audit: New needs a Store")
	}
	r := &Recorder{st: c.Store, log: c.Log, now: c.Now}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.now == nil {
		r.now = time.Now
	}
	r.failures = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "linkpool_audit_write_failures_total",
		Help: "Administrative changes whose audit record could not be written (the change stands; the failure is logged).",
	})
	if c.Metrics != nil {
		c.Metrics.MustRegister(r.failures)
	}
	return r
}

// Record appends the record of a change that ended with err (nil: it
// succeeded) under the actor ctx carries, KindSystem if none. A failure
// to write is logged and counted, never returned: the change it records
// has been made already.
func (r *Recorder) Record(ctx context.Context, e Entry, err error) {
	if r == nil {
		return
	}
	a, ok := ActorFrom(ctx)
	if !ok {
		a = Actor{Kind: KindSystem}
	}
	r.write(ctx, a, e, err)
}

// RecordActor is Record for the methods shared with user self-service:
// it records only when ctx carries an actor (an administrator acting).
func (r *Recorder) RecordActor(ctx context.Context, e Entry, err error) {
	if r == nil {
		return
	}
	if a, ok := ActorFrom(ctx); ok {
		r.write(ctx, a, e, err)
	}
}

func (r *Recorder) write(ctx context.Context, a Actor, e Entry, err error) {
	rec := store.AuditRecord{
		ID: newID(), Time: r.now().UTC().Truncate(time.Microsecond), ActorKind: a.Kind, ActorID: a.ID,
		Action: e.Action, PoolID: e.PoolID, Target: e.Target, Changed: e.Changed,
		Result: Result(err), RequestID: web.RequestID(ctx),
	}
	// The change is made: its record is written even if the request that
	// made it is being cancelled.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if werr := r.st.AppendAudit(wctx, rec); werr != nil {
		r.failures.Inc()
		r.log.ErrorContext(ctx, "audit record not written", "action", rec.Action, "pool", rec.PoolID,
			"actor_kind", rec.ActorKind, "result", rec.Result, "error", werr)
	}
}

// List pages through the records f selects, newest first
// (store.AuditStore.ListAudit): what the command line's audit list and
// the console read. A page token that is not one of this listing's
// wraps store.ErrInvalidPageToken.
func (r *Recorder) List(ctx context.Context, f store.AuditFilter, opts store.ListOptions) (store.Page[store.AuditRecord], error) {
	return r.st.ListAudit(ctx, f, opts)
}

// Purge deletes the records older than retention (none when retention
// is zero or less), as of now; it is a store.Sweep's Run.
func (r *Recorder) Purge(ctx context.Context, now time.Time, retention time.Duration) (int64, error) {
	if retention <= 0 {
		return 0, nil
	}
	return r.st.PurgeAudit(ctx, now.Add(-retention))
}

// Sweep is the garbage collection that purges records older than
// retention; zero keeps them forever.
func (r *Recorder) Sweep(retention time.Duration) store.Sweep {
	return store.Sweep{Name: "audit_records", Run: func(ctx context.Context, now time.Time) (int64, error) {
		return r.Purge(ctx, now, retention)
	}}
}

// typed is an error with a Cognito error type (account.Error).
type typed interface{ ExceptionType() string }

// Result is a record's Result for err: "ok", the Cognito error type of
// a refused action, or InternalErrorException.
func Result(err error) string {
	if err == nil {
		return ResultOK
	}
	var t typed
	if errors.As(err, &t) && t.ExceptionType() != "" {
		return t.ExceptionType()
	}
	return "InternalErrorException"
}

// newID is the wall-clock time in nanoseconds (16 hex digits) and 8
// random bytes: records of one instant, or of a frozen clock, list in
// the order they were made (ListAudit breaks ties of Time by ID).
func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%016x", uint64(time.Now().UnixNano())) + hex.EncodeToString(b[:])
}
