package alexasim

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/tracing"
)

// LinkState is whether Alexa holds usable tokens for a link.
type LinkState string

// Link states.
const (
	Linked   LinkState = "linked"
	Unlinked LinkState = "unlinked"
)

// Status is a link's state with the reason it was last changed.
type Status struct {
	State  LinkState `json:"state"`
	Code   string    `json:"code,omitempty"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
}

// Endpoint is a discovered endpoint as Alexa keeps it.
type Endpoint struct {
	ID                string            `json:"endpoint_id"`
	FriendlyName      string            `json:"friendly_name"`
	Description       string            `json:"description,omitempty"`
	DisplayCategories []string          `json:"display_categories,omitempty"`
	Cookie            map[string]string `json:"cookie,omitempty"`
	Interfaces        []string          `json:"interfaces,omitempty"`
}

// Link is one account link as Alexa keeps it: the console configuration,
// the tokens and their expiry, the discovered endpoints and the status.
// It is what the state file stores under the link's name. Env, which is
// not stored, is what its methods run with. A Link is not safe for
// concurrent use.
type Link struct {
	Name      string  `json:"name"`
	SkillName string  `json:"skill_name,omitempty"`
	Console   Console `json:"console"`
	// SkillURL is the HTTP skill endpoint used when linking, "" for an
	// in-process handler.
	SkillURL string `json:"skill_url,omitempty"`
	// Gateway is the base URL of the LWA and event gateway stand-in.
	Gateway     string `json:"gateway,omitempty"`
	RedirectURI string `json:"redirect_uri"`
	Tokens      Tokens `json:"tokens"`
	// PreviousRefreshToken is the refresh token before the last rotation.
	PreviousRefreshToken string     `json:"previous_refresh_token,omitempty"`
	Endpoints            []Endpoint `json:"endpoints,omitempty"`
	Status               Status     `json:"status"`
	LinkedAt             time.Time  `json:"linked_at,omitempty"`
	// AcceptGrantAt is when the skill accepted the Alexa.Authorization
	// grant, zero without Send Alexa Events.
	AcceptGrantAt time.Time `json:"accept_grant_at,omitempty"`
	// Events are the gateway events last listed for this link.
	Events []ReceivedEvent `json:"events,omitempty"`

	Env Env `json:"-"`
	// refreshIDToken tells whether the last refresh response carried an
	// id_token (Alexa keeps none; the checklist reports it).
	refreshIDToken bool
}

// IsLinked reports whether the link holds usable tokens.
func (l *Link) IsLinked() bool { return l.Status.State == Linked && l.Tokens.AccessToken != "" }

// LinkOptions configures LinkAccount.
type LinkOptions struct {
	// Name of the link in the state file (default "default").
	Name string
	// SkillName appears in the Alexa app's messages (default "SmartLamp").
	SkillName string
	Console   Console
	SignIn    SignIn
	Env       Env
	// Gateway is the base URL of a Gateway stand-in. With
	// Console.SendAlexaEvents the simulator registers the AcceptGrant code
	// there so that the skill can exchange it; without a gateway the code
	// is random and only a skill that does not exchange it accepts it.
	Gateway string
	// SkillURL is recorded in the link for later commands.
	SkillURL string
}

// Step is one step of the linking flow as the user would experience it.
type Step struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

// LinkResult is the outcome of LinkAccount.
type LinkResult struct {
	// Link is the link's new state, linked or not.
	Link *Link `json:"-"`
	// OK is true when no Error diagnosis occurred.
	OK        bool      `json:"ok"`
	Diagnoses Diagnoses `json:"diagnoses"`
	// UserMessage is what the Alexa app shows when linking failed.
	UserMessage string       `json:"user_message,omitempty"`
	Steps       []Step       `json:"steps"`
	Pages       []PageReport `json:"pages,omitempty"`
	// TokenElapsed is how long the code exchange took.
	TokenElapsed time.Duration `json:"token_elapsed"`
	AcceptGrant  *Reply        `json:"accept_grant,omitempty"`
	Discovery    *Reply        `json:"discovery,omitempty"`
}

func (r *LinkResult) step(name string, ok bool, detail string) {
	r.Steps = append(r.Steps, Step{Name: name, OK: ok, Detail: detail})
}

// LinkAccount plays one account link, following "Configure an
// authorization code grant": the authorization request with a random
// state (and PKCE S256 when enabled, RFC 7636), sign-in, the redirect
// checks, the code exchange within 4.5 seconds with the console's client
// authentication, the token response checks, AcceptGrant when Send Alexa
// Events is on, and discovery.
//
// The result is always returned. The error is a *DiagnosedError when an
// Error diagnosis failed the link (the result's UserMessage then holds the
// Alexa app's generic message), or the sign-in strategy's own failure.
func LinkAccount(ctx context.Context, o LinkOptions) (*LinkResult, error) {
	ctx, span := tracing.Start(ctx, "alexasim.link_account")
	defer span.End()
	c := o.Console
	if c.Region == "" {
		c.Region = RegionNA
	}
	if c.Scheme == "" {
		c.Scheme = SchemeHTTPBasic
	}
	name, skillName := o.Name, o.SkillName
	if name == "" {
		name = "default"
	}
	if skillName == "" {
		skillName = "SmartLamp"
	}
	env := o.Env
	l := &Link{
		Name: name, SkillName: skillName, Console: c, SkillURL: o.SkillURL, Gateway: o.Gateway,
		RedirectURI: c.RedirectURI(), Env: env,
		Status: Status{State: Unlinked, Code: "NOT_LINKED", Reason: "linking did not complete", At: env.now()},
	}
	res := &LinkResult{Link: l}
	res.Diagnoses = append(res.Diagnoses, c.Validate()...)
	if res.Diagnoses.Failed() {
		res.step("console configuration", false, "")
		return res.fail()
	}
	res.step("console configuration", true, fmt.Sprintf("%d scope(s), %d domain(s)", len(c.Scopes), len(c.DomainList)))
	if o.SignIn == nil {
		return res, errors.New("alexasim: LinkOptions.SignIn is required")
	}

	// 1. The authorization request (RFC 6749 §4.1.1).
	state := randomToken(48)
	var verifier string
	if c.PKCE {
		verifier = oauth2.GenerateVerifier()
	}
	authURL, err := authorizationURL(&c, l.RedirectURI, state, verifier)
	if err != nil {
		res.Diagnoses = append(res.Diagnoses, newDiagnosis(CodeAuthorizationURIInvalid, err.Error()))
		return res.fail()
	}

	// 2. Sign-in in the app's web view.
	sr, err := o.SignIn.SignIn(ctx, SignInRequest{
		AuthURL: authURL, RedirectURI: l.RedirectURI, DomainList: c.DomainList, Transport: env.client().Transport,
	})
	if err != nil {
		return res, err
	}
	res.Pages = sr.Pages
	res.Diagnoses = append(res.Diagnoses, pageDiagnoses(sr.Pages)...)
	res.Diagnoses = append(res.Diagnoses, sr.Diagnoses...)
	if sr.Redirect == nil || sr.Diagnoses.Failed() {
		res.step("sign-in", false, "")
		return res.fail()
	}
	res.step("sign-in", true, fmt.Sprintf("%d page(s)", len(sr.Pages)))

	// 3. The redirect back to Alexa (RFC 6749 §4.1.2).
	code, ds := checkRedirect(sr.Redirect, l.RedirectURI, state)
	res.Diagnoses = append(res.Diagnoses, ds...)
	if ds.Failed() {
		res.step("redirect to Alexa", false, "")
		return res.fail()
	}
	res.step("redirect to Alexa", true, "state and code present, redirect URL exact")

	// 4. The code exchange (RFC 6749 §4.1.3, RFC 7636 §4.5).
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {l.RedirectURI}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	tr := tokenRequest(ctx, &env, &c, form, false)
	res.TokenElapsed = tr.elapsed
	res.Diagnoses = append(res.Diagnoses, tr.diags...)
	if !tr.ok() {
		res.step("token exchange", false, "")
		return res.fail()
	}
	now := env.now()
	l.setTokens(tr.tokens, now)
	l.Status = Status{State: Linked, At: now}
	l.LinkedAt = now
	res.step("token exchange", true, fmt.Sprintf("%s, expires_in %d", tr.elapsed.Round(time.Millisecond), tr.tokens.ExpiresIn))

	// 5. AcceptGrant (Alexa.Authorization interface), with Send Alexa Events.
	if c.SendAlexaEvents {
		grant, gerr := newGrantCode(ctx, &env, o.Gateway, name)
		if gerr != nil {
			res.Diagnoses = append(res.Diagnoses, newDiagnosis(CodeAcceptGrantNotAnswered, "the gateway stand-in did not issue a grant code: "+gerr.Error()))
			return res.fail()
		}
		rep := l.acceptGrant(ctx, grant)
		res.AcceptGrant = rep
		res.Diagnoses = append(res.Diagnoses, rep.Diagnoses...)
		if rep.Diagnoses.Failed() {
			res.step("AcceptGrant", false, "")
			l.unlink(CodeAcceptGrantFailed, "the skill did not accept the Alexa.Authorization grant")
			return res.fail()
		}
		l.AcceptGrantAt = env.now()
		res.step("AcceptGrant", true, "AcceptGrant.Response")
	}

	// 6. Discovery.
	rep, err := l.Discover(ctx)
	res.Discovery = rep
	if rep != nil {
		res.Diagnoses = append(res.Diagnoses, rep.Diagnoses...)
	}
	if err != nil {
		res.step("discovery", false, "")
		return res.fail()
	}
	res.step("discovery", true, fmt.Sprintf("%d endpoint(s)", len(l.Endpoints)))
	res.OK = !res.Diagnoses.Failed()
	if !res.OK {
		return res.fail()
	}
	return res, nil
}

// fail finishes a failed link with Alexa's generic message.
func (r *LinkResult) fail() (*LinkResult, error) {
	r.OK = false
	r.UserMessage = UnableToLink(r.Link.SkillName)
	if d, ok := r.Diagnoses.FirstError(); ok && r.Link.Status.State != Linked {
		r.Link.Status.Code, r.Link.Status.Reason = d.Code, d.Detail
	}
	return r, &DiagnosedError{Op: "account linking", Diagnoses: r.Diagnoses, unlinked: r.Link.Status.State != Linked}
}

// setTokens records a token response; the lifetime starts now.
func (l *Link) setTokens(t Tokens, now time.Time) {
	t.ObtainedAt = now
	t.ExpiresAt = now.Add(time.Duration(t.ExpiresIn) * time.Second)
	l.Tokens = t
}

// authorizationURL builds Alexa's authorization request: client_id,
// response_type=code, state, scope (space-separated, RFC 6749 §3.3),
// redirect_uri and, with PKCE, code_challenge and code_challenge_method
// S256. Parameters already in the URI are kept.
func authorizationURL(c *Console, redirectURI, state, verifier string) (string, error) {
	u, err := url.Parse(c.AuthorizationURI)
	if err != nil {
		return "", fmt.Errorf("the authorization URI is not a URL: %w", err)
	}
	q := u.Query()
	q.Set("client_id", c.ClientID)
	q.Set("response_type", "code")
	q.Set("state", state)
	q.Set("scope", strings.Join(c.Scopes, " "))
	q.Set("redirect_uri", redirectURI)
	if verifier != "" {
		q.Set("code_challenge", oauth2.S256ChallengeFromVerifier(verifier))
		q.Set("code_challenge_method", "S256")
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// checkRedirect applies Alexa's checks to the redirect: exactly the
// region's redirect URL, no error, the same state, a code.
func checkRedirect(got *url.URL, redirectURI, state string) (string, Diagnoses) {
	want, _ := url.Parse(redirectURI)
	if !strings.EqualFold(got.Scheme, want.Scheme) || !strings.EqualFold(got.Host, want.Host) || got.Path != want.Path {
		where := redactURL(got.String())
		for _, r := range AllRegions() {
			if strings.EqualFold(got.Hostname(), r.Host()) && r.Host() != want.Hostname() {
				where += " (the redirect URL of region " + string(r) + ")"
			}
		}
		return "", Diagnoses{newDiagnosis(CodeRedirectURIMismatch, fmt.Sprintf("the login page redirected to %s instead of %s", where, redirectURI))}
	}
	q := got.Query()
	var ds Diagnoses
	if e := q.Get("error"); e != "" {
		detail := "the redirect carries error=" + clip(e, 60)
		if d := q.Get("error_description"); d != "" {
			detail += fmt.Sprintf(" (%s)", clip(d, 160))
		}
		ds = append(ds, newDiagnosis(CodeAuthorizationError, detail))
	}
	switch s := q.Get("state"); {
	case !q.Has("state") || s == "":
		ds = append(ds, newDiagnosis(CodeStateMissing, "the redirect has no state parameter"))
	case subtle.ConstantTimeCompare([]byte(s), []byte(state)) != 1:
		ds = append(ds, newDiagnosis(CodeStateMismatch, fmt.Sprintf("the redirect's state (%d characters) differs from the %d characters Alexa sent", len(s), len(state))))
	}
	code := q.Get("code")
	if code == "" && q.Get("error") == "" {
		ds = append(ds, newDiagnosis(CodeCodeMissing, "the redirect has no code parameter"))
	}
	return code, ds
}

// pageDiagnoses turns login page findings into warnings, once per code.
func pageDiagnoses(pages []PageReport) Diagnoses {
	var ds Diagnoses
	var foreign []string
	notMobile, popups := "", map[string]bool{}
	for _, p := range pages {
		if p.Form == "" {
			continue
		}
		foreign = append(foreign, p.ForeignResources...)
		if !p.Viewport && notMobile == "" {
			notMobile = p.URL
		}
		for _, u := range p.Popups {
			popups[u] = true
		}
	}
	if len(foreign) > 0 {
		ds = append(ds, newDiagnosis(CodeLoginPageResource, "the login page loads "+strings.Join(dedupe(foreign), ", ")))
	}
	if notMobile != "" {
		ds = append(ds, newDiagnosis(CodeLoginPageNotMobile, "the login page "+notMobile+" has no <meta name=\"viewport\" content=\"width=device-width\">"))
	}
	if len(popups) > 0 {
		var uses []string
		for u := range popups {
			uses = append(uses, u)
		}
		ds = append(ds, newDiagnosis(CodeLoginPagePopup, "inline scripts of the login page use "+strings.Join(sortStrings(uses), ", ")))
	}
	return ds
}

// randomToken returns n random bytes, base64url-encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
