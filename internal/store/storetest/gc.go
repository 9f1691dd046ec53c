package storetest

import (
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

func testGarbageCollect(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := createWorld(t, ctx, s)
	now := base()
	expired := []time.Time{now.Add(-time.Second), now.Add(-24 * time.Hour)}
	alive := now.Add(time.Minute)

	var deadCodes, deadTokens, deadSessions []string
	for _, at := range expired {
		c := newAuthCode(w.pool.ID, w.client.ID, w.user.Sub, at)
		mustOK(t, s.CreateAuthCode(ctx, c), "CreateAuthCode")
		deadCodes = append(deadCodes, c.ID)
		rt := newRefreshToken(w.pool.ID, w.client.ID, w.user.Sub, c.ID)
		rt.ExpiresAt = at
		mustOK(t, s.CreateRefreshToken(ctx, rt), "CreateRefreshToken")
		deadTokens = append(deadTokens, rt.ID)
		se := newSession(w.pool.ID, w.user.Sub, at)
		mustOK(t, s.CreateSession(ctx, se), "CreateSession")
		deadSessions = append(deadSessions, se.ID)
	}
	liveCode := newAuthCode(w.pool.ID, w.client.ID, w.user.Sub, alive)
	mustOK(t, s.CreateAuthCode(ctx, liveCode), "CreateAuthCode live")
	redeemed := newAuthCode(w.pool.ID, w.client.ID, w.user.Sub, alive)
	mustOK(t, s.CreateAuthCode(ctx, redeemed), "CreateAuthCode redeemed")
	_, err := s.ConsumeAuthCode(ctx, redeemed.ID, now.Add(-time.Second))
	mustOK(t, err, "ConsumeAuthCode")
	liveToken := newRefreshToken(w.pool.ID, w.client.ID, w.user.Sub, liveCode.ID)
	liveToken.ExpiresAt = alive
	mustOK(t, s.CreateRefreshToken(ctx, liveToken), "CreateRefreshToken live")
	liveSession := newSession(w.pool.ID, w.user.Sub, alive)
	mustOK(t, s.CreateSession(ctx, liveSession), "CreateSession live")

	res, err := s.GarbageCollect(ctx, now)
	mustOK(t, err, "GarbageCollect")
	want := store.GCResult{AuthCodes: 2, RefreshTokens: 2, Sessions: 2}
	if res != want {
		t.Fatalf("GarbageCollect = %+v, want %+v", res, want)
	}

	// A collected code is gone even for a caller whose clock says it is
	// still valid; an uncollected one would be consumable.
	for _, id := range deadCodes {
		_, err := s.ConsumeAuthCode(ctx, id, now.Add(-48*time.Hour))
		mustNotFound(t, err, "ConsumeAuthCode of a collected code")
	}
	for _, id := range deadTokens {
		_, err := s.GetRefreshToken(ctx, id)
		mustNotFound(t, err, "GetRefreshToken of a collected token")
	}
	for _, id := range deadSessions {
		_, err := s.GetSession(ctx, id)
		mustNotFound(t, err, "GetSession of a collected session")
	}

	got, err := s.GetRefreshToken(ctx, liveToken.ID)
	mustOK(t, err, "GetRefreshToken live")
	mustEqual(t, "live token", got, liveToken)
	gotSession, err := s.GetSession(ctx, liveSession.ID)
	mustOK(t, err, "GetSession live")
	mustEqual(t, "live session", gotSession, liveSession)
	_, err = s.ConsumeAuthCode(ctx, redeemed.ID, now)
	mustBe(t, err, store.ErrConflict, "redeemed code must survive GC until it expires")
	_, err = s.ConsumeAuthCode(ctx, liveCode.ID, now)
	mustOK(t, err, "ConsumeAuthCode live")

	res, err = s.GarbageCollect(ctx, now)
	mustOK(t, err, "GarbageCollect again")
	if res != (store.GCResult{}) {
		t.Fatalf("second GarbageCollect = %+v, want nothing", res)
	}
}
