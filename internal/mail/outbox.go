package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"
)

// Defaults of OutboxOptions.
const (
	DefaultOutboxQueue    = 1024
	DefaultOutboxWorkers  = 4
	DefaultOutboxAttempts = 5
	DefaultOutboxBackoff  = 2 * time.Second
	// maxOutboxBackoff caps the wait between two attempts.
	maxOutboxBackoff = time.Minute
)

// Errors of Outbox.Send. Neither message was accepted: the caller still
// owns it.
var (
	// ErrOutboxFull: the queue holds OutboxOptions.Queue messages
	// already, as when the relay has been unreachable for a while.
	ErrOutboxFull = errors.New("mail: outbox full")
	// ErrOutboxClosed: the outbox is shutting down.
	ErrOutboxClosed = errors.New("mail: outbox closed")
)

// OutboxOptions configure an Outbox; zero values mean the defaults.
type OutboxOptions struct {
	// Queue is how many messages wait for delivery at most.
	Queue int
	// Workers deliver messages concurrently.
	Workers int
	// Attempts is how often a message is tried before it is given up on;
	// only transient failures (network errors, SMTP 4xx replies) are
	// tried again.
	Attempts int
	// Backoff is the wait before the second attempt; it doubles for
	// every further attempt, up to a minute, with random jitter.
	Backoff time.Duration
	// Log receives delivery failures; nil discards them. Messages are
	// never logged, so neither are the codes in them.
	Log *slog.Logger
	// Metrics, when non-nil, receives the Outbox's collectors.
	Metrics prometheus.Registerer
}

// Outbox is a Sender that delivers mail after Send has returned: Send
// validates the message and queues it, and a few workers hand it to the
// next Sender, trying again with backoff after transient failures. The
// caller's answer thus takes the same time whether or not it mailed
// anything, and does not wait for the relay.
//
// When the queue is full Send fails at once with ErrOutboxFull rather
// than wait or drop the message. Close stops accepting mail and waits
// for the queue to drain. Outbox is safe for concurrent use.
type Outbox struct {
	next     Sender
	log      *slog.Logger
	queue    chan Message
	attempts int
	backoff  time.Duration
	// ctx is the context of deliveries; cancel aborts them when Close
	// runs out of time.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	closed    bool
	pending   int             // queued or being delivered
	idle      []chan struct{} // closed when pending reaches 0
	abandoned int             // given up on because Close ran out of time

	delivered prometheus.Counter
	retried   prometheus.Counter
	failed    *prometheus.CounterVec
	rejected  prometheus.Counter
}

// NewOutbox starts an Outbox delivering through next.
func NewOutbox(next Sender, o OutboxOptions) *Outbox {
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
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	ob := &Outbox{
		next: next, log: o.Log, queue: make(chan Message, o.Queue),
		attempts: o.Attempts, backoff: o.Backoff,
		delivered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "linkpool_mail_delivered_total", Help: "Mails handed to the relay.",
		}),
		retried: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "linkpool_mail_retries_total", Help: "Mail deliveries tried again after a transient failure.",
		}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "linkpool_mail_failed_total", Help: "Mails given up on, by reason: permanent, attempts (transient failures every time) or shutdown.",
		}, []string{"reason"}),
		rejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "linkpool_mail_rejected_total", Help: "Mails refused because the outbox queue was full.",
		}),
	}
	ob.ctx, ob.cancel = context.WithCancel(context.Background())
	if o.Metrics != nil {
		o.Metrics.MustRegister(ob.delivered, ob.retried, ob.failed, ob.rejected,
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "linkpool_mail_pending", Help: "Mails queued or being delivered.",
			}, func() float64 { return float64(ob.Pending()) }))
	}
	ob.wg.Add(o.Workers)
	for range o.Workers {
		go ob.work()
	}
	return ob
}

