package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

// populated is a pool with one of everything a pool owns.
type populated struct {
	pool    pool.Pool
	client  pool.Client
	domain  pool.Domain
	user    pool.User
	group   pool.Group
	code    store.AuthCode
	token   store.RefreshToken
	session store.Session
	passkey pool.WebAuthnCredential
	keys    store.KeySet
	lamp    skillstore.Lamp
	grant   skillstore.AlexaGrant
}

func populate(t *testing.T, ctx context.Context, s skillstore.Database) populated {
	t.Helper()
	w := createWorld(t, ctx, s)
	x := populated{pool: w.pool, client: w.client, user: w.user}
	x.domain = newDomain(x.pool.ID, false)
	mustOK(t, s.CreateDomain(ctx, x.domain), "CreateDomain")
	x.group = newGroup(x.pool.ID, "members", ptr(1))
	mustOK(t, s.CreateGroup(ctx, x.group), "CreateGroup")
	mustOK(t, s.AddUserToGroup(ctx, x.pool.ID, x.group.Name, x.user.Sub), "AddUserToGroup")
	x.code = newAuthCode(x.pool.ID, x.client.ID, x.user.Sub, base().Add(time.Hour))
	mustOK(t, s.CreateAuthCode(ctx, x.code), "CreateAuthCode")
	x.token = newRefreshToken(x.pool.ID, x.client.ID, x.user.Sub, x.code.ID)
	mustOK(t, s.CreateRefreshToken(ctx, x.token), "CreateRefreshToken")
	x.session = newSession(x.pool.ID, x.user.Sub, base().Add(time.Hour))
	mustOK(t, s.CreateSession(ctx, x.session), "CreateSession")
	x.passkey = newWebAuthnCredential(x.pool.ID, x.user.Sub)
	mustOK(t, s.CreateWebAuthnCredential(ctx, x.passkey), "CreateWebAuthnCredential")
	mustOK(t, s.UpdateKeySet(ctx, x.pool.ID, func(ks store.KeySet) (store.KeySet, error) {
		ks.Keys = []store.SigningKey{newSigningKey("k-"+randomHex(2), store.KeyActive)}
		ks.UpdatedAt = base()
		x.keys = ks
		return ks, nil
	}), "UpdateKeySet")
	x.keys.Version = 1
	x.lamp = newLamp(x.user.Sub, "lamp-1")
	mustOK(t, s.CreateLamp(ctx, x.lamp), "CreateLamp")
	x.grant = newAlexaGrant(x.user.Sub)
	mustOK(t, s.PutAlexaGrant(ctx, x.grant), "PutAlexaGrant")
	return x
}

// checkIntact asserts that everything of x is still stored unchanged.
// The auth code is checked last because checking consumes it.
func checkIntact(t *testing.T, ctx context.Context, s skillstore.Database, x populated) {
	t.Helper()
	gotPool, err := s.GetPool(ctx, x.pool.ID)
	mustOK(t, err, "GetPool")
	mustEqual(t, "pool", gotPool, x.pool)
	gotClient, err := s.GetClient(ctx, x.client.ID)
	mustOK(t, err, "GetClient")
	mustEqual(t, "client", gotClient, x.client)
	gotDomain, err := s.GetDomain(ctx, x.domain.Domain)
	mustOK(t, err, "GetDomain")
	mustEqual(t, "domain", gotDomain, x.domain)
	gotUser, err := s.GetUser(ctx, x.pool.ID, x.user.Sub)
	mustOK(t, err, "GetUser")
	mustEqual(t, "user", gotUser, x.user)
	groups, err := s.ListGroupsForUser(ctx, x.pool.ID, x.user.Sub)
	mustOK(t, err, "ListGroupsForUser")
	if len(groups) != 1 {
		t.Fatalf("ListGroupsForUser = %v, want [%s]", groupNames(groups), x.group.Name)
	}
	mustEqual(t, "group", groups[0], x.group)
	gotToken, err := s.GetRefreshToken(ctx, x.token.ID)
	mustOK(t, err, "GetRefreshToken")
	mustEqual(t, "refresh token", gotToken, x.token)
	gotSession, err := s.GetSession(ctx, x.session.ID)
	mustOK(t, err, "GetSession")
	mustEqual(t, "session", gotSession, x.session)
	gotPasskeys, err := s.ListWebAuthnCredentials(ctx, x.pool.ID, x.user.Sub)
	mustOK(t, err, "ListWebAuthnCredentials")
	mustEqual(t, "passkeys", gotPasskeys, []pool.WebAuthnCredential{x.passkey})
	gotKeys, err := s.GetKeySet(ctx, x.pool.ID)
	mustOK(t, err, "GetKeySet")
	mustEqual(t, "key set", gotKeys, x.keys)
	checkOwnerData(t, ctx, s, x)
	_, err = s.ConsumeAuthCode(ctx, x.code.ID, base())
	mustOK(t, err, "ConsumeAuthCode")
}

