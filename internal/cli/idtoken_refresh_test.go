package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestClientIDTokenOnRefreshFlag: `client create` keeps Cognito's default
// (an ID token on every refresh), --id-token-on-refresh=false turns it
// off, `client update` switches it either way, and `client show` prints
// it.
func TestClientIDTokenOnRefreshFlag(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()
	def := okJSON[clientJSON](h, "client", "create", "--pool", p.ID, "--name", "web")
	if !def.IDTokenOnRefresh {
		t.Fatal("client create: IDTokenOnRefresh off by default")
	}
	if show := h.ok("client", "show", "--client", def.ID); !strings.Contains(show, "IdTokenOnRefresh:") || !strings.Contains(showLine(show, "IdTokenOnRefresh"), "yes") {
		t.Fatalf("client show of a default client:\n%s", show)
	}
	off := okJSON[clientJSON](h, "client", "create", "--pool", p.ID, "--name", "skill", "--id-token-on-refresh=false")
	if off.IDTokenOnRefresh {
		t.Fatal("client create --id-token-on-refresh=false: still on")
	}
	if show := h.ok("client", "show", "--client", off.ID); !strings.Contains(showLine(show, "IdTokenOnRefresh"), "no") {
		t.Fatalf("client show of a client without ID token on refresh:\n%s", show)
	}
	if c := okJSON[clientJSON](h, "client", "update", "--client", off.ID, "--id-token-on-refresh"); !c.IDTokenOnRefresh {
		t.Fatal("client update --id-token-on-refresh: still off")
	}
	if c := okJSON[clientJSON](h, "client", "show", "--client", off.ID); !c.IDTokenOnRefresh {
		t.Fatal("client show after update: still off")
	}
	if c := okJSON[clientJSON](h, "client", "update", "--client", off.ID, "--id-token-on-refresh=false"); c.IDTokenOnRefresh {
		t.Fatal("client update --id-token-on-refresh=false: still on")
	}
	h.fails(2, "id-token-on-refresh", "client", "update", "--client", off.ID, "--id-token-on-refresh=maybe")
	if c := okJSON[clientJSON](h, "client", "show", "--client", off.ID); c.IDTokenOnRefresh {
		t.Fatal("a refused update changed the setting")
	}
}

// showLine returns the line of `client show` output that names field.
func showLine(out, field string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), field+":") {
			return l
		}
	}
	return ""
}

// TestAlexaAndDemoClientsSkipIDTokenOnRefresh: the clients of `init
// alexa` and of the demo (serve --demo) are created with the ID token
// left out of refresh responses.
func TestAlexaAndDemoClientsSkipIDTokenOnRefresh(t *testing.T) {
	h := newAdminHarness(t)
	h.env["LINKPOOL_PUBLIC_URL"] = "https://id.example.com"
	res := okJSON[alexaSetup](h, "init", "alexa", "--vendor-id", "M2AAAAAAAAAAAA")
	if c := okJSON[clientJSON](h, "client", "show", "--client", res.ClientID); c.IDTokenOnRefresh {
		t.Fatal("init alexa client: IDTokenOnRefresh on")
	}

	demo := newAdminHarness(t)
	var out bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &out, getenv: func(k string) string { return demo.env[k] }}
	st, err := prepareDemo(context.Background(), &storageFlags{data: demo.dir}, "http://127.0.0.1:8080", e)
	if err != nil {
		t.Fatalf("prepareDemo: %v\n%s", err, out.String())
	}
	for _, id := range []string{st.ClientID, st.LampsClient} {
		if c := okJSON[clientJSON](demo, "client", "show", "--client", id); c.IDTokenOnRefresh {
			t.Fatalf("demo client %s (%s): IDTokenOnRefresh on", id, c.Name)
		}
	}
}

// TestAlexaCheckReportsIDTokenOnRefresh: `alexa check` against the demo's
// Alexa client (created as `init alexa` creates it) passes and reports,
// as an informational item, that the refresh responses carry no ID token.
func TestAlexaCheckReportsIDTokenOnRefresh(t *testing.T) {
	l := newAlexaLab(t)
	r := l.h.run(append([]string{"alexa", "check"}, l.linkFl...)...)
	if r.code != 0 || !strings.Contains(r.stdout, ", 0 FAIL,") || !strings.Contains(r.stdout, "1 INFO") {
		t.Fatalf("check: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "INFO  ID token on refresh") || !strings.Contains(r.stdout, "none of 5 refresh responses carried an ID token") {
		t.Fatalf("check output lacks the ID token item:\n%s", r.stdout)
	}
}
