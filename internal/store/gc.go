package store

import (
	"context"
	"log/slog"
	"time"
)

// CollectGarbage runs s.GarbageCollect every interval until ctx ends,
// logging what it removed; a zero or negative interval does nothing.
func CollectGarbage(ctx context.Context, s Store, log *slog.Logger, every time.Duration) {
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
			res, err := s.GarbageCollect(ctx, time.Now())
			if err != nil {
				log.Warn("garbage collection failed", "error", err)
				continue
			}
			if res.AuthCodes+res.RefreshTokens+res.Sessions+res.LampSessions+res.Mail+res.AuthSessions > 0 {
				log.Info("garbage collected", "codes", res.AuthCodes, "refresh_tokens", res.RefreshTokens, "sessions", res.Sessions,
					"lamp_sessions", res.LampSessions, "mail", res.Mail, "auth_sessions", res.AuthSessions)
			}
		}
	}
}
