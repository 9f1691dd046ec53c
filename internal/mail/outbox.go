package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
)

// Defaults of OutboxOptions.
const (
	DefaultOutboxQueue    = 1024
	DefaultOutboxWorkers  = 4
	DefaultOutboxAttempts = 12
	DefaultOutboxBackoff  = 2 * time.Second
	DefaultOutboxLease    = 10 * time.Second
	DefaultOutboxPoll     = time.Second
	// maxOutboxBackoff caps the wait between two attempts.
	maxOutboxBackoff = time.Minute
)

// ErrOutboxClosed is returned by Outbox.Send after Close: the message was
// not accepted and the caller still owns it.
var ErrOutboxClosed = errors.New("mail: outbox closed")

// OutboxOptions configure an Outbox; zero values mean the defaults.
type OutboxOptions struct {
	// Queue is how many accepted messages wait at most for this
	// instance's workers. A message beyond it stays in the store and is
	// claimed when its lease ends, by this or another instance.
	Queue int
	// Workers deliver messages concurrently.
	Workers int
	// Attempts is how often a message is tried before it is given up on;
	// only transient failures (network errors, SMTP 4xx replies) are
	// tried again. An attempt cut short by a crash counts.
	Attempts int
	// Backoff is the wait before the second attempt; it doubles for
	// every further attempt, up to a minute, with random jitter.
	Backoff time.Duration
	// Lease is how long a claimed message is reserved for the worker
	// that claimed it; each attempt must end within it. When the
	// instance dies, any instance may deliver the message after it.
	Lease time.Duration
	// Poll is how often idle workers look for due messages: retries, and
	// messages that another instance accepted but did not deliver.
	Poll time.Duration
	// Log receives delivery failures; nil discards them. Messages are
	// never logged, so neither are the codes in them.
	Log *slog.Logger
	// Metrics, when non-nil, receives the Outbox's collectors.
	Metrics prometheus.Registerer
}

// Outbox is a Sender that delivers mail after Send has returned: Send
// validates the message and stores it, sealed with the master key, in the
// store's outbox, leased to this instance, and hands it to a local
// worker; the worker gives it to the next Sender and deletes it once
// delivered. After a transient failure the message is rescheduled with
// backoff, and any instance's worker claims it, with a new lease, when
// it is due. The caller's answer thus takes the same time whether or not
// it mailed anything, and does not wait for the relay.
//
// A message Send accepted survives a crash of the process: every
// instance's workers poll the store, so another instance delivers it when
// the lease of the dead one ends, or the same instance after a restart.
// Delivery is at least once: a crash between the relay's acceptance and
// the removal of the message from the store sends it again.
//
// Close stops accepting mail and waits for the messages sent through this
// Outbox to be delivered. Outbox is safe for concurrent use.
type Outbox struct {
	next     Sender
	store    store.Store
	box      *seal.Box
	log      *slog.Logger
	attempts int
	backoff  time.Duration
	lease    time.Duration
	poll     time.Duration
	// queue hands accepted messages to the local workers.
	queue chan store.OutboxMail
	// wake tells an idle worker to look for due messages.
	wake chan struct{}
	// ctx is the context of the workers; cancel stops them and aborts
	// deliveries under way, whose messages stay in the store.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	pending map[string]struct{} // sent here, not yet delivered or given up on
	idle    []chan struct{}     // closed when pending becomes empty

	delivered prometheus.Counter
	retried   prometheus.Counter
	failed    *prometheus.CounterVec
	rejected  prometheus.Counter
}

