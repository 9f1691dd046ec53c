package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"

	"github.com/linkpool/linkpool/internal/alexasim"
)

// consoleFlags are the Alexa developer console's account-linking fields.
type consoleFlags struct {
	authorizationURI string
	accessTokenURI   string
	clientID         string
	clientSecret     string
	scheme           string
	scopes           stringList
	domains          stringList
	vendorID         string
	defaultExpiry    int
	region           string
	pkce             bool
	sendEvents       bool
}

func (f *consoleFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.authorizationURI, "authorization-uri", "", "Your Web Authorization URI (required)")
	fs.StringVar(&f.accessTokenURI, "access-token-uri", "", "Access Token URI (required)")
	fs.StringVar(&f.clientID, "client-id", "", "Your Client ID (required)")
	fs.StringVar(&f.clientSecret, "client-secret", "", "Your Secret (prefer LINKPOOL_CLIENT_SECRET or LINKPOOL_CLIENT_SECRET_FILE)")
	fs.StringVar(&f.scheme, "scheme", "basic", "Your Authentication Scheme: basic (HTTP Basic) or body (credentials in request body)")
	fs.Var(&f.scopes, "scope", "scope (repeatable or comma-separated; at least one)")
	fs.Var(&f.domains, "domain", "Domain List entry: another host the login page may load content from (repeatable)")
	fs.StringVar(&f.vendorID, "vendor-id", "", "your vendor ID, the end of the Alexa Redirect URLs (required)")
	fs.IntVar(&f.defaultExpiry, "default-expiration", 0, "Default Access Token Expiration Time in seconds, used when the token response has no expires_in")
	fs.StringVar(&f.region, "region", "NA", "the user's Alexa region: NA (pitangui.amazon.com), EU (layla.amazon.com) or FE (alexa.amazon.co.jp)")
	fs.BoolVar(&f.pkce, "pkce", false, "send PKCE (S256) as when PKCE is enabled in the console")
	fs.BoolVar(&f.sendEvents, "send-events", false, "the skill has the Send Alexa Events permission: send AcceptGrant after linking")
}

func (f *consoleFlags) console() (alexasim.Console, error) {
	region, err := alexasim.ParseRegion(f.region)
	if err != nil {
		return alexasim.Console{}, usagef("--region: %v", err)
	}
	scheme, err := alexasim.ParseScheme(f.scheme)
	if err != nil {
		return alexasim.Console{}, usagef("--scheme: %v", err)
	}
	switch {
	case f.authorizationURI == "":
		return alexasim.Console{}, usagef("--authorization-uri is required")
	case f.accessTokenURI == "":
		return alexasim.Console{}, usagef("--access-token-uri is required")
	case f.clientID == "":
		return alexasim.Console{}, usagef("--client-id is required")
	case f.vendorID == "":
		return alexasim.Console{}, usagef("--vendor-id is required: the last part of the Alexa Redirect URLs")
	case len(f.scopes) == 0:
		return alexasim.Console{}, usagef("--scope is required: smart home skills need at least one")
	}
	return alexasim.Console{
		AuthorizationURI: f.authorizationURI, AccessTokenURI: f.accessTokenURI,
		ClientID: f.clientID, ClientSecret: f.clientSecret, Scheme: scheme,
		Scopes: f.scopes, DomainList: f.domains, VendorID: f.vendorID,
		DefaultTokenExpiration: f.defaultExpiry, Region: region, PKCE: f.pkce, SendAlexaEvents: f.sendEvents,
	}, nil
}

// signInFlags choose how the user signs in.
type signInFlags struct {
	username, password string
	browser            bool
	screenshots        string
	lang               string
	chromium           string
	identityProvider   string
}

func (f *signInFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.username, "username", "", "test user: fill the login form over HTTP with this username (without it, the URL is printed for you to sign in)")
	fs.StringVar(&f.password, "password", "", "the test user's password (prefer LINKPOOL_PASSWORD or LINKPOOL_PASSWORD_FILE)")
	fs.BoolVar(&f.browser, "browser", false, "sign in with headless Chromium instead of plain HTTP (runs the page's scripts, catches dialogs and pop-ups)")
	fs.StringVar(&f.screenshots, "screenshots", "", "with --browser: save a PNG of every page in this directory")
	fs.StringVar(&f.lang, "lang", "en-US", "the user's language (Accept-Language)")
	fs.StringVar(&f.identityProvider, "identity-provider", "", "sign in through this identity provider of the login page (its \"Continue with ...\" button, e.g. LoginWithAmazon) instead of the page's own form; --username and --password then sign in at the provider when it shows a form")
	fs.StringVar(&f.chromium, "chromium", "", "with --browser: the Chromium executable (default "+alexasim.DefaultChromiumPath+")")
}

