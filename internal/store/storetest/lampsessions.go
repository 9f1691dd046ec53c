package storetest

import (
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

func newLampSession(owner string, expiresAt time.Time) skillstore.LampSession {
	t0 := base()
	return skillstore.LampSession{
		ID: randomHex(16), SecretHash: randomHex(32), Owner: owner, Name: "Jane " + owner,
		OriginJTI: randomHex(8), SealedTokens: []byte{0x00, 0x01, 0xfe, 0xff},
		CreatedAt: t0, CheckedAt: t0, ExpiresAt: expiresAt,
	}
}

func testLampSessionCRUD(t *testing.T, s skillstore.Database) {
	ctx := t.Context()
	now := base()
	sess := newLampSession("owner-"+randomHex(3), now.Add(12*time.Hour))
	_, err := s.GetLampSession(ctx, sess.ID)
	mustNotFound(t, err, "GetLampSession before create")
	mustOK(t, s.CreateLampSession(ctx, sess), "CreateLampSession")
	got, err := s.GetLampSession(ctx, sess.ID)
	mustOK(t, err, "GetLampSession")
	mustEqual(t, "GetLampSession", got, sess)

	dup := newLampSession("other", now.Add(time.Hour))
	dup.ID = sess.ID
	mustAlreadyExists(t, s.CreateLampSession(ctx, dup), "CreateLampSession with a taken id")
	got, err = s.GetLampSession(ctx, sess.ID)
	mustOK(t, err, "GetLampSession after duplicate")
	mustEqual(t, "duplicate create must change nothing", got, sess)

	// A session without tokens (a co-located skill keeps none).
	bare := newLampSession("bare", now.Add(time.Hour))
	bare.SealedTokens, bare.OriginJTI = nil, ""
	mustOK(t, s.CreateLampSession(ctx, bare), "CreateLampSession without tokens")
	got, err = s.GetLampSession(ctx, bare.ID)
	mustOK(t, err, "GetLampSession without tokens")
	mustEqual(t, "session without tokens", got, bare)

	// Touch records the re-check and the new tokens, and nothing else.
	touched := sess
	touched.SealedTokens = []byte("new sealed tokens")
	touched.CheckedAt = now.Add(5 * time.Minute)
	mustOK(t, s.TouchLampSession(ctx, sess.ID, touched.SealedTokens, touched.CheckedAt), "TouchLampSession")
	got, err = s.GetLampSession(ctx, sess.ID)
	mustOK(t, err, "GetLampSession after touch")
	mustEqual(t, "GetLampSession after touch", got, touched)
	mustNotFound(t, s.TouchLampSession(ctx, "missing", nil, now), "TouchLampSession of a missing session")

	mustOK(t, s.DeleteLampSession(ctx, sess.ID), "DeleteLampSession")
	_, err = s.GetLampSession(ctx, sess.ID)
	mustNotFound(t, err, "GetLampSession after delete")
	mustNotFound(t, s.DeleteLampSession(ctx, sess.ID), "DeleteLampSession twice")
	mustNotFound(t, s.TouchLampSession(ctx, sess.ID, nil, now), "TouchLampSession after delete")
	got, err = s.GetLampSession(ctx, bare.ID)
	mustOK(t, err, "GetLampSession of another session")
	mustEqual(t, "another session", got, bare)

	// The core GarbageCollect leaves lamp sessions alone;
	// DeleteExpiredLampSessions removes the expired ones and only those.
	dead := newLampSession("dead", now.Add(-time.Second))
	mustOK(t, s.CreateLampSession(ctx, dead), "CreateLampSession expired")
	res, err := s.GarbageCollect(ctx, now)
	mustOK(t, err, "GarbageCollect")
	if res != (store.GCResult{}) {
		t.Fatalf("GarbageCollect = %+v, want nothing collected", res)
	}
	_, err = s.GetLampSession(ctx, dead.ID)
	mustOK(t, err, "GetLampSession of an expired session after the core GarbageCollect")
	n, err := s.DeleteExpiredLampSessions(ctx, now)
	mustOK(t, err, "DeleteExpiredLampSessions")
	if n != 1 {
		t.Fatalf("DeleteExpiredLampSessions = %d, want one lamp session", n)
	}
	_, err = s.GetLampSession(ctx, dead.ID)
	mustNotFound(t, err, "GetLampSession of a collected session")
	_, err = s.GetLampSession(ctx, bare.ID)
	mustOK(t, err, "GetLampSession of a live session after GC")
	if n, err := s.DeleteExpiredLampSessions(ctx, now); err != nil || n != 0 {
		t.Fatalf("DeleteExpiredLampSessions again = %d, %v; want 0", n, err)
	}
}
