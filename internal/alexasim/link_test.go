package alexasim_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/smarthome/alexa"
)

// TestLinkMatrix links against linkpool from every region with each
// client authentication scheme, with and without PKCE, then drives the
// SmartLamp skill (over HTTP and in-process) through AcceptGrant with the
// gateway stand-in, discovery, TurnOn, SetBrightness, SetColor and
// ReportState; every reply must validate against Amazon's schema.
func TestLinkMatrix(t *testing.T) {
	l := newLab(t, labOptions{})
	ctx := context.Background()
	for _, region := range alexasim.AllRegions() {
		for _, scheme := range []alexasim.Scheme{alexasim.SchemeHTTPBasic, alexasim.SchemeRequestBody} {
			for _, pkce := range []bool{false, true} {
				name := fmt.Sprintf("%s/%s/pkce=%v", region, scheme, pkce)
				t.Run(name, func(t *testing.T) {
					skill := l.httpSkill()
					if pkce {
						skill = alexasim.LambdaSkill(l.skill.Invoke)
					}
					c := l.console(region, scheme, pkce)
					res, err := alexasim.LinkAccount(ctx, alexasim.LinkOptions{
						Name: name, Console: c, SignIn: alexasim.FormSignIn{Username: username, Password: userPassword},
						Env: l.env(skill), Gateway: l.gwSrv.URL,
					})
					if err != nil {
						t.Fatalf("link: %v", err)
					}
					if !res.OK || len(unexpected(res.Diagnoses)) != 0 {
						t.Fatalf("diagnoses %v", res.Diagnoses)
					}
					lk := res.Link
					if lk.RedirectURI != region.RedirectURL(vendorID) || lk.Status.State != alexasim.Linked || lk.Tokens.RefreshToken == "" {
						t.Fatalf("link state %+v", lk.Status)
					}
					if lk.Tokens.ExpiresIn != 3600 || !lk.Tokens.ExpiresAt.Equal(lk.Tokens.ObtainedAt.Add(time.Hour)) {
						t.Fatalf("expiry %d %v %v", lk.Tokens.ExpiresIn, lk.Tokens.ObtainedAt, lk.Tokens.ExpiresAt)
					}
					if res.AcceptGrant == nil || res.AcceptGrant.Name != "Alexa.Authorization/AcceptGrant.Response" || res.AcceptGrant.Schema != alexasim.SchemaValid {
						t.Fatalf("AcceptGrant %+v", res.AcceptGrant)
					}
					if res.Discovery.Schema != alexasim.SchemaValid || len(lk.Endpoints) != 1 || lk.Endpoints[0].FriendlyName == "" {
						t.Fatalf("discovery %+v endpoints %+v", res.Discovery, lk.Endpoints)
					}
					ep := lk.Endpoints[0].ID
					steps := []struct {
						name string
						run  func() (*alexasim.Reply, error)
					}{
						{"TurnOn", func() (*alexasim.Reply, error) { return lk.Power(ctx, ep, true) }},
						{"SetBrightness", func() (*alexasim.Reply, error) { return lk.Brightness(ctx, ep, 40, false) }},
						{"SetColor", func() (*alexasim.Reply, error) {
							return lk.Color(ctx, lk.Endpoints[0].FriendlyName, alexa.Color{Hue: 240, Saturation: 1, Brightness: 1})
						}},
						{"ReportState", func() (*alexasim.Reply, error) { return lk.State(ctx, ep) }},
					}
					var last *alexasim.Reply
					for _, s := range steps {
						rep, err := s.run()
						if err != nil {
							t.Fatalf("%s: %v", s.name, err)
						}
						if rep.Schema != alexasim.SchemaValid || len(rep.Diagnoses) != 0 || rep.EndpointID != ep {
							t.Fatalf("%s: %+v", s.name, rep)
						}
						last = rep
					}
					if last.Name != "Alexa/StateReport" {
						t.Fatalf("ReportState answered %s", last.Name)
					}
					power, _ := last.Property(alexa.NamespacePowerController, alexa.PropPowerState)
					bright, _ := last.Property(alexa.NamespaceBrightnessController, alexa.PropBrightness)
					color, _ := last.Property(alexa.NamespaceColorController, alexa.PropColor)
					hue := color.Value.(map[string]any)["hue"]
					if power.Value != "ON" || bright.Value != float64(40) || hue != float64(240) {
						t.Fatalf("state: power %v brightness %v hue %v", power.Value, bright.Value, hue)
					}
				})
			}
		}
	}
}