// checkOwnerData: lamps and Alexa grants belong to a sub, not to a pool.
func checkOwnerData(t *testing.T, ctx context.Context, s skillstore.Database, x populated) {
	t.Helper()
	gotLamp, err := s.GetLamp(ctx, x.lamp.Owner, x.lamp.ID)
	mustOK(t, err, "GetLamp")
	mustEqual(t, "lamp", gotLamp, x.lamp)
	gotGrant, err := s.GetAlexaGrant(ctx, x.grant.Owner)
	mustOK(t, err, "GetAlexaGrant")
	mustEqual(t, "alexa grant", gotGrant, x.grant)
}

func testDeletePoolCascade(t *testing.T, s skillstore.Database) {
	ctx := t.Context()
	doomed := populate(t, ctx, s)
	kept := populate(t, ctx, s)

	mustOK(t, s.DeletePool(ctx, doomed.pool.ID), "DeletePool")

	gone := []struct {
		name string
		err  func() error
	}{
		{"pool", func() error { _, err := s.GetPool(ctx, doomed.pool.ID); return err }},
		{"client", func() error { _, err := s.GetClient(ctx, doomed.client.ID); return err }},
		{"domain", func() error { _, err := s.GetDomain(ctx, doomed.domain.Domain); return err }},
		{"user", func() error { _, err := s.GetUser(ctx, doomed.pool.ID, doomed.user.Sub); return err }},
		{"user by username", func() error {
			_, err := s.GetUserByUsername(ctx, doomed.pool.ID, doomed.user.UsernameKey)
			return err
		}},
		{"group", func() error { _, err := s.GetGroup(ctx, doomed.pool.ID, doomed.group.Name); return err }},
		{"auth code", func() error { _, err := s.ConsumeAuthCode(ctx, doomed.code.ID, base()); return err }},
		{"refresh token", func() error { _, err := s.GetRefreshToken(ctx, doomed.token.ID); return err }},
		{"refresh token by origin", func() error { _, err := s.GetRefreshTokenByOrigin(ctx, doomed.token.OriginJTI); return err }},
		{"session", func() error { _, err := s.GetSession(ctx, doomed.session.ID); return err }},
		{"key set", func() error { _, err := s.GetKeySet(ctx, doomed.pool.ID); return err }},
		{"passkey", func() error { _, err := s.GetWebAuthnCredential(ctx, doomed.pool.ID, doomed.passkey.ID); return err }},
	}
	for _, tc := range gone {
		t.Run(tc.name, func(t *testing.T) { mustNotFound(t, tc.err(), tc.name+" after DeletePool") })
	}
	tokens, err := s.ListRefreshTokens(ctx, doomed.pool.ID, doomed.user.Sub)
	mustOK(t, err, "ListRefreshTokens after DeletePool")
	if len(tokens) != 0 {
		t.Fatalf("ListRefreshTokens after DeletePool = %d tokens", len(tokens))
	}
	passkeys, err := s.ListWebAuthnCredentials(ctx, doomed.pool.ID, doomed.user.Sub)
	mustOK(t, err, "ListWebAuthnCredentials after DeletePool")
	if len(passkeys) != 0 {
		t.Fatalf("ListWebAuthnCredentials after DeletePool = %d passkeys", len(passkeys))
	}
	domains, err := s.ListDomains(ctx, doomed.pool.ID)
	mustOK(t, err, "ListDomains after DeletePool")
	if len(domains) != 0 {
		t.Fatalf("ListDomains after DeletePool = %v", domains)
	}
	// Lamps and grants are the skill's, owned by the sub: they stay.
	checkOwnerData(t, ctx, s, doomed)

	// Names the deleted pool held are free again.
	p := createPool(t, ctx, s, false)
	reuse := doomed.domain
	reuse.PoolID = p.ID
	mustOK(t, s.CreateDomain(ctx, reuse), "CreateDomain with the deleted pool's domain name")
	reclient := doomed.client
	reclient.PoolID = p.ID
	mustOK(t, s.CreateClient(ctx, reclient), "CreateClient with the deleted pool's client id")

	checkIntact(t, ctx, s, kept)
}

