package smarthome

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/linkpool/linkpool/internal/smarthome/alexa"
	"strings"

	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/verify"
)

// errSkillEvent wraps failures to handle a skill event that Alexa should
// deliver again (a store or authorization server failure).
var errSkillEvent = errors.New("smarthome: skill event not handled")

// asSkillEvent reports whether raw is a skill event (a document with
// request.type AlexaSkillEvent.*) rather than a directive.
func asSkillEvent(raw []byte) (*alexa.SkillEvent, bool) {
	if !json.Valid(raw) {
		return nil, false
	}
	var ev alexa.SkillEvent
	if err := json.Unmarshal(raw, &ev); err != nil || !strings.HasPrefix(ev.Request.Type, "AlexaSkillEvent.") {
		return nil, false
	}
	return &ev, true
}

// handleSkillEvent acknowledges a skill event and, for SkillDisabled,
// ends the user's link on the skill's side: the grant behind the access
// token the event carries is revoked at the authorization server
// (SkillConfig.RevokeGrant, when co-located with the pool) and the user's
// stored LWA tokens are deleted, so no ChangeReport is sent for them
// again. The token is checked with SkillConfig.EventVerifier, which may
// accept tokens that expired a while ago. An event without a usable token
// (none, not ours, expired beyond that) has nothing to revoke and is
// acknowledged. Failures that a redelivery may
// cure are returned, wrapping errSkillEvent.
func (s *Skill) handleSkillEvent(ctx context.Context, ev *alexa.SkillEvent) ([]byte, error) {
	if ev.Request.Type != alexa.SkillDisabled {
		return alexa.SkillEventAck, nil
	}
	tok := ev.Context.System.User.AccessToken
	if tok == "" {
		s.log.InfoContext(ctx, "smarthome: skill disabled; the event carries no access token, nothing to revoke")
		return alexa.SkillEventAck, nil
	}
	id, err := s.eventVerify.Verify(ctx, tok)
	switch {
	case err == nil:
	case verify.IsCredentialError(err):
		// Expired, forged or another issuer's: it identifies no grant
		// the skill may act on.
		s.log.InfoContext(ctx, "smarthome: skill disabled; the event's access token identifies no grant", "reason", err.Error())
		return alexa.SkillEventAck, nil
	default:
		s.log.ErrorContext(ctx, "smarthome: skill disabled; the access token could not be checked", "error", err.Error())
		return nil, fmt.Errorf("%w: check the token: %w", errSkillEvent, err)
	}
	if s.revoke != nil {
		if err := s.revoke(ctx, id); err != nil {
			s.log.ErrorContext(ctx, "smarthome: skill disabled; revoking the grant failed", "owner", id.Sub, "error", err.Error())
			return nil, fmt.Errorf("%w: revoke the grant: %w", errSkillEvent, err)
		}
	}
	if err := s.forgetLWATokens(ctx, id.Sub); err != nil {
		s.log.ErrorContext(ctx, "smarthome: skill disabled; deleting the LWA tokens failed", "owner", id.Sub, "error", err.Error())
		return nil, fmt.Errorf("%w: delete the LWA tokens: %w", errSkillEvent, err)
	}
	s.log.InfoContext(ctx, "smarthome: skill disabled; link ended", "owner", id.Sub, "grant_revoked", s.revoke != nil)
	return alexa.SkillEventAck, nil
}

// forgetLWATokens deletes owner's stored LWA tokens, keeping the record
// that the user once granted.
func (s *Skill) forgetLWATokens(ctx context.Context, owner string) error {
	g, err := s.store.GetAlexaGrant(ctx, owner)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(g.SealedTokens) == 0 {
		return nil
	}
	now := s.now()
	g.SealedTokens, g.TokenExpiresAt, g.UpdatedAt = nil, now, now
	return s.store.PutAlexaGrant(ctx, g)
}
