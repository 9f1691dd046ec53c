package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// TestPreTokenGenerationLambdaV3 runs a V3_0 pre token generation
// function through the Lambda API client: for a user's hosted sign-in and
// for a client-credentials token, which only version 3 customises.
func TestPreTokenGenerationLambdaV3(t *testing.T) {
	const arn = "arn:aws:lambda:eu-west-1:123456789012:function:household-claim"
	var (
		mu      sync.Mutex
		sources []string
	)
	fn := func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
		mu.Lock()
		sources = append(sources, ev.TriggerSource)
		mu.Unlock()
		d := &ev.Response.ClaimsAndScopeOverrideDetails
		if ev.TriggerSource == trigger.SourceTokenClientCredentials {
			d.AccessTokenGeneration.ClaimsToAddOrOverride = map[string]any{"fleet": "north"}
			d.AccessTokenGeneration.ScopesToSuppress = []string{"lamps/write"}
			return ev, nil
		}
		householdClaims(&ev)
		return ev, nil
	}
	ls := apptest.NewLambdaServer(t)
	ls.Handle("household-claim", fn)
	kit := apptest.New(t, func(c *app.Config) {
		c.Triggers.LambdaEndpoint = ls.Server.URL
		c.Triggers.LoadAWSConfig = func(context.Context) (aws.Config, error) {
			return aws.Config{Credentials: credentials.NewStaticCredentialsProvider("AKIDLAMBDATEST", "lambda-test-secret", "")}, nil
		}
	})
	p := kit.Pool(t, "eu-west-1", "lamps", func(p *pool.Pool) {
		p.LambdaConfig.PreTokenGenerationConfig = pool.PreTokenGenerationConfig{LambdaVersion: pool.PreTokenV3, LambdaArn: arn}
	})
	l := &tokenLab{kit: kit, lamps: p}
	l.web, l.secret = kit.Client(t, p, "web", []string{rpCallback})
	m2m, m2mSecret := kit.Client(t, p, "m2m", nil, func(c *pool.Client) {
		c.AllowedOAuthFlows = []string{pool.FlowClientCredentials}
		c.AllowedOAuthScopes = []string{"lamps/read", "lamps/write"}
	})
	if _, err := kit.Accounts.AdminCreateUser(context.Background(), p, adminCarol()); err != nil {
		t.Fatal(err)
	}
	tok, err := l.codeFlow(t, l.oauth(p, l.web, l.secret))
	if err != nil {
		t.Fatal(err)
	}
	if access := apptest.JWTClaims(t, tok.AccessToken); access["household_id"] == nil || access["scope"] != "openid profile lamps/switch" {
		t.Fatalf("access token %v", access)
	}
	cc := clientcredentials.Config{ClientID: m2m.ID, ClientSecret: m2mSecret, TokenURL: kit.URL + "/" + p.ID + "/oauth2/token"}
	mt, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if access := apptest.JWTClaims(t, mt.AccessToken); access["fleet"] != "north" || access["scope"] != "lamps/read" || access["sub"] != m2m.ID {
		t.Fatalf("client-credentials access token %v", access)
	}
	for _, c := range ls.Invocations() {
		if c.Function != arn || c.InvocationType != "RequestResponse" ||
			!strings.HasPrefix(c.Authorization, "AWS4-HMAC-SHA256 Credential="+apptest.LambdaAccessKeyID+"/") {
			t.Fatalf("invocation %+v", c)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{trigger.SourceTokenHostedAuth, trigger.SourceTokenClientCredentials}; strings.Join(sources, ",") != strings.Join(want, ",") {
		t.Fatalf("invocations %v, want %v", sources, want)
	}
}
