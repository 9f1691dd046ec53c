package storetest

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// newWebAuthnCredential returns a passkey of the user with every field
// set; its id holds a NUL and a high byte, so that a backend treating it
// as text fails.
func newWebAuthnCredential(poolID, sub string) pool.WebAuthnCredential {
	id := make([]byte, 18)
	_, _ = rand.Read(id)
	id[3], id[7] = 0, 0xff
	t0 := base()
	return pool.WebAuthnCredential{
		PoolID: poolID, Sub: sub, ID: id,
		PublicKey:       []byte{0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x00, 0xff},
		AttestationType: "none",
		AAGUID:          []byte{0xad, 0xce, 0x00, 0x02, 0x35, 0xbc, 0xc6, 0x0a, 0x64, 0x8b, 0x0b, 0x25, 0xf1, 0xf0, 0x55, 0x03},
		SignCount:       math.MaxUint32 - 1,
		Transports:      []string{"internal", "hybrid"},
		Attachment:      "platform",
		UserPresent:     true,
		UserVerified:    true,
		BackupEligible:  true,
		BackupState:     false,
		Name:            "Zoë's phone 名前",
		RelyingPartyID:  "auth.example.com",
		CreatedAt:       t0.Add(-time.Hour),
		LastUsedAt:      t0.Add(-time.Minute),
	}
}

// mutateWebAuthnCredential changes every field of c, the pool, the user
// and the id included: an update must keep those three.
func mutateWebAuthnCredential(c pool.WebAuthnCredential) pool.WebAuthnCredential {
	c.PoolID += "-x"
	c.Sub += "-x"
	c.ID = append([]byte{9}, c.ID...)
	c.PublicKey = append([]byte{1}, c.PublicKey...)
	c.AttestationType = "packed"
	c.AAGUID = nil
	c.SignCount++
	c.Transports = []string{"usb"}
	c.Attachment = "cross-platform"
	c.UserPresent = !c.UserPresent
	c.UserVerified = !c.UserVerified
	c.BackupEligible = !c.BackupEligible
	c.BackupState = !c.BackupState
	c.Name += " 2"
	c.RelyingPartyID = "example.com"
	c.CreatedAt = c.CreatedAt.Add(-time.Second)
	c.LastUsedAt = c.LastUsedAt.Add(time.Minute)
	return c
}

