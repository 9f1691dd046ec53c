package srp

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"testing"
	"time"
)

// vectors is testdata/vectors.json, computed by amazon-cognito-identity-js
// (test/cognitojs/srp-vectors.js; regenerate with
// `cd test/cognitojs && npm ci && node srp-vectors.js > ../../internal/srp/testdata/vectors.json`).
type vectors struct {
	Library string `json:"library"`
	K       string `json:"k"`
	Cases   []struct {
		PoolID, PoolName, UserIDForSRP, Password string
		A, SRPA, B, Salt, X, Verifier, SRPB, U   string
		Key, Time, Timestamp, SecretBlock        string
		Signature                                string
	} `json:"cases"`
	PadHex []struct{ N, Hex string } `json:"padHex"`
}

func loadVectors(t *testing.T) vectors {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Cases) == 0 || len(v.PadHex) == 0 {
		t.Fatal("no vectors")
	}
	return v
}

func hexInt(t *testing.T, s string) *big.Int {
	t.Helper()
	n, ok := ParseHex(s)
	if !ok {
		t.Fatalf("bad hex %q", s)
	}
	return n
}

func TestVectors(t *testing.T) {
	v := loadVectors(t)
	if got := k.Text(16); got != v.K {
		t.Errorf("k = %s, want %s", got, v.K)
	}
	for _, p := range v.PadHex {
		if got := PadHex(hexInt(t, p.N)); got != p.Hex {
			t.Errorf("PadHex(%s) = %s, want %s", p.N, got, p.Hex)
		}
	}
	for _, c := range v.Cases {
		t.Run(c.PoolID+"/"+c.UserIDForSRP, func(t *testing.T) {
			if got := PoolName(c.PoolID); got != c.PoolName {
				t.Errorf("PoolName = %q, want %q", got, c.PoolName)
			}
			salt := hexInt(t, c.Salt)
			if got := X(salt, c.PoolName, c.UserIDForSRP, c.Password).Text(16); got != c.X {
				t.Errorf("x = %s, want %s", got, c.X)
			}
			ver := Verifier(salt, c.PoolName, c.UserIDForSRP, c.Password)
			if got := PadHex(new(big.Int).SetBytes(ver)); got != c.Verifier {
				t.Errorf("verifier = %s, want %s", got, c.Verifier)
			}
			cl := NewClientWithA(c.PoolName, hexInt(t, c.A))
			if got := cl.SRPA(); got != c.SRPA {
				t.Errorf("SRP_A = %s, want %s", got, c.SRPA)
			}
			b := hexInt(t, c.B)
			B := ServerB(ver, b)
			if got := B.Text(16); got != c.SRPB {
				t.Errorf("SRP_B = %s, want %s", got, c.SRPB)
			}
			A, err := ParseA(c.SRPA)
			if err != nil {
				t.Fatal(err)
			}
			if got := U(A, B).Text(16); got != c.U {
				t.Errorf("u = %s, want %s", got, c.U)
			}
			key, err := ServerKey(A, B, b, ver)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(key); got != c.Key {
				t.Errorf("server key = %s, want %s", got, c.Key)
			}
			ckey, err := cl.Key(c.UserIDForSRP, c.Password, c.SRPB, c.Salt)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(ckey); got != c.Key {
				t.Errorf("client key = %s, want %s", got, c.Key)
			}
			at, err := time.Parse(time.RFC3339, c.Time)
			if err != nil {
				t.Fatal(err)
			}
			if got := FormatTimestamp(at); got != c.Timestamp {
				t.Errorf("timestamp = %q, want %q", got, c.Timestamp)
			}
			if back, err := ParseTimestamp(c.Timestamp); err != nil || !back.Equal(at) {
				t.Errorf("ParseTimestamp(%q) = %v, %v", c.Timestamp, back, err)
			}
			block, err := base64.StdEncoding.DecodeString(c.SecretBlock)
			if err != nil {
				t.Fatal(err)
			}
			if got := Signature(key, c.PoolName, c.UserIDForSRP, block, c.Timestamp); got != c.Signature {
				t.Errorf("signature = %s, want %s", got, c.Signature)
			}
			if !VerifySignature(key, c.PoolName, c.UserIDForSRP, block, c.Timestamp, c.Signature) {
				t.Error("VerifySignature refused the library's signature")
			}
			wrong := Verifier(salt, c.PoolName, c.UserIDForSRP, c.Password+"x")
			wkey, err := ServerKey(A, B, b, wrong)
			if err != nil {
				t.Fatal(err)
			}
			if VerifySignature(wkey, c.PoolName, c.UserIDForSRP, block, c.Timestamp, c.Signature) {
				t.Error("a wrong password's verifier accepted the signature")
			}
		})
	}
}
