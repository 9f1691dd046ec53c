package store

import (
	"context"
	"log/slog"
	"time"
)

// Sweep is a garbage collection of records that another package keeps
// beside Store on the same database, run on CollectGarbage's tick. Run
// deletes what expired before now and returns how many it deleted; Name
// labels the count in the log.
type Sweep struct {
	Name string
	Run  func(ctx context.Context, now time.Time) (int64, error)
}

// CollectGarbage runs s.GarbageCollect and then every sweep each interval
// until ctx ends, logging what they removed; a zero or negative interval
// does nothing.
func CollectGarbage(ctx context.Context, s Store, log *slog.Logger, every time.Duration, sweeps ...Sweep) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			now := time.Now()
			res, err := s.GarbageCollect(ctx, now)
			if err != nil {
				log.Warn("garbage collection failed", "error", err)
			} else if res.AuthCodes+res.RefreshTokens+res.Sessions+res.Mail+res.AuthSessions > 0 {
				log.Info("garbage collected", "codes", res.AuthCodes, "refresh_tokens", res.RefreshTokens, "sessions", res.Sessions,
					"mail", res.Mail, "auth_sessions", res.AuthSessions)
			}
			for _, sw := range sweeps {
				n, err := sw.Run(ctx, now)
				if err != nil {
					log.Warn("garbage collection failed", "records", sw.Name, "error", err)
				} else if n > 0 {
					log.Info("garbage collected", sw.Name, n)
				}
			}
		}
	}
}
