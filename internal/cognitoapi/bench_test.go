package cognitoapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
