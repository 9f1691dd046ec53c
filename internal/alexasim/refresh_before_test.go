package alexasim_test

import (
	"context"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
)

// TestRefreshBefore refreshes the access token five minutes before its
// expiry, as Amazon's service does, when Env.RefreshBefore says so.
func TestRefreshBefore(t *testing.T) {
	l := newLab(t, labOptions{})
	ctx := context.Background()
	lk := l.link(t, l.console(alexasim.RegionNA, alexasim.SchemeHTTPBasic, false), l.httpSkill())
	lk.Env.RefreshBefore = 5 * time.Minute
	before := lk.Tokens
	l.clock.Advance(54 * time.Minute)
	if lk.RefreshDue() {
		t.Fatal("refresh due six minutes before expiry")
	}
	if _, err := lk.Power(ctx, lk.Endpoints[0].ID, true); err != nil {
		t.Fatal(err)
	}
	if lk.Tokens.AccessToken != before.AccessToken {
		t.Fatal("refreshed six minutes before expiry")
	}
	l.clock.Advance(2 * time.Minute)
	if lk.Expired() || !lk.RefreshDue() {
		t.Fatalf("four minutes before expiry: expired %v, due %v", lk.Expired(), lk.RefreshDue())
	}
	if _, err := lk.Power(ctx, lk.Endpoints[0].ID, false); err != nil {
		t.Fatal(err)
	}
	if lk.Tokens.AccessToken == before.AccessToken || lk.RefreshDue() {
		t.Fatal("access token not refreshed four minutes before expiry")
	}
}
