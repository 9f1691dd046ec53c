package passkey_test

import (
	"slices"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/passkey"
	"github.com/linkpool/linkpool/internal/pool"
)

func TestRPFor(t *testing.T) {
	p := pool.NewPool("us-east-1", "SmartLamp", time.Now())
	withID := p
	withID.MFA.WebAuthn.RelyingPartyID = "example.com"
	withID.MFA.WebAuthn.UserVerification = pool.UserVerificationRequired
	for _, tc := range []struct {
		p              pool.Pool
		origin, id     string
		uv, errType    string
		wantOriginsVal string
	}{
		{p, "https://auth.example.com", "auth.example.com", "preferred", "", "https://auth.example.com"},
		{p, "https://Auth.Example.com:8443", "auth.example.com", "preferred", "", "https://auth.example.com:8443"},
		{p, "http://localhost:9000", "localhost", "preferred", "", "http://localhost:9000"},
		{withID, "https://auth.example.com", "example.com", "required", "", "https://auth.example.com"},
		{withID, "https://example.com", "example.com", "required", "", "https://example.com"},
		{withID, "https://example.com.evil.net", "", "", passkey.WebAuthnRelyingPartyMismatchException, ""},
		{withID, "https://badexample.com", "", "", passkey.WebAuthnRelyingPartyMismatchException, ""},
		{p, "http://auth.example.com", "", "", passkey.WebAuthnOriginNotAllowedException, ""},
		{p, "https://auth.example.com/login", "", "", passkey.WebAuthnOriginNotAllowedException, ""},
		{p, "https://127.0.0.1", "", "", passkey.WebAuthnRelyingPartyMismatchException, ""},
		{p, "javascript:alert(1)", "", "", passkey.WebAuthnOriginNotAllowedException, ""},
		{p, "", "", "", passkey.WebAuthnOriginNotAllowedException, ""},
	} {
		rp, err := passkey.RPFor(tc.p, tc.origin)
		if tc.errType != "" {
			if account.TypeOf(err) != tc.errType {
				t.Errorf("RPFor(%q) = %+v, %v; want %s", tc.origin, rp, err, tc.errType)
			}
			continue
		}
		if err != nil || rp.ID != tc.id || rp.UserVerification != tc.uv || rp.Name != "SmartLamp" || !slices.Equal(rp.Origins, []string{tc.wantOriginsVal}) {
			t.Errorf("RPFor(%q) = %+v, %v", tc.origin, rp, err)
		}
	}
}

func TestRPForAPI(t *testing.T) {
	p := pool.NewPool("us-east-1", "SmartLamp", time.Now())
	cors := []string{"https://app.example.com", "https://evil.net", "http://auth.example.com", "https://x.auth.example.com:444", "not an origin"}
	rp, err := passkey.RPForAPI(p, "auth.example.com:443", cors)
	if err != nil || rp.ID != "auth.example.com" || !slices.Equal(rp.Origins, []string{"https://auth.example.com", "https://x.auth.example.com:444"}) {
		t.Fatalf("RPForAPI = %+v, %v", rp, err)
	}
	p.MFA.WebAuthn.RelyingPartyID = "example.com"
	rp, err = passkey.RPForAPI(p, "auth.example.com", cors)
	if err != nil || rp.ID != "example.com" || !slices.Equal(rp.Origins, []string{"https://example.com", "https://app.example.com", "https://x.auth.example.com:444"}) {
		t.Fatalf("RPForAPI with RelyingPartyId = %+v, %v", rp, err)
	}
	p.MFA.WebAuthn.RelyingPartyID = ""
	rp, err = passkey.RPForAPI(p, "localhost:8080", nil)
	if err != nil || rp.ID != "localhost" || !slices.Equal(rp.Origins, []string{"http://localhost"}) {
		t.Fatalf("RPForAPI at localhost = %+v, %v", rp, err)
	}
	for _, host := range []string{"127.0.0.1:8080", "", "[::1]:80", "bad_host"} {
		if _, err := passkey.RPForAPI(p, host, nil); account.TypeOf(err) != passkey.WebAuthnRelyingPartyMismatchException {
			t.Errorf("RPForAPI(%q) error %v", host, err)
		}
	}
}