func testDeleteUserCascade(t *testing.T, s skillstore.Database) {
	ctx := t.Context()
	x := populate(t, ctx, s)
	bystander := createUser(t, ctx, s, x.pool, "bystander", "bystander@example.com")
	mustOK(t, s.AddUserToGroup(ctx, x.pool.ID, x.group.Name, bystander.Sub), "AddUserToGroup bystander")
	second := newGroup(x.pool.ID, "second", nil)
	mustOK(t, s.CreateGroup(ctx, second), "CreateGroup")
	mustOK(t, s.AddUserToGroup(ctx, x.pool.ID, second.Name, x.user.Sub), "AddUserToGroup second")
	extraSession := newSession(x.pool.ID, x.user.Sub, base().Add(time.Hour))
	mustOK(t, s.CreateSession(ctx, extraSession), "CreateSession")
	extraToken := newRefreshToken(x.pool.ID, x.client.ID, x.user.Sub, "")
	mustOK(t, s.CreateRefreshToken(ctx, extraToken), "CreateRefreshToken")
	bySession := newSession(x.pool.ID, bystander.Sub, base().Add(time.Hour))
	mustOK(t, s.CreateSession(ctx, bySession), "CreateSession bystander")
	byToken := newRefreshToken(x.pool.ID, x.client.ID, bystander.Sub, "")
	mustOK(t, s.CreateRefreshToken(ctx, byToken), "CreateRefreshToken bystander")
	extraPasskey := newWebAuthnCredential(x.pool.ID, x.user.Sub)
	mustOK(t, s.CreateWebAuthnCredential(ctx, extraPasskey), "CreateWebAuthnCredential")
	byPasskey := newWebAuthnCredential(x.pool.ID, bystander.Sub)
	mustOK(t, s.CreateWebAuthnCredential(ctx, byPasskey), "CreateWebAuthnCredential bystander")

	mustOK(t, s.DeleteUser(ctx, x.pool.ID, x.user.Sub), "DeleteUser")

	_, err := s.GetUser(ctx, x.pool.ID, x.user.Sub)
	mustNotFound(t, err, "GetUser after DeleteUser")
	for _, id := range []string{x.session.ID, extraSession.ID} {
		_, err := s.GetSession(ctx, id)
		mustNotFound(t, err, "session after DeleteUser")
	}
	for _, id := range []string{x.token.ID, extraToken.ID} {
		_, err := s.GetRefreshToken(ctx, id)
		mustNotFound(t, err, "refresh token after DeleteUser")
	}
	for _, id := range [][]byte{x.passkey.ID, extraPasskey.ID} {
		_, err := s.GetWebAuthnCredential(ctx, x.pool.ID, id)
		mustNotFound(t, err, "passkey after DeleteUser")
	}
	passkeys, err := s.ListWebAuthnCredentials(ctx, x.pool.ID, x.user.Sub)
	mustOK(t, err, "ListWebAuthnCredentials after DeleteUser")
	if len(passkeys) != 0 {
		t.Fatalf("ListWebAuthnCredentials after DeleteUser = %d passkeys", len(passkeys))
	}
	tokens, err := s.ListRefreshTokens(ctx, x.pool.ID, x.user.Sub)
	mustOK(t, err, "ListRefreshTokens after DeleteUser")
	if len(tokens) != 0 {
		t.Fatalf("ListRefreshTokens after DeleteUser = %d tokens", len(tokens))
	}
	groups, err := s.ListGroupsForUser(ctx, x.pool.ID, x.user.Sub)
	if err != nil && !isNotFound(err) {
		t.Fatalf("ListGroupsForUser after DeleteUser: %v", err)
	}
	if len(groups) != 0 {
		t.Fatalf("ListGroupsForUser after DeleteUser = %v", groupNames(groups))
	}
	for _, g := range []string{x.group.Name, second.Name} {
		members := listAllUsersInGroup(t, s, x.pool.ID, g)
		for _, m := range members {
			if m.Sub == x.user.Sub {
				t.Fatalf("deleted user still listed in group %s", g)
			}
		}
	}

	// The bystander keeps everything.
	got, err := s.GetUser(ctx, x.pool.ID, bystander.Sub)
	mustOK(t, err, "GetUser bystander")
	mustEqual(t, "bystander", got, bystander)
	if subs := userSubs(listAllUsersInGroup(t, s, x.pool.ID, x.group.Name)); !sameSet(subs, []string{bystander.Sub}) {
		t.Fatalf("group members after DeleteUser = %v, want the bystander", subs)
	}
	gotSession, err := s.GetSession(ctx, bySession.ID)
	mustOK(t, err, "GetSession bystander")
	mustEqual(t, "bystander session", gotSession, bySession)
	gotToken, err := s.GetRefreshToken(ctx, byToken.ID)
	mustOK(t, err, "GetRefreshToken bystander")
	mustEqual(t, "bystander token", gotToken, byToken)
	gotPasskey, err := s.GetWebAuthnCredential(ctx, x.pool.ID, byPasskey.ID)
	mustOK(t, err, "GetWebAuthnCredential bystander")
	mustEqual(t, "bystander passkey", gotPasskey, byPasskey)

	// The username is free again; the new user starts without groups.
	again := newUser(x.pool, x.user.Username, x.user.Attributes[pool.AttrEmail])
	mustOK(t, s.CreateUser(ctx, again), "CreateUser with the deleted user's username")
	groups, err = s.ListGroupsForUser(ctx, x.pool.ID, again.Sub)
	mustOK(t, err, "ListGroupsForUser of the new user")
	if len(groups) != 0 {
		t.Fatalf("new user inherited groups %v", groupNames(groups))
	}
	passkeys, err = s.ListWebAuthnCredentials(ctx, x.pool.ID, again.Sub)
	mustOK(t, err, "ListWebAuthnCredentials of the new user")
	if len(passkeys) != 0 {
		t.Fatalf("new user inherited %d passkeys", len(passkeys))
	}
	// The deleted user's credential ids are free again.
	reuse := newWebAuthnCredential(x.pool.ID, again.Sub)
	reuse.ID = x.passkey.ID
	mustOK(t, s.CreateWebAuthnCredential(ctx, reuse), "CreateWebAuthnCredential with the deleted user's credential id")
}