// NewOutbox starts an Outbox that keeps messages in st, sealed with box,
// and delivers them through next.
func NewOutbox(next Sender, st store.Store, box *seal.Box, o OutboxOptions) *Outbox {
	if o.Queue <= 0 {
		o.Queue = DefaultOutboxQueue
	}
	if o.Workers <= 0 {
		o.Workers = DefaultOutboxWorkers
	}
	if o.Attempts <= 0 {
		o.Attempts = DefaultOutboxAttempts
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultOutboxBackoff
	}
	if o.Lease <= 0 {
		o.Lease = DefaultOutboxLease
	}
	if o.Poll <= 0 {
		o.Poll = DefaultOutboxPoll
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	ob := &Outbox{
		next: next, store: st, box: box, log: o.Log,
		attempts: o.Attempts, backoff: o.Backoff, lease: o.Lease, poll: o.Poll,
		queue: make(chan store.OutboxMail, o.Queue), wake: make(chan struct{}, 1), pending: map[string]struct{}{},
		delivered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "linkpool_mail_delivered_total", Help: "Mails handed to the relay.",
		}),
		retried: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "linkpool_mail_retries_total", Help: "Mail deliveries tried again after a transient failure.",
		}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "linkpool_mail_failed_total", Help: "Mails given up on, by reason: permanent or attempts (transient failures every time).",
		}, []string{"reason"}),
		rejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "linkpool_mail_rejected_total", Help: "Mails refused because the outbox could not store them.",
		}),
	}
	ob.ctx, ob.cancel = context.WithCancel(context.Background())
	if o.Metrics != nil {
		o.Metrics.MustRegister(ob.delivered, ob.retried, ob.failed, ob.rejected,
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "linkpool_mail_pending", Help: "Mails sent through this instance and not yet delivered or given up on.",
			}, func() float64 { return float64(ob.Pending()) }))
	}
	ob.wg.Add(o.Workers + 1)
	for range o.Workers {
		go ob.work()
	}
	go ob.tick()
	// Messages left by an earlier run or a dead instance may be due.
	ob.signal()
	return ob
}

// sealContext binds a stored message to its row.
func sealContext(id string) []byte { return []byte("mail-outbox/" + id) }

// Send stores m for delivery, sealed and leased to this instance, and
// hands it to a worker: no other instance takes it over unless this one
// has not delivered it when the lease ends. It returns
// ErrInvalidMessage for a message no relay would take, ErrOutboxClosed
// after Close, and the store's error when the message could not be
// stored; nil means the message is stored and will be tried. It logs
// nothing: a refusal is the caller's to report.
func (ob *Outbox) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	sm, err := sealMail(ob.box, m)
	if err != nil {
		return err
	}
	id := sm.ID
	ob.mu.Lock()
	if ob.closed {
		ob.mu.Unlock()
		return ErrOutboxClosed
	}
	// Pending from before the insert: once stored, the message may be
	// delivered, and leave pending, at any time.
	ob.pending[id] = struct{}{}
	ob.mu.Unlock()
	now := time.Now().Truncate(time.Microsecond)
	sm.Attempts, sm.NextAttemptAt, sm.LeaseUntil, sm.CreatedAt = 1, now.Add(ob.lease), now.Add(ob.lease), now
	if err := ob.store.EnqueueMail(ctx, sm); err != nil {
		ob.done(id)
		// The caller has the error to report; the counter keeps count.
		ob.rejected.Inc()
		return fmt.Errorf("mail: outbox: %w", err)
	}
	select {
	case ob.queue <- sm:
	default:
		// The workers are behind; the message is due when its lease ends.
	}
	return nil
}

// Pending returns how many messages sent through this Outbox are not yet
// delivered or given up on.
func (ob *Outbox) Pending() int {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	return len(ob.pending)
}

// Flush waits until every message sent through this Outbox so far has
// been delivered or given up on, or until ctx ends.
func (ob *Outbox) Flush(ctx context.Context) error {
	ob.mu.Lock()
	if len(ob.pending) == 0 {
		ob.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	ob.idle = append(ob.idle, ch)
	ob.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops accepting mail and waits until the messages sent through
// this Outbox are delivered or until ctx ends. Then it stops the workers,
// aborting deliveries under way. Messages not delivered by then stay in
// the store for another instance, or this one after a restart; Close
// returns an error that says how many there are.
func (ob *Outbox) Close(ctx context.Context) error {
	ob.mu.Lock()
	ob.closed = true
	ob.mu.Unlock()
	err := ob.Flush(ctx)
	ob.cancel()
	ob.wg.Wait()
	if err == nil {
		return nil
	}
	ob.mu.Lock()
	left := len(ob.pending)
	clear(ob.pending)
	ob.notifyIdle()
	ob.mu.Unlock()
	if left == 0 {
		return nil
	}
	ob.log.Warn("mail: shutdown before the outbox drained; messages not delivered yet stay queued in the database", "count", left)
	return fmt.Errorf("mail: %d messages not delivered at shutdown, left queued: %w", left, ctx.Err())
}

// done removes id from the pending messages.
func (ob *Outbox) done(id string) {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	delete(ob.pending, id)
	if len(ob.pending) == 0 {
		ob.notifyIdle()
	}
}

// notifyIdle releases Flush; ob.mu is held.
func (ob *Outbox) notifyIdle() {
	for _, ch := range ob.idle {
		close(ch)
	}
	ob.idle = nil
}

var _ Sender = (*Outbox)(nil)
