package store

import (
	"context"
	"time"
)

// AuditRecord is one entry of the append-only audit log of
// administrative changes (internal/audit). Changed names the fields the
// change set; Value is empty and Withheld true for a field whose value
// is not on audit's allow-list (secrets never reach the store). Result is
// "ok" or the Cognito error type the action failed with.
type AuditRecord struct {
	ID        string
	Time      time.Time
	ActorKind string
	ActorID   string
	Action    string
	PoolID    string
	Target    string
	Changed   []AuditChange
	Result    string
	RequestID string
}

// AuditChange is one field an audited change set.
type AuditChange struct {
	Field    string `json:"field"`
	Value    string `json:"value,omitempty"`
	Withheld bool   `json:"withheld,omitempty"`
}

// AuditFilter selects audit records: those at or after Since (unless
// zero), before Until (unless zero), and matching every non-empty field.
type AuditFilter struct {
	Since     time.Time
	Until     time.Time
	PoolID    string
	ActorKind string
	ActorID   string
	Action    string
}

// AuditStore is the audit log's storage, part of Store. There is no
// update and no delete but PurgeAudit.
type AuditStore interface {
	// AppendAudit stores a record; ErrAlreadyExists when its ID is taken.
	AppendAudit(ctx context.Context, r AuditRecord) error
	// ListAudit pages through the records f selects, newest first (by
	// Time, then ID, descending); page tokens belong to the listing
	// "audit" whatever the filter.
	ListAudit(ctx context.Context, f AuditFilter, opts ListOptions) (Page[AuditRecord], error)
	// PurgeAudit deletes the records older than before (retention) and
	// returns how many it deleted.
	PurgeAudit(ctx context.Context, before time.Time) (int64, error)
}

// AuditPageKey is the page key of an audit record: its time in unix
// microseconds, zero-padded so that keys sort as times do, NUL, its ID.
func AuditPageKey(r AuditRecord) string {
	return padMicros(r.Time.UnixMicro()) + "\x00" + r.ID
}

func padMicros(v int64) string {
	const width = 20
	b := []byte("00000000000000000000")
	for i := width - 1; i >= 0 && v > 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b)
}

// AuditPageAfter decodes a ListAudit page token: the time (unix
// microseconds) and ID of the last record of the previous page; ok is
// false for the empty token (the first page).
func AuditPageAfter(token string) (micros int64, id string, ok bool, err error) {
	if token == "" {
		return 0, "", false, nil
	}
	t, id, err := PageKeyPair("audit", token)
	if err != nil {
		return 0, "", false, err
	}
	if len(t) != 20 || id == "" {
		return 0, "", false, ErrInvalidPageToken
	}
	for _, c := range []byte(t) {
		if c < '0' || c > '9' {
			return 0, "", false, ErrInvalidPageToken
		}
		micros = micros*10 + int64(c-'0')
		if micros < 0 {
			return 0, "", false, ErrInvalidPageToken
		}
	}
	return micros, id, true, nil
}
