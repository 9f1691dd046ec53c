package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// lambdaInvokeServer implements Lambda's Invoke REST call
// (POST /2015-03-31/functions/{name}/invocations) on loopback and runs
// one aws-lambda-go handler in-process, recording each invocation's
// triggerSource and whether it was SigV4-signed for RequestResponse.
type lambdaInvokeServer struct {
	*httptest.Server
	mu      sync.Mutex
	sources []string
}

func newLambdaInvokeServer(t *testing.T, function string, fn any) *lambdaInvokeServer {
	h := lambda.NewHandler(fn)
	ls := &lambdaInvokeServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.PathValue("name"), ":function:"+function) ||
			r.Header.Get("X-Amz-Invocation-Type") != "RequestResponse" ||
			!strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKIDLAMBDATEST/") {
			w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"message":"refused"}`)
			return
		}
		payload, _ := io.ReadAll(r.Body)
		out, err := h.Invoke(r.Context(), payload)
		if err != nil {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			io.WriteString(w, `{"errorMessage":"`+err.Error()+`"}`)
			return
		}
		ls.mu.Lock()
		ls.sources = append(ls.sources, strings.Split(strings.Split(string(payload), `"triggerSource":"`)[1], `"`)[0])
		ls.mu.Unlock()
		w.Write(out)
	})
	ls.Server = httptest.NewServer(mux)
	t.Cleanup(ls.Close)
	return ls
}

// TestPreTokenGenerationLambdaV3 runs a V3_0 pre token generation
// function through the Lambda API client: for a user's hosted sign-in and
// for a client-credentials token, which only version 3 customises.
func TestPreTokenGenerationLambdaV3(t *testing.T) {
	const arn = "arn:aws:lambda:eu-west-1:123456789012:function:household-claim"
	fn := func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
		d := &ev.Response.ClaimsAndScopeOverrideDetails
		if ev.TriggerSource == trigger.SourceTokenClientCredentials {
			d.AccessTokenGeneration.ClaimsToAddOrOverride = map[string]any{"fleet": "north"}
			d.AccessTokenGeneration.ScopesToSuppress = []string{"lamps/write"}
			return ev, nil
		}
		householdClaims(&ev)
		return ev, nil
	}
	ls := newLambdaInvokeServer(t, "household-claim", fn)
	kit := apptest.New(t, func(c *app.Config) {
		c.Triggers.LambdaEndpoint = ls.URL
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
	if access := jwtClaims(t, tok.AccessToken); access["household_id"] == nil || access["scope"] != "openid profile lamps/switch" {
		t.Fatalf("access token %v", access)
	}
	cc := clientcredentials.Config{ClientID: m2m.ID, ClientSecret: m2mSecret, TokenURL: kit.URL + "/" + p.ID + "/oauth2/token"}
	mt, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if access := jwtClaims(t, mt.AccessToken); access["fleet"] != "north" || access["scope"] != "lamps/read" || access["sub"] != m2m.ID {
		t.Fatalf("client-credentials access token %v", access)
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if want := []string{trigger.SourceTokenHostedAuth, trigger.SourceTokenClientCredentials}; strings.Join(ls.sources, ",") != strings.Join(want, ",") {
		t.Fatalf("invocations %v, want %v", ls.sources, want)
	}
}
