package alexasim_test

import (
	"context"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/pool"
)

// TestCheckWithoutIDTokenOnRefresh: with the client's ID token on refresh
// turned off, as `init alexa` creates it, the whole checklist passes
// against the SmartLamp skill (five refreshes, each new access token
// answering a directive, the unlink) and the informational item says the
// refresh responses carried no ID token.
func TestCheckWithoutIDTokenOnRefresh(t *testing.T) {
	for _, rotation := range []bool{false, true} {
		l := newLab(t, labOptions{rotation: rotation})
		c, err := l.app.Admin.UpdateUserPoolClient(context.Background(), l.pool.ID, l.client.ID, func(c *pool.Client) { c.IDTokenOnRefresh = false })
		if err != nil || c.IDTokenOnRefresh {
			t.Fatalf("switch off: %v, %v", c.IDTokenOnRefresh, err)
		}
		rep, err := alexasim.Check(context.Background(), alexasim.CheckOptions{
			Console: l.console(alexasim.RegionNA, alexasim.SchemeHTTPBasic, true), Username: username, Password: userPassword,
			Env: l.env(l.httpSkill()), Gateway: l.gwSrv.URL, SkillName: "SmartLamp",
		})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK {
			t.Fatalf("rotation=%v: checklist failed: %+v", rotation, rep.Items)
		}
		for _, it := range rep.Items {
			want := alexasim.Pass
			switch it.ID {
			case alexasim.CheckHTTPS:
				want = alexasim.Warn // loopback
			case alexasim.CheckIDTokenOnRefresh:
				want = alexasim.Info
			}
			if it.Status != want {
				t.Errorf("rotation=%v: %s: %s (%s), want %s", rotation, it.ID, it.Status, it.Reason, want)
			}
		}
		if it, _ := rep.Item(alexasim.CheckRefresh); !strings.Contains(it.Reason, "(5 directives)") {
			t.Errorf("rotation=%v: refresh reason %q", rotation, it.Reason)
		}
		if it, _ := rep.Item(alexasim.CheckIDTokenOnRefresh); !strings.HasPrefix(it.Reason, "none of ") {
			t.Errorf("rotation=%v: ID token item %q", rotation, it.Reason)
		}
	}
}