// Send queues m for delivery. It returns ErrInvalidMessage for a message
// no relay would take, ErrOutboxFull when the queue is full and
// ErrOutboxClosed after Close; nil means the message will be tried. It
// never waits, and logs nothing: a refusal is the caller's to report.
func (ob *Outbox) Send(_ context.Context, m Message) error {
	if err := m.validate(); err != nil {
		return err
	}
	ob.mu.Lock()
	defer ob.mu.Unlock()
	if ob.closed {
		return ErrOutboxClosed
	}
	select {
	case ob.queue <- m:
		ob.pending++
		return nil
	default:
		// The caller has the error to report; the counter keeps count.
		ob.rejected.Inc()
		return ErrOutboxFull
	}
}

// Pending returns how many messages are queued or being delivered.
func (ob *Outbox) Pending() int {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	return ob.pending
}

// Flush waits until every message sent so far has been delivered or
// given up on, or until ctx ends.
func (ob *Outbox) Flush(ctx context.Context) error {
	ob.mu.Lock()
	if ob.pending == 0 {
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

// Close stops accepting mail and waits until the queued mail is
// delivered or until ctx ends. Then deliveries still under way are
// aborted, the rest of the queue is given up on, and Close returns an
// error that says how many messages were not delivered.
func (ob *Outbox) Close(ctx context.Context) error {
	ob.mu.Lock()
	if !ob.closed {
		ob.closed = true
		close(ob.queue)
	}
	ob.mu.Unlock()
	done := make(chan struct{})
	go func() {
		ob.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		ob.cancel()
		return nil
	case <-ctx.Done():
	}
	ob.cancel()
	<-done
	ob.mu.Lock()
	lost := ob.abandoned
	ob.mu.Unlock()
	if lost == 0 {
		return nil
	}
	ob.log.Error("mail: shutdown before the outbox drained; messages not delivered", "count", lost)
	return fmt.Errorf("mail: %d messages not delivered at shutdown: %w", lost, ctx.Err())
}

func (ob *Outbox) work() {
	defer ob.wg.Done()
	for m := range ob.queue {
		ob.deliver(m)
		ob.mu.Lock()
		ob.pending--
		if ob.pending == 0 {
			for _, ch := range ob.idle {
				close(ch)
			}
			ob.idle = nil
		}
		ob.mu.Unlock()
	}
}

// deliver tries m until it is delivered, fails permanently, has used up
// its attempts or the outbox is aborted.
func (ob *Outbox) deliver(m Message) {
	wait := ob.backoff
	for attempt := 1; ; attempt++ {
		err := ob.next.Send(ob.ctx, m)
		var reason string
		switch {
		case err == nil:
			ob.delivered.Inc()
			return
		case ob.ctx.Err() != nil:
			reason = "shutdown"
			ob.mu.Lock()
			ob.abandoned++
			ob.mu.Unlock()
		case permanent(err):
			reason = "permanent"
		case attempt >= ob.attempts:
			reason = "attempts"
		}
		if reason != "" {
			// err names the relay and its reply, never the message body.
			ob.failed.WithLabelValues(reason).Inc()
			ob.log.Error("mail: delivery failed", "to", m.To, "attempts", attempt, "reason", reason, "error", err)
			return
		}
		ob.retried.Inc()
		ob.log.Warn("mail: delivery failed; trying again", "to", m.To, "attempt", attempt, "error", err)
		t := time.NewTimer(wait/2 + rand.N(wait/2+1))
		select {
		case <-t.C:
		case <-ob.ctx.Done():
			t.Stop()
		}
		wait = min(2*wait, maxOutboxBackoff)
	}
}

// permanent reports failures that another attempt cannot mend: a message
// no relay takes, an SMTP 5xx reply (RFC 5321 §4.2.1) or a relay
// certificate that does not verify.
func permanent(err error) bool {
	if errors.Is(err, ErrInvalidMessage) {
		return true
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code >= 500
	}
	var cv *tls.CertificateVerificationError
	return errors.As(err, &cv)
}

var _ Sender = (*Outbox)(nil)
