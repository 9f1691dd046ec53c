package alexasim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/linkpool/linkpool/internal/smarthome/alexa"
	"strings"
	"time"
)

// SkillDisabledEvent is the request type of the skill event Alexa sends
// when the user disables the skill ("Use Skill Events", Skill Disabled
// Event).
const SkillDisabledEvent = alexa.SkillDisabled

// SkillEventReply is what the skill did with a skill event. Alexa only
// needs the delivery acknowledged (an HTTP 200, or a Lambda invocation
// without a function error) and delivers an unacknowledged event again
// for up to an hour.
type SkillEventReply struct {
	Type         string        `json:"type"`
	Acknowledged bool          `json:"acknowledged"`
	Attempts     int           `json:"attempts"`
	Elapsed      time.Duration `json:"elapsed"`
	Diagnoses    Diagnoses     `json:"diagnoses,omitempty"`
}

// DisableSkill plays the user disabling the skill in the Alexa app: Alexa
// deletes the tokens (Unlink) and sends the skill the
// AlexaSkillEvent.SkillDisabled skill event, with the user's last access
// token in context.System.user.accessToken, so that the skill can end the
// link on its side (revoke the grant, forget the user's data). The event
// follows the published format of "Use Skill Events"; it is a stand-in,
// sent to the same skill endpoint as the directives. Failed deliveries
// are retried like directives. The error is only for a cancelled ctx.
func (l *Link) DisableSkill(ctx context.Context) (*SkillEventReply, error) {
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	token := l.Tokens.AccessToken
	if err := l.Unlink(ctx); err != nil {
		return nil, err
	}
	// PERSISTED: the user's data stays with Alexa, the next enablement
	// has the same userId (NOT_PERSISTED after an account-wide deletion).
	return l.sendSkillEvent(ctx, SkillDisabledEvent, token, "PERSISTED"), nil
}

func (l *Link) sendSkillEvent(ctx context.Context, typ, token, persistence string) *SkillEventReply {
	rep := &SkillEventReply{Type: typ}
	env := &l.Env
	if env.Skill == nil {
		rep.Diagnoses = Diagnoses{newDiagnosis(CodeSkillUnreachable, "no skill endpoint is configured for "+typ)}
		return rep
	}
	var ev alexa.SkillEvent
	ev.Version = "1.0"
	ev.Context.System.Application.ApplicationID = "amzn1.ask.skill." + l.stableID("skill")
	ev.Context.System.User.UserID = "amzn1.ask.account." + strings.ToUpper(l.stableID("user"))
	ev.Context.System.User.AccessToken = token
	ev.Context.System.APIEndpoint = apiEndpoint(l.Console.Region)
	now := env.now().UTC().Format(time.RFC3339)
	ev.Request.Type = typ
	ev.Request.RequestID = "amzn1.echo-api.request." + randomToken(18)
	ev.Request.Timestamp, ev.Request.EventCreationTime, ev.Request.EventPublishingTime = now, now, now
	ev.Request.Body.UserInformationPersistenceStatus = persistence
	raw, err := json.Marshal(ev)
	if err != nil {
		rep.Diagnoses = Diagnoses{newDiagnosis(CodeSkillUnreachable, "the skill event could not be encoded: "+err.Error())}
		return rep
	}
	for attempt := 1; ; attempt++ {
		rep.Attempts = attempt
		cctx, cancel := context.WithTimeout(ctx, env.skillTimeout())
		began := time.Now()
		_, err = env.Skill.Invoke(cctx, raw)
		rep.Elapsed = time.Since(began)
		timedOut := errors.Is(cctx.Err(), context.DeadlineExceeded)
		cancel()
		if err == nil && !timedOut {
			rep.Acknowledged = true
			return rep
		}
		detail := fmt.Sprintf("%s delivery attempt %d: ", typ, attempt)
		switch {
		case ctx.Err() != nil:
			rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeSkillUnreachable, detail+"cancelled"))
			return rep
		case timedOut:
			rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeSkillTimeout, detail+"no answer within "+env.skillTimeout().String()))
		default:
			var he *SkillHTTPError
			if errors.As(err, &he) {
				rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeSkillHTTPError, fmt.Sprintf("%sHTTP %d", detail, he.Status)))
			} else {
				rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeSkillUnreachable, detail+err.Error()))
			}
		}
		if attempt >= env.attempts() {
			return rep
		}
		if env.backoff(ctx, attempt) != nil {
			return rep
		}
	}
}

// stableID derives an id for the skill and the user of this link that
// stays the same across events, as Alexa's applicationId and userId do.
func (l *Link) stableID(what string) string {
	sum := sha256.Sum256([]byte(what + "\x00" + l.Console.VendorID + "\x00" + l.Console.ClientID + "\x00" + l.Name))
	return hex.EncodeToString(sum[:12])
}

// apiEndpoint is the Alexa API endpoint of a region, which skill events
// carry in context.System.apiEndpoint.
func apiEndpoint(r Region) string {
	switch r {
	case RegionEU:
		return "https://api.eu.amazonalexa.com"
	case RegionFE:
		return "https://api.fe.amazonalexa.com"
	default:
		return "https://api.amazonalexa.com"
	}
}
