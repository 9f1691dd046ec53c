package account

import "testing"

func TestLooksLikeHTML(t *testing.T) {
	for s, want := range map[string]bool{
		"":                        false,
		"code {####}":             false,
		"a < b > c":               false,
		"<":                       false,
		"<p":                      false,
		"<p>":                     true,
		"x </b> y":                true,
		"<!-- c -->":              true,
		"<P>code":                 true,
		"1 <2 and <b":             false,
		"<b and later >":          true,
		"> before <b":             false,
		"your code is <b>{####}":  true,
		"plain {####} text, 3>2.": false,
	} {
		if got := looksLikeHTML(s); got != want {
			t.Errorf("looksLikeHTML(%q) = %v, want %v", s, got, want)
		}
	}
}
