package smarthome

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/smarthome/alexa"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

// acceptGrant handles Alexa.Authorization/AcceptGrant (docs
// "Alexa.Authorization Interface"): the grantee token names the user, the
// grant code is exchanged at Login with Amazon for the tokens that
// authorize proactive events. Any failure is ACCEPT_GRANT_FAILED, the only
// error this directive may answer; account linking then fails in the app.
func (s *Skill) acceptGrant(ctx context.Context, d *alexa.Directive) (alexa.Message, error) {
	var p struct {
		Grant struct {
			Type string `json:"type"`
			Code string `json:"code"`
		} `json:"grant"`
	}
	if err := json.Unmarshal(d.Payload, &p); err != nil || p.Grant.Type != "OAuth2.AuthorizationCode" || p.Grant.Code == "" {
		return alexa.Message{}, alexa.AcceptGrantFailed("the directive carries no OAuth2.AuthorizationCode grant")
	}
	id, err := s.authenticate(ctx, d)
	if err != nil {
		return alexa.Message{}, alexa.AcceptGrantFailed("the grantee token was not accepted")
	}
	now := s.now()
	g := skillstore.AlexaGrant{Owner: id.Sub, CreatedAt: now, UpdatedAt: now}
	if old, err := s.store.GetAlexaGrant(ctx, id.Sub); err == nil {
		g.CreatedAt = old.CreatedAt
	} else if !errors.Is(err, store.ErrNotFound) {
		s.log.ErrorContext(ctx, "smarthome: reading the Alexa grant failed", "error", err.Error())
		return alexa.Message{}, alexa.AcceptGrantFailed("the grant could not be stored")
	}
	if s.eventsEnabled() {
		tok, err := s.lwa.Exchange(s.lwaContext(ctx), p.Grant.Code)
		if err != nil {
			s.log.WarnContext(ctx, "smarthome: Login with Amazon refused the grant code", "error", oauthErrorSummary(err))
			return alexa.Message{}, alexa.AcceptGrantFailed("Login with Amazon did not accept the grant code")
		}
		sealed, err := s.sealTokens(id.Sub, tok)
		if err != nil {
			s.log.ErrorContext(ctx, "smarthome: sealing the LWA tokens failed", "error", err.Error())
			return alexa.Message{}, alexa.AcceptGrantFailed("the grant could not be stored")
		}
		g.SealedTokens, g.TokenExpiresAt = sealed, tok.Expiry
	}
	if err := s.store.PutAlexaGrant(ctx, g); err != nil {
		s.log.ErrorContext(ctx, "smarthome: storing the Alexa grant failed", "error", err.Error())
		return alexa.Message{}, alexa.AcceptGrantFailed("the grant could not be stored")
	}
	return d.AcceptGrantResponse(), nil
}

// lwaContext makes x/oauth2 use the skill's HTTP client.
func (s *Skill) lwaContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, s.client)
}

// sealTokens encodes owner's LWA tokens and, when Seal is set, seals them
// bound to owner.
func (s *Skill) sealTokens(owner string, tok *oauth2.Token) ([]byte, error) {
	raw, err := json.Marshal(tok)
	if err != nil {
		return nil, err
	}
	if s.seal == nil {
		return raw, nil
	}
	return s.seal(skillstore.LWATokenContext(owner), raw)
}

// errTokensDoNotOpen: owner's stored LWA tokens were not sealed for
// owner (copied from another row, or sealed under another key).
var errTokensDoNotOpen = errors.New("the stored LWA tokens do not open for this user")

// openTokens reverses sealTokens. Values that earlier versions sealed
// under the shared skillstore.LWATokenSealContext still open; the next refresh or
// AcceptGrant stores them sealed bound to owner.
func (s *Skill) openTokens(owner string, sealed []byte) (*oauth2.Token, error) {
	raw := sealed
	if s.open != nil {
		var err error
		if raw, err = s.open(skillstore.LWATokenContext(owner), sealed); err != nil {
			if raw, err = s.open([]byte(skillstore.LWATokenSealContext), sealed); err != nil {
				return nil, errTokensDoNotOpen
			}
		}
	}
	var tok oauth2.Token
	if err := json.Unmarshal(raw, &tok); err != nil {
		return nil, errors.New("stored LWA tokens are not readable")
	}
	return &tok, nil
}

// oauthErrorSummary describes a token endpoint failure without the response body,
// which could echo request data.
func oauthErrorSummary(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return fmt.Sprintf("HTTP %d, error %q", status, re.ErrorCode)
	}
	return err.Error()
}
