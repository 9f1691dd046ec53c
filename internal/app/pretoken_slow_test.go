package app_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// TestSlowTriggerDoesNotBlockSamePoolRefreshes holds the pre token
// generation trigger of one client's refresh at /oauth2/token; meanwhile
// refreshes of another client of the same pool, through the JSON API,
// run the same trigger and get their tokens, with its claims.
func TestSlowTriggerDoesNotBlockSamePoolRefreshes(t *testing.T) {
	l := newTokenLab(t, pool.PreTokenV2)
	cfg := l.oauth(l.lamps, l.web, l.secret)
	held, err := l.codeFlow(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	api := l.sdk()
	signedIn, err := api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(l.api.ID),
		AuthParameters: map[string]string{"USERNAME": "carol", "PASSWORD": "Corr3ct-Horse!"},
	})
	if err != nil {
		t.Fatal(err)
	}
	l.hook.calls()
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	answer := v2(t, householdClaims)
	l.hook.set(func(body []byte) (any, error) {
		var ev events.CognitoEventUserPoolsPreTokenGenV2_0
		if err := json.Unmarshal(body, &ev); err != nil {
			return nil, err
		}
		if ev.CallerContext.ClientID == l.web.ID {
			once.Do(func() { close(entered) })
			<-release
		}
		return answer(body)
	})
	done := make(chan error, 1)
	go func() {
		_, err := refresh(cfg, held)
		done <- err
	}()
	<-entered
	for range 3 {
		out, err := api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
			AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(l.api.ID),
			AuthParameters: map[string]string{"REFRESH_TOKEN": *signedIn.AuthenticationResult.RefreshToken},
		})
		if err != nil {
			t.Fatalf("refresh of the other client while the trigger is held: %v", err)
		}
		if access := apptest.JWTClaims(t, *out.AuthenticationResult.AccessToken); access["household_id"] != "hh-"+l.sub[:8] {
			t.Fatalf("refreshed access token without the trigger's claim: %v", access)
		}
	}
	select {
	case err := <-done:
		t.Fatalf("the held refresh finished before its trigger answered: %v", err)
	default:
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("held refresh: %v", err)
	}
	got := l.hook.calls()
	if len(got) != 4 { // the held refresh and the three others
		t.Fatalf("trigger events %v, want 4", got)
	}
	for _, s := range got {
		if s != trigger.SourceTokenRefresh {
			t.Fatalf("trigger events %v, want %s only", got, trigger.SourceTokenRefresh)
		}
	}
}
