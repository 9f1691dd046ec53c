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
	c := CallerFrom(ctx)
	req := trigger.PreAuthenticationRequest{
		UserAttributes: trigger.UserAttributes(u),
		ValidationData: c.ValidationData,
	}
	_, err := s.invoke(ctx, p, pool.TriggerPreAuthentication, trigger.SourcePreAuthentication, u.Username, req, nil, nil)
	return err
}

// PostAuthentication runs the pool's post authentication trigger
// (PostAuthentication_Authentication) for u, who has just signed in.
// newDeviceUsed is false: linkpool does not track devices. Its failure
// is the sign-in's error, as in Cognito. As in Cognito it runs once the
// whole sign-in has succeeded, after any second factor: the adapters
// call it where a sign-in completes (the JSON API before it issues the
// tokens, the hosted pages before they open the session), whatever the
// first factor was. Federated sign-ins do not run it.
func (s *Service) PostAuthentication(ctx context.Context, p pool.Pool, u pool.User) error {
	req := trigger.PostAuthenticationRequest{
		UserAttributes: trigger.UserAttributes(u),
		ClientMetadata: CallerFrom(ctx).ClientMetadata,
	}
	_, err := s.invoke(ctx, p, pool.TriggerPostAuthentication, trigger.SourcePostAuthentication, u.Username, req, nil, nil)
	return err
}
