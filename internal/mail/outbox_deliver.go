package mail

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/emersion/go-smtp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/tracing"
)

// signal wakes one idle worker, if none is about to look already.
func (ob *Outbox) signal() {
	select {
	case ob.wake <- struct{}{}:
	default:
	}
}

// tick wakes a worker every poll interval, so that retries and messages
// of instances that died are delivered.
func (ob *Outbox) tick() {
	defer ob.wg.Done()
	t := time.NewTicker(ob.poll)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			ob.signal()
		case <-ob.ctx.Done():
			return
		}
	}
}

// work delivers the messages Send hands over and, when woken, claims due
// messages one at a time and delivers them until none is due.
func (ob *Outbox) work() {
	defer ob.wg.Done()
	for {
		select {
		case sm := <-ob.queue:
			// A message that waited here too long for an attempt to end
			// within its lease is left to be claimed when the lease ends.
			if time.Now().Before(ob.deadline(sm)) {
				ob.deliver(sm)
			}
			continue
		case <-ob.wake:
		case <-ob.ctx.Done():
			return
		}
		for ob.ctx.Err() == nil {
			m, ok := ob.claim()
			if !ok {
				break
			}
			// More may be due: let another idle worker look.
			ob.signal()
			ob.deliver(m)
		}
	}
}

// claim leases one due message.
func (ob *Outbox) claim() (store.OutboxMail, bool) {
	now := time.Now()
	ms, err := ob.store.ClaimMail(ob.ctx, now, now.Add(ob.lease), 1)
	if err != nil {
		if ob.ctx.Err() == nil {
			ob.log.Warn("mail: outbox: claiming due mail failed", "error", err)
		}
		return store.OutboxMail{}, false
	}
	if len(ms) == 0 {
		return store.OutboxMail{}, false
	}
	return ms[0], true
}

// deadline is when an attempt at the leased message sm must end.
func (ob *Outbox) deadline(sm store.OutboxMail) time.Time {
	return sm.LeaseUntil.Add(-ob.lease / 5)
}

// deliver makes one attempt at the leased message sm and records the
// outcome: deleted when delivered or given up on, rescheduled after a
// transient failure, released when the outbox is stopping.
func (ob *Outbox) deliver(sm store.OutboxMail) {
	// The delivery is a trace of its own: the request that queued the
	// mail has been answered. Neither the recipient nor the message is
	// recorded.
	tctx, span := tracing.StartKind(ob.ctx, trace.SpanKindClient, "mail.deliver", attribute.Int("linkpool.mail.attempt", sm.Attempts))
	var err error
	defer func() { tracing.End(span, err) }()
	var m Message
	plain, err := ob.box.Open(sm.Sealed, sealContext(sm.ID))
	if err == nil {
		err = json.Unmarshal(plain, &m)
	}
	if err != nil {
		ob.giveUp(sm, m, "permanent", err)
		return
	}
	if sm.Attempts > ob.attempts {
		// The earlier attempts ended without an outcome: the instances
		// making them died.
		ob.giveUp(sm, m, "attempts", errors.New("mail: attempts used up by instances that stopped"))
		return
	}
	// The attempt ends well within the lease, so that no other instance
	// takes the message over while it may still succeed here.
	ctx, cancel := context.WithDeadline(tctx, ob.deadline(sm))
	err = ob.next.Send(ctx, m)
	cancel()
	switch {
	case err == nil:
		ob.delivered.Inc()
		if err := ob.record(func(ctx context.Context) error { return ob.store.DeleteMail(ctx, sm.ID) }); err != nil {
			ob.log.Warn("mail: delivered but not removed from the outbox; it may be sent again", "to", m.To, "error", err)
		}
		ob.done(sm.ID)
	case ob.ctx.Err() != nil:
		// Stopping: hand the message to whichever instance polls next.
		_ = ob.record(func(ctx context.Context) error { return ob.store.RetryMail(ctx, sm.ID, sm.LeaseUntil, time.Now()) })
	case permanent(err):
		ob.giveUp(sm, m, "permanent", err)
	case sm.Attempts >= ob.attempts:
		ob.giveUp(sm, m, "attempts", err)
	default:
		ob.retried.Inc()
		ob.log.Warn("mail: delivery failed; trying again", "to", m.To, "attempt", sm.Attempts, "error", err)
		wait := ob.backoff << min(sm.Attempts-1, 16)
		wait = min(wait, maxOutboxBackoff)
		wait = wait/2 + rand.N(wait/2+1)
		next := time.Now().Add(wait)
		if err := ob.record(func(ctx context.Context) error { return ob.store.RetryMail(ctx, sm.ID, sm.LeaseUntil, next) }); err != nil {
			// The lease ends by itself; the message is tried again then.
			ob.log.Warn("mail: outbox: rescheduling failed", "to", m.To, "error", err)
			return
		}
		time.AfterFunc(wait, ob.signal)
	}
}

// record writes the outcome of an attempt to the store. It is not cut
// short by Close: an outcome lost there would send a delivered message
// again or delay a retry until the lease ends.
func (ob *Outbox) record(write func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ob.ctx), 5*time.Second)
	defer cancel()
	return write(ctx)
}

// giveUp deletes a message that will not be delivered, and counts and
// logs it; err names the relay and its reply, never the message body.
func (ob *Outbox) giveUp(sm store.OutboxMail, m Message, reason string, err error) {
	ob.failed.WithLabelValues(reason).Inc()
	ob.log.Error("mail: delivery failed", "to", m.To, "attempts", sm.Attempts, "reason", reason, "error", err)
	if err := ob.record(func(ctx context.Context) error { return ob.store.DeleteMail(ctx, sm.ID) }); err != nil {
		ob.log.Warn("mail: outbox: removing a mail given up on failed", "error", err)
	}
	ob.done(sm.ID)
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
