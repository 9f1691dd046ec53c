package hostedui

import (
	"embed"
	"fmt"
	"html/template"
	"maps"
	"net/url"
	"strconv"
	"strings"
	"text/template/parse"

	"github.com/linkpool/linkpool/internal/locales"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageNames are the templates in templates/, each rendered inside
// layout.html with the shared parts.html.
var pageNames = []string{"login", "signup", "confirm", "resend", "forgot", "reset", "change", "message", "mfa", "logincode", "passkeys", "passkey"}

// parsePages parses every page once and checks that each catalog has
// every message key the templates use.
func parsePages() (map[string]*template.Template, error) {
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := template.New(name).ParseFS(templateFS, "templates/layout.html", "templates/parts.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("hostedui: parse %s: %w", name, err)
		}
		pages[name] = t
	}
	for _, key := range templateKeys(pages) {
		for _, cat := range locales.All() {
			if !cat.Has(key) {
				return nil, fmt.Errorf("hostedui: catalog %s lacks %q", cat.Lang(), key)
			}
		}
	}
	return pages, nil
}

// templateKeys returns the literal message keys of {{.T "key" ...}} and
// {{$.T "key" ...}} actions in the pages.
func templateKeys(pages map[string]*template.Template) []string {
	seen := map[string]bool{}
	var keys []string
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			if len(n.Args) >= 2 && isT(n.Args[0]) {
				if s, ok := n.Args[1].(*parse.StringNode); ok && !seen[s.Text] {
					seen[s.Text] = true
					keys = append(keys, s.Text)
				}
			}
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			walk(n.Pipe)
		}
	}
	for _, p := range pages {
		for _, t := range p.Templates() {
			if t.Tree != nil {
				walk(t.Tree.Root)
			}
		}
	}
	return keys
}

func isT(n parse.Node) bool {
	switch n := n.(type) {
	case *parse.FieldNode:
		return len(n.Ident) == 1 && n.Ident[0] == "T"
	case *parse.VariableNode:
		return len(n.Ident) == 2 && n.Ident[0] == "$" && n.Ident[1] == "T"
	}
	return false
}

// view is the data of a page.
type view struct {
	cat *locales.Catalog

	Lang     string
	Dir      string // "rtl" or "ltr", the writing direction of Lang
	Title    string // catalog key
	PoolName string
	LogoURL  template.URL
	StyleURL string
	BrandURL string
	// InlineStyles, set by Preview alone, replace the stylesheet links:
	// the built-in stylesheet and the branding, in style elements with
	// Nonce.
	InlineStyles []template.CSS
	CSRF         string
	// Action is where the page's form posts: the page itself with the
	// carried query.
	Action    template.URL
	Links     map[string]template.URL
	LangLinks []langLink

	Notice string
	Error  string
	Detail string
	// Back, when set, is a link under a message, labelled BackLabel.
	Back      template.URL
	BackLabel string
	// Fields holds inline errors by input name.
	Fields map[string]string
	// Values holds inputs to show again; never passwords or codes.
	Values map[string]string

	Destination   string
	Hints         []string
	UsernameLabel string // catalog key
	EmailUsername bool
	AskEmail      bool
	RequireEmail  bool
	HideUsername  bool
	SignUpAllowed bool
	// Providers are the sign-in page's "Continue with ..." links;
	// LocalSignIn shows its username and password form (the client
	// supports COGNITO).
	Providers   []providerButton
	LocalSignIn bool
	// CodeSignIn, when set, links the sign-in with a code by email.
	CodeSignIn template.URL
	// MFA is the data of the multi-factor pages.
	MFA *mfaView

	// PasskeySignIn offers the sign-in with a passkey.
	PasskeySignIn bool

	// Nonce and ScriptURL load the passkey script; only the passkey pages
	// set them, and their Content-Security-Policy allows that script.
	Nonce     string
	ScriptURL string
	// Passkey is the passkey pages' data.
	Passkey *passkeyView
}

// T translates a catalog key.
func (v *view) T(key string, args ...any) string { return v.cat.T(key, args...) }

type langLink struct {
	Lang, Dir, Name string
	URL             template.URL
	Current         bool
}

// notices are the messages a page may be asked to show with ?notice=.
var notices = map[string]string{
	"confirmed":       "notice.confirmed",
	"password_reset":  "notice.password_reset",
	"passkey_added":   "notice.passkey_added",
	"passkey_removed": "notice.passkey_removed",
}

// maxNameLen bounds usernames and addresses taken from forms and queries
// (Cognito usernames are at most 128 characters, addresses 254).
const maxNameLen = 256

