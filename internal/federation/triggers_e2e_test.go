package federation_test

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// TestFederatedFirstSignInRunsPreSignUp: the first sign-in through an
// identity provider runs pre sign-up as PreSignUp_ExternalProvider, with
// the app client of the authorization request as callerContext.clientId;
// the next sign-in runs it no more.
func TestFederatedFirstSignInRunsPreSignUp(t *testing.T) {
	s := newSessionEnv(t)
	tr := apptest.NewTriggers(t)
	var got []events.CognitoEventUserPoolsPreSignup
	tr.Handle(pool.TriggerPreSignUp, func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		got = append(got, ev)
		return ev, nil
	})
	if err := s.a.Store.UpdatePool(context.Background(), s.pool.ID, func(p pool.Pool) (pool.Pool, error) {
		tr.Configure(&p, s.a.Box, pool.TriggerPreSignUp)
		return p, nil
	}); err != nil {
		t.Fatal(err)
	}
	s.client, s.secret = s.social, s.socialSecret
	authURL := s.authorizeURL("identity_provider", pool.ProviderGoogle)
	s.exchange(t, newBrowser(t).run(t, authURL).Callback)
	s.exchange(t, newBrowser(t).run(t, authURL).Callback)
	if sources := tr.Sources(); len(sources) != 1 || sources[0] != trigger.SourcePreSignUpExternal {
		t.Fatalf("sources = %v, want one %s", sources, trigger.SourcePreSignUpExternal)
	}
	if len(got) != 1 || got[0].CallerContext.ClientID != s.social.ID || got[0].UserName == "" {
		t.Fatalf("pre sign-up events = %+v, want one with client %s", got, s.social.ID)
	}
}
