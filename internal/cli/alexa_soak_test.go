package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/smarthome/smarthometest"
	"github.com/linkpool/linkpool/internal/soak"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

// soakEvents are the events every soak must hold, by their prefix.
var soakEvents = []string{
	"(a) signing-key rotation", "(a) signing-key rotation, second in a row",
	"(b) refresh response lost", "(c) instance killed mid-request", "(d) database outage", "(d) database back",
	"(e) password change", "(e) global sign-out", "(f) server restart",
}

// runSoak runs `alexa soak` with args and decodes its JSON report.
func runSoak(t *testing.T, wantCode int, args ...string) (*soak.Report, cmdResult) {
	t.Helper()
	h := newAdminHarness(t)
	schema := filepath.Join(smarthometest.DataDir(t), "schema", alexasim.SchemaFile)
	args = append([]string{"alexa", "soak", "--json", "--dir", t.TempDir(), "--alexa-schema", schema}, args...)
	r := h.run(args...)
	if r.code != wantCode {
		t.Fatalf("alexa soak: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, wantCode, r.stdout, r.stderr)
	}
	var rep soak.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, r.stdout)
	}
	return &rep, r
}

// checkSoak asserts that a soak held every event with the expected
// outcome, dropped no link unexpectedly, and ended the signed-out user's
// link, and only that one, as expected.
func checkSoak(t *testing.T, rep *soak.Report, instances int) {
	t.Helper()
	if !rep.OK() || rep.Unexpected != 0 || rep.FailedEvents != 0 || rep.Undisrupted != 0 {
		t.Errorf("soak failed: %+v", rep)
	}
	if rep.Instances != instances || rep.Simulated != 60*24*time.Hour {
		t.Errorf("%d instances over %v", rep.Instances, rep.Simulated)
	}
	for _, want := range soakEvents {
		found := false
		for _, e := range rep.Events {
			if strings.HasPrefix(e.Name, want) {
				found = true
				if !e.OK {
					t.Errorf("event %s: %s", e.Name, e.Outcome)
				}
			}
		}
		if !found {
			t.Errorf("no event %q in %+v", want, rep.Events)
		}
	}
	if len(rep.Unlinks) != 1 {
		t.Fatalf("unlinks %+v, want the signed-out user's only", rep.Unlinks)
	}
	if u := rep.Unlinks[0]; !u.Expected || u.Link != "link-2" || u.Code != alexasim.CodeRefreshInvalidGrantUnlink || !strings.HasPrefix(u.Why, "(e)") {
		t.Errorf("unlink %+v", u)
	}
	if rep.Rotations < 3 || rep.RotationsRefused != 1 || rep.LostResponses != 1 || rep.GarbageCollections < 59 {
		t.Errorf("rotations %d (refused %d), lost responses %d, collections %d", rep.Rotations, rep.RotationsRefused, rep.LostResponses, rep.GarbageCollections)
	}
	// A directive per link and hour; a refresh per link about every 55
	// minutes; the outage produced transient failures, which unlinked
	// nothing.
	if rep.Directives.OK < 3*60*24-10 || rep.Refreshes.OK < 3*60*24 || rep.Refreshes.Failed == 0 {
		t.Errorf("directives %+v, refreshes %+v", rep.Directives, rep.Refreshes)
	}
}

// TestAlexaSoakSQLite runs the CI variant of the soak on SQLite: 60
// simulated days with every event.
func TestAlexaSoakSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("soak test: -short")
	}
	rep, _ := runSoak(t, 0, "--duration", "60d")
	checkSoak(t, rep, 1)
}

// TestAlexaSoakPostgres runs it on PostgreSQL with two instances behind
// the front proxy.
func TestAlexaSoakPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("soak test: -short")
	}
	rep, _ := runSoak(t, 0, "--duration", "60d", "--postgres-url", pgtest.URL(t))
	if rep.Database != "PostgreSQL" {
		t.Errorf("database %s", rep.Database)
	}
	checkSoak(t, rep, 2)
}

// TestAlexaSoakFailsOnUnexpectedUnlink revokes a link's refresh token
// outside the schedule: the soak reports the unlink as unexpected and
// exits non-zero.
func TestAlexaSoakFailsOnUnexpectedUnlink(t *testing.T) {
	if testing.Short() {
		t.Skip("soak test: -short")
	}
	rep, r := runSoak(t, 1, "--duration", "14d", "--inject-unexpected-unlink")
	if rep.OK() || rep.Unexpected != 1 || !strings.Contains(r.stderr, "soak failed: 1 unexpected unlink") {
		t.Fatalf("report %+v\nstderr %s", rep, r.stderr)
	}
	for _, u := range rep.Unlinks {
		if !u.Expected && (u.Link != "link-3" || u.Code != alexasim.CodeRefreshInvalidGrantUnlink) {
			t.Errorf("unexpected unlink %+v", u)
		}
	}
}

// TestAlexaSoakUsage refuses what cannot be soaked before starting.
func TestAlexaSoakUsage(t *testing.T) {
	h := newAdminHarness(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--duration", "1h"}, "too short"},
		{[]string{"--duration", "3x"}, "--duration"},
		{[]string{"--duration", "0d"}, "--duration"},
		{[]string{"--links", "1"}, "links"},
		{[]string{"--instances", "2"}, "SQLite runs a single instance"},
		{[]string{"--postgres-url", "mysql://x"}, "postgres://"},
		{[]string{"--rotation-every", "1h"}, "a day or more"},
	} {
		h.fails(2, tc.want, append([]string{"alexa", "soak", "--dir", t.TempDir()}, tc.args...)...)
	}
}

func TestParseSpan(t *testing.T) {
	for in, want := range map[string]time.Duration{"60d": 60 * 24 * time.Hour, "3w": 21 * 24 * time.Hour, "8760h": 8760 * time.Hour} {
		if got, err := parseSpan(in); err != nil || got != want {
			t.Errorf("parseSpan(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "-1h", "d", "1.5w", "-2d"} {
		if _, err := parseSpan(in); err == nil {
			t.Errorf("parseSpan(%q) accepted", in)
		}
	}
}
