package locales_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/locales"
)

// TestCatalogsHaveTheSameKeys fails for every key a catalog lacks or has
// beyond English, the reference.
func TestCatalogsHaveTheSameKeys(t *testing.T) {
	all := locales.All()
	ref := all[0].Keys()
	if all[0].Lang() != "en" || len(ref) < 100 {
		t.Fatalf("the first catalog is %s with %d keys, want English with all of them", all[0].Lang(), len(ref))
	}
	for _, c := range all[1:] {
		keys := c.Keys()
		for _, k := range ref {
			if !slices.Contains(keys, k) {
				t.Errorf("%s.json lacks %q", c.Lang(), k)
			}
		}
		for _, k := range keys {
			if !slices.Contains(ref, k) {
				t.Errorf("%s.json has %q, which en.json lacks", c.Lang(), k)
			}
		}
	}
}

// TestCatalogMessagesAreFilledAndPlaceholdersAgree fails for an empty
// message and for a message whose placeholders differ from English.
func TestCatalogMessagesAreFilledAndPlaceholdersAgree(t *testing.T) {
	en := locales.Default()
	for _, c := range locales.All() {
		for _, k := range c.Keys() {
			if strings.TrimSpace(c.Text(k)) == "" {
				t.Errorf("%s: %q is empty", c.Lang(), k)
			}
			if got, want := c.Placeholders(k), en.Placeholders(k); !slices.Equal(got, want) {
				t.Errorf("%s: %q has placeholders %v, en has %v", c.Lang(), k, got, want)
			}
		}
	}
}

// TestPluralFormsAreComplete fails when a message English writes in
// plural forms is plain in another catalog or lacks (or has beyond) one
// of the CLDR plural categories of that catalog's language.
func TestPluralFormsAreComplete(t *testing.T) {
	en := locales.Default()
	plurals := 0
	for _, k := range en.Keys() {
		if !en.IsPlural(k) {
			continue
		}
		plurals++
		if !slices.Contains(en.Placeholders(k), "n") {
			t.Errorf("en: plural message %q has no {n} to select its form by", k)
		}
		for _, c := range locales.All() {
			if !c.Has(k) {
				continue // TestCatalogsHaveTheSameKeys reports it
			}
			if got, want := c.Forms(k), c.PluralCategories(); !slices.Equal(got, want) {
				t.Errorf("%s: %q has the plural forms %v, the language has %v", c.Lang(), k, got, want)
			}
		}
	}
	if plurals < 3 {
		t.Fatalf("English has %d plural messages, want the durations at least", plurals)
	}
	for _, c := range locales.All() {
		for _, k := range c.Keys() {
			if c.IsPlural(k) && !en.IsPlural(k) {
				t.Errorf("%s: %q has plural forms, en has a plain message", c.Lang(), k)
			}
		}
	}
}

// TestEveryKeyIsUsed fails for a key that no Go code and no template
// under internal/ names as a quoted literal ("page.login", {{.T
// "login.submit"}}): a message nobody sees.
func TestEveryKeyIsUsed(t *testing.T) {
	var src strings.Builder
	files := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		name := d.Name()
		if strings.HasSuffix(name, "_test.go") || !(strings.HasSuffix(name, ".go") || strings.HasSuffix(name, ".html") || strings.HasSuffix(name, ".txt")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		src.Write(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("read only %d source files; the scan is broken", files)
	}
	all := src.String()
	for _, k := range locales.Default().Keys() {
		if !strings.Contains(all, `"`+k+`"`) {
			t.Errorf("%q is in the catalogs but no code or template under internal/ uses it", k)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name  string
		prefs []string
		want  string
	}{
		{name: "nothing", prefs: nil, want: "en"},
		{name: "english", prefs: []string{"en"}, want: "en"},
		{name: "simplified chinese tag", prefs: []string{"zh-Hans"}, want: "zh-CN"},
		{name: "mainland chinese", prefs: []string{"zh-CN"}, want: "zh-CN"},
		{name: "accept-language header", prefs: []string{"zh-CN,zh;q=0.9,en;q=0.8"}, want: "zh-CN"},
		{name: "accept-language preferring english", prefs: []string{"en-GB,en;q=0.9,zh;q=0.8"}, want: "en"},
		{name: "first preference wins", prefs: []string{"en", "zh-CN"}, want: "en"},
		{name: "empty preference skipped", prefs: []string{"", "zh-CN"}, want: "zh-CN"},
		{name: "malformed preference skipped", prefs: []string{"!!", "zh"}, want: "zh-CN"},
		{name: "unsupported language skipped", prefs: []string{"ru", "zh-CN"}, want: "zh-CN"},
		{name: "unsupported only", prefs: []string{"ru"}, want: "en"},
		{name: "oversized header skipped", prefs: []string{strings.Repeat("zh-CN,", 100), "en"}, want: "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := locales.Match(tt.prefs...).Lang(); got != tt.want {
				t.Errorf("Match(%q) = %s, want %s", tt.prefs, got, tt.want)
			}
		})
	}
}