// testWebAuthnCredentials: a passkey reads back with every field; its id
// is unique in the pool, not across pools; a credential needs an existing
// user; the user's list is ordered by creation time, then id; updates
// keep the pool, the user and the id; deletes are scoped to the user.
func testWebAuthnCredentials(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := createWorld(t, ctx, s)
	other := createUser(t, ctx, s, w.pool, "other-"+randomHex(3), "")
	elsewhere := createWorld(t, ctx, s)

	c := newWebAuthnCredential(w.pool.ID, w.user.Sub)
	_, err := s.GetWebAuthnCredential(ctx, w.pool.ID, c.ID)
	mustNotFound(t, err, "GetWebAuthnCredential before create")
	mustOK(t, s.CreateWebAuthnCredential(ctx, c), "CreateWebAuthnCredential")
	get := func() (pool.WebAuthnCredential, error) { return s.GetWebAuthnCredential(ctx, w.pool.ID, c.ID) }
	got, err := get()
	mustOK(t, err, "GetWebAuthnCredential")
	mustEqual(t, "GetWebAuthnCredential", got, c)
	_, err = s.GetWebAuthnCredential(ctx, elsewhere.pool.ID, c.ID)
	mustNotFound(t, err, "GetWebAuthnCredential in another pool")
	_, err = s.GetWebAuthnCredential(ctx, w.pool.ID, c.ID[:len(c.ID)-1])
	mustNotFound(t, err, "GetWebAuthnCredential with a prefix of the id")

	// A minimal credential: no AAGUID, transports, name or last use.
	bare := newWebAuthnCredential(w.pool.ID, w.user.Sub)
	bare.AAGUID, bare.Transports, bare.Name, bare.Attachment, bare.AttestationType = nil, nil, "", "", ""
	bare.LastUsedAt, bare.SignCount = time.Time{}, 0
	bare.UserPresent, bare.UserVerified, bare.BackupEligible = false, false, false
	mustOK(t, s.CreateWebAuthnCredential(ctx, bare), "CreateWebAuthnCredential minimal")
	got, err = s.GetWebAuthnCredential(ctx, w.pool.ID, bare.ID)
	mustOK(t, err, "GetWebAuthnCredential minimal")
	mustEqual(t, "minimal credential", got, bare)

	// The id is unique in the pool, whoever holds it.
	dup := newWebAuthnCredential(w.pool.ID, other.Sub)
	dup.ID = bytes.Clone(c.ID)
	mustAlreadyExists(t, s.CreateWebAuthnCredential(ctx, dup), "CreateWebAuthnCredential with a taken id")
	got, err = get()
	mustOK(t, err, "GetWebAuthnCredential after duplicate")
	mustEqual(t, "duplicate create must change nothing", got, c)
	theirs, err := s.ListWebAuthnCredentials(ctx, w.pool.ID, other.Sub)
	mustOK(t, err, "ListWebAuthnCredentials of the refused user")
	mustEqual(t, "credentials of the refused user", len(theirs), 0)
	// ... but not across pools.
	same := newWebAuthnCredential(elsewhere.pool.ID, elsewhere.user.Sub)
	same.ID = bytes.Clone(c.ID)
	mustOK(t, s.CreateWebAuthnCredential(ctx, same), "CreateWebAuthnCredential with the id in another pool")

	// A credential needs its user.
	for _, tc := range []struct{ name, pool, sub string }{
		{"unknown user", w.pool.ID, pool.NewSub()},
		{"user of another pool", w.pool.ID, elsewhere.user.Sub},
		{"unknown pool", "eu-west-1_nopool" + randomHex(3), w.user.Sub},
	} {
		orphan := newWebAuthnCredential(tc.pool, tc.sub)
		mustNotFound(t, s.CreateWebAuthnCredential(ctx, orphan), "CreateWebAuthnCredential of an "+tc.name)
		_, err := s.GetWebAuthnCredential(ctx, tc.pool, orphan.ID)
		mustNotFound(t, err, "GetWebAuthnCredential of the refused credential ("+tc.name+")")
	}

	// Update: the callback sees the stored credential; what it returns
	// is stored but the pool, the user and the id.
	want := mutateWebAuthnCredential(c)
	want.PoolID, want.Sub, want.ID = c.PoolID, c.Sub, c.ID
	updated := checkUpdate(t, "UpdateWebAuthnCredential", c, get,
		func(fn func(pool.WebAuthnCredential) (pool.WebAuthnCredential, error)) error {
			return s.UpdateWebAuthnCredential(ctx, w.pool.ID, c.ID, fn)
		},
		func(x pool.WebAuthnCredential) pool.WebAuthnCredential {
			m := mutateWebAuthnCredential(x)
			m.PoolID, m.Sub, m.ID = x.PoolID, x.Sub, x.ID
			return m
		})
	if d := diff(updated, want); d != "" {
		t.Fatalf("updated credential: %s", d)
	}
	err = s.UpdateWebAuthnCredential(ctx, w.pool.ID, c.ID, func(x pool.WebAuthnCredential) (pool.WebAuthnCredential, error) {
		return mutateWebAuthnCredential(x), nil
	})
	mustOK(t, err, "UpdateWebAuthnCredential changing the pool, user and id")
	got, err = get()
	mustOK(t, err, "GetWebAuthnCredential after an update changing the keys")
	if got.PoolID != c.PoolID || got.Sub != c.Sub || !bytes.Equal(got.ID, c.ID) {
		t.Fatalf("update moved the credential to pool %q, user %q, id %x", got.PoolID, got.Sub, got.ID)
	}
	mine, err := s.ListWebAuthnCredentials(ctx, w.pool.ID, w.user.Sub)
	mustOK(t, err, "ListWebAuthnCredentials after update")
	mustEqual(t, "credentials after update", len(mine), 2)
	unchanged, err := s.GetWebAuthnCredential(ctx, elsewhere.pool.ID, c.ID)
	mustOK(t, err, "GetWebAuthnCredential in the other pool after update")
	mustEqual(t, "the other pool's credential with the same id", unchanged, same)
	err = s.UpdateWebAuthnCredential(ctx, w.pool.ID, []byte("missing"), failIfCalled[pool.WebAuthnCredential](t, "UpdateWebAuthnCredential unknown"))
	mustNotFound(t, err, "UpdateWebAuthnCredential unknown")
	err = s.UpdateWebAuthnCredential(ctx, "eu-west-1_nopool", c.ID, failIfCalled[pool.WebAuthnCredential](t, "UpdateWebAuthnCredential other pool"))
	mustNotFound(t, err, "UpdateWebAuthnCredential in a pool without it")

	// Delete is scoped to the user.
	mustNotFound(t, s.DeleteWebAuthnCredential(ctx, w.pool.ID, other.Sub, c.ID), "DeleteWebAuthnCredential of another user")
	_, err = get()
	mustOK(t, err, "GetWebAuthnCredential after another user's delete")
	mustOK(t, s.DeleteWebAuthnCredential(ctx, w.pool.ID, w.user.Sub, c.ID), "DeleteWebAuthnCredential")
	_, err = get()
	mustNotFound(t, err, "GetWebAuthnCredential after delete")
	mustNotFound(t, s.DeleteWebAuthnCredential(ctx, w.pool.ID, w.user.Sub, c.ID), "DeleteWebAuthnCredential twice")
	_, err = s.GetWebAuthnCredential(ctx, elsewhere.pool.ID, c.ID)
	mustOK(t, err, "the other pool's credential after delete")
	// The id is free again.
	mustOK(t, s.CreateWebAuthnCredential(ctx, dup), "CreateWebAuthnCredential with a deleted id")
	got, err = get()
	mustOK(t, err, "GetWebAuthnCredential of the new holder")
	mustEqual(t, "new holder", got, dup)
}

