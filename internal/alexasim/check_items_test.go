package alexasim_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/alexasim"
)

// TestCheckLoginPageLocalizedAndBranded: the login page is asked for in
// the user's language and must answer in it (English fallback is a
// warning, another language a failure, no declared language a warning),
// and must show the brand name or a logo.
func TestCheckLoginPageLocalizedAndBranded(t *testing.T) {
	page := func(lang, body string) string {
		open := "<html>"
		if lang != "" {
			open = `<html lang="` + lang + `">`
		}
		return `<!doctype html>` + open + `<head><meta name="viewport" content="width=device-width"><title>Sign in</title></head><body>` + body +
			`<form method="post" action="/login"><input type="email" name="login_email"><input type="password" name="pw"><button>Sign in</button></form></body></html>`
	}
	cases := []struct {
		name, lang, brand, page string
		localized, branded      alexasim.CheckStatus
		reason                  string
	}{
		{"matching family", "zh-CN", "Acme Lights", page("zh-Hans", "<h1>Acme Lights</h1>"), alexasim.Pass, alexasim.Pass, "asked for zh-CN, the page answers in zh-Hans"},
		{"English fallback", "de-DE", "Acme Lights", page("en", `<img class="brand-logo" src="/static/acme.png" alt="">`), alexasim.Warn, alexasim.Pass, "not localized for de-DE"},
		{"other language", "de-DE", "Acme Lights", page("fr", "<p>Bienvenue</p>"), alexasim.Fail, alexasim.Warn, "answers in fr"},
		{"no language, no brand", "en-US", "", page("", "<p>Welcome</p>"), alexasim.Warn, alexasim.Warn, "declares no language"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAS(t)
			f.loginPage = tc.page
			rep, err := alexasim.Check(context.Background(), alexasim.CheckOptions{Console: f.console(), Lang: tc.lang, Brand: tc.brand})
			if err != nil {
				t.Fatal(err)
			}
			loc, _ := rep.Item(alexasim.CheckLoginLocalized)
			br, _ := rep.Item(alexasim.CheckLoginBranded)
			if loc.Status != tc.localized || !strings.Contains(loc.Reason, tc.reason) {
				t.Errorf("localized: %s (%s), want %s (%q)", loc.Status, loc.Reason, tc.localized, tc.reason)
			}
			if br.Status != tc.branded {
				t.Errorf("branded: %s (%s), want %s", br.Status, br.Reason, tc.branded)
			}
		})
	}

	// A login page that does not load skips both items.
	f := newFakeAS(t)
	f.loginStatus = 500
	rep, err := alexasim.Check(context.Background(), alexasim.CheckOptions{Console: f.console(), Lang: "en-US", Brand: "x"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{alexasim.CheckLoginLocalized, alexasim.CheckLoginBranded} {
		if it, _ := rep.Item(id); it.Status != alexasim.Skip {
			t.Errorf("%s on an error page: %s (%s)", id, it.Status, it.Reason)
		}
	}
}

// TestCheckLinkpoolNotLocalized: linkpool's hosted UI speaks the
// languages of Alexa and Cognito; Russian falls back to English, a
// warning.
func TestCheckLinkpoolNotLocalized(t *testing.T) {
	l := newLab(t, labOptions{})
	rep, err := alexasim.Check(context.Background(), alexasim.CheckOptions{
		Console: l.console(alexasim.RegionNA, alexasim.SchemeHTTPBasic, true), Lang: "ru-RU", Brand: "SmartLamp",
	})
	if err != nil {
		t.Fatal(err)
	}
	if it, _ := rep.Item(alexasim.CheckLoginLocalized); it.Status != alexasim.Warn || !strings.Contains(it.Reason, "not localized for ru-RU") {
		t.Errorf("localized: %s (%s)", it.Status, it.Reason)
	}
	if it, _ := rep.Item(alexasim.CheckLoginBranded); it.Status != alexasim.Pass {
		t.Errorf("branded: %s (%s)", it.Status, it.Reason)
	}
}

// TestCheckUnlink: a skill that acknowledges SkillDisabled without
// revoking leaves a working grant (WARN); a skill that does not
// acknowledge fails the item.
func TestCheckUnlink(t *testing.T) {
	l := newLab(t, labOptions{})
	skill := l.httpSkill()
	var events []string
	forget := alexasim.LambdaSkill(func(ctx context.Context, in []byte) ([]byte, error) {
		var ev struct {
			Request struct {
				Type string `json:"type"`
				Body struct {
					Persistence string `json:"userInformationPersistenceStatus"`
				} `json:"body"`
			} `json:"request"`
			Context struct {
				System struct {
					User struct {
						UserID      string `json:"userId"`
						AccessToken string `json:"accessToken"`
					} `json:"user"`
				} `json:"System"`
			} `json:"context"`
		}
		if json.Unmarshal(in, &ev) == nil && ev.Request.Type != "" {
			events = append(events, ev.Request.Type+" "+ev.Request.Body.Persistence)
			if !strings.HasPrefix(ev.Context.System.User.UserID, "amzn1.ask.account.") || ev.Context.System.User.AccessToken == "" {
				t.Errorf("skill event without user id or access token: %s", in)
			}
			return []byte(`{"version":"1.0","response":{}}`), nil
		}
		return skill.Invoke(ctx, in)
	})
	rep, err := alexasim.Check(context.Background(), alexasim.CheckOptions{
		Console: l.console(alexasim.RegionNA, alexasim.SchemeHTTPBasic, true), Username: username, Password: userPassword,
		Env: l.env(forget), Gateway: l.gwSrv.URL,
	})
	if err != nil {
		t.Fatal(err)
	}
	it, _ := rep.Item(alexasim.CheckUnlinkRevokes)
	if it.Status != alexasim.Warn || !strings.Contains(it.Reason, "the grant outlives the unlink") {
		t.Errorf("skill that does not revoke: %s (%s)", it.Status, it.Reason)
	}
	if len(events) != 1 || events[0] != alexasim.SkillDisabledEvent+" PERSISTED" {
		t.Errorf("skill events %v", events)
	}

	refuse := alexasim.LambdaSkill(func(ctx context.Context, in []byte) ([]byte, error) {
		if strings.Contains(string(in), alexasim.SkillDisabledEvent) {
			return nil, context.DeadlineExceeded
		}
		return skill.Invoke(ctx, in)
	})
	rep, err = alexasim.Check(context.Background(), alexasim.CheckOptions{
		Console: l.console(alexasim.RegionNA, alexasim.SchemeHTTPBasic, true), Username: username, Password: userPassword,
		Env: l.env(refuse), Gateway: l.gwSrv.URL,
	})
	if err != nil {
		t.Fatal(err)
	}
	if it, _ := rep.Item(alexasim.CheckUnlinkRevokes); it.Status != alexasim.Fail || !strings.Contains(it.Reason, "did not acknowledge") {
		t.Errorf("skill that does not acknowledge: %s (%s)", it.Status, it.Reason)
	}
	if rep.OK {
		t.Error("report OK although an item failed")
	}
}

// TestDisableSkillRevokesAtLinkpool: the co-located SmartLamp skill
// revokes the link's grant on SkillDisabled, so Alexa's old refresh token
// gets invalid_grant; other links of the user keep working.
func TestDisableSkillRevokesAtLinkpool(t *testing.T) {
	l := newLab(t, labOptions{rotation: true})
	c := l.console(alexasim.RegionEU, alexasim.SchemeHTTPBasic, false)
	lk := l.link(t, c, l.httpSkill())
	other := l.link(t, c, l.httpSkill())
	old := lk.Tokens.RefreshToken
	rep, err := lk.DisableSkill(context.Background())
	if err != nil || !rep.Acknowledged || lk.IsLinked() || lk.Status.Code != "DISABLED_BY_USER" {
		t.Fatalf("DisableSkill: %v %+v, linked %v", err, rep, lk.IsLinked())
	}
	// The simulator's copy is gone; play Alexa trying the old token.
	probe := *other
	probe.Tokens.RefreshToken = old
	if ds, err := probe.Refresh(context.Background()); err == nil || !ds.Has(alexasim.CodeRefreshInvalidGrantUnlink) {
		t.Fatalf("the disabled link's refresh token still works: %v %v", err, codes(ds))
	}
	if ds, err := other.Refresh(context.Background()); err != nil {
		t.Fatalf("another link of the user broke: %v %v", err, codes(ds))
	}
}
