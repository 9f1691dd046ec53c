package deploy

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	binDir   string
	binOnce  sync.Once
	binPath  string
	binError error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildLinkpool builds cmd/linkpool once for the package's tests and
// returns its path. The tests skip under -short, as the build takes
// longer than a unit test may.
func buildLinkpool(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds linkpool (skipped with -short)")
	}
	binOnce.Do(func() {
		binDir, binError = os.MkdirTemp("", "linkpool-deploy-")
		if binError != nil {
			return
		}
		binPath = filepath.Join(binDir, "linkpool")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/linkpool/linkpool/cmd/linkpool").CombinedOutput()
		if err != nil {
			binError = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binError != nil {
		t.Fatal(binError)
	}
	return binPath
}
