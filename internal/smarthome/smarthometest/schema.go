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

// schemaFile is the message schema's name in both layouts DataDir reads.
const schemaFile = "alexa_smart_home_message_schema.json"

// DataDir returns the directory holding Amazon's Smart Home schema and
// samples, laid out as schema/, samples/<Interface>/ and
// samples/capability_evaluations/: $LINKPOOL_ALEXA_DATA, else
// ../shared/alexa next to the repository root. $LINKPOOL_ALEXA_DATA may
// also name a clone of Amazon's public repository
// (github.com/alexa-samples/alexa-smarthome, formerly
// github.com/alexa/alexa-smarthome), whose validation_schemas/,
// sample_messages/ and capability_evaluations/test_plans/ DataDir then
// presents in that layout. When neither is there the test fails under
// CI=true and is skipped otherwise, saying how to get the data.
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
		if isFile(filepath.Join(dir, "schema", schemaFile)) {
			return dir
		}
		if isFile(filepath.Join(dir, "validation_schemas", schemaFile)) {
			return upstreamView(t, dir)
		}
	}
	msg := "Amazon's Alexa Smart Home schema and samples are not part of this repository (looked in " + dir + "). " +
		"Clone https://github.com/alexa-samples/alexa-smarthome (formerly github.com/alexa/alexa-smarthome) " +
		"and set LINKPOOL_ALEXA_DATA to the clone, or put schema/ and samples/ in ../shared/alexa next to the repository " +
		"(CONTRIBUTING.md, \"Amazon's Smart Home schema\")"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// upstreamView returns a directory in DataDir's layout made of symbolic
// links into clone, a checkout of Amazon's alexa-smarthome repository.
func upstreamView(t testing.TB, clone string) string {
	t.Helper()
	view := t.TempDir()
	samples := filepath.Join(view, "samples")
	if err := os.Mkdir(samples, 0o755); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		filepath.Join(view, "schema"):                    filepath.Join(clone, "validation_schemas"),
		filepath.Join(samples, "capability_evaluations"): filepath.Join(clone, "capability_evaluations", "test_plans"),
	}
	entries, err := os.ReadDir(filepath.Join(clone, "sample_messages"))
	if err != nil {
		t.Fatalf("Alexa data in %s: %v", clone, err)
	}
	for _, e := range entries {
		links[filepath.Join(samples, e.Name())] = filepath.Join(clone, "sample_messages", e.Name())
	}
	for link, target := range links {
		abs, err := filepath.Abs(target)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(abs, link); err != nil {
			t.Fatal(err)
		}
	}
	return view
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
	path := filepath.Join(DataDir(t), "schema", schemaFile)
	// Each test sees its own view of a clone (upstreamView): key the cache
	// by the file behind the links.
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
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