func (f *signInFlags) strategy(e *env) (alexasim.SignIn, error) {
	switch {
	case f.browser && f.identityProvider != "":
		return nil, usagef("--identity-provider works with the form sign-in over HTTP, not with --browser")
	case f.browser:
		if f.username == "" || f.password == "" {
			return nil, usagef("--browser needs --username and --password")
		}
		return alexasim.Browser{Username: f.username, Password: f.password, Options: alexasim.BrowserOptions{
			ScreenshotDir: f.screenshots, Lang: f.lang, ChromiumPath: f.chromium,
		}}, nil
	case f.username != "":
		if f.password == "" {
			return nil, usagef("--username needs --password")
		}
		return alexasim.FormSignIn{Username: f.username, Password: f.password, Lang: f.lang, IdentityProvider: f.identityProvider}, nil
	case f.identityProvider != "":
		// A provider that signs the user in without a form (a session it
		// keeps, or a test stand-in).
		return alexasim.FormSignIn{Lang: f.lang, IdentityProvider: f.identityProvider}, nil
	}
	return alexasim.ManualSignIn{In: e.stdin, Out: e.stderr}, nil
}

// consoleCmd is what alexa link and alexa check share: the flags of every
// alexa command, the console's account-linking fields, the skill endpoint
// and the skill's name.
type consoleCmd struct {
	fs        *flag.FlagSet
	af        alexaFlags
	cf        consoleFlags
	skf       skillFlags
	skillName string
}

func newConsoleCmd(e *env, name string) *consoleCmd {
	c := &consoleCmd{fs: newFlagSet(name, e.stderr)}
	c.af.register(c.fs)
	c.cf.register(c.fs)
	c.skf.register(c.fs)
	c.fs.StringVar(&c.skillName, "skill-name", "SmartLamp", "the skill's name in the Alexa app's messages")
	return c
}

// parse parses the command line, which takes no positional arguments,
// and returns the console settings.
func (c *consoleCmd) parse(e *env, args []string) (alexasim.Console, error) {
	if err := parseNoArgs(c.fs, args, e.getenv); err != nil {
		return alexasim.Console{}, err
	}
	return c.cf.console()
}

func runAlexaLink(ctx context.Context, e *env, args []string) error {
	cc := newConsoleCmd(e, "alexa link")
	af := &cc.af
	var sif signInFlags
	var gateway string
	fs := cc.fs
	sif.register(fs)
	fs.StringVar(&gateway, "gateway", "", "base URL of 'linkpool alexa gateway' (the LWA and event gateway stand-in) that issues the AcceptGrant code")
	c, err := cc.parse(e, args)
	if err != nil {
		return err
	}
	signIn, err := sif.strategy(e)
	if err != nil {
		return err
	}
	schema, err := af.loadSchema(e)
	if err != nil {
		return err
	}
	path, err := af.statePath(e)
	if err != nil {
		return err
	}
	st, err := alexasim.LoadState(path)
	if err != nil {
		return err
	}
	skill, skillURL, closeFn, err := cc.skf.open(ctx, e, c.ClientID, "")
	if err != nil {
		return err
	}
	defer closeFn()
	res, err := alexasim.LinkAccount(ctx, alexasim.LinkOptions{
		Name: af.link, SkillName: cc.skillName, Console: c, SignIn: signIn, Gateway: gateway, SkillURL: skillURL,
		Env: alexasim.Env{Skill: skill, Schema: schema, HTTPClient: &http.Client{}},
	})
	if _, diagnosed := asDiagnosed(err); err != nil && !diagnosed {
		return err
	}
	st.Put(res.Link)
	if serr := st.Save(path); serr != nil {
		return serr
	}
	if af.json {
		if perr := printJSON(e.stdout, linkJSON(res, schema)); perr != nil {
			return perr
		}
	} else {
		printLinkResult(e.stdout, res, schema)
	}
	if !res.OK {
		return errDiagnosed("linking", res.Diagnoses)
	}
	return nil
}

