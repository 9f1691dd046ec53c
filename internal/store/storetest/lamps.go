package storetest

import (
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
)

func testLampCRUD(t *testing.T, s skillstore.Database) {
	ctx := t.Context()
	owner, stranger := pool.NewSub(), pool.NewSub()

	l := newLamp(owner, "lamp-2")
	_, err := s.GetLamp(ctx, owner, l.ID)
	mustNotFound(t, err, "GetLamp before create")
	mustOK(t, s.CreateLamp(ctx, l), "CreateLamp")
	l1 := newLamp(owner, "lamp-1")
	l1.On, l1.Reachable, l1.ColorMode = false, true, "temperature"
	mustOK(t, s.CreateLamp(ctx, l1), "CreateLamp lamp-1")
	theirs := newLamp(stranger, "lamp-2")
	mustOK(t, s.CreateLamp(ctx, theirs), "CreateLamp same id other owner")

	got, err := s.GetLamp(ctx, owner, l.ID)
	mustOK(t, err, "GetLamp")
	mustEqual(t, "GetLamp", got, l)
	mustAlreadyExists(t, s.CreateLamp(ctx, newLamp(owner, "lamp-2")), "CreateLamp duplicate")
	_, err = s.GetLamp(ctx, owner, "lamp-3")
	mustNotFound(t, err, "GetLamp unknown id")

	list, err := s.ListLamps(ctx, owner)
	mustOK(t, err, "ListLamps")
	if len(list) != 2 {
		t.Fatalf("ListLamps = %d lamps, want 2", len(list))
	}
	mustEqual(t, "ListLamps[0]", list[0], l1)
	mustEqual(t, "ListLamps[1]", list[1], l)
	list, err = s.ListLamps(ctx, pool.NewSub())
	mustOK(t, err, "ListLamps of an owner without lamps")
	if len(list) != 0 {
		t.Fatalf("ListLamps of an owner without lamps = %d lamps", len(list))
	}

	get := func() (skillstore.Lamp, error) { return s.GetLamp(ctx, owner, l.ID) }
	update := func(fn func(skillstore.Lamp) (skillstore.Lamp, error)) error {
		return s.UpdateLamp(ctx, owner, l.ID, fn)
	}
	checkUpdate(t, "UpdateLamp", l, get, update, mutateLamp)
	mustNotFound(t, s.UpdateLamp(ctx, owner, "lamp-9", failIfCalled[skillstore.Lamp](t, "UpdateLamp")), "UpdateLamp of a missing lamp")
	got, err = s.GetLamp(ctx, stranger, "lamp-2")
	mustOK(t, err, "GetLamp other owner")
	mustEqual(t, "other owner's lamp is untouched", got, theirs)

	mustOK(t, s.DeleteLamp(ctx, owner, l.ID), "DeleteLamp")
	_, err = s.GetLamp(ctx, owner, l.ID)
	mustNotFound(t, err, "GetLamp after delete")
	mustNotFound(t, s.DeleteLamp(ctx, owner, l.ID), "DeleteLamp twice")
	_, err = s.GetLamp(ctx, stranger, "lamp-2")
	mustOK(t, err, "GetLamp other owner after delete")
}

func testAlexaGrantCRUD(t *testing.T, s skillstore.Database) {
	ctx := t.Context()
	owner := pool.NewSub()
	_, err := s.GetAlexaGrant(ctx, owner)
	mustNotFound(t, err, "GetAlexaGrant before put")

	g := newAlexaGrant(owner)
	g.SealedTokens = nil // AcceptGrant without a Login with Amazon client
	g.TokenExpiresAt = time.Time{}
	mustOK(t, s.PutAlexaGrant(ctx, g), "PutAlexaGrant")
	got, err := s.GetAlexaGrant(ctx, owner)
	mustOK(t, err, "GetAlexaGrant")
	mustEqual(t, "GetAlexaGrant", got, g)

	exchanged := newAlexaGrant(owner)
	mustOK(t, s.PutAlexaGrant(ctx, exchanged), "PutAlexaGrant overwrite")
	got, err = s.GetAlexaGrant(ctx, owner)
	mustOK(t, err, "GetAlexaGrant after overwrite")
	mustEqual(t, "GetAlexaGrant after overwrite", got, exchanged)

	other := newAlexaGrant(pool.NewSub())
	mustOK(t, s.PutAlexaGrant(ctx, other), "PutAlexaGrant other owner")
	got, err = s.GetAlexaGrant(ctx, owner)
	mustOK(t, err, "GetAlexaGrant after other owner's put")
	mustEqual(t, "owner's grant is untouched", got, exchanged)
}
