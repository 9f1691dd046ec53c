package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/apptest"
)

const unitPath = "../../deploy/linkpool.service"

// unitBinary is the binary the unit starts.
const unitBinary = "/usr/local/bin/linkpool"

// directives returns the unit's settings by section and key, with
// continuation lines joined.
func directives(t *testing.T, unit string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	section, cur := "", ""
	for _, line := range strings.Split(unit, "\n") {
		trimmed := strings.TrimSpace(line)
		if cur == "" && (trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";")) {
			continue
		}
		if cur == "" && strings.HasPrefix(trimmed, "[") {
			section = strings.Trim(trimmed, "[]")
			continue
		}
		if l, ok := strings.CutSuffix(trimmed, "\\"); ok {
			cur += l + " "
			continue
		}
		cur += trimmed
		k, v, ok := strings.Cut(cur, "=")
		if !ok {
			t.Fatalf("%s: %q is no key=value", unitPath, cur)
		}
		out[section+"."+k] = append(out[section+"."+k], strings.Join(strings.Fields(v), " "))
		cur = ""
	}
	return out
}

func requireSystemdAnalyze(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("systemd-analyze")
	if err != nil {
		apptest.Missing(t, "systemd-analyze not found: install the Debian package systemd to check deploy/linkpool.service")
	}
	return p
}

// verifiableCopy writes the unit to a temporary directory as
// linkpool.service with ExecStart's binary replaced by bin, and checks
// that nothing else differs.
func verifiableCopy(t *testing.T, unit, bin string) string {
	t.Helper()
	var lines []string
	replaced := 0
	for _, line := range strings.Split(unit, "\n") {
		if rest, ok := strings.CutPrefix(line, "ExecStart="+unitBinary+" "); ok {
			line = "ExecStart=" + bin + " " + rest
			replaced++
		}
		lines = append(lines, line)
	}
	if replaced != 1 {
		t.Fatalf("%s: %d ExecStart lines start %s, want 1", unitPath, replaced, unitBinary)
	}
	copied := strings.Join(lines, "\n")
	if strings.ReplaceAll(copied, "ExecStart="+bin+" ", "ExecStart="+unitBinary+" ") != unit {
		t.Fatal("the verified copy differs from the unit in more than ExecStart's binary")
	}
	p := filepath.Join(t.TempDir(), "linkpool.service")
	if err := os.WriteFile(p, []byte(copied), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// analyze runs systemd-analyze and returns its combined output.
func analyze(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(requireSystemdAnalyze(t), args...)
	// Without a running systemd there is no pager or manager to talk to.
	cmd.Env = append(os.Environ(), "SYSTEMD_PAGER=", "SYSTEMD_COLORS=0")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestSystemdUnit verifies deploy/linkpool.service with systemd-analyze,
// failing on any warning (verify exits 0 on unknown keys and bad values),
// rates its exposure and checks the hardening it must keep.
func TestSystemdUnit(t *testing.T) {
	bin := buildLinkpool(t)
	requireSystemdAnalyze(t)
	b, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	unit := string(b)
	p := verifiableCopy(t, unit, bin)

	out, err := analyze(t, "verify", "--man=no", p)
	if err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("systemd-analyze verify %s: %v\n%s", unitPath, err, out)
	}
	// The check above would see a mistake: a misspelt key and a bad value
	// are warnings.
	bad := verifiableCopy(t, unit, bin)
	broken := strings.Replace(unit, "ProtectSystem=strict", "ProtectSystem=strickt\nProtectSytem=strict", 1)
	if err := os.WriteFile(bad, []byte(strings.Replace(broken, "ExecStart="+unitBinary+" ", "ExecStart="+bin+" ", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _ := analyze(t, "verify", "--man=no", bad); !strings.Contains(out, "ProtectSytem") || !strings.Contains(out, "strickt") {
		t.Errorf("systemd-analyze verify did not report a misspelt key and a bad value:\n%s", out)
	}

	// Exposure 0 (locked down) to 10 (unprotected); the unit rates 1.5.
	out, err = analyze(t, "security", "--offline=true", "--threshold=20", p)
	if err != nil {
		t.Errorf("systemd-analyze security: exposure above 2.0 or failure: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Overall exposure level for linkpool.service") {
		t.Errorf("systemd-analyze security printed no rating:\n%s", out)
	}

	d := directives(t, unit)
	for key, want := range map[string]string{
		"Service.DynamicUser":             "yes",
		"Service.StateDirectory":          "linkpool",
		"Service.StateDirectoryMode":      "0700",
		"Service.ProtectSystem":           "strict",
		"Service.ProtectHome":             "yes",
		"Service.PrivateTmp":              "yes",
		"Service.PrivateDevices":          "yes",
		"Service.NoNewPrivileges":         "yes",
		"Service.CapabilityBoundingSet":   "CAP_NET_BIND_SERVICE",
		"Service.AmbientCapabilities":     "CAP_NET_BIND_SERVICE",
		"Service.RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
		"Service.MemoryDenyWriteExecute":  "yes",
		"Service.LockPersonality":         "yes",
		"Service.Restart":                 "on-failure",
		"Service.LoadCredential":          "master.key:/etc/linkpool/master.key",
		"Service.Environment":             "LINKPOOL_MASTER_KEY_FILE=%d/master.key",
		"Install.WantedBy":                "multi-user.target",
	} {
		if got := d[key]; !slices.Equal(got, []string{want}) {
			t.Errorf("%s: %s=%q, want %q", unitPath, key, got, want)
		}
	}
	if got := d["Service.SystemCallFilter"]; !slices.Contains(got, "@system-service") {
		t.Errorf("%s: SystemCallFilter=%q lacks @system-service", unitPath, got)
	}
	execStart := d["Service.ExecStart"]
	if len(execStart) != 1 {
		t.Fatalf("%s: ExecStart=%q", unitPath, execStart)
	}
	for _, want := range []string{unitBinary + " serve ", "--data /var/lib/linkpool", "--addr :443", "--acme-email ", "--admin-addr 127.0.0.1:9090"} {
		if !strings.Contains(execStart[0]+" ", want) {
			t.Errorf("%s: ExecStart %q lacks %q", unitPath, execStart[0], want)
		}
	}
	flags := serveFlags(t, bin)
	for _, m := range execFlagRe.FindAllStringSubmatch(execStart[0], -1) {
		if !flags[m[1]] {
			t.Errorf("%s: ExecStart passes --%s, which linkpool serve does not have", unitPath, m[1])
		}
	}
}

// execFlagRe finds the flags of a command line.
var execFlagRe = regexp.MustCompile(`(?:^|\s)--([a-z0-9-]+)`)
