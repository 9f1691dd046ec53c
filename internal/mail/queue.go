package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
)

// Queue is a Sender that only stores messages in the store's outbox,
// sealed as an Outbox stores them and due at once, for the Outbox of a
// server sharing the store to claim and deliver within its poll
// interval. It delivers nothing itself: it is the sender of the command
// line, which has no relay of its own and does not wait for one.
type Queue struct {
	store store.Store
	box   *seal.Box
}

// NewQueue returns a Queue storing into st, sealed with box: the store
// and master key of the servers that deliver.
func NewQueue(st store.Store, box *seal.Box) *Queue {
	return &Queue{store: st, box: box}
}

// Send validates m and stores it for delivery. It returns
// ErrInvalidMessage for a message no relay would take and the store's
// error when the message could not be stored.
func (q *Queue) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	sm, err := sealMail(q.box, m)
	if err != nil {
		return err
	}
	now := time.Now().Truncate(time.Microsecond)
	sm.NextAttemptAt, sm.CreatedAt = now, now
	if err := q.store.EnqueueMail(ctx, sm); err != nil {
		return fmt.Errorf("mail: queue: %w", err)
	}
	return nil
}

// sealMail returns m as an outbox row with a fresh id, sealed with box
// and bound to that id.
func sealMail(box *seal.Box, m Message) (store.OutboxMail, error) {
	plain, err := json.Marshal(m)
	if err != nil {
		return store.OutboxMail{}, fmt.Errorf("mail: outbox: %w", err)
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	return store.OutboxMail{ID: id, Sealed: box.Seal(plain, sealContext(id))}, nil
}

var _ Sender = (*Queue)(nil)
