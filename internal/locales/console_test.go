package locales_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/locales"
)

// TestConsoleCatalogs: every console language has a catalog with exactly
// the keys of English, filled, with English's placeholders and the
// language's plural forms.
func TestConsoleCatalogs(t *testing.T) {
	all := locales.ConsoleAll()
	if len(all) != len(locales.ConsoleLanguages) || all[0].Lang() != "en" {
		t.Fatalf("%d console catalogs, first %s; want %v", len(all), all[0].Lang(), locales.ConsoleLanguages)
	}
	en := all[0]
	for _, c := range all {
		if !slices.Equal(c.Keys(), en.Keys()) {
			t.Errorf("console/%s.json has the keys %v, en has %v", c.Lang(), c.Keys(), en.Keys())
		}
		for _, k := range c.Keys() {
			if !strings.HasPrefix(k, "console.") {
				t.Errorf("console/%s.json: %q does not start with console.", c.Lang(), k)
			}
			if strings.TrimSpace(c.Text(k)) == "" {
				t.Errorf("console/%s.json: %q is empty", c.Lang(), k)
			}
			if got, want := c.Placeholders(k), en.Placeholders(k); !slices.Equal(got, want) {
				t.Errorf("console/%s.json: %q has placeholders %v, en has %v", c.Lang(), k, got, want)
			}
			if en.IsPlural(k) {
				if got, want := c.Forms(k), c.PluralCategories(); !slices.Equal(got, want) {
					t.Errorf("console/%s.json: %q has the plural forms %v, the language has %v", c.Lang(), k, got, want)
				}
			}
		}
	}
	if got := locales.ConsoleMatch("zh-Hans-CN,zh;q=0.9").T("console.mail.pending", "n", 3); got != "3 封邮件等待发送。" {
		t.Errorf("Chinese plural: %q", got)
	}
	if got := locales.ConsoleMatch("de-DE,de;q=0.9").Lang(); got != "en" {
		t.Errorf("German falls back to %s, want en", got)
	}
}

// TestConsoleKeysAreUsedAndKnown: every key of the console catalogs is
// named by the console's code or templates, and every console key they
// name is in the catalogs.
func TestConsoleKeysAreUsedAndKnown(t *testing.T) {
	var src strings.Builder
	err := filepath.WalkDir("../console", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") {
			return err
		}
		if strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".html") {
			b, err := os.ReadFile(path)
			src.Write(b)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all := src.String()
	en := locales.ConsoleAll()[0]
	for _, k := range en.Keys() {
		if !strings.Contains(all, `"`+k+`"`) {
			t.Errorf("%q is in the console catalogs but the console never uses it", k)
		}
	}
	for _, m := range regexp.MustCompile(`"(console\.[a-z_]+\.[a-z_.]+|console\.[a-z_]+)"`).FindAllStringSubmatch(all, -1) {
		if !en.Has(m[1]) {
			t.Errorf("the console uses %q, which console/en.json lacks", m[1])
		}
	}
}
