package account

import (
	"context"

	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/store"
)

// record writes the audit record of an administrator's change to the
// user sub ("" when the user was not found) of poolID, made (err nil)
// or refused (package audit).
func (s *Service) record(ctx context.Context, action, poolID, sub string, changed []store.AuditChange, err error) {
	s.audit.Record(ctx, audit.Entry{Action: action, PoolID: poolID, Target: sub, Changed: changed}, err)
}

// recordAdmin is record for the methods that serve user self-service
// too: only a change made under an actor (an administrator) is recorded.
func (s *Service) recordAdmin(ctx context.Context, action, poolID, sub string, changed []store.AuditChange, err error) {
	s.audit.RecordActor(ctx, audit.Entry{Action: action, PoolID: poolID, Target: sub, Changed: changed}, err)
}

// attrFields names the attributes a change sets; values only for those
// on audit's allow-list (the verification flags), never an address.
func attrFields(attrs map[string]string) []store.AuditChange {
	m := make(map[string]any, len(attrs))
	for k, v := range attrs {
		m[k] = v
	}
	return audit.Fields(m)
}