// TestMatchRegionalVariants pins the regional variants and other
// spellings to their catalogs, when that catalog is present.
func TestMatchRegionalVariants(t *testing.T) {
	for pref, want := range map[string]string{
		"en-US": "en", "en-GB": "en", "en-CA": "en", "en-AU": "en", "en-IN": "en",
		"de-DE": "de", "de-AT": "de", "de-CH": "de",
		"fr-FR": "fr", "fr-CA": "fr",
		"es-ES": "es", "es-MX": "es", "es-US": "es", "es-419": "es",
		"it-IT": "it", "ja-JP": "ja", "hi-IN": "hi", "ar-SA": "ar", "ar-AE": "ar", "nl-NL": "nl", "nl-BE": "nl",
		"id-ID": "id", "ko-KR": "ko",
		"pt-BR": "pt-BR", "pt": "pt-BR", "pt-PT": "pt-BR",
		"zh-CN": "zh-CN", "zh-Hans": "zh-CN", "zh": "zh-CN", "zh-SG": "zh-CN",
		"zh-TW": "zh-TW", "zh-Hant": "zh-TW", "zh-HK": "zh-TW", "zh-MO": "zh-TW", "zh-Hant-TW": "zh-TW",
	} {
		if locales.Exact(want) == nil {
			continue // not translated yet: TestEveryLanguageHasACatalog tells
		}
		if got := locales.Match(pref).Lang(); got != want {
			t.Errorf("Match(%q) = %s, want %s", pref, got, want)
		}
	}
	if _, ok := locales.Find("ru"); ok {
		t.Error(`Find("ru") reports a supported language`)
	}
}

// TestCognitoLangValues: every lang value of Cognito's managed login
// selects its own catalog.
func TestCognitoLangValues(t *testing.T) {
	for _, lang := range []string{"de", "en", "es", "fr", "id", "it", "ja", "ko", "pt-BR", "zh-CN", "zh-TW"} {
		if locales.Exact(lang) == nil {
			continue
		}
		if got := locales.Match(lang).Lang(); got != lang {
			t.Errorf("Match(%q) = %s", lang, got)
		}
	}
}

func TestDirection(t *testing.T) {
	for _, c := range locales.All() {
		want := "ltr"
		if c.Lang() == "ar" {
			want = "rtl"
		}
		if c.Dir() != want {
			t.Errorf("%s: Dir() = %s, want %s", c.Lang(), c.Dir(), want)
		}
	}
}

func TestT(t *testing.T) {
	en := locales.Exact("en")
	if en == nil || locales.Exact("zh-CN") == nil || locales.Exact("ru") != nil {
		t.Fatal("Exact does not find exactly en and zh-CN")
	}
	for _, tt := range []struct {
		got, want string
	}{
		{en.T("duration.hours", "n", 5), "5 hours"},
		{en.T("duration.hours", "n", "5"), "5 hours"},
		{en.T("duration.hours", "n", 1), "1 hour"},
		{en.T("hint.length", "n", 1500), "at least 1,500 characters"},
		{en.T("error.request_id", "id", "100%"), "Reference: 100%"},
		{en.T("error.unknown_client", "pool", "P", "client", "c1"), "No app with client id c1 is registered with P."},
		{en.T("no.such.key"), "no.such.key"},
		{en.T("error.request_id", "id"), "Reference: {id}"},
		{en.T("error.request_id"), "Reference: {id}"},
		{locales.Exact("zh-CN").T("duration.minutes", "n", 1), "1 分钟"},
		{en.T("duration.hours", "n", "many"), "many hours"},
		{en.T("login.submit", 42, "x", "odd"), "Sign in"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestWithOverrides(t *testing.T) {
	en := locales.Default()
	o := en.WithOverrides(map[string]string{"login.submit": "Enter", "error.request_id": "Ref. {id}", "no.such.key": "x"})
	if got := o.T("login.submit"); got != "Enter" {
		t.Errorf("override: %q", got)
	}
	if got := o.T("error.request_id", "id", "42"); got != "Ref. 42" {
		t.Errorf("override with placeholder: %q", got)
	}
	if o.Has("no.such.key") || o.T("login.forgot") != en.T("login.forgot") {
		t.Error("override changed what it should not")
	}
	if en.T("login.submit") != "Sign in" || en.WithOverrides(nil) != en {
		t.Error("the catalog itself changed")
	}
}

// TestEveryLanguageHasACatalog: each of Languages has its catalog file.
func TestEveryLanguageHasACatalog(t *testing.T) {
	for _, lang := range locales.Languages {
		if locales.Exact(lang) == nil {
			t.Errorf("internal/locales/%s.json is missing", lang)
		}
	}
	if len(locales.All()) != len(locales.Languages) {
		t.Errorf("%d catalogs for %d languages", len(locales.All()), len(locales.Languages))
	}
}

func TestDate(t *testing.T) {
	day := time.Date(2026, time.March, 4, 12, 0, 0, 0, time.UTC)
	for lang, want := range map[string]string{
		"en": "2026-03-04", "de": "04.03.2026", "ja": "2026/03/04", "ar": "٠٤\u200f/٠٣\u200f/٢٠٢٦", "ko": "2026. 03. 04.",
	} {
		if c := locales.Exact(lang); c != nil {
			if got := c.Date(day); got != want {
				t.Errorf("%s: Date = %q, want %q", lang, got, want)
			}
		}
	}
}

// TestRightToLeftIsolatesValues: values inserted into Arabic messages are
// bidi-isolated; numbers and left-to-right languages are left alone.
func TestRightToLeftIsolatesValues(t *testing.T) {
	ar := locales.Exact("ar")
	if ar == nil {
		t.Fatal("no Arabic catalog")
	}
	if got := ar.T("error.request_id", "id", "req-42"); !strings.Contains(got, "\u2068req-42\u2069") {
		t.Errorf("Arabic value not isolated: %q", got)
	}
	if got := ar.T("hint.length", "n", 8); strings.ContainsAny(got, "\u2068\u2069") {
		t.Errorf("Arabic number isolated: %q", got)
	}
	if got := locales.Default().T("error.request_id", "id", "req-42"); got != "Reference: req-42" {
		t.Errorf("English value changed: %q", got)
	}
}