// view returns the common data of a page titled by the catalog key title.
// page is the path of the page shown (its form posts there and its
// language links return there); empty means the requested path. username,
// when set, is carried in the form action and the links.
func (c *call) view(title, page, username string) *view {
	p := c.t.Pool
	v := &view{
		cat: c.cat, Lang: c.cat.Lang(), Dir: c.cat.Dir(), Title: title, PoolName: p.Name,
		StyleURL: c.t.BasePath + "/static/style.css?v=" + styleVersion,
		Fields:   map[string]string{}, Values: map[string]string{},
		SignUpAllowed: !p.AllowAdminCreateUserOnly,
		EmailUsername: p.EmailIsUsername(),
		AskEmail:      !p.EmailIsUsername() && (p.VerifiesEmail() || p.SignInWithEmail()),
		RequireEmail:  !p.EmailIsUsername() && p.VerifiesEmail() && !p.AutoConfirmSignUp,
		UsernameLabel: "form.username",
	}
	switch {
	case p.EmailIsUsername():
		v.UsernameLabel = "form.email"
	case p.SignInWithEmail():
		v.UsernameLabel = "form.username_or_email"
	}
	if l := p.Branding.LogoURL; strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "data:image/") {
		v.LogoURL = template.URL(l) // validated by pool.Pool.Validate
	}
	if hasBranding(p.Branding) {
		v.BrandURL = c.t.BasePath + "/static/brand.css?v=" + strconv.FormatInt(p.UpdatedAt.UnixMicro(), 36)
	}
	if page == "" {
		page = c.r.URL.Path
	}
	extra := url.Values{}
	if username != "" && len(username) <= maxNameLen {
		extra.Set("username", username)
		v.Values["username"] = username
	}
	v.Action = template.URL(c.local(page, extra))
	v.Links = map[string]template.URL{
		"login":           template.URL(c.local("/login", nil)),
		"signup":          template.URL(c.local("/signup", nil)),
		"forgot":          template.URL(c.local("/forgotPassword", nil)),
		"resend":          template.URL(c.local("/resendcode", extra)),
		"passkey_sign_in": template.URL(c.local("/passkeySignIn", nil)),
		"passkeys":        template.URL(c.local("/passkeys", nil)),
	}
	if key, ok := notices[c.r.URL.Query().Get("notice")]; ok {
		v.Notice = c.cat.T(key)
	}
	for _, cat := range locales.All() {
		q := url.Values{}
		for k, vals := range extra {
			q[k] = vals
		}
		q.Set("lang", cat.Lang())
		v.LangLinks = append(v.LangLinks, langLink{
			Lang: cat.Lang(), Dir: cat.Dir(), Name: cat.T("lang.name"), Current: cat.Lang() == c.cat.Lang(),
			URL: template.URL(c.local(page, q)),
		})
	}
	return v
}

// form returns a page view with the CSRF token set, for pages with a
// form.
func (c *call) form(title, page, username string) *view {
	v := c.view(title, page, username)
	v.CSRF = c.csrfToken()
	return v
}

// setErrors puts errors on the view: messages of single fields, and the
// page's message errKey unless it is empty.
func (v *view) setErrors(fields map[string]string, errKey string) {
	maps.Copy(v.Fields, fields)
	if errKey != "" {
		v.Error = v.cat.T(errKey)
	}
}

// formPage is a form's title, path and template.
type formPage struct {
	title, path, tmpl string
}

// The forms that ask only for the username, and those that set a new
// password.
var (
	resendForm = formPage{"page.resend", "/resendcode", "resend"}
	forgotForm = formPage{"page.forgot", "/forgotPassword", "forgot"}
	resetForm  = formPage{"page.reset", "/confirmForgotPassword", "reset"}
	changeForm = formPage{"page.change", "/changePassword", "change"}
)

// renderName renders a form that asks only for the username.
func (c *call) renderName(f formPage, status int, username, errKey string) error {
	v := c.form(f.title, f.path, "")
	v.Values["username"] = username
	v.setErrors(nil, errKey)
	return c.render(status, f.tmpl, v)
}

// renderPassword renders a form that sets a new password.
func (c *call) renderPassword(f formPage, status int, username, noticeKey string, fields map[string]string, errKey string) error {
	v := c.form(f.title, f.path, username)
	v.HideUsername = username != ""
	v.Hints = c.passwordHints()
	if noticeKey != "" {
		v.Notice = c.cat.T(noticeKey)
	}
	v.setErrors(fields, errKey)
	return c.render(status, f.tmpl, v)
}

// newPasswordErrors checks the password a form sets against its
// confirmation and returns the field errors, or nil.
func (c *call) newPasswordErrors(form url.Values) map[string]string {
	password := form.Get("password")
	if len(password) > maxPasswordLen {
		return map[string]string{"password": c.cat.T("error.password_too_long")}
	}
	if password != form.Get("confirm_password") {
		return map[string]string{"confirm_password": c.cat.T("error.password_confirm")}
	}
	return nil
}

// passwordHints lists the pool's password rules in the page's language.
func (c *call) passwordHints() []string {
	pp := c.t.Pool.PasswordPolicy
	hints := []string{c.cat.T("hint.length", "n", pp.MinimumLength)}
	for _, h := range []struct {
		on  bool
		key string
	}{
		{pp.RequireUppercase, "hint.uppercase"},
		{pp.RequireLowercase, "hint.lowercase"},
		{pp.RequireNumbers, "hint.numbers"},
		{pp.RequireSymbols, "hint.symbols"},
	} {
		if h.on {
			hints = append(hints, c.cat.T(h.key))
		}
	}
	return hints
}
