package accesskey_test

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/accesskey"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// BenchmarkVerify measures the verification of a signed DescribeUserPool
// request whose key is in the cache (the steady state of a server).
func BenchmarkVerify(b *testing.B) {
	st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "linkpool.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	svc := accesskey.New(accesskey.Config{Store: st, Box: sealtest.Box(b), Now: func() time.Time { return now }})
	k, secret, err := svc.Create(context.Background(), accesskey.CreateInput{})
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(describeBody)
	r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:8080/", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	r.Host = r.URL.Host
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.DescribeUserPool")
	sign(b, r, body, creds(k.ID, secret), "cognito-idp", "us-east-1", now)
	if _, err := svc.Verify(r, body, now); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.Verify(r, body, now); err != nil {
			b.Fatal(err)
		}
	}
}
