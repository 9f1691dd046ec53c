package cognitoapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/linkpool/linkpool/internal/accesskey"
	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/cognitoapi"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/srp"
)

// BenchmarkSigned measures signed actions through the whole server
// handler: a request signed once by the real SDK signer with a key of the
// access-key service (SigV4 verification, key policy, the action, the JSON
// answer), over real SQLite without the network.
func BenchmarkSigned(b *testing.B) {
	ctx := context.Background()
	e := newEnv(b, func(c *app.Config) { c.APIAuthenticate = nil })
	if _, err := e.app.Accounts.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{
		Username: "bench", TemporaryPassword: "Corr3ct-Horse!", Permanent: true, Attributes: map[string]string{"email": "bench@example.com"},
	}); err != nil {
		b.Fatal(err)
	}
	k, secret, err := e.app.AccessKeys.Create(ctx, accesskey.CreateInput{Description: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	h := e.app.Server.Handler()
	for _, c := range []struct{ action, body string }{
		{"AdminGetUser", `{"UserPoolId": "` + e.pool.ID + `", "Username": "bench"}`},
		{"DescribeUserPool", `{"UserPoolId": "` + e.pool.ID + `"}`},
		{"GetUserPoolMfaConfig", `{"UserPoolId": "` + e.pool.ID + `"}`},
	} {
		if _, ok := cognitoapi.Actions[c.action]; !ok {
			continue
		}
		b.Run(c.action, func(b *testing.B) {
			signed := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(c.body))
			signed.Header.Set("Content-Type", cognitoapi.ContentType)
			signed.Header.Set("X-Amz-Target", cognitoapi.TargetPrefix+c.action)
			sum := sha256.Sum256([]byte(c.body))
			creds := aws.Credentials{AccessKeyID: k.ID, SecretAccessKey: secret}
			if err := v4.NewSigner().SignHTTP(ctx, creds, signed, hex.EncodeToString(sum[:]), "cognito-idp", "us-east-1", time.Now()); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(c.body))
				req.Header = signed.Header.Clone()
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// signInBenchEnv is an env with production argon2id parameters and
// sign-in budgets the benchmarks stay within, whose confidential client
// allows SRP and password sign-in, with one confirmed user.
func signInBenchEnv(b *testing.B) *env {
	r := app.DefaultUIRates
	r.Login = app.Rate{PerMinute: 1e6, Burst: 1e6}
	r.LoginUser = app.Rate{PerMinute: 1e6, Burst: 1e6}
	limits := r.Limits()
	params := password.DefaultParams
	e := newEnv(b, func(c *app.Config) { c.UILimits = &limits; c.PasswordParams = &params })
	e.allowFlows(b, pool.ExistenceEnabled, "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH")
	if _, err := e.app.Accounts.AdminCreateUser(context.Background(), e.pool, account.AdminCreateUserInput{
		Username: "bench", TemporaryPassword: "Corr3ct-Horse!", Permanent: true,
	}); err != nil {
		b.Fatal(err)
	}
	return e
}

// post sends one unsigned API request over the loopback network and
// decodes the answer, failing on anything but 200.
func (e *env) post(b *testing.B, action string, v any) map[string]any {
	body, _ := json.Marshal(v)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", cognitoapi.ContentType)
	req.Header.Set("X-Amz-Target", cognitoapi.TargetPrefix+action)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		b.Fatalf("%s: %d %v %v", action, resp.StatusCode, out, err)
	}
	return out
}

// BenchmarkSRPSignIn measures one USER_SRP_AUTH sign-in through the HTTP
// API: InitiateAuth and RespondToAuthChallenge PASSWORD_VERIFIER, to the
// tokens. The client's own SRP work (A, the key, the signature) is not
// counted.
func BenchmarkSRPSignIn(b *testing.B) {
	e := signInBenchEnv(b)
	poolName := srp.PoolName(e.pool.ID)
	hash := *e.hash("bench")
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		cl := srp.NewClient(poolName)
		b.StartTimer()
		ch := e.post(b, "InitiateAuth", map[string]any{
			"AuthFlow": "USER_SRP_AUTH", "ClientId": e.client.ID,
			"AuthParameters": map[string]string{"USERNAME": "bench", "SRP_A": cl.SRPA(), "SECRET_HASH": hash},
		})
		b.StopTimer()
		p := ch["ChallengeParameters"].(map[string]any)
		key, err := cl.Key("bench", "Corr3ct-Horse!", p["SRP_B"].(string), p["SALT"].(string))
		if err != nil {
			b.Fatal(err)
		}
		block, _ := base64.StdEncoding.DecodeString(p["SECRET_BLOCK"].(string))
		ts := srp.FormatTimestamp(time.Now())
		sig := srp.Signature(key, poolName, "bench", block, ts)
		b.StartTimer()
		out := e.post(b, "RespondToAuthChallenge", map[string]any{
			"ChallengeName": "PASSWORD_VERIFIER", "ClientId": e.client.ID,
			"ChallengeResponses": map[string]string{
				"USERNAME": "bench", "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"].(string), "TIMESTAMP": ts,
				"PASSWORD_CLAIM_SIGNATURE": sig, "SECRET_HASH": hash,
			},
		})
		if out["AuthenticationResult"] == nil {
			b.Fatalf("no tokens: %v", out)
		}
	}
}

// BenchmarkUserPasswordAuth measures one USER_PASSWORD_AUTH sign-in
// through the HTTP API, to the tokens: bound by the argon2id hash
// (BenchmarkPasswordHashBound).
func BenchmarkUserPasswordAuth(b *testing.B) {
	e := signInBenchEnv(b)
	hash := *e.hash("bench")
	b.ReportAllocs()
	for b.Loop() {
		out := e.post(b, "InitiateAuth", map[string]any{
			"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": e.client.ID,
			"AuthParameters": map[string]string{"USERNAME": "bench", "PASSWORD": "Corr3ct-Horse!", "SECRET_HASH": hash},
		})
		if out["AuthenticationResult"] == nil {
			b.Fatalf("no tokens: %v", out)
		}
	}
}

// BenchmarkUserPasswordHashBound is the bare cost of verifying one
// argon2id password hash with the production parameters, the bound of
// a password sign-in, for comparison with the two above.
func BenchmarkUserPasswordHashBound(b *testing.B) {
	ctx := context.Background()
	h := password.NewHasher(password.DefaultParams, 0)
	stored, err := h.Hash(ctx, "Corr3ct-Horse!")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, err := h.Verify(ctx, stored, "Corr3ct-Horse!"); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
