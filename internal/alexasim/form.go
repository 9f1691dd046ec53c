package alexasim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/linkpool/linkpool/internal/tracing"
)

// DefaultUserAgent is the User-Agent of form sign-in: a phone's web view.
const DefaultUserAgent = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.0.0 Mobile Safari/537.36 linkpool-alexasim"

// maxPageSize bounds a login page read by form sign-in.
const maxPageSize = 2 << 20

// maxSignInSteps bounds the pages of one sign-in (a two-step sign-in
// plus an error page).
const maxSignInSteps = 6

// FormSignIn signs in by filling the login page's form over HTTP, the way
// the Alexa app's web view would, on any authorization server: it follows
// redirects with a cookie jar, finds the form with a password input, fills
// the username (the input named username, email or login, else the text
// or email input before the password) and the password, keeps hidden
// inputs such as CSRF tokens, and submits with the Origin and
// Sec-Fetch-Site headers of a same-origin form post. A form with only a
// username field is submitted first (two-step sign-in).
//
// It cannot run JavaScript, so pop-up windows and alerts are detected
// only as far as inline scripts show them; use the browser strategy for
// pages that need scripts.
type FormSignIn struct {
	Username string
	Password string
	// Lang is sent as Accept-Language (default "en-US").
	Lang string
	// UserAgent defaults to DefaultUserAgent.
	UserAgent string
	// IdentityProvider, when set, signs in through that identity provider
	// of the login page instead of its own form: the first page's link
	// for the provider (a "Continue with ..." button: data-provider, or an
	// identity_provider parameter, naming it) is followed, and from then
	// on the provider's pages are played as any login page: redirects are
	// followed, an auto-submitting form of hidden fields (Apple's
	// form_post, a SAML HTTP-POST binding) is posted, and a sign-in form
	// (a linkpool pool as the upstream provider) is filled with Username
	// and Password.
	IdentityProvider string

	// probe stops at the first page: it only checks that the authorization
	// request reaches a sign-in form.
	probe bool
}