// linkReport is the JSON of alexa link: the result and a summary of the
// link without its tokens.
type linkReport struct {
	*alexasim.LinkResult
	Link   linkSummary `json:"link"`
	Schema string      `json:"schema_file"`
}

// linkSummary describes a link without secrets.
type linkSummary struct {
	Name        string              `json:"name"`
	Status      alexasim.Status     `json:"status"`
	Region      alexasim.Region     `json:"region"`
	RedirectURI string              `json:"redirect_uri"`
	Scheme      alexasim.Scheme     `json:"scheme"`
	PKCE        bool                `json:"pkce"`
	SkillURL    string              `json:"skill_url,omitempty"`
	ExpiresIn   int                 `json:"expires_in,omitempty"`
	ExpiresAt   string              `json:"expires_at,omitempty"`
	Endpoints   []alexasim.Endpoint `json:"endpoints"`
}

func summarize(l *alexasim.Link) linkSummary {
	s := linkSummary{
		Name: l.Name, Status: l.Status, Region: l.Console.Region, RedirectURI: l.RedirectURI,
		Scheme: l.Console.Scheme, PKCE: l.Console.PKCE, SkillURL: l.SkillURL, Endpoints: l.Endpoints,
	}
	if s.Endpoints == nil {
		s.Endpoints = []alexasim.Endpoint{}
	}
	if l.IsLinked() {
		s.ExpiresIn, s.ExpiresAt = l.Tokens.ExpiresIn, fmtTime(l.Tokens.ExpiresAt)
	}
	return s
}

func linkJSON(res *alexasim.LinkResult, schema *alexasim.Schema) linkReport {
	return linkReport{LinkResult: res, Link: summarize(res.Link), Schema: schemaName(schema)}
}

func schemaName(s *alexasim.Schema) string {
	if s == nil {
		return string(alexasim.SchemaSkipped)
	}
	return s.Path()
}

func printLinkResult(w io.Writer, res *alexasim.LinkResult, schema *alexasim.Schema) {
	l := res.Link
	c := l.Console
	pkce := "off"
	if c.PKCE {
		pkce = "on"
	}
	fmt.Fprintf(w, "Linking %q: region %s, redirect %s, %s, PKCE %s\n", l.Name, c.Region, l.RedirectURI, c.Scheme, pkce)
	for _, s := range res.Steps {
		mark := "ok  "
		if !s.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "  [%s] %-22s %s\n", mark, s.Name, s.Detail)
	}
	printDiagnoses(w, res.Diagnoses)
	if schema == nil {
		fmt.Fprintf(w, "\nReplies were not validated: schema %s (--alexa-schema).\n", alexasim.SchemaSkipped)
	}
	if !res.OK {
		fmt.Fprintf(w, "\nNot linked. The Alexa app shows: %q\n", res.UserMessage)
		return
	}
	fmt.Fprintf(w, "\nLinked. The access token expires at %s (expires_in %d).\n", fmtTime(l.Tokens.ExpiresAt), l.Tokens.ExpiresIn)
	printEndpoints(w, l.Endpoints)
}

func printEndpoints(w io.Writer, eps []alexasim.Endpoint) {
	if len(eps) == 0 {
		fmt.Fprintln(w, "No endpoints discovered.")
		return
	}
	rows := make([][]string, 0, len(eps))
	for _, ep := range eps {
		rows = append(rows, []string{ep.ID, ep.FriendlyName, join(ep.Interfaces)})
	}
	fmt.Fprintln(w, "Endpoints:")
	_ = printTable(w, []string{"  ENDPOINT", "NAME", "INTERFACES"}, indentRows(rows))
}

func indentRows(rows [][]string) [][]string {
	for _, r := range rows {
		r[0] = "  " + r[0]
	}
	return rows
}

// printDiagnoses writes each diagnosis with its code, detail and rule.
func printDiagnoses(w io.Writer, ds alexasim.Diagnoses) {
	if len(ds) == 0 {
		return
	}
	fmt.Fprintln(w, "\nDiagnoses:")
	for _, d := range ds {
		sev := "ERROR  "
		if d.Severity == alexasim.Warning {
			sev = "WARNING"
		}
		fmt.Fprintf(w, "  %s %s: %s\n", sev, d.Code, d.Detail)
		if d.Rule != "" {
			fmt.Fprintf(w, "          rule: %s\n", d.Rule)
		}
	}
}
