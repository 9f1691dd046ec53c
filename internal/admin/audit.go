package admin

import (
	"context"

	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/store"
)

// record writes the audit record of a change the Service made (err nil)
// or refused (package audit).
func (s *Service) record(ctx context.Context, action, poolID, target string, changed []store.AuditChange, err error) {
	s.audit.Record(ctx, audit.Entry{Action: action, PoolID: poolID, Target: target, Changed: changed}, err)
}
