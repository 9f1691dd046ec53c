package accesskey_test

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/accesskey"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store"
)

func TestCreateSealsTheSecret(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	k, secret := h.createKey(accesskey.CreateInput{Description: "terraform"})
	if !regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`).MatchString(k.ID) || !accesskey.ValidID(k.ID) {
		t.Errorf("id %q", k.ID)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`).MatchString(secret) {
		t.Errorf("secret has the wrong form (length %d)", len(secret))
	}
	if !k.AllPools || k.PoolIDs != nil || k.ReadOnly || k.Description != "terraform" || k.CreatedAt.IsZero() {
		t.Errorf("key = %+v", k)
	}
	row, err := h.st.GetAccessKey(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(row.Sealed, []byte(secret)) {
		t.Fatal("the stored row holds the secret in plain")
	}
	box := sealtest.Box(t)
	plain, err := box.Open(row.Sealed, []byte("access-key/"+k.ID))
	if err != nil || string(plain) != secret {
		t.Fatalf("the sealed secret does not open to the secret: %v", err)
	}
	other, _ := h.createKey(accesskey.CreateInput{})
	if _, err := box.Open(row.Sealed, []byte("access-key/"+other.ID)); err == nil {
		t.Fatal("the sealed secret opens under another key's id")
	}
	if k2, s2 := h.createKey(accesskey.CreateInput{}); k2.ID == k.ID || s2 == secret {
		t.Fatal("two keys share an id or a secret")
	}
}

func TestCreateValidates(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	p1, p2 := h.createPool("eu-west-1"), h.createPool("us-east-1")
	k, _ := h.createKey(accesskey.CreateInput{PoolIDs: []string{p2.ID, p1.ID, p2.ID}, ReadOnly: true})
	want := []string{p1.ID, p2.ID}
	if p2.ID < p1.ID {
		want = []string{p2.ID, p1.ID}
	}
	if k.AllPools || !k.ReadOnly || strings.Join(k.PoolIDs, ",") != strings.Join(want, ",") {
		t.Fatalf("key = %+v", k)
	}
	got, err := h.svc.Get(ctx, k.ID)
	if err != nil || strings.Join(got.PoolIDs, ",") != strings.Join(want, ",") || !got.ReadOnly {
		t.Fatalf("Get = %+v, %v", got, err)
	}

	before, _ := h.svc.List(ctx)
	_, _, err = h.svc.Create(ctx, accesskey.CreateInput{PoolIDs: []string{p1.ID, "us-east-1_missing"}})
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "pool us-east-1_missing does not exist") {
		t.Errorf("unknown pool: %v", err)
	}
	var ie *accesskey.InvalidInputError
	if _, _, err := h.svc.Create(ctx, accesskey.CreateInput{Description: strings.Repeat("d", 257)}); !errors.As(err, &ie) {
		t.Errorf("long description: %v", err)
	}
	if _, _, err := h.svc.Create(ctx, accesskey.CreateInput{Description: "a\nb"}); !errors.As(err, &ie) {
		t.Errorf("control character: %v", err)
	}
	after, _ := h.svc.List(ctx)
	if len(after) != len(before) {
		t.Errorf("a refused create stored a key: %d keys, then %d", len(before), len(after))
	}
	if _, err := h.svc.Get(ctx, "AKIAAAAAAAAAAAAAAAAA"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get of a missing key: %v", err)
	}
	if err := h.svc.Delete(ctx, "AKIAAAAAAAAAAAAAAAAA"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Delete of a missing key: %v", err)
	}
}

func TestPolicy(t *testing.T) {
	all := accesskey.Key{ID: "AKIAALL", AllPools: true}
	allRO := accesskey.Key{ID: "AKIAALLRO", AllPools: true, ReadOnly: true}
	some := accesskey.Key{ID: "AKIASOME", PoolIDs: []string{"eu-west-1_a", "eu-west-1_b"}, Region: "eu-west-1"}
	someRO := accesskey.Key{ID: "AKIASOMERO", PoolIDs: []string{"eu-west-1_a"}, ReadOnly: true}
	cases := []struct {
		k     accesskey.Key
		pool  string
		write bool
		want  bool
	}{
		{all, "eu-west-1_a", true, true},
		{all, "", true, true},
		{allRO, "eu-west-1_a", false, true},
		{allRO, "", false, true},
		{allRO, "eu-west-1_a", true, false},
		{some, "eu-west-1_b", true, true},
		{some, "eu-west-1_c", false, false},
		{some, "", false, false},
		{some, "eu-west-1_", false, false},
		{someRO, "eu-west-1_a", false, true},
		{someRO, "eu-west-1_a", true, false},
		{accesskey.Key{}, "eu-west-1_a", false, false},
	}
	for _, tc := range cases {
		if got := tc.k.Allows(tc.pool, tc.write); got != tc.want {
			t.Errorf("%s.Allows(%q, %v) = %v", tc.k.ID, tc.pool, tc.write, got)
		}
		err := tc.k.Authorize("AdminGetUser", tc.pool, tc.write)
		if (err == nil) != tc.want {
			t.Errorf("%s.Authorize(%q, %v) = %v", tc.k.ID, tc.pool, tc.write, err)
		}
	}
	err := some.Authorize("DeleteUserPool", "eu-west-1_c", true)
	var ae *accesskey.Error
	if !errors.As(err, &ae) || ae.Code != "AccessDeniedException" || ae.Status != 400 ||
		ae.Message != "User: arn:aws:iam::000000000000:user/AKIASOME is not authorized to perform: cognito-idp:DeleteUserPool on resource: arn:aws:cognito-idp:eu-west-1:000000000000:userpool/eu-west-1_c" {
		t.Errorf("Authorize = %#v", err)
	}
	if err := some.Authorize("ListUserPools", "", false); err == nil || !strings.Contains(err.Error(), "userpool/*") {
		t.Errorf("Authorize outside a pool = %v", err)
	}
}