// testWebAuthnCredentialOrder: ListWebAuthnCredentials lists the user's
// credentials by CreatedAt, then id, whatever the order of creation;
// DeleteWebAuthnCredentials deletes them all and only them.
func testWebAuthnCredentialOrder(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := createWorld(t, ctx, s)
	other := createUser(t, ctx, s, w.pool, "other-"+randomHex(3), "")
	t0 := base()
	at := func(d time.Duration, id ...byte) pool.WebAuthnCredential {
		c := newWebAuthnCredential(w.pool.ID, w.user.Sub)
		c.ID, c.CreatedAt = id, t0.Add(d)
		return c
	}
	// Created out of order; two share a creation time (sorted by id,
	// bytewise: 0x7f before 0x80), one is in a zone of its own.
	want := []pool.WebAuthnCredential{
		at(-time.Hour, 0xff, 0x01),
		at(0, 0x00, 0x7f),
		at(0, 0x00, 0x80),
		at(0, 0x01),
		at(time.Microsecond, 0x00),
		at(24*time.Hour, 0x02),
	}
	want[4].CreatedAt = want[4].CreatedAt.In(time.FixedZone("Y", -9*3600))
	for _, i := range []int{3, 5, 1, 0, 4, 2} {
		mustOK(t, s.CreateWebAuthnCredential(ctx, want[i]), "CreateWebAuthnCredential")
	}
	theirs := newWebAuthnCredential(w.pool.ID, other.Sub)
	theirs.CreatedAt = t0
	mustOK(t, s.CreateWebAuthnCredential(ctx, theirs), "CreateWebAuthnCredential of another user")

	got, err := s.ListWebAuthnCredentials(ctx, w.pool.ID, w.user.Sub)
	mustOK(t, err, "ListWebAuthnCredentials")
	mustEqual(t, "ListWebAuthnCredentials", got, want)
	none, err := s.ListWebAuthnCredentials(ctx, w.pool.ID, pool.NewSub())
	mustOK(t, err, "ListWebAuthnCredentials of an unknown user")
	mustEqual(t, "credentials of an unknown user", len(none), 0)

	n, err := s.DeleteWebAuthnCredentials(ctx, w.pool.ID, w.user.Sub)
	mustOK(t, err, "DeleteWebAuthnCredentials")
	mustEqual(t, "DeleteWebAuthnCredentials count", n, len(want))
	got, err = s.ListWebAuthnCredentials(ctx, w.pool.ID, w.user.Sub)
	mustOK(t, err, "ListWebAuthnCredentials after DeleteWebAuthnCredentials")
	mustEqual(t, "credentials after DeleteWebAuthnCredentials", len(got), 0)
	left, err := s.ListWebAuthnCredentials(ctx, w.pool.ID, other.Sub)
	mustOK(t, err, "ListWebAuthnCredentials of the other user")
	mustEqual(t, "the other user's credentials", left, []pool.WebAuthnCredential{theirs})
	n, err = s.DeleteWebAuthnCredentials(ctx, w.pool.ID, w.user.Sub)
	mustOK(t, err, "DeleteWebAuthnCredentials again")
	mustEqual(t, "DeleteWebAuthnCredentials count again", n, 0)
	// The user is still there.
	_, err = s.GetUser(ctx, w.pool.ID, w.user.Sub)
	mustOK(t, err, "GetUser after DeleteWebAuthnCredentials")
}

