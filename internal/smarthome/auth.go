package smarthome

import (
	"context"
	"errors"

	"github.com/linkpool/linkpool/internal/smarthome/alexa"
	"github.com/linkpool/linkpool/internal/tracing"
	"github.com/linkpool/linkpool/verify"
)

// authenticate verifies the directive's bearer token and, if configured,
// asks CheckIdentity about the user. The returned error is an *alexa.Error
// whose type follows the rule of the "Add account linking logic to a smart
// home skill" page: EXPIRED_/INVALID_AUTHORIZATION_CREDENTIAL only when the
// credential itself is expired or bad (Alexa then deletes the user's
// tokens), INTERNAL_ERROR when the check could not be made, including a
// token signed by a key the issuer published after the last JWKS fetch
// (verify.ErrKeyNotFetched).
func (s *Skill) authenticate(ctx context.Context, d *alexa.Directive) (verify.Identity, error) {
	tok, err := d.Token()
	if err != nil {
		return verify.Identity{}, alexa.NewError(alexa.ErrInvalidDirective, d.Name()+" carries no bearer token")
	}
	vctx, span := tracing.Start(ctx, "smarthome.verify_token")
	id, err := s.verifier.Verify(vctx, tok)
	if err == nil && s.check != nil {
		err = s.check(vctx, id)
	}
	tracing.End(span, err)
	if err == nil {
		return id, nil
	}
	// Errors from verify and from CheckIdentity never contain the token.
	switch {
	case errors.Is(err, verify.ErrExpired):
		s.log.InfoContext(ctx, "smarthome: expired access token", "directive", d.Name(), "reason", err.Error())
		return verify.Identity{}, alexa.NewError(alexa.ErrExpiredAuthorization, "the access token has expired")
	case errors.Is(err, verify.ErrInvalid):
		s.log.InfoContext(ctx, "smarthome: access token rejected", "directive", d.Name(), "reason", err.Error())
		return verify.Identity{}, alexa.NewError(alexa.ErrInvalidAuthorization, "the access token is not valid")
	case errors.Is(err, verify.ErrKeyNotFetched):
		// A key published since the last JWKS fetch: Alexa retries, and
		// the next allowed fetch picks the key up.
		s.log.WarnContext(ctx, "smarthome: access token signed by a key not fetched yet", "directive", d.Name(), "reason", err.Error())
		return verify.Identity{}, alexa.NewError(alexa.ErrInternal, "the credential could not be checked right now")
	default:
		s.log.ErrorContext(ctx, "smarthome: could not check the access token", "directive", d.Name(), "error", err.Error())
		return verify.Identity{}, alexa.NewError(alexa.ErrInternal, "the credential could not be checked right now")
	}
}