// SignIn runs the form sign-in.
func (f FormSignIn) SignIn(ctx context.Context, req SignInRequest) (*SignInResult, error) {
	authURL, err := url.Parse(req.AuthURL)
	if err != nil {
		return nil, fmt.Errorf("alexasim: authorization URL: %w", err)
	}
	expected, _ := url.Parse(req.RedirectURI)
	jar, _ := cookiejar.New(nil)
	var exit *url.URL
	client := &http.Client{
		Transport: req.Transport,
		Jar:       jar,
		CheckRedirect: func(r *http.Request, via []*http.Request) error {
			if isExit(r.URL, expected, authURL) {
				exit = r.URL
				return http.ErrUseLastResponse
			}
			if len(via) >= 10 {
				return fmt.Errorf("stopped after 10 redirects")
			}
			return nil
		},
	}
	allowed := allowedHosts(authURL, req.DomainList)
	res := &SignInResult{}
	if isExit(authURL, expected, nil) {
		res.Redirect = authURL
		return res, nil
	}
	next, err := f.newRequest(ctx, http.MethodGet, authURL, nil, nil)
	if err != nil {
		return nil, err
	}
	submittedPassword, submittedUsername := false, false
	// viaProvider is the provider button's URL once it was followed;
	// autoPosts counts the provider's auto-submitting forms posted.
	var viaProvider *url.URL
	autoPosts := 0
	for step := 0; step < maxSignInSteps; step++ {
		exit = nil
		resp, err := client.Do(next)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			code := CodeSignInFailed
			if step == 0 {
				code = CodeRedirectURINotAccepted
			}
			res.Diagnoses = append(res.Diagnoses, newDiagnosis(code, "the login page could not be loaded: "+transportError(err)))
			return res, nil
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxPageSize))
		resp.Body.Close()
		if exit != nil {
			res.Redirect = exit
			return res, nil
		}
		pageAllowed := allowed
		if viaProvider != nil {
			// The provider's own pages may load from the provider's host.
			pageAllowed = withHost(allowed, resp.Request.URL)
		}
		page := inspectPage(resp, body, pageAllowed)
		res.Pages = append(res.Pages, page.report)
		form := page.form
		if f.IdentityProvider != "" && viaProvider == nil && !f.probe {
			href, ok := page.providers[f.IdentityProvider]
			if !ok {
				res.Diagnoses = append(res.Diagnoses, newDiagnosis(CodeSignInFailed, noProviderButton(page.report, f.IdentityProvider)))
				return res, nil
			}
			target, err := resp.Request.URL.Parse(href)
			if err != nil || (target.Scheme != "https" && target.Scheme != "http") {
				res.Diagnoses = append(res.Diagnoses, newDiagnosis(CodeSignInFailed, fmt.Sprintf("the link for the identity provider %s is not an http(s) URL", f.IdentityProvider)))
				return res, nil
			}
			viaProvider = target
			if next, err = f.newRequest(ctx, http.MethodGet, target, nil, resp.Request.URL); err != nil {
				return nil, err
			}
			next.Header.Del("Origin") // a link, not a form post
			continue
		}
		if f.probe {
			// A page with only "Continue with ..." buttons signs in too.
			if form == nil && len(page.providers) == 0 {
				res.Diagnoses = append(res.Diagnoses, newDiagnosis(CodeRedirectURINotAccepted, notALoginPage(page.report, req.RedirectURI)))
			}
			return res, nil
		}
		if viaProvider != nil && form == nil && page.autoPost != nil && autoPosts < 2 {
			// The browser submits the provider's form_post page on load.
			autoPosts++
			if next, err = f.submit(ctx, resp.Request.URL, page.autoPost, page.autoPost.fill("", "")); err != nil {
				res.Diagnoses = append(res.Diagnoses, newDiagnosis(CodeSignInFailed, err.Error()))
				return res, nil
			}
			continue
		}
		switch {
		case viaProvider != nil && (form == nil || (form.kind == "username" && submittedUsername)) && !submittedPassword:
			res.Diagnoses = append(res.Diagnoses, newDiagnosis(CodeSignInFailed, fmt.Sprintf(
				"after the %s button was followed, %s answered HTTP %d%s without a form and without redirecting to Alexa",
				f.IdentityProvider, page.report.URL, page.report.Status, errorSuffix(page.report.ErrorText))))
			return res, nil
		case viaProvider != nil && form != nil && f.Username == "" && !submittedPassword && !submittedUsername:
			res.Diagnoses = append(res.Diagnoses, newDiagnosis(CodeSignInFailed, fmt.Sprintf(
				"the identity provider %s shows a sign-in form at %s; give the user's username and password for it", f.IdentityProvider, page.report.URL)))
			return res, nil
		case form == nil || (form.kind == "username" && submittedUsername):
			if !submittedPassword && !submittedUsername {
				res.Diagnoses = append(res.Diagnoses, newDiagnosis(CodeRedirectURINotAccepted, notALoginPage(page.report, req.RedirectURI)))
			} else {
				res.Diagnoses = append(res.Diagnoses, newDiagnosis(CodeSignInFailed, fmt.Sprintf(
					"after the form was submitted, %s answered HTTP %d%s without a form and without redirecting to Alexa",
					page.report.URL, page.report.Status, errorSuffix(page.report.ErrorText))))
			}
			return res, nil
		case form.kind == "password" && submittedPassword:
			res.Diagnoses = append(res.Diagnoses, newDiagnosis(CodeSignInFailed,
				"sign-in failed: the login page came back"+errorSuffix(page.report.ErrorText)))
			return res, nil
		}
		values := form.fill(f.Username, f.Password)
		if form.kind == "password" {
			submittedPassword = true
		} else {
			submittedUsername = true
		}
		next, err = f.submit(ctx, resp.Request.URL, form, values)
		if err != nil {
			res.Diagnoses = append(res.Diagnoses, newDiagnosis(CodeSignInFailed, err.Error()))
			return res, nil
		}
	}
	res.Diagnoses = append(res.Diagnoses, newDiagnosis(CodeSignInFailed, fmt.Sprintf("no redirect to Alexa after %d pages", maxSignInSteps)))
	return res, nil
}

func errorSuffix(text string) string {
	if text == "" {
		return ""
	}
	return fmt.Sprintf(" with the message %q", clip(text, 200))
}

// noProviderButton explains a login page without the link of the
// identity provider the user signs in with.
func noProviderButton(p PageReport, name string) string {
	msg := fmt.Sprintf("the login page %s (HTTP %d) has no button for the identity provider %s", p.URL, p.Status, name)
	if len(p.Providers) > 0 {
		msg += " (it offers " + strings.Join(p.Providers, ", ") + ")"
	} else {
		msg += " (it offers none)"
	}
	return msg + "; does the app client list it in its identity providers?"
}

