package transfer

import (
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

// typeAuditRecord is a record of the audit log of administrative changes
// (store.AuditRecord), after everything else. Its pool may be gone (the
// record of a DeleteUserPool), so it refers to nothing. An export of a
// deployment without audit records has no such line, and its end record
// no audit_records count, so readers from before them read it.
const typeAuditRecord = "audit_record"

// auditRecord is store.AuditRecord field for field. Nothing in it is
// secret: the log never holds secret values.
type auditRecord struct {
	ID        string              `json:"id"`
	Time      time.Time           `json:"time"`
	ActorKind string              `json:"actor_kind"`
	ActorID   string              `json:"actor_id,omitempty"`
	Action    string              `json:"action"`
	PoolID    string              `json:"pool_id,omitempty"`
	Target    string              `json:"target,omitempty"`
	Changed   []store.AuditChange `json:"changed,omitempty"`
	Result    string              `json:"result"`
	RequestID string              `json:"request_id,omitempty"`
}

// checkAuditRecord returns why the record cannot be stored, or "".
func checkAuditRecord(r store.AuditRecord) string {
	switch {
	case r.ID == "":
		return "audit record without an id"
	case r.Time.IsZero():
		return "audit record " + r.ID + " without a time"
	case r.Action == "" || r.ActorKind == "" || r.Result == "":
		return "audit record " + r.ID + " without an action, actor or result"
	}
	return ""
}
