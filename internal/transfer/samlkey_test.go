package transfer_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/transfer"
)

// samlKeyFor stores a SAML key pair for a new pool of st, sealed with box.
func samlKeyFor(t *testing.T, st store.Store, box *seal.Box) store.SAMLKey {
	t.Helper()
	ctx := context.Background()
	p := pool.NewPool("us-east-1", "saml", time.Now())
	if err := st.CreatePool(ctx, p); err != nil {
		t.Fatal(err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "urn:amazon:cognito:sp:" + p.ID},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	k := store.SAMLKey{PoolID: p.ID, Certificate: cert, CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	k.Sealed = box.Seal(der, k.SealContext())
	if _, err := st.EnsureSAMLKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	return k
}

// TestSAMLKeyMoves: a pool's SAML key pair moves with an export, sealed,
// from SQLite to SQLite and to PostgreSQL, under the same master key and
// to a new one; the certificate is unchanged, the private key opens with
// the target's key only.
func TestSAMLKeyMoves(t *testing.T) {
	ctx := context.Background()
	oldBox, newBox := testBox(t, masterKey), testBox(t, "fedcba9876543210fedcba9876543210")
	src := openSQLite(t)
	k := samlKeyFor(t, src, oldBox)
	var export bytes.Buffer
	counts, err := transfer.Export(ctx, src, &export)
	if err != nil {
		t.Fatal(err)
	}
	if counts.SAMLKeys != 1 || !strings.Contains(export.String(), `"type":"saml_key"`) {
		t.Fatalf("export counts %+v, want one SAML key:\n%s", counts, export.String())
	}
	for _, tc := range []struct {
		name string
		open func(testing.TB) skillstore.Database
		to   *seal.Box
	}{
		{"SQLite, same master key", openSQLite, oldBox},
		{"SQLite, new master key", openSQLite, newBox},
		{"PostgreSQL, new master key", openPostgres, newBox},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := tc.open(t)
			opts := transfer.ImportOptions{}
			if tc.to != oldBox {
				opts.SourceBox = oldBox
			}
			got, err := transfer.Import(ctx, dst, tc.to, bytes.NewReader(export.Bytes()), opts)
			if err != nil {
				t.Fatal(err)
			}
			if got.SAMLKeys != 1 {
				t.Errorf("imported %+v, want one SAML key", got)
			}
			moved, err := dst.GetSAMLKey(ctx, k.PoolID)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(moved.Certificate, k.Certificate) || !moved.CreatedAt.Equal(k.CreatedAt) {
				t.Error("the certificate or creation time changed in the move")
			}
			if _, err := tc.to.Open(moved.Sealed, moved.SealContext()); err != nil {
				t.Errorf("the moved key does not open with the target's master key: %v", err)
			}
			if tc.to != oldBox {
				if _, err := oldBox.Open(moved.Sealed, moved.SealContext()); err == nil {
					t.Error("the moved key still opens with the old master key")
				}
			}
		})
	}
}

// TestSAMLKeyRefused: an import whose SAML key does not open with the
// master key is refused with a SealError
// and writes nothing.
func TestSAMLKeyRefused(t *testing.T) {
	ctx := context.Background()
	box := testBox(t, masterKey)
	src := openSQLite(t)
	k := samlKeyFor(t, src, box)
	var export bytes.Buffer
	if _, err := transfer.Export(ctx, src, &export); err != nil {
		t.Fatal(err)
	}
	dst := openSQLite(t)
	_, err := transfer.Import(ctx, dst, testBox(t, "fedcba9876543210fedcba9876543210"), bytes.NewReader(export.Bytes()), transfer.ImportOptions{})
	var se *transfer.SealError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "SAML key") {
		t.Fatalf("import with another master key: %v, want a SealError naming the SAML key", err)
	}
	if _, err := dst.GetPool(ctx, k.PoolID); err == nil {
		t.Error("a refused import wrote the pool")
	}
	if _, err := transfer.Check(ctx, box, bytes.NewReader(export.Bytes())); err != nil {
		t.Fatalf("Check with the right key: %v", err)
	}
}
