package alexasim_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/alexasim"
)

// TestCheckLinkpool runs the readiness checklist against linkpool and the
// SmartLamp skill: everything passes except HTTPS, which is a warning on
// loopback.
func TestCheckLinkpool(t *testing.T) {
	for _, rotation := range []bool{false, true} {
		l := newLab(t, labOptions{rotation: rotation})
		lang := "en-US"
		if rotation {
			lang = "zh-CN"
		}
		rep, err := alexasim.Check(context.Background(), alexasim.CheckOptions{
			Console: l.console(alexasim.RegionNA, alexasim.SchemeHTTPBasic, true), Username: username, Password: userPassword,
			Env: l.env(l.httpSkill()), Gateway: l.gwSrv.URL, Lang: lang, SkillName: "SmartLamp",
		})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]alexasim.CheckStatus{
			alexasim.CheckHTTPS: alexasim.Warn, alexasim.CheckRedirectURLs: alexasim.Pass, alexasim.CheckState: alexasim.Pass,
			alexasim.CheckRedirectRecheck: alexasim.Pass, alexasim.CheckClientAuth: alexasim.Pass, alexasim.CheckTokenResponse: alexasim.Pass,
			alexasim.CheckRefresh: alexasim.Pass, alexasim.CheckLoginPage: alexasim.Pass, alexasim.CheckInlineErrors: alexasim.Pass,
			alexasim.CheckAcceptGrant: alexasim.Pass, alexasim.CheckDiscovery: alexasim.Pass, alexasim.CheckCredentialError: alexasim.Pass,
			alexasim.CheckReplies: alexasim.Pass, alexasim.CheckLoginLocalized: alexasim.Pass, alexasim.CheckLoginBranded: alexasim.Pass,
			alexasim.CheckUnlinkRevokes: alexasim.Pass, alexasim.CheckIDTokenOnRefresh: alexasim.Info,
		}
		if len(rep.Items) != len(want) || !rep.OK {
			t.Fatalf("rotation=%v: %d items, ok %v: %+v", rotation, len(rep.Items), rep.OK, rep.Items)
		}
		for _, it := range rep.Items {
			if it.Status != want[it.ID] || it.Reason == "" || it.Title == "" {
				t.Errorf("rotation=%v: %s: %s (%s), want %s", rotation, it.ID, it.Status, it.Reason, want[it.ID])
			}
		}
		it, _ := rep.Item(alexasim.CheckRefresh)
		if !strings.HasPrefix(it.Reason, fmt.Sprintf("%d refreshes over 5h0m", alexasim.RefreshRounds)) ||
			!strings.Contains(it.Reason, "(5 directives)") || strings.Contains(it.Reason, "rotates") != rotation {
			t.Errorf("rotation=%v: refresh reason %q", rotation, it.Reason)
		}
		if it, _ := rep.Item(alexasim.CheckLoginLocalized); !strings.Contains(it.Reason, "asked for "+lang) {
			t.Errorf("localized reason %q", it.Reason)
		}
	}
}

// TestCheckFindsProblems: a missing region, 5-minute tokens and a skill
// that is not given are reported item by item.
func TestCheckFindsProblems(t *testing.T) {
	l := newLab(t, labOptions{regions: []alexasim.Region{alexasim.RegionNA}, accessMinutes: 5})
	c := l.console(alexasim.RegionNA, alexasim.SchemeRequestBody, false)
	c.SendAlexaEvents = false
	rep, err := alexasim.Check(context.Background(), alexasim.CheckOptions{Console: c, Username: username, Password: userPassword})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]alexasim.CheckStatus{
		alexasim.CheckRedirectURLs: alexasim.Fail, alexasim.CheckTokenResponse: alexasim.Fail,
		alexasim.CheckState: alexasim.Pass, alexasim.CheckClientAuth: alexasim.Pass,
		alexasim.CheckAcceptGrant: alexasim.Skip, alexasim.CheckDiscovery: alexasim.Skip, alexasim.CheckReplies: alexasim.Skip,
	}
	for id, st := range want {
		it, ok := rep.Item(id)
		if !ok || it.Status != st {
			t.Errorf("%s: %s (%s), want %s", id, it.Status, it.Reason, st)
		}
	}
	if rep.OK {
		t.Fatal("report OK despite failures")
	}
	if it, _ := rep.Item(alexasim.CheckRedirectURLs); it.Reason != "refused: EU (layla.amazon.com), FE (alexa.amazon.co.jp)" {
		t.Fatalf("reason %q", it.Reason)
	}
	// Without credentials the sign-in items are skipped, not passed.
	rep, err = alexasim.Check(context.Background(), alexasim.CheckOptions{Console: c})
	if err != nil {
		t.Fatal(err)
	}
	if it, _ := rep.Item(alexasim.CheckRefresh); it.Status != alexasim.Skip {
		t.Fatalf("refresh without a user: %s", it.Status)
	}
}