// withHost returns allowed plus u's host.
func withHost(allowed map[string]bool, u *url.URL) map[string]bool {
	m := make(map[string]bool, len(allowed)+1)
	for h := range allowed {
		m[h] = true
	}
	m[strings.ToLower(u.Hostname())] = true
	return m
}

// notALoginPage explains why the first page is taken for a refusal of the
// authorization request.
func notALoginPage(p PageReport, redirectURI string) string {
	msg := fmt.Sprintf("the authorization request with redirect_uri %s ended on %s with HTTP %d and no sign-in form", redirectURI, p.URL, p.Status)
	if p.Title != "" {
		msg += fmt.Sprintf(" (page title %q)", clip(p.Title, 80))
	}
	msg += errorSuffix(p.ErrorText)
	return msg + "; is this redirect URL registered?"
}

// isExit reports whether a navigation target leaves the login flow: the
// expected Alexa redirect URL, any Alexa redirect host, or a URL on
// another host than the authorization server carrying code or error (a
// redirect to a federated identity provider carries neither and is
// followed).
func isExit(u, expected, authURL *url.URL) bool {
	if expected != nil && strings.EqualFold(u.Scheme, expected.Scheme) && strings.EqualFold(u.Host, expected.Host) && u.Path == expected.Path {
		return true
	}
	for _, r := range AllRegions() {
		if strings.EqualFold(u.Hostname(), r.Host()) {
			return true
		}
	}
	if authURL != nil && !strings.EqualFold(u.Host, authURL.Host) {
		q := u.Query()
		return q.Has("code") || q.Has("error")
	}
	return false
}

func (f FormSignIn) newRequest(ctx context.Context, method string, u *url.URL, body io.Reader, page *url.URL) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("alexasim: %w", err)
	}
	tracing.Inject(ctx, req.Header)
	ua := f.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	lang := f.Lang
	if lang == "" {
		lang = "en-US"
	}
	req.Header.Set("User-Agent", ua)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	req.Header.Set("Accept-Language", lang)
	req.Header.Set("Sec-Fetch-Mode", "navigate")
	req.Header.Set("Sec-Fetch-Dest", "document")
	if page == nil {
		req.Header.Set("Sec-Fetch-Site", "none")
	} else {
		// A form post as a browser sends it (Fetch Metadata; the Origin
		// header of RFC 6454 §7).
		req.Header.Set("Origin", page.Scheme+"://"+page.Host)
		if strings.EqualFold(u.Scheme, page.Scheme) && strings.EqualFold(u.Host, page.Host) {
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		} else {
			req.Header.Set("Sec-Fetch-Site", "cross-site")
		}
	}
	return req, nil
}

// submit builds the form submission request.
func (f FormSignIn) submit(ctx context.Context, page *url.URL, form *loginForm, values url.Values) (*http.Request, error) {
	action, err := page.Parse(form.action)
	if err != nil {
		return nil, fmt.Errorf("the login form's action %q is not a URL", form.action)
	}
	if action.Scheme != "https" && action.Scheme != "http" {
		return nil, fmt.Errorf("the login form's action %q is not an http(s) URL", form.action)
	}
	if form.method == http.MethodGet {
		action.RawQuery = values.Encode()
		return f.newRequest(ctx, http.MethodGet, action, nil, page)
	}
	req, err := f.newRequest(ctx, http.MethodPost, action, strings.NewReader(values.Encode()), page)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}

// allowedHosts are the hosts a login page may load content from.
func allowedHosts(authURL *url.URL, domains []string) map[string]bool {
	m := map[string]bool{strings.ToLower(authURL.Hostname()): true}
	for _, d := range domains {
		d = strings.TrimSpace(d)
		if u, err := url.Parse(d); err == nil && u.Host != "" {
			d = u.Hostname()
		}
		m[strings.ToLower(strings.TrimSuffix(d, "/"))] = true
	}
	return m
}

// loginPage is an inspected HTML page.
type loginPage struct {
	report PageReport
	form   *loginForm
	// providers maps the name of each identity provider the page links
	// to (see providerOf) to the link's href.
	providers map[string]string
	// autoPost is a POST form of hidden fields alone, such as the page an
	// identity provider answers with response_mode=form_post (Sign in
	// with Apple) or a SAML IdP's HTTP-POST binding, which a browser
	// submits on load.
	autoPost *loginForm
}

// loginForm is a sign-in form found on a page.
type loginForm struct {
	kind     string // "password" or "username"
	action   string
	method   string
	fields   []formField
	username string // name of the username field
	password string // name of the password field
}

