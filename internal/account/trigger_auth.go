package account

import (
	"context"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// PreAuthentication runs the pool's pre authentication trigger
// (PreAuthentication_Authentication) for u, a user found for a sign-in,
// before the first factor is checked. Its failure refuses the sign-in
// with the trigger's error, in Cognito's words ("PreAuthentication
// failed with error ..."). Passwords and SRP proofs run it here; the
// adapters of other first factors call it before checking theirs.
func (s *Service) PreAuthentication(ctx context.Context, p pool.Pool, u pool.User) error {
	c := callerOf(ctx)
	req := trigger.PreAuthenticationRequest{
		UserAttributes: eventAttributes(u, true),
		ValidationData: c.ValidationData,
	}
	_, err := s.invoke(ctx, p, pool.TriggerPreAuthentication, trigger.SourcePreAuthentication, u.Username, req, nil, nil)
	return err
}

// PostAuthentication runs the pool's post authentication trigger
// (PostAuthentication_Authentication) for u, who has just signed in.
// newDeviceUsed is false: linkpool does not track devices. Its failure
// is the sign-in's error, as in Cognito. Passwords and SRP proofs run it
// once the account state allows the sign-in; the adapters of other
// first factors call it when theirs succeeds.
func (s *Service) PostAuthentication(ctx context.Context, p pool.Pool, u pool.User) error {
	req := trigger.PostAuthenticationRequest{
		UserAttributes: eventAttributes(u, true),
		ClientMetadata: callerOf(ctx).ClientMetadata,
	}
	_, err := s.invoke(ctx, p, pool.TriggerPostAuthentication, trigger.SourcePostAuthentication, u.Username, req, nil, nil)
	return err
}
