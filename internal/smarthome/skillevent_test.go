package smarthome_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/smarthome/smarthometest"
	"github.com/linkpool/linkpool/verify"
)

// skillDisabledEvent is an AlexaSkillEvent.SkillDisabled request in the
// published format, carrying token as the user's access token.
func skillDisabledEvent(token string) string {
	user := `"userId":"amzn1.ask.account.TEST"`
	if token != "" {
		user += `,"accessToken":"` + token + `"`
	}
	return `{"version":"1.0","context":{"System":{"application":{"applicationId":"amzn1.ask.skill.TEST"},"user":{` + user + `},` +
		`"apiEndpoint":"https://api.amazonalexa.com"}},"request":{"type":"AlexaSkillEvent.SkillDisabled","requestId":"amzn1.echo-api.request.1",` +
		`"timestamp":"2026-12-03T12:00:00Z","eventCreationTime":"2026-12-03T12:00:00Z","eventPublishingTime":"2026-12-03T12:00:01Z",` +
		`"body":{"userInformationPersistenceStatus":"PERSISTED"}}}`
}

// TestSkillDisabledRevokesAndForgets: the skill-disabled event revokes the
// grant behind the event's access token through RevokeGrant, deletes the
// user's LWA tokens and is acknowledged; a failing revocation is not
// acknowledged (Lambda error, HTTP 500) so that Alexa delivers it again;
// an event with a token that identifies nothing is acknowledged untouched.
func TestSkillDisabledRevokesAndForgets(t *testing.T) {
	lwa := newLWAServer(t)
	gw := newGateway(t, lwa, false)
	seal, open := aesSeal(t)
	var revoked []verify.Identity
	var failRevoke error
	e := newEnv(t, func(c *smarthome.SkillConfig) {
		c.LWA = smarthome.LWAConfig{ClientID: lwaClientID, ClientSecret: lwaClientSecret, TokenURL: lwa.URL}
		c.EventGatewayURL = gw.URL + "/v3/events"
		c.Seal, c.Open = seal, open
		c.RevokeGrant = func(ctx context.Context, id verify.Identity) error {
			if failRevoke != nil {
				return failRevoke
			}
			revoked = append(revoked, id)
			return nil
		}
	})
	ctx := context.Background()
	const owner = "disabling-user"
	tok := e.iss.Token(t, owner)
	if ev := e.invoke(t, acceptGrantDirective("good-ANUbUKCJqlBOpMhwYWxU", tok)); ev.Event.Header.Name != "AcceptGrant.Response" {
		t.Fatalf("AcceptGrant answered %s", ev.Event.Header.Name)
	}

	// Revocation fails: no acknowledgement, the tokens stay.
	failRevoke = errors.New("database is down")
	if _, err := e.skill.Invoke(ctx, []byte(skillDisabledEvent(tok))); err == nil {
		t.Fatal("a skill event whose handling failed was acknowledged")
	}
	rec := httptest.NewRecorder()
	e.skill.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/alexa/smart-home", strings.NewReader(skillDisabledEvent(tok))))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("HTTP answer to a failed skill event: %d", rec.Code)
	}
	if g, err := e.st.GetAlexaGrant(ctx, owner); err != nil || len(g.SealedTokens) == 0 {
		t.Fatalf("LWA tokens deleted although the event failed: %v", err)
	}

	// Over HTTP, with the revocation working.
	failRevoke = nil
	rec = httptest.NewRecorder()
	e.skill.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/alexa/smart-home", strings.NewReader(skillDisabledEvent(tok))))
	if rec.Code != http.StatusOK || rec.Body.String() != `{"version":"1.0","response":{}}` {
		t.Fatalf("skill event answered %d %s", rec.Code, rec.Body)
	}
	if len(revoked) != 1 || revoked[0].Sub != owner {
		t.Fatalf("revoked %+v, want the grant of %s", revoked, owner)
	}
	g, err := e.st.GetAlexaGrant(ctx, owner)
	if err != nil || len(g.SealedTokens) != 0 {
		t.Fatalf("LWA tokens kept after the skill was disabled: %v %d bytes", err, len(g.SealedTokens))
	}

	// Tokens that identify no grant: acknowledged, nothing revoked.
	expired := e.iss.Claims(owner)
	expired["iat"], expired["exp"] = time.Now().Add(-2*time.Hour).Unix(), time.Now().Add(-time.Hour).Unix()
	for _, bad := range []string{"", "garbage-token", e.iss.Sign(t, expired)} {
		out, err := e.skill.Invoke(ctx, []byte(skillDisabledEvent(bad)))
		if err != nil || string(out) != `{"version":"1.0","response":{}}` {
			t.Fatalf("event with token %.10q: %v %s", bad, err, out)
		}
	}
	if len(revoked) != 1 {
		t.Fatalf("a bad token revoked a grant: %+v", revoked)
	}

	// With an event verifier of a long leeway (as linkpool configures
	// it), Alexa's expired last access token still names the grant.
	ev, err := verify.New(verify.Config{Issuer: e.iss.URL, ClientIDs: []string{smarthometest.ClientID}, Leeway: smarthome.SkillEventLeeway})
	if err != nil {
		t.Fatal(err)
	}
	e2 := newEnv(t, func(c *smarthome.SkillConfig) {
		c.EventVerifier = ev
		c.RevokeGrant = func(ctx context.Context, id verify.Identity) error { revoked = append(revoked, id); return nil }
	})
	expiredTok := e.iss.Sign(t, expired)
	if out, err := e2.skill.Invoke(ctx, []byte(skillDisabledEvent(expiredTok))); err != nil || string(out) != `{"version":"1.0","response":{}}` {
		t.Fatalf("event with an expired token and a lenient verifier: %v %s", err, out)
	}
	if len(revoked) != 2 || revoked[1].Sub != owner {
		t.Fatalf("the expired token's grant was not revoked: %+v", revoked)
	}
	checkNoSecret(t, "logs", e.logs.String(), tok, "Atza|access", "Atzr|refresh")
}