type formField struct {
	name, value string
}

// fill returns the form's values with the credentials filled in.
func (lf *loginForm) fill(username, password string) url.Values {
	v := url.Values{}
	for _, fld := range lf.fields {
		switch fld.name {
		case lf.username:
			v.Add(fld.name, username)
		case lf.password:
			v.Add(fld.name, password)
		default:
			v.Add(fld.name, fld.value)
		}
	}
	return v
}

// inspectPage parses an HTML page and reports on it.
func inspectPage(resp *http.Response, body []byte, allowed map[string]bool) loginPage {
	p := loginPage{report: PageReport{URL: redactURL(resp.Request.URL.String()), Status: resp.StatusCode}}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt != "" && mt != "text/html" && mt != "application/xhtml+xml" {
		return p
	}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return p
	}
	base := resp.Request.URL
	var forms []*html.Node
	var errorTexts []string
	var walk func(n *html.Node, inError bool)
	walk = func(n *html.Node, inError bool) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Title:
				if p.report.Title == "" {
					p.report.Title = textOf(n)
				}
			case atom.Meta:
				if strings.EqualFold(attr(n, "name"), "viewport") && strings.Contains(strings.ToLower(attr(n, "content")), "width=device-width") {
					p.report.Viewport = true
				}
			case atom.Script:
				if src := attr(n, "src"); src != "" {
					p.checkResource(base, src, allowed)
				} else if uses := popupUses(textOf(n)); len(uses) > 0 {
					p.report.Popups = append(p.report.Popups, uses...)
				}
			case atom.Link:
				if href := attr(n, "href"); href != "" && loadsContent(attr(n, "rel")) {
					p.checkResource(base, href, allowed)
				}
			case atom.Img, atom.Iframe, atom.Source, atom.Video, atom.Audio, atom.Embed:
				if src := attr(n, "src"); src != "" {
					p.checkResource(base, src, allowed)
				}
			case atom.Form:
				forms = append(forms, n)
			case atom.A:
				if name := providerOf(n, base); name != "" {
					if p.providers == nil {
						p.providers = map[string]string{}
					}
					if _, dup := p.providers[name]; !dup {
						p.providers[name] = attr(n, "href")
						p.report.Providers = append(p.report.Providers, name)
					}
				}
			case atom.Style:
				return
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					p.report.Popups = append(p.report.Popups, popupUses(a.Val)...)
				}
			}
			if !inError && isErrorElement(n) {
				inError = true
				if t := textOf(n); t != "" {
					errorTexts = append(errorTexts, t)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inError)
		}
	}
	walk(doc, false)
	p.report.ErrorText = strings.Join(errorTexts, " ")
	for _, fn := range forms {
		if lf := parseForm(fn); lf != nil && (p.form == nil || lf.kind == "password") {
			p.form = lf
		} else if lf == nil && p.autoPost == nil {
			p.autoPost = hiddenPostForm(fn)
		}
	}
	if p.form != nil {
		p.report.Form = p.form.kind
	}
	return p
}

// providerOf returns the identity provider a link signs in with: its
// data-provider attribute (linkpool's hosted pages), else the
// identity_provider parameter of its href (any Cognito-style
// authorization link); "" for other links.
func providerOf(a *html.Node, base *url.URL) string {
	href := attr(a, "href")
	if href == "" {
		return ""
	}
	if name := strings.TrimSpace(attr(a, "data-provider")); name != "" {
		return name
	}
	u, err := base.Parse(strings.TrimSpace(href))
	if err != nil {
		return ""
	}
	return u.Query().Get("identity_provider")
}

func (p *loginPage) checkResource(base *url.URL, ref string, allowed map[string]bool) {
	u, err := base.Parse(strings.TrimSpace(ref))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return // data:, blob: and unparsable references load nothing from a host
	}
	if !allowed[strings.ToLower(u.Hostname())] {
		p.report.ForeignResources = append(p.report.ForeignResources, redactURL(u.String()))
	}
}

// loadsContent reports whether a <link rel> loads content into the page.
func loadsContent(rel string) bool {
	for _, r := range strings.Fields(strings.ToLower(rel)) {
		switch r {
		case "stylesheet", "icon", "preload", "modulepreload", "apple-touch-icon", "manifest":
			return true
		}
	}
	return false
}

