package alexasim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// loginPageLook is what the localization and branding items read from
// the login page.
type loginPageLook struct {
	status          int
	htmlLang        string
	contentLanguage string
	text            string // title and visible text, whitespace collapsed
	logo            string // the first image that looks like a logo
}

// loginLocalizedBranded requests the login page in the user's language
// and checks that it answers in that language and shows the brand.
func (k *checker) loginLocalizedBranded(ctx context.Context) error {
	const (
		langTitle  = "login page localized in the user's language"
		brandTitle = "login page branded (name or logo)"
	)
	lang := k.o.Lang
	if lang == "" {
		lang = "en-US"
	}
	look, err := k.fetchLoginPage(ctx, lang)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		k.add(CheckLoginLocalized, langTitle, Skip, "the login page did not load: "+err.Error())
		k.add(CheckLoginBranded, brandTitle, Skip, "the login page did not load: "+err.Error())
		return nil
	}
	if look.status != http.StatusOK {
		reason := fmt.Sprintf("the login page answered HTTP %d", look.status)
		k.add(CheckLoginLocalized, langTitle, Skip, reason)
		k.add(CheckLoginBranded, brandTitle, Skip, reason)
		return nil
	}

	got, from := look.htmlLang, "<html lang>"
	if got == "" {
		got, from = look.contentLanguage, "Content-Language"
	}
	want := languageFamily(lang)
	switch fam := languageFamily(got); {
	case got == "":
		k.add(CheckLoginLocalized, langTitle, Warn, fmt.Sprintf("not localized for %s: the page declares no language (neither <html lang> nor Content-Language)", lang))
	case fam == want:
		k.add(CheckLoginLocalized, langTitle, Pass, fmt.Sprintf("asked for %s, the page answers in %s (%s)", lang, got, from))
	case fam == "en":
		k.add(CheckLoginLocalized, langTitle, Warn, fmt.Sprintf("not localized for %s: the page falls back to English (%s %s)", lang, from, got))
	default:
		k.add(CheckLoginLocalized, langTitle, Fail, fmt.Sprintf("asked for %s, the page answers in %s (%s), neither the user's language nor English", lang, got, from))
	}

	brand := strings.TrimSpace(k.o.Brand)
	if brand == "" {
		brand = strings.TrimSpace(k.o.SkillName)
	}
	switch {
	case brand != "" && strings.Contains(strings.ToLower(look.text), strings.ToLower(brand)):
		k.add(CheckLoginBranded, brandTitle, Pass, fmt.Sprintf("the page shows %q", brand))
	case look.logo != "":
		k.add(CheckLoginBranded, brandTitle, Pass, "the page shows a logo image ("+clip(look.logo, 80)+")")
	case brand == "":
		k.add(CheckLoginBranded, brandTitle, Warn, "no logo image on the page, and no brand name given to look for (--brand)")
	default:
		k.add(CheckLoginBranded, brandTitle, Warn, fmt.Sprintf("the page shows neither %q nor a logo image: users may not recognise whose sign-in it is", brand))
	}
	return nil
}

// fetchLoginPage follows the authorization request to the login page
// with Accept-Language lang, as the Alexa app's web view does.
func (k *checker) fetchLoginPage(ctx context.Context, lang string) (*loginPageLook, error) {
	c := k.o.Console
	authURL, err := authorizationURL(&c, c.RedirectURI(), randomToken(48), "")
	if err != nil {
		return nil, err
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Transport: k.o.Env.client().Transport, Jar: jar, Timeout: k.o.Env.skillTimeout()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", DefaultUserAgent)
	req.Header.Set("Accept-Language", lang)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	look := &loginPageLook{status: resp.StatusCode, contentLanguage: strings.TrimSpace(strings.Split(resp.Header.Get("Content-Language"), ",")[0])}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return look, nil
	}
	var text strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Html:
				look.htmlLang = strings.TrimSpace(attr(n, "lang"))
			case atom.Script, atom.Style, atom.Noscript:
				return
			case atom.Img:
				if look.logo == "" && looksLikeLogo(n) {
					look.logo = "<img src=" + attr(n, "src") + " alt=" + attr(n, "alt") + ">"
				}
			}
		}
		if n.Type == html.TextNode {
			text.WriteString(n.Data)
			text.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	look.text = strings.Join(strings.Fields(text.String()), " ")
	return look, nil
}

// looksLikeLogo reports whether an image names itself a logo (class, id,
// src or alt).
func looksLikeLogo(n *html.Node) bool {
	for _, k := range []string{"class", "id", "src", "alt"} {
		if strings.Contains(strings.ToLower(attr(n, k)), "logo") {
			return true
		}
	}
	return false
}

// languageFamily is the primary subtag of a BCP 47 tag, lower case
// ("zh" for zh-CN and zh-Hans).
func languageFamily(tag string) string {
	tag = strings.TrimSpace(tag)
	if i := strings.IndexAny(tag, "-_;"); i >= 0 {
		tag = tag[:i]
	}
	return strings.ToLower(tag)
}
