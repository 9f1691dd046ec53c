package mail

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// TextFromHTML renders an HTML message as the plain-text alternative of
// a mail: the text of the document without tags, comments, scripts and
// styles, entities decoded, a line break for each <br> and block
// element, and a link's address after its text when the two differ.
func TextFromHTML(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0 // inside <script> or <style>
	var href string
	linkStart := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return tidyText(b.String())
		case html.TextToken:
			if skip == 0 {
				writeText(&b, string(z.Text()))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch tag := string(name); tag {
			case "script", "style":
				skip++
			case "br":
				b.WriteByte('\n')
			case "a":
				href, linkStart = "", b.Len()
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "href" {
						href = string(v)
					}
				}
			default:
				if blockTags[tag] {
					b.WriteString("\n")
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch tag := string(name); tag {
			case "script", "style":
				if skip > 0 {
					skip--
				}
			case "a":
				if href != "" && strings.TrimSpace(b.String()[linkStart:]) != href {
					b.WriteString(" (" + href + ")")
				}
				href = ""
			default:
				if blockTags[tag] {
					b.WriteString("\n")
				}
			}
		}
	}
}

var blockTags = map[string]bool{
	"p": true, "div": true, "tr": true, "li": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "table": true, "ul": true, "ol": true, "blockquote": true,
}

// writeText appends text with its runs of white space as one space,
// keeping a space at either end where the text had one.
func writeText(b *strings.Builder, text string) {
	words := strings.Fields(text)
	if len(words) == 0 {
		if text != "" {
			b.WriteByte(' ')
		}
		return
	}
	if r, _ := utf8.DecodeRuneInString(text); unicode.IsSpace(r) {
		b.WriteByte(' ')
	}
	b.WriteString(strings.Join(words, " "))
	if r, _ := utf8.DecodeLastRuneInString(text); unicode.IsSpace(r) {
		b.WriteByte(' ')
	}
}

// tidyText trims each line and keeps at most one empty line in a row.
func tidyText(s string) string {
	var out []string
	blank := false
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			if !blank && len(out) > 0 {
				out = append(out, "")
			}
			blank = true
			continue
		}
		out = append(out, line)
		blank = false
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}
