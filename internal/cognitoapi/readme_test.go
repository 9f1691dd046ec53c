package cognitoapi_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/cognitoapi"
)

var actionRow = regexp.MustCompile("^\\| `([A-Za-z]+)` \\| (yes|no) \\| (read|write) \\|")

// TestSupportedActionsDocumented checks README.md's table of supported
// actions against the dispatch table, both ways, with each action's
// signing and access columns.
func TestSupportedActionsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n### Supported actions\n")
	if !ok {
		t.Fatal(`README.md has no "### Supported actions" section`)
	}
	if i := strings.Index(section, "\n#"); i >= 0 {
		section = section[:i]
	}
	documented := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		m := actionRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		name := m[1]
		if documented[name] {
			t.Errorf("%s listed twice", name)
		}
		documented[name] = true
		a, ok := cognitoapi.Actions[name]
		if !ok {
			t.Errorf("README lists %s, which the API does not serve", name)
			continue
		}
		if (m[2] == "yes") != a.SigV4 || (m[3] == "write") != a.Write {
			t.Errorf("README says %s is signed=%s access=%s; the dispatch table says SigV4=%v Write=%v", name, m[2], m[3], a.SigV4, a.Write)
		}
	}
	var missing []string
	for name := range cognitoapi.Actions {
		if !documented[name] {
			missing = append(missing, name)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("actions served but missing from README's table: %v", missing)
	}
}
