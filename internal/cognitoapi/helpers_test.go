package cognitoapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/linkpool/linkpool/internal/accesskey"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/cognitoapi"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// Access keys the test authenticator knows.
const (
	keyAdmin    = "AKIDADMIN0000000000A" // every pool, read and write
	keyReadOnly = "AKIDREADONLY000000RO" // every pool, read only
	keyOther    = "AKIDOTHERPOOL00000OP" // another pool only
	testSecret  = "test-secret-key"
)

// testPrincipal is what the test authenticator returns: a key limited to
// pools (nil: all) and maybe to reading.
type testPrincipal struct {
	id       string
	pools    []string
	readOnly bool
}

func (p testPrincipal) AccessKeyID() string { return p.id }

func (p testPrincipal) Authorize(action, poolID string, write bool) error {
	if p.readOnly && write {
		return cognitoapi.NewError(cognitoapi.AccessDeniedException, "The key may not call "+action+".")
	}
	if p.pools != nil && !slices.Contains(p.pools, poolID) {
		return cognitoapi.NewError(cognitoapi.AccessDeniedException, "The key may not use pool "+poolID+".")
	}
	return nil
}

var credentialRe = regexp.MustCompile(`Credential=([A-Z0-9]+)/`)

// testAuthenticate stands in for the SigV4 verifier: it identifies the
// key named in the Authorization header the SDK sends, and checks no
// signature.
func testAuthenticate(r *http.Request, body []byte) (cognitoapi.Principal, error) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return nil, cognitoapi.NewError(cognitoapi.MissingAuthenticationTokenException, "Missing Authentication Token")
	}
	m := credentialRe.FindStringSubmatch(auth)
	if m == nil {
		return nil, cognitoapi.NewError(cognitoapi.UnrecognizedClientException, "The security token included in the request is invalid.")
	}
	switch m[1] {
	case keyAdmin:
		return testPrincipal{id: keyAdmin}, nil
	case keyReadOnly:
		return testPrincipal{id: keyReadOnly, readOnly: true}, nil
	case keyOther:
		return testPrincipal{id: keyOther, pools: []string{"us-east-1_Other1"}}, nil
	}
	return nil, cognitoapi.NewError(cognitoapi.UnrecognizedClientException, "The security token included in the request is invalid.")
}

// env is the whole server (internal/app) over a real SQLite file on a
// loopback port (apptest.New), with one pool and one confidential app
// client.
type env struct {
	kit    *apptest.App
	app    *app.App
	db     *sqlite.DB
	srv    *httptest.Server
	pool   pool.Pool
	client pool.Client
	secret string
}

const rpCallback = "http://localhost:4000/callback"

func newEnv(t testing.TB, edit ...func(*app.Config)) *env {
	t.Helper()
	kit := apptest.New(t, append([]func(*app.Config){func(c *app.Config) { c.APIAuthenticate = testAuthenticate }}, edit...)...)
	e := &env{kit: kit, app: kit.App, db: kit.DB, srv: kit.Server}
	e.pool = kit.Pool(t, "us-east-1", "API test")
	e.client, e.secret = kit.Client(t, e.pool, "web", []string{rpCallback})
	return e
}

// sdk is the real aws-sdk-go-v2 client, unchanged but for BaseEndpoint
// and static credentials.
func (e *env) sdk(key string) *cip.Client {
	return cip.New(cip.Options{
		Region:           "eu-west-1",
		BaseEndpoint:     aws.String(e.srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(key, testSecret, ""),
		RetryMaxAttempts: 1,
	})
}

// raw posts body to the API with the given target and an Authorization
// header naming key ("" for none), and returns the status, the headers
// and the decoded body.
func (e *env) raw(t *testing.T, target, key, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", cognitoapi.ContentType)
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if key != "" {
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+key+"/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("answer is not a JSON object: %q", b)
	}
	return resp.StatusCode, resp.Header, m
}

// snapshot is every user of the pool, for checking that a refused call
// changed nothing.
func (e *env) snapshot(t *testing.T) string {
	t.Helper()
	page, err := e.app.Store.ListUsers(context.Background(), e.pool.ID, storeAll)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, u := range page.Items {
		j, _ := json.Marshal(u)
		b.Write(j)
		b.WriteString(u.PasswordHash + u.TokensValidAfter.String() + "\n")
	}
	return b.String()
}

// browser is a cookie-keeping HTTP client that stops at the relying
// party's callback.
func browser() *http.Client { return apptest.Browser("http://localhost:4000/") }

// signIn opens authURL, submits the hosted login form as a browser
// would, and returns the redirect to the relying party.
func signIn(t *testing.T, b *http.Client, authURL, username, pw string) *url.URL {
	t.Helper()
	return apptest.Redirect(t, apptest.SignIn(t, b, authURL, username, pw))
}

// postLogin submits the hosted login form as signIn does and returns the
// status of the answer.
func postLogin(t *testing.T, b *http.Client, authURL, username, pw string) int {
	t.Helper()
	return apptest.SignIn(t, b, authURL, username, pw).Status
}

// keySDK is the real aws-sdk-go-v2 client signing with a new access key
// of the server's access-key service, as `linkpool access-key create`
// issues it, for an env built with the server's own authenticator
// (app.Config.APIAuthenticate nil).
func (e *env) keySDK(t testing.TB) *cip.Client {
	t.Helper()
	k, secret, err := e.app.AccessKeys.Create(context.Background(), accesskey.CreateInput{Description: "sdk"})
	if err != nil {
		t.Fatal(err)
	}
	return cip.New(cip.Options{
		Region:           "eu-west-1",
		BaseEndpoint:     aws.String(e.srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(k.ID, secret, ""),
		RetryMaxAttempts: 1,
	})
}

// realKeys builds an env with the server's own SigV4 authenticator.
func realKeys(c *app.Config) { c.APIAuthenticate = nil }
