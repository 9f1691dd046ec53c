package alexasim

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// unlinkRevokes plays the user disabling the skill (DisableSkill: Alexa
// deletes the tokens and sends AlexaSkillEvent.SkillDisabled) and then
// tries the link's old refresh token at the access token URI: the skill
// should have had the grant revoked (Account linking FAQ: on skill
// disablement, revoke your tokens). It runs last, as it ends the link.
func (k *checker) unlinkRevokes(ctx context.Context, l *Link) error {
	const title = "unlink: skill disabled → the skill revokes the grant (SkillDisabled event)"
	switch {
	case k.o.Env.Skill == nil:
		k.add(CheckUnlinkRevokes, title, Skip, "no skill endpoint given: nothing receives the skill-disabled event")
		return nil
	case !l.IsLinked():
		k.add(CheckUnlinkRevokes, title, Skip, "no linked account to disable the skill for")
		return nil
	}
	old := l.Tokens.RefreshToken
	rep, err := l.DisableSkill(ctx)
	if err != nil {
		return err
	}
	if !rep.Acknowledged {
		k.add(CheckUnlinkRevokes, title, Fail, fmt.Sprintf("the skill did not acknowledge the SkillDisabled event after %d attempt(s): %s", rep.Attempts, firstError(rep.Diagnoses)), rep.Diagnoses...)
		return nil
	}
	tr := tokenRequest(ctx, &l.Env, &l.Console, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {old}}, true)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	switch {
	case tr.errorCode == "invalid_grant":
		k.add(CheckUnlinkRevokes, title, Pass, "the skill acknowledged the SkillDisabled event, and the old refresh token now gets invalid_grant")
	case tr.status == http.StatusOK:
		k.add(CheckUnlinkRevokes, title, Warn, "the grant outlives the unlink: after the SkillDisabled event the old refresh token still gets new tokens; revoke the grant when the skill is disabled")
	default:
		k.add(CheckUnlinkRevokes, title, Warn, fmt.Sprintf("could not tell whether the grant was revoked: the old refresh token got HTTP %d %s", tr.status, tr.errorCode), tr.diags...)
	}
	return nil
}
