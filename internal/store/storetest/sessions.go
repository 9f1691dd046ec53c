package storetest

import (
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

func testSessionCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := createWorld(t, ctx, s)
	other := createUser(t, ctx, s, w.pool, "other-"+randomHex(3), "")
	now := base()

	sess := newSession(w.pool.ID, w.user.Sub, now.Add(time.Hour))
	_, err := s.GetSession(ctx, sess.ID)
	mustNotFound(t, err, "GetSession before create")
	mustOK(t, s.CreateSession(ctx, sess), "CreateSession")
	got, err := s.GetSession(ctx, sess.ID)
	mustOK(t, err, "GetSession")
	mustEqual(t, "GetSession", got, sess)

	dup := newSession(w.pool.ID, other.Sub, now.Add(time.Hour))
	dup.ID = sess.ID
	mustAlreadyExists(t, s.CreateSession(ctx, dup), "CreateSession with a taken id")
	got, err = s.GetSession(ctx, sess.ID)
	mustOK(t, err, "GetSession after duplicate")
	mustEqual(t, "duplicate create must change nothing", got, sess)

	mustOK(t, s.DeleteSession(ctx, sess.ID), "DeleteSession")
	_, err = s.GetSession(ctx, sess.ID)
	mustNotFound(t, err, "GetSession after delete")
	mustNotFound(t, s.DeleteSession(ctx, sess.ID), "DeleteSession twice")

	// DeleteUserSessions ends every session of the user and only those.
	mine := []store.Session{newSession(w.pool.ID, w.user.Sub, now.Add(time.Hour)), newSession(w.pool.ID, w.user.Sub, now.Add(2*time.Hour))}
	theirs := newSession(w.pool.ID, other.Sub, now.Add(time.Hour))
	theirs.SecondFactor = ""
	for _, x := range append(mine, theirs) {
		mustOK(t, s.CreateSession(ctx, x), "CreateSession")
	}
	mustOK(t, s.DeleteUserSessions(ctx, w.pool.ID, w.user.Sub), "DeleteUserSessions")
	for _, x := range mine {
		_, err := s.GetSession(ctx, x.ID)
		mustNotFound(t, err, "GetSession after DeleteUserSessions")
	}
	got, err = s.GetSession(ctx, theirs.ID)
	mustOK(t, err, "GetSession of another user")
	mustEqual(t, "another user's session", got, theirs)
	mustOK(t, s.DeleteUserSessions(ctx, w.pool.ID, w.user.Sub), "DeleteUserSessions without sessions")

	// Every second factor reads back as stored.
	for _, f := range []string{"", pool.FactorSoftwareToken, pool.FactorEmail, pool.FactorWebAuthn} {
		x := newSession(w.pool.ID, w.user.Sub, now.Add(time.Hour))
		x.SecondFactor = f
		mustOK(t, s.CreateSession(ctx, x), "CreateSession with second factor "+f)
		got, err := s.GetSession(ctx, x.ID)
		mustOK(t, err, "GetSession with second factor "+f)
		mustEqual(t, "session with second factor "+f, got, x)
	}
}
