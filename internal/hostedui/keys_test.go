package hostedui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/locales"
)

// TestTemplateKeysExist checks every key the page templates use against
// every catalog.
func TestTemplateKeysExist(t *testing.T) {
	pages, err := parsePages()
	if err != nil {
		t.Fatalf("parsePages: %v", err)
	}
	keys := templateKeys(pages)
	if len(keys) < 30 {
		t.Fatalf("found only %d template keys; the extraction is broken", len(keys))
	}
	for _, cat := range locales.All() {
		for _, k := range keys {
			if !cat.Has(k) {
				t.Errorf("%s lacks template key %q", cat.Lang(), k)
			}
		}
	}
}

// keyLiteral matches string literals of the catalogs' key namespaces.
var keyLiteral = regexp.MustCompile(`^(page|login|signup|hint|confirm|resend|forgot|reset|change|signed_in|link|form|notice|error|lang|passkeys|passkey)\.[a-z_.]+$`)

// TestCodeKeysExist checks every catalog key named in the package's Go
// code, so that no page shows a raw key.
func TestCodeKeysExist(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var keys []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && keyLiteral.MatchString(s) {
				keys = append(keys, s)
			}
			return true
		})
	}
	if len(keys) < 30 {
		t.Fatalf("found only %d keys in the code; the extraction is broken", len(keys))
	}
	for _, cat := range locales.All() {
		for _, k := range keys {
			if !cat.Has(k) {
				t.Errorf("%s lacks key %q used in the code", cat.Lang(), k)
			}
		}
	}
}
