package alexasim_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/smarthome/smarthometest"
)

func TestFindSchema(t *testing.T) {
	data := smarthometest.DataDir(t)
	real := filepath.Join(data, "schema", alexasim.SchemaFile)
	empty := t.TempDir()
	// A working directory whose ../shared/alexa holds the schema.
	root := t.TempDir()
	repo := filepath.Join(root, "repo")
	if err := os.MkdirAll(filepath.Join(root, "shared", "alexa", "schema"), 0o755); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(real)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "shared", "alexa", "schema", alexasim.SchemaFile), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		explicit string
		env      string
		dir      string
		found    bool
		fails    bool
	}{
		{name: "flag", explicit: real, dir: empty, found: true},
		{name: "environment", env: real, dir: empty, found: true},
		{name: "next to the repository", dir: repo, found: true},
		{name: "nowhere", dir: empty},
		{name: "named but missing", explicit: filepath.Join(empty, "nope.json"), dir: repo, fails: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := alexasim.FindSchema(tc.explicit, func(k string) string {
				if k == alexasim.SchemaEnv {
					return tc.env
				}
				return ""
			}, tc.dir)
			if tc.fails {
				if !errors.Is(err, alexasim.ErrSchemaNotFound) {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err != nil || (s != nil) != tc.found {
				t.Fatalf("schema %v err %v", s, err)
			}
		})
	}
}

func TestSchemaCheck(t *testing.T) {
	s := loadSchema(t)
	good := `{"event":{"header":{"namespace":"Alexa","name":"ErrorResponse","payloadVersion":"3","messageId":"abc-1"},"payload":{"type":"INTERNAL_ERROR","message":"x"}}}`
	if st, _ := s.Check([]byte(good)); st != alexasim.SchemaValid {
		t.Fatalf("good message: %s", st)
	}
	st, detail := s.Check([]byte(strings.Replace(good, "INTERNAL_ERROR", "OOPS", 1)))
	if st != alexasim.SchemaInvalid || detail == "" {
		t.Fatalf("bad message: %s %q", st, detail)
	}
	var none *alexasim.Schema
	if st, _ := none.Check([]byte(good)); st != "skipped (schema not found)" {
		t.Fatalf("no schema: %s", st)
	}
	if err := none.Validate([]byte(good)); !errors.Is(err, alexasim.ErrSchemaNotFound) {
		t.Fatalf("no schema validated: %v", err)
	}
}