// TestChangeReportsReachGateway: after AcceptGrant the skill holds LWA
// tokens from the gateway stand-in and reports changes made outside Alexa
// there; the gateway validates and records them for the link.
func TestChangeReportsReachGateway(t *testing.T) {
	l := newLab(t, labOptions{})
	ctx := context.Background()
	lk := l.link(t, l.console(alexasim.RegionEU, alexasim.SchemeHTTPBasic, true), l.httpSkill())
	ep := lk.Endpoints[0].ID
	if _, err := l.skill.SetPower(ctx, l.sub, ep, true, "test"); err != nil {
		t.Fatal(err)
	}
	// Close drains the ChangeReport queue.
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := l.skill.Close(cctx); err != nil {
		t.Fatal(err)
	}
	evs, err := alexasim.FetchEvents(ctx, nil, l.gwSrv.URL, lk.Name)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 {
		t.Fatalf("events %+v", evs)
	}
	e := evs[0]
	if e.Name != "ChangeReport" || e.EndpointID != ep || e.Schema != alexasim.SchemaValid || e.Status != 202 || e.Link != lk.Name {
		t.Fatalf("event %+v", e)
	}
	if len(e.Changed) != 1 || e.Changed[0].Name != alexa.PropPowerState || e.Changed[0].Value != "ON" {
		t.Fatalf("changed %+v", e.Changed)
	}
}

// TestRefreshOnExpiry advances the simulator's clock past the access
// token's expiry: the next directive refreshes first, keeping the refresh
// token without rotation and replacing it with rotation.
func TestRefreshOnExpiry(t *testing.T) {
	for _, rotation := range []bool{false, true} {
		t.Run(fmt.Sprintf("rotation=%v", rotation), func(t *testing.T) {
			l := newLab(t, labOptions{rotation: rotation})
			ctx := context.Background()
			lk := l.link(t, l.console(alexasim.RegionNA, alexasim.SchemeRequestBody, false), l.httpSkill())
			before := lk.Tokens
			l.clock.Advance(59 * time.Minute)
			if lk.Expired() {
				t.Fatal("expired a minute early")
			}
			if _, err := lk.Power(ctx, lk.Endpoints[0].ID, true); err != nil {
				t.Fatal(err)
			}
			if lk.Tokens.AccessToken != before.AccessToken {
				t.Fatal("refreshed before expiry")
			}
			l.clock.Advance(2 * time.Minute)
			if !lk.Expired() {
				t.Fatal("not expired")
			}
			rep, err := lk.Power(ctx, lk.Endpoints[0].ID, false)
			if err != nil || len(rep.Diagnoses) != 0 {
				t.Fatalf("after expiry: %v %v", err, rep.Diagnoses)
			}
			if lk.Tokens.AccessToken == before.AccessToken || lk.Expired() {
				t.Fatal("access token not refreshed")
			}
			rotated := lk.Tokens.RefreshToken != before.RefreshToken
			if rotated != rotation {
				t.Fatalf("refresh token rotated=%v, want %v", rotated, rotation)
			}
			if rotation && lk.PreviousRefreshToken != before.RefreshToken {
				t.Fatal("previous refresh token not kept")
			}
		})
	}
}