// popupUses lists pop-up calls in script text.
func popupUses(script string) []string {
	var out []string
	for _, s := range []string{"alert(", "confirm(", "prompt(", "window.open"} {
		if strings.Contains(script, s) {
			out = append(out, s)
		}
	}
	return out
}

// isErrorElement reports elements that carry visible error text.
func isErrorElement(n *html.Node) bool {
	if strings.EqualFold(attr(n, "role"), "alert") {
		return true
	}
	for _, k := range []string{"id", "class"} {
		if strings.Contains(strings.ToLower(attr(n, k)), "error") {
			return n.DataAtom != atom.Input && n.DataAtom != atom.Form
		}
	}
	return false
}

// parseForm reads a <form>: it is a password form when it has a password
// input, a username form when it has a single text or email input that
// looks like a username.
func parseForm(fn *html.Node) *loginForm {
	lf := &loginForm{action: attr(fn, "action"), method: strings.ToUpper(attr(fn, "method"))}
	if lf.method != http.MethodPost {
		lf.method = http.MethodGet
	}
	var lastText, namedUser string
	var submitted bool
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			name := attr(n, "name")
			switch n.DataAtom {
			case atom.Input:
				typ := strings.ToLower(attr(n, "type"))
				if name == "" || hasAttr(n, "disabled") {
					break
				}
				switch typ {
				case "password":
					if lf.password == "" {
						lf.password = name
						lf.username = lastText
						lf.fields = append(lf.fields, formField{name: name})
					}
				case "", "text", "email", "tel":
					lastText = name
					if namedUser == "" && looksLikeUsername(name) {
						namedUser = name
					}
					lf.fields = append(lf.fields, formField{name, attr(n, "value")})
				case "checkbox", "radio":
					if hasAttr(n, "checked") {
						v := attr(n, "value")
						if v == "" {
							v = "on"
						}
						lf.fields = append(lf.fields, formField{name, v})
					}
				case "submit", "image":
					if !submitted {
						submitted = true
						lf.fields = append(lf.fields, formField{name, attr(n, "value")})
					}
				case "button", "reset", "file":
				default: // hidden and other value inputs
					lf.fields = append(lf.fields, formField{name, attr(n, "value")})
				}
			case atom.Button:
				typ := strings.ToLower(attr(n, "type"))
				if (typ == "" || typ == "submit") && !submitted {
					submitted = true
					if name != "" {
						lf.fields = append(lf.fields, formField{name, attr(n, "value")})
					}
				}
			case atom.Select:
				if name != "" {
					lf.fields = append(lf.fields, formField{name, selectedOption(n)})
				}
				return
			case atom.Textarea:
				if name != "" {
					lf.fields = append(lf.fields, formField{name, textOf(n)})
				}
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(fn)
	if namedUser != "" {
		lf.username = namedUser
	}
	switch {
	case lf.password != "":
		lf.kind = "password"
	case namedUser != "":
		lf.kind = "username"
		lf.username = namedUser
	default:
		return nil
	}
	return lf
}

// hiddenPostForm reads a POST form that has hidden inputs and no other
// input a user would fill; nil for any other form.
func hiddenPostForm(fn *html.Node) *loginForm {
	if !strings.EqualFold(attr(fn, "method"), http.MethodPost) {
		return nil
	}
	lf := &loginForm{action: attr(fn, "action"), method: http.MethodPost}
	visible := false
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Input:
				switch strings.ToLower(attr(n, "type")) {
				case "hidden":
					if name := attr(n, "name"); name != "" {
						lf.fields = append(lf.fields, formField{name, attr(n, "value")})
					}
				case "submit", "button", "image":
				default:
					visible = true
				}
			case atom.Select, atom.Textarea:
				visible = true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(fn)
	if visible || len(lf.fields) == 0 {
		return nil
	}
	return lf
}

func looksLikeUsername(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{"user", "email", "login", "identifier", "account"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

func selectedOption(sel *html.Node) string {
	first, found := "", false
	var walk func(n *html.Node) (string, bool)
	walk = func(n *html.Node) (string, bool) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Option {
			v := attr(n, "value")
			if !hasAttr(n, "value") {
				v = textOf(n)
			}
			if !found {
				first, found = v, true
			}
			if hasAttr(n, "selected") {
				return v, true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if v, ok := walk(c); ok {
				return v, true
			}
		}
		return "", false
	}
	if v, ok := walk(sel); ok {
		return v
	}
	return first
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return true
		}
	}
	return false
}

// textOf returns the text content of n with whitespace collapsed.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}
