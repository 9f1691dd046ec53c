package locales_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/locales"
)

func TestCatalogsHaveTheSameKeys(t *testing.T) {
	all := locales.All()
	if len(all) != 2 {
		t.Fatalf("got %d catalogs, want en and zh-Hans", len(all))
	}
	ref := all[0].Keys()
	if len(ref) == 0 {
		t.Fatal("English catalog is empty")
	}
	for _, c := range all[1:] {
		keys := c.Keys()
		for _, k := range ref {
			if !slices.Contains(keys, k) {
				t.Errorf("%s lacks %q", c.Lang(), k)
			}
		}
		for _, k := range keys {
			if !slices.Contains(ref, k) {
				t.Errorf("%s has %q, which en lacks", c.Lang(), k)
			}
		}
	}
}

func TestCatalogMessagesAreFilledAndPlaceholdersAgree(t *testing.T) {
	en := locales.Default()
	for _, c := range locales.All() {
		for _, k := range c.Keys() {
			msg := c.T(k)
			if strings.TrimSpace(msg) == "" {
				t.Errorf("%s: %q is empty", c.Lang(), k)
			}
			if got, want := placeholders(msg), placeholders(en.T(k)); !slices.Equal(got, want) {
				t.Errorf("%s: %q has placeholders %v, en has %v", c.Lang(), k, got, want)
			}
		}
	}
}

func placeholders(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		out = append(out, s[i+1:i+j])
		s = s[i+j:]
	}
	slices.Sort(out)
	return out
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name  string
		prefs []string
		want  string
	}{
		{name: "nothing", prefs: nil, want: "en"},
		{name: "english", prefs: []string{"en"}, want: "en"},
		{name: "simplified chinese tag", prefs: []string{"zh-Hans"}, want: "zh-Hans"},
		{name: "mainland chinese", prefs: []string{"zh-CN"}, want: "zh-Hans"},
		{name: "accept-language header", prefs: []string{"zh-CN,zh;q=0.9,en;q=0.8"}, want: "zh-Hans"},
		{name: "accept-language preferring english", prefs: []string{"en-GB,en;q=0.9,zh;q=0.8"}, want: "en"},
		{name: "first preference wins", prefs: []string{"en", "zh-CN"}, want: "en"},
		{name: "empty preference skipped", prefs: []string{"", "zh-CN"}, want: "zh-Hans"},
		{name: "malformed preference skipped", prefs: []string{"!!", "zh"}, want: "zh-Hans"},
		{name: "unsupported language skipped", prefs: []string{"ja", "zh-CN"}, want: "zh-Hans"},
		{name: "unsupported only", prefs: []string{"ja"}, want: "en"},
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

// TestMatchTraditionalChineseFallsBackToEnglish protects readers of
// Traditional Chinese and of unlisted languages: only a match the matcher
// is sure of (High or Exact confidence) selects a catalog, so zh-TW,
// zh-Hant and zh-HK get English rather than Simplified Chinese, while
// Simplified Chinese and English variants still find theirs.
func TestMatchTraditionalChineseFallsBackToEnglish(t *testing.T) {
	for pref, want := range map[string]string{
		"zh-TW": "en", "zh-Hant": "en", "zh-HK": "en", "zh-Hant-TW": "en", "zh-TW,ja;q=0.5": "en",
		"zh-CN": "zh-Hans", "zh-Hans": "zh-Hans", "zh": "zh-Hans", "zh-SG": "zh-Hans", "zh-TW,zh;q=0.9": "zh-Hans",
		"de": "en", "en-IN": "en", "en-GB": "en",
	} {
		if got := locales.Match(pref).Lang(); got != want {
			t.Errorf("Match(%q) = %s, want %s", pref, got, want)
		}
	}
	if _, ok := locales.Find("zh-TW"); ok {
		t.Error(`Find("zh-TW") reports a supported language`)
	}
}

func TestT(t *testing.T) {
	en := locales.Exact("en")
	if en == nil || locales.Exact("zh-Hans") == nil || locales.Exact("fr") != nil {
		t.Fatal("Exact does not find exactly en and zh-Hans")
	}
	if got := en.T("duration.hours", "n", "5"); got != "5 hours" {
		t.Errorf("T with placeholder = %q", got)
	}
	if got := en.T("no.such.key"); got != "no.such.key" {
		t.Errorf("T(missing) = %q, want the key", got)
	}
	if got := en.T("duration.hours", "n"); got != "{n} hours" {
		t.Errorf("T with a dangling argument = %q", got)
	}
}
