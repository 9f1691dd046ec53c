package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/linkpool/linkpool/internal/accesskey"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

func TestAccessKeyLifecycle(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()

	created := okJSON[createdAccessKey](h, "access-key", "create", "--description", "terraform")
	if !accesskey.ValidID(created.ID) || len(created.SecretAccessKey) != 40 || !created.AllPools || created.ReadOnly || created.Description != "terraform" {
		t.Fatalf("created = %+v", created.Key)
	}
	out := h.ok("access-key", "create", "--pool", p.ID, "--read-only")
	m := regexp.MustCompile(`(?m)^AccessKeyId:\s+(AKIA[A-Z2-7]{16})$`).FindStringSubmatch(out)
	s := regexp.MustCompile(`(?m)^SecretAccessKey:\s+(\S{40})$`).FindStringSubmatch(out)
	if m == nil || s == nil || !strings.Contains(out, "shown only now") {
		t.Fatalf("access-key create:\n%s", out)
	}
	limitedID, limitedSecret := m[1], s[1]

	list := h.ok("access-key", "list")
	for _, want := range []string{"ACCESS KEY ID", created.ID, limitedID, p.ID, "terraform"} {
		if !strings.Contains(list, want) {
			t.Errorf("access-key list does not show %q:\n%s", want, list)
		}
	}
	listJSON := h.ok("access-key", "list", "--json")
	for _, secret := range []string{created.SecretAccessKey, limitedSecret} {
		if strings.Contains(list, secret) || strings.Contains(listJSON, secret) {
			t.Fatal("access-key list prints a secret")
		}
	}
	keys := okJSON[[]accesskey.Key](h, "access-key", "list")
	if len(keys) != 2 {
		t.Fatalf("list --json = %+v", keys)
	}
	for _, k := range keys {
		if k.ID == limitedID && (k.AllPools || !k.ReadOnly || len(k.PoolIDs) != 1 || k.PoolIDs[0] != p.ID) {
			t.Errorf("limited key = %+v", k)
		}
	}

	// The printed pair signs requests that the server's verifier accepts.
	verifyWith(t, h, limitedID, limitedSecret, "")

	h.fails(1, "pool us-east-1_nothere does not exist", "access-key", "create", "--pool", "us-east-1_nothere")
	h.fails(1, "description", "access-key", "create", "--description", strings.Repeat("x", 300))
	if n := len(okJSON[[]accesskey.Key](h, "access-key", "list")); n != 2 {
		t.Fatalf("refused creates stored keys: %d", n)
	}
	h.fails(2, "--id is required", "access-key", "delete")
	h.fails(2, "unknown subcommand", "access-key", "rotate")

	h.ok("access-key", "delete", "--id", limitedID)
	h.fails(1, "access key "+limitedID+" does not exist", "access-key", "delete", "--id", limitedID)
	verifyWith(t, h, limitedID, limitedSecret, accesskey.CodeUnrecognizedClient)
	if ks := okJSON[[]accesskey.Key](h, "access-key", "list"); len(ks) != 1 || ks[0].ID != created.ID {
		t.Fatalf("after delete: %+v", ks)
	}
}

// verifyWith signs a request with the AWS SDK and verifies it with a
// Service on the harness's data directory, as the server would; wantCode
// is the refusal expected, "" for none.
func verifyWith(t *testing.T, h *adminHarness, id, secret, wantCode string) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(h.dir, "linkpool.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	box, err := seal.Load(filepath.Join(h.dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	svc := accesskey.New(accesskey.Config{Store: st, Box: box})
	body := []byte(`{"MaxResults":10}`)
	r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:9000/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.ListUserPools")
	sum := sha256.Sum256(body)
	now := time.Now()
	if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}, r, hex.EncodeToString(sum[:]), "cognito-idp", "us-east-1", now); err != nil {
		t.Fatal(err)
	}
	k, err := svc.Verify(r, body, now)
	if wantCode == "" {
		if err != nil || k.ID != id {
			t.Fatalf("Verify = %+v, %v", k, err)
		}
		return
	}
	if ae, ok := err.(*accesskey.Error); !ok || ae.Code != wantCode {
		t.Fatalf("Verify error = %v, want %s", err, wantCode)
	}
}
