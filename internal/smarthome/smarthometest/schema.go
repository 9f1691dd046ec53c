package smarthometest

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// DataDir returns the directory holding Amazon's Smart Home schema and
// samples: $LINKPOOL_ALEXA_DATA, else ../shared/alexa next to the
// repository root. When it is missing the test fails under CI=true and is
// skipped otherwise.
func DataDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("LINKPOOL_ALEXA_DATA")
	if dir == "" {
		root, ok := repoRoot()
		if ok {
			dir = filepath.Join(root, "..", "shared", "alexa")
		}
	}
	if dir != "" {
		if st, err := os.Stat(filepath.Join(dir, "schema", "alexa_smart_home_message_schema.json")); err == nil && !st.IsDir() {
			return dir
		}
	}
	msg := "Alexa Smart Home schema and samples not found: set LINKPOOL_ALEXA_DATA or put them in ../shared/alexa next to the repository (looked in " + dir + ")"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// repoRoot walks up from this source file to the directory with go.mod.
func repoRoot() (string, bool) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", false
	}
	dir := filepath.Dir(file)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

var (
	schemaMu    sync.Mutex
	schemaCache = map[string]*jsonschema.Schema{}
)

// Schema compiles the Smart Home message schema once per test binary.
func Schema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	path := filepath.Join(DataDir(t), "schema", "alexa_smart_home_message_schema.json")
	schemaMu.Lock()
	defer schemaMu.Unlock()
	if s, ok := schemaCache[path]; ok {
		return s
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("schema: %v", err)
	}
	c := jsonschema.NewCompiler()
	const url = "https://schemas.linkpool.test/alexa_smart_home_message_schema.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatalf("schema: %v", err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compiling the schema: %v", err)
	}
	schemaCache[path] = s
	return s
}

// ValidateErr validates one message (a JSON document) against the schema.
func ValidateErr(t testing.TB, msg []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(msg))
	if err != nil {
		return err
	}
	return Schema(t).Validate(inst)
}

// Validate fails the test when msg does not validate.
func Validate(t testing.TB, msg []byte) {
	t.Helper()
	if err := ValidateErr(t, msg); err != nil {
		t.Errorf("message does not validate against the Smart Home schema: %v\n%s", err, msg)
	}
}
