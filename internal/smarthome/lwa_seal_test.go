package smarthome_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/smarthome/lamp"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
)

// grantedEnv is a skill with events on, sealed LWA tokens, and the users
// given having accepted a grant.
func grantedEnv(t *testing.T, lwa *lwaServer, owners ...string) (*env, *gateway, func(aad, data []byte) ([]byte, error), func(aad, data []byte) ([]byte, error)) {
	t.Helper()
	gw := newGateway(t, lwa, false)
	seal, open := aesSeal(t)
	e := newEnv(t, func(c *smarthome.SkillConfig) {
		c.LWA = smarthome.LWAConfig{ClientID: lwaClientID, ClientSecret: lwaClientSecret, TokenURL: lwa.URL}
		c.EventGatewayURL = gw.URL
		c.Seal, c.Open = seal, open
	})
	for _, o := range owners {
		e.addLamp(t, o, "lamp-"+o)
		if ev := e.invoke(t, acceptGrantDirective("good-code-"+o, e.iss.Token(t, o))); ev.Event.Header.Name != "AcceptGrant.Response" {
			t.Fatalf("AcceptGrant for %s: %s", o, ev.Event.Payload)
		}
	}
	return e, gw, seal, open
}

// TestLWATokensMovedToAnotherUserDoNotOpen: sealed LWA tokens are bound to
// their owner. Copied, with write access to the database, to another
// user's row they do not open: that user's ChangeReports are not sent (with
// the first user's token or at all), and toggles still succeed.
func TestLWATokensMovedToAnotherUserDoNotOpen(t *testing.T) {
	ctx := context.Background()
	e, gw, _, _ := grantedEnv(t, newLWAServer(t), "alice", "mallory")
	alice, err := e.st.GetAlexaGrant(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	mallory, err := e.st.GetAlexaGrant(ctx, "mallory")
	if err != nil {
		t.Fatal(err)
	}
	mallory.SealedTokens = alice.SealedTokens
	if err := e.st.PutAlexaGrant(ctx, mallory); err != nil {
		t.Fatal(err)
	}

	if _, err := e.skill.Toggle(ctx, "mallory", "lamp-mallory", lamp.ByApp); err != nil {
		t.Fatalf("toggle with tokens that do not open: %v", err)
	}
	// Reports go out one at a time, in order: the next one the gateway
	// sees is alice's own.
	if _, err := e.skill.Toggle(ctx, "alice", "lamp-alice", lamp.ByApp); err != nil {
		t.Fatal(err)
	}
	var cr changeReport
	_ = json.Unmarshal(gw.next(t), &cr)
	if cr.Event.Endpoint.EndpointID != "lamp-alice" {
		t.Fatalf("the gateway received a report for %s with tokens moved from another user", cr.Event.Endpoint.EndpointID)
	}
	if !strings.Contains(e.logs.String(), "do not open") {
		t.Errorf("no warning about the tokens that do not open:\n%s", e.logs.String())
	}
}

// TestLegacySealedLWATokensStillOpenAndAreBoundOnRefresh: tokens sealed by
// earlier versions under the shared context still work, and the next
// write stores them bound to their owner.
func TestLegacySealedLWATokensStillOpenAndAreBoundOnRefresh(t *testing.T) {
	ctx := context.Background()
	lwa := newLWAServer(t)
	lwa.expiresIn = 30 // expires within the refresh margin: the next report refreshes
	e, gw, seal, open := grantedEnv(t, lwa, "alice")
	g, err := e.st.GetAlexaGrant(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := open(skillstore.LWATokenContext("alice"), g.SealedTokens)
	if err != nil {
		t.Fatalf("tokens are not sealed bound to their owner: %v", err)
	}
	if _, err := open([]byte(skillstore.LWATokenSealContext), g.SealedTokens); err == nil {
		t.Fatal("tokens open under the shared context")
	}
	if g.SealedTokens, err = seal([]byte(skillstore.LWATokenSealContext), raw); err != nil {
		t.Fatal(err)
	}
	if err := e.st.PutAlexaGrant(ctx, g); err != nil {
		t.Fatal(err)
	}

	if _, err := e.skill.Toggle(ctx, "alice", "lamp-alice", lamp.ByApp); err != nil {
		t.Fatal(err)
	}
	var cr changeReport
	_ = json.Unmarshal(gw.next(t), &cr)
	if cr.Event.Endpoint.Scope.Token != "Atza|access-2" {
		t.Fatalf("sent with %q, want the token refreshed from the legacy value", cr.Event.Endpoint.Scope.Token)
	}
	g, _ = e.st.GetAlexaGrant(ctx, "alice")
	if raw, err := open(skillstore.LWATokenContext("alice"), g.SealedTokens); err != nil || !strings.Contains(string(raw), "Atza|access-2") {
		t.Errorf("the refreshed tokens are not stored bound to their owner: %v", err)
	}
}

// TestGrantCodeIsNotStored: the grant code is single use and nothing
// needs it after the exchange; neither the grant nor the database file
// holds it.
func TestGrantCodeIsNotStored(t *testing.T) {
	e, _, _, _ := grantedEnv(t, newLWAServer(t), "alice")
	if err := e.st.Close(); err != nil { // checkpoints the WAL into the file
		t.Fatal(err)
	}
	for _, path := range []string{e.dbPath, e.dbPath + "-wal"} {
		b, err := os.ReadFile(path)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("good-code-alice")) {
			t.Errorf("%s holds the grant code", path)
		}
	}
}
