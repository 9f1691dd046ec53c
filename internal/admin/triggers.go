package admin

import (
	"context"
	"fmt"

	"github.com/linkpool/linkpool/internal/pool"
)

// ensureTriggerSecret gives a pool with a webhook target and no signing
// secret a new one, sealed and bound to the pool. A pool keeps its
// secret when its webhooks go, so adding one back does not change what
// the receivers verify with.
func (s *Service) ensureTriggerSecret(p *pool.Pool) {
	if p.LambdaConfig.HasWebhook() && len(p.TriggerSecret) == 0 {
		p.TriggerSecret = s.box.Seal([]byte(pool.NewTriggerSecret()), p.TriggerSecretAAD())
	}
}

// SetLambdaConfig replaces the pool's triggers (Cognito's LambdaConfig),
// validated with the rest of the pool. A pool's first webhook target
// gives it a webhook signing secret (TriggerSecret reads it). A refused
// configuration stores nothing.
func (s *Service) SetLambdaConfig(ctx context.Context, poolID string, c pool.LambdaConfig) (pool.Pool, error) {
	return s.updatePool(ctx, "SetLambdaConfig", poolID, func(p *pool.Pool) { p.LambdaConfig = c })
}

// TriggerSecret returns the pool's webhook signing secret in plain, ""
// when it has none.
func (s *Service) TriggerSecret(ctx context.Context, poolID string) (string, error) {
	p, err := s.DescribeUserPool(ctx, poolID)
	if err != nil || len(p.TriggerSecret) == 0 {
		return "", err
	}
	b, err := s.box.Open(p.TriggerSecret, p.TriggerSecretAAD())
	if err != nil {
		return "", fmt.Errorf("open the trigger secret of pool %s (is this the right master key?): %w", poolID, err)
	}
	return string(b), nil
}

// RotateTriggerSecret replaces the pool's webhook signing secret and
// returns the new one. Requests are signed with it at once; receivers
// verifying with the old one refuse them until they have the new one.
func (s *Service) RotateTriggerSecret(ctx context.Context, poolID string) (string, error) {
	var secret string
	_, err := s.updatePool(ctx, "RotateTriggerSecret", poolID, func(p *pool.Pool) {
		// The stored run is the last one, so secret ends up matching it.
		secret = pool.NewTriggerSecret()
		p.TriggerSecret = s.box.Seal([]byte(secret), p.TriggerSecretAAD())
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}
