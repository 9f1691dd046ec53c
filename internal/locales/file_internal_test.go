package locales

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestLoadRejectsBrokenCatalogs: a catalog file that is not a JSON
// object of strings and plural objects, or whose plural object lacks
// "other" or names an unknown category, is an error, never a panic.
func TestLoadRejectsBrokenCatalogs(t *testing.T) {
	for name, file := range map[string]string{
		"not json":         `{"a": `,
		"number":           `{"a": 3}`,
		"no other":         `{"a": {"one": "{n} thing"}}`,
		"unknown category": `{"a": {"one": "{n} thing", "other": "{n} things", "several": "x"}}`,
		"nested object":    `{"a": {"other": {"x": "y"}}}`,
	} {
		_, err := loadAll(fstest.MapFS{"en.json": {Data: []byte(file)}}, Languages)
		if err == nil || !strings.Contains(err.Error(), "en.json") {
			t.Errorf("%s: err = %v, want an error naming en.json", name, err)
		}
	}
	if _, err := loadAll(fstest.MapFS{}, Languages); err == nil {
		t.Error("no English catalog: no error")
	}
	cs, err := loadAll(fstest.MapFS{
		"en.json": {Data: []byte(`{"a": {"one": "{n} thing", "other": "{n} things"}, "b": "100% {x}"}`)},
		"de.json": {Data: []byte(`{"a": {"one": "{n} Sache", "other": "{n} Sachen"}, "b": "100 % {x} {y}"}`)},
	}, Languages)
	if err != nil || len(cs) != 2 {
		t.Fatalf("loadAll = %d catalogs, %v", len(cs), err)
	}
	if got := cs[1].printer.Sprintf("b", "z"); got != "100 % z {y}" {
		t.Errorf("a placeholder English lacks = %q, want it left as written", got)
	}
}