// TestRefreshInvalidGrantUnlinks revokes the link's refresh token: the
// next refresh gets invalid_grant and the link is unlinked, as Alexa
// does.
func TestRefreshInvalidGrantUnlinks(t *testing.T) {
	l := newLab(t, labOptions{})
	ctx := context.Background()
	lk := l.link(t, l.console(alexasim.RegionNA, alexasim.SchemeHTTPBasic, false), l.httpSkill())
	l.revoke(t, lk.Tokens.RefreshToken)
	l.clock.Advance(2 * time.Hour)
	rep, err := lk.Power(ctx, lk.Endpoints[0].ID, true)
	if !errors.Is(err, alexasim.ErrUnlinked) {
		t.Fatalf("err %v", err)
	}
	if !rep.Diagnoses.Has(alexasim.CodeRefreshInvalidGrantUnlink) || rep.Name != "" {
		t.Fatalf("diagnoses %s, reply %q", codes(rep.Diagnoses), rep.Name)
	}
	if lk.Status.State != alexasim.Unlinked || lk.Status.Code != alexasim.CodeRefreshInvalidGrantUnlink || lk.Tokens.AccessToken != "" || lk.Tokens.RefreshToken != "" {
		t.Fatalf("status %+v tokens kept=%v", lk.Status, lk.Tokens.RefreshToken != "")
	}
	// Later directives are refused without contacting anyone.
	rep, err = lk.State(ctx, lk.Endpoints[0].ID)
	if !errors.Is(err, alexasim.ErrUnlinked) || codes(rep.Diagnoses) != alexasim.CodeLinkUnlinked {
		t.Fatalf("after unlink: %v %s", err, codes(rep.Diagnoses))
	}
}

// TestCredentialErrorUnlinks: after the user is disabled, or the grant is
// revoked, the skill answers INVALID_AUTHORIZATION_CREDENTIAL to a still
// unexpired token and the simulator unlinks, as Alexa does.
func TestCredentialErrorUnlinks(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(t *testing.T, l *lab, lk *alexasim.Link)
	}{
		{"user disabled", func(t *testing.T, l *lab, lk *alexasim.Link) {
			if err := l.app.Accounts.AdminDisableUser(context.Background(), l.pool, username); err != nil {
				t.Fatal(err)
			}
		}},
		{"grant revoked", func(t *testing.T, l *lab, lk *alexasim.Link) { l.revoke(t, lk.Tokens.RefreshToken) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t, labOptions{})
			ctx := context.Background()
			lk := l.link(t, l.console(alexasim.RegionFE, alexasim.SchemeHTTPBasic, true), alexasim.LambdaSkill(l.skill.Invoke))
			tc.break_(t, l, lk)
			rep, err := lk.Power(ctx, lk.Endpoints[0].ID, true)
			if !errors.Is(err, alexasim.ErrUnlinked) {
				t.Fatalf("err %v", err)
			}
			if rep.Error == nil || rep.Error.Type != alexa.ErrInvalidAuthorization || rep.Schema != alexasim.SchemaValid {
				t.Fatalf("reply %+v", rep)
			}
			if codes(rep.Diagnoses) != alexasim.CodeCredentialErrorUnlink || lk.Status.State != alexasim.Unlinked || lk.Status.Code != alexasim.CodeCredentialErrorUnlink {
				t.Fatalf("diagnoses %s status %+v", codes(rep.Diagnoses), lk.Status)
			}
		})
	}
}

// TestUnlink plays the user disabling the skill.
func TestUnlink(t *testing.T) {
	l := newLab(t, labOptions{})
	lk := l.link(t, l.console(alexasim.RegionNA, alexasim.SchemeHTTPBasic, false), l.httpSkill())
	if err := lk.Unlink(context.Background()); err != nil {
		t.Fatal(err)
	}
	if lk.IsLinked() || lk.Tokens.RefreshToken != "" || lk.Status.Code != "DISABLED_BY_USER" {
		t.Fatalf("%+v", lk.Status)
	}
	if _, err := lk.Discover(context.Background()); !errors.Is(err, alexasim.ErrUnlinked) {
		t.Fatalf("discover after unlink: %v", err)
	}
}