// testWebAuthnSignCountRace: concurrent sign-ins with one passkey each
// raise its sign count inside UpdateWebAuthnCredential's transaction;
// none is lost.
func testWebAuthnSignCountRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := createWorld(t, ctx, s)
	c := newWebAuthnCredential(w.pool.ID, w.user.Sub)
	c.SignCount = 0
	mustOK(t, s.CreateWebAuthnCredential(ctx, c), "CreateWebAuthnCredential")
	const n = 40
	errs := make([]error, n)
	race(n, func(i int) {
		errs[i] = s.UpdateWebAuthnCredential(ctx, w.pool.ID, c.ID, func(x pool.WebAuthnCredential) (pool.WebAuthnCredential, error) {
			x.SignCount++
			x.LastUsedAt = base().Add(time.Duration(x.SignCount) * time.Second)
			return x, nil
		})
	})
	for i, err := range errs {
		mustOK(t, err, fmt.Sprintf("UpdateWebAuthnCredential %d", i))
	}
	got, err := s.GetWebAuthnCredential(ctx, w.pool.ID, c.ID)
	mustOK(t, err, "GetWebAuthnCredential")
	if got.SignCount != n || !got.LastUsedAt.Equal(base().Add(n*time.Second).Truncate(time.Microsecond)) {
		t.Fatalf("sign count %d, last used %v after %d concurrent sign-ins", got.SignCount, got.LastUsedAt, n)
	}
}

// testWebAuthnPageTokens: ListAllWebAuthnCredentials pages by pool, then
// credential id in byte order; its page key is store.BytesKey, a token
// made by hand continues after its key, and a token whose key is not a
// pool and a hex id is refused.
func testWebAuthnPageTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := createWorld(t, ctx, s)
	var ids [][]byte
	for _, id := range [][]byte{{0x80}, {0x00, 0xff}, {0x7f, 0x00}, {0x00}} {
		c := newWebAuthnCredential(w.pool.ID, w.user.Sub)
		c.ID = id
		mustOK(t, s.CreateWebAuthnCredential(ctx, c), "CreateWebAuthnCredential")
		ids = append(ids, id)
	}
	slices.SortFunc(ids, bytes.Compare)
	const scope = "webauthn_credentials"
	// Every credential of the pool after the first, from a token made
	// by hand (other pools' credentials may follow).
	page, err := s.ListAllWebAuthnCredentials(ctx, store.ListOptions{Limit: store.MaxPageSize, PageToken: store.PageToken(scope, store.BytesKey(w.pool.ID, ids[0]))})
	mustOK(t, err, "ListAllWebAuthnCredentials after the first id")
	var got [][]byte
	for _, c := range page.Items {
		if c.PoolID == w.pool.ID {
			got = append(got, c.ID)
		}
	}
	if !slices.EqualFunc(got, ids[1:], bytes.Equal) {
		t.Fatalf("credentials after %x = %x, want %x", ids[0], got, ids[1:])
	}
	first, err := s.ListAllWebAuthnCredentials(ctx, store.ListOptions{Limit: 1, PageToken: store.PageToken(scope, store.BytesKey(w.pool.ID, nil))})
	mustOK(t, err, "ListAllWebAuthnCredentials from the pool's start")
	if len(first.Items) != 1 || !bytes.Equal(first.Items[0].ID, ids[0]) || first.Items[0].PoolID != w.pool.ID ||
		first.Next != store.PageToken(scope, store.BytesKey(w.pool.ID, ids[0])) {
		t.Fatalf("the pool's first credential: %d items, Next %q; want %x", len(first.Items), first.Next, ids[0])
	}
	for _, tc := range []struct{ name, token string }{
		{"a key without an id", store.PageToken(scope, w.pool.ID)},
		{"an id not in hex", store.PageToken(scope, w.pool.ID+"\x00zz")},
		{"an id of odd length", store.PageToken(scope, w.pool.ID+"\x00abc")},
		{"a lamps token", store.PageToken("lamps", "a\x00b")},
	} {
		page, err := s.ListAllWebAuthnCredentials(ctx, store.ListOptions{PageToken: tc.token})
		mustBe(t, err, store.ErrInvalidPageToken, "ListAllWebAuthnCredentials with "+tc.name)
		if len(page.Items) != 0 {
			t.Fatalf("ListAllWebAuthnCredentials with %s returned %d items", tc.name, len(page.Items))
		}
	}
}
