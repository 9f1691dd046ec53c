package cluster_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/mail/smtptest"
	"github.com/linkpool/linkpool/verify"
)

// apiWeb is one `linkpool serve` with a pool set up by `init alexa` (the
// hosted pages and the Alexa client), the SmartLamp skill mounted for it,
// and an app client for the Cognito API without a secret, as a mobile app
// next to the Alexa skill has.
type apiWeb struct {
	d      *deployment
	in     *instance
	mails  *smtptest.Server
	setup  alexaSetup
	app    string // the app client's id
	api    *cip.Client
	issuer string
}

func newAPIWeb(t *testing.T) *apiWeb {
	t.Helper()
	if testing.Short() {
		t.Skip("cluster test (runs the linkpool binary, which TestMain builds only without -short): -short")
	}
	w := &apiWeb{mails: smtptest.New(t, smtptest.Options{})}
	w.d, _ = sqliteDeployment(t)
	w.d.addr = apptest.FreeAddr(t)
	w.d.publicURL, w.d.smtpURL = "http://"+w.d.addr, w.mails.URL
	w.setup = w.d.initAlexa(t)
	var c struct{ ClientId string }
	out := w.d.cli(t, "client", "create", "--pool", w.setup.PoolID, "--name", "phone-app",
		"--explicit-auth-flows", "ALLOW_USER_PASSWORD_AUTH,ALLOW_REFRESH_TOKEN_AUTH", "--json")
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.ClientId == "" {
		t.Fatalf("client create: %v\n%s", err, out)
	}
	w.app = c.ClientId
	w.d.serveFlags = []string{"--skill-pool", w.setup.PoolID, "--skill-client-id", w.setup.ClientID}
	w.in = w.d.start(t, "apiweb")
	w.issuer = w.d.publicURL + "/" + w.setup.PoolID
	w.api = cip.New(cip.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(w.d.publicURL),
		Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1,
	})
	return w
}

// sub verifies an access token of client with the pool's key set and
// returns its sub.
func (w *apiWeb) sub(t *testing.T, client, access string, scopes ...string) string {
	t.Helper()
	v, err := verify.New(verify.Config{Issuer: w.issuer, ClientIDs: []string{client}, RequiredScopes: scopes})
	if err != nil {
		t.Fatal(err)
	}
	id, err := v.Verify(context.Background(), access)
	if err != nil {
		t.Fatalf("access token of %s: %v", client, err)
	}
	return id.Sub
}

// TestAPISignUpLinksWithAlexa: a user who signed up through the API
// (SignUp, ConfirmSignUp with the mailed code) signs in on the hosted
// pages when Alexa links the account (`linkpool alexa link`), and the
// link's tokens are the same user's.
func TestAPISignUpLinksWithAlexa(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	w := newAPIWeb(t)
	const user, email = "api-signup", "api-signup@example.com"
	up, err := w.api.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(w.app), Username: aws.String(user), Password: aws.String(password),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
	})
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	if up.UserConfirmed || aws.ToString(up.UserSub) == "" {
		t.Fatalf("SignUp: confirmed %v, sub %q", up.UserConfirmed, aws.ToString(up.UserSub))
	}
	code, err := waitCode(ctx, w.mails, email)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.api.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(w.app), Username: aws.String(user), ConfirmationCode: aws.String(code)}); err != nil {
		t.Fatalf("ConfirmSignUp: %v", err)
	}

	// Alexa links the account: the user signs in on the hosted page; the
	// secrets go through the environment, as the command advises.
	state := filepath.Join(t.TempDir(), "alexa.json")
	alexa := *w.d
	alexa.env = append(slices.Clone(w.d.env), "LINKPOOL_CLIENT_SECRET="+w.setup.ClientSecret, "LINKPOOL_PASSWORD="+password)
	out := alexa.cli(t, "alexa", "link", "--state", state, "--link", "api-user",
		"--authorization-uri", w.setup.AuthorizationURI, "--access-token-uri", w.setup.AccessTokenURI,
		"--client-id", w.setup.ClientID, "--scope", strings.Join(w.setup.Scopes, ","), "--vendor-id", "M2CLUSTERTEST",
		"--skill", w.d.publicURL+"/alexa/smart-home", "--username", user, "--json")
	var res struct {
		OK   bool `json:"ok"`
		Link struct {
			Status    alexasim.Status     `json:"status"`
			Endpoints []alexasim.Endpoint `json:"endpoints"`
		} `json:"link"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || !res.OK || res.Link.Status.State != alexasim.Linked {
		t.Fatalf("alexa link: %v\n%s", err, out)
	}
	st, err := alexasim.LoadState(state)
	if err != nil {
		t.Fatal(err)
	}
	link, ok := st.Link("api-user")
	if !ok || !link.IsLinked() {
		t.Fatalf("the state file holds no linked link: %+v", link)
	}
	if sub := w.sub(t, w.setup.ClientID, link.Tokens.AccessToken); sub != aws.ToString(up.UserSub) {
		t.Fatalf("Alexa's token is for %s, the API signed up %s", sub, aws.ToString(up.UserSub))
	}
	if strings.Contains(out, password) || strings.Contains(out, w.setup.ClientSecret) {
		t.Error("alexa link printed a secret")
	}
	if err := apptest.FindSecret(w.in.log.String(), []string{password, w.setup.ClientSecret, code, link.Tokens.RefreshToken}...); err != nil {
		t.Error(err)
	}
}

// TestHostedSignUpSignsInThroughAPI: a user who signed up on the hosted
// pages (the sign-up form and the mailed code, as when linking from the
// Alexa app) signs in through InitiateAuth USER_PASSWORD_AUTH with the
// app's client, and GetUser shows the same sub and attributes.
func TestHostedSignUpSignsInThroughAPI(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	w := newAPIWeb(t)
	const user = "hosted-signup"
	hosted, err := signUp(ctx, target(w.d.publicURL, w.setup), w.mails, user, address(1))
	if err != nil {
		t.Fatalf("hosted sign-up: %v", err)
	}
	sub := w.sub(t, w.setup.ClientID, hosted.AccessToken)

	auth, err := w.api.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(w.app),
		AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": password},
	})
	if err != nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	r := auth.AuthenticationResult
	if r == nil || aws.ToString(r.AccessToken) == "" || aws.ToString(r.RefreshToken) == "" || aws.ToString(r.IdToken) == "" {
		t.Fatalf("InitiateAuth answered %+v", auth)
	}
	if got := w.sub(t, w.app, aws.ToString(r.AccessToken), apiAccessScope); got != sub {
		t.Fatalf("the API's token is for %s, the hosted pages signed up %s", got, sub)
	}
	u, err := w.api.GetUser(ctx, &cip.GetUserInput{AccessToken: r.AccessToken})
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	attrs := map[string]string{}
	for _, a := range u.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	if aws.ToString(u.Username) != user || attrs["sub"] != sub || attrs["email"] != user+"@example.com" || attrs["email_verified"] != "true" {
		t.Fatalf("GetUser: %s %v, want %s with sub %s and the verified email of the sign-up", aws.ToString(u.Username), attrs, user, sub)
	}
	if err := apptest.FindSecret(w.in.log.String(), []string{password, hosted.RefreshToken, aws.ToString(r.RefreshToken)}...); err != nil {
		t.Error(err)
	}
}
