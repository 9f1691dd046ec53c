package alexasim

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/linkpool/linkpool/internal/smarthome/alexa"
)

// CheckStatus is the outcome of one checklist item.
type CheckStatus string

// Checklist outcomes.
const (
	Pass CheckStatus = "PASS"
	Fail CheckStatus = "FAIL"
	Warn CheckStatus = "WARN"
	Skip CheckStatus = "SKIP"
	// Info reports a fact worth knowing that is neither right nor wrong.
	Info CheckStatus = "INFO"
)

// Checklist item ids, in the order of the readiness checklist compiled
// from "Requirements for account linking" and the Smart Home docs.
const (
	CheckHTTPS           = "auth-code-https"
	CheckRedirectURLs    = "redirect-urls"
	CheckState           = "state"
	CheckRedirectRecheck = "redirect-uri-recheck"
	CheckClientAuth      = "client-auth-schemes"
	CheckTokenResponse   = "token-response"
	CheckRefresh         = "refresh"
	CheckLoginPage       = "login-page"
	CheckInlineErrors    = "login-inline-errors"
	CheckAcceptGrant     = "accept-grant"
	CheckDiscovery       = "discovery"
	CheckCredentialError = "credential-errors"
	CheckReplies         = "replies"
	CheckLoginLocalized  = "login-localized"
	CheckLoginBranded    = "login-branded"
	CheckUnlinkRevokes   = "unlink-revokes"
	// CheckIDTokenOnRefresh is informational: whether refresh responses
	// carry an ID token, which Alexa never reads.
	CheckIDTokenOnRefresh = "id-token-on-refresh"
)

// RefreshRounds is how many times the checklist lets the access token
// expire on the simulated clock and refreshes it.
const RefreshRounds = 5

// CheckItem is one checklist line.
type CheckItem struct {
	ID        string      `json:"id"`
	Title     string      `json:"title"`
	Status    CheckStatus `json:"status"`
	Reason    string      `json:"reason"`
	Diagnoses Diagnoses   `json:"diagnoses,omitempty"`
}

// CheckReport is the checklist's outcome.
type CheckReport struct {
	Items []CheckItem `json:"items"`
	// OK is true when no item failed.
	OK bool `json:"ok"`
}

// Item returns the item with id.
func (r *CheckReport) Item(id string) (CheckItem, bool) {
	for _, it := range r.Items {
		if it.ID == id {
			return it, true
		}
	}
	return CheckItem{}, false
}

// CheckOptions configures Check.
type CheckOptions struct {
	Console Console
	// Username and Password sign in with the login form over HTTP. Without
	// them only the items that need no sign-in run.
	Username, Password string
	// Lang is the sign-in's Accept-Language (default en-US); the login
	// page should answer in its language family.
	Lang string
	// Brand is the name the login page should show (default SkillName);
	// a logo image also makes the page branded.
	Brand string
	// Env.Skill, when set, is checked too.
	Env Env
	// Gateway is a Gateway stand-in for AcceptGrant.
	Gateway   string
	SkillName string
	// IdentityProvider, when set, makes the sign-in items sign in through
	// that identity provider's button of the login page
	// (FormSignIn.IdentityProvider); Username and Password then sign in
	// at the provider when it shows a form.
	IdentityProvider string
	// Providers is the app client's identity-provider configuration when
	// the caller can read it; nil leaves the identity-providers item to
	// what the login page shows.
	Providers *ClientProviders
}

// Check runs the readiness checklist against a console configuration and,
// when given, a skill: HTTPS, the three redirect URLs, a login page
// localized in the user's language and branded, state, the redirect_uri
// re-check at the token endpoint, both client authentication schemes, the
// token response, refresh over RefreshRounds expiries of simulated time
// (and a retried refresh of a rotated token), the login page, AcceptGrant,
// discovery, credential errors only for bad tokens, schema-valid replies
// within 8 seconds, and, last, that disabling the skill gets the grant
// revoked; one informational item (Info) tells whether the refresh
// responses carried an ID token, which Alexa never reads. Check owns a clock offset over o.Env.Now, which it moves past
// each access token's expiry. Every item is reported; the error is only
// for a cancelled ctx.
func Check(ctx context.Context, o CheckOptions) (*CheckReport, error) {
	k := &checker{o: o, rep: &CheckReport{}}
	base := o.Env.Now
	if base == nil {
		base = time.Now
	}
	k.o.Env.Now = func() time.Time { return base().Add(time.Duration(k.offset.Load())) }
	c := &k.o.Console
	if c.Region == "" {
		c.Region = RegionNA
	}
	if c.Scheme == "" {
		c.Scheme = SchemeHTTPBasic
	}
	k.https()
	if err := k.redirectURLs(ctx); err != nil {
		return nil, err
	}
	k.identityProviders()
	if err := k.loginLocalizedBranded(ctx); err != nil {
		return nil, err
	}
	if err := k.link(ctx); err != nil {
		return nil, err
	}
	k.rep.OK = true
	for _, it := range k.rep.Items {
		if it.Status == Fail {
			k.rep.OK = false
		}
	}
	return k.rep, nil
}

type checker struct {
	o   CheckOptions
	rep *CheckReport
	// offset is how far the simulated clock is ahead of o.Env.Now's base.
	offset atomic.Int64
	// refreshes and refreshIDTokens count the refresh responses and those
	// of them that carried an id_token.
	refreshes, refreshIDTokens int
	// pageSeen, pageForm and offered describe the first login page the
	// redirect URL probes reached: whether it has a sign-in form and the
	// identity providers it links to.
	pageSeen, pageForm bool
	offered            []string
}

// advancePast moves the simulated clock a second past t.
func (k *checker) advancePast(now, t time.Time) {
	if d := t.Sub(now) + time.Second; d > 0 {
		k.offset.Add(int64(d))
	}
}

func (k *checker) add(id, title string, st CheckStatus, reason string, ds ...Diagnosis) {
	k.rep.Items = append(k.rep.Items, CheckItem{ID: id, Title: title, Status: st, Reason: reason, Diagnoses: ds})
}

func (k *checker) https() {
	const title = "AUTH_CODE grant; authorization and access token URIs on HTTPS port 443"
	ds := k.o.Console.Validate()
	switch {
	case ds.Failed():
		d, _ := ds.FirstError()
		k.add(CheckHTTPS, title, Fail, d.Detail, ds...)
	case len(ds) > 0:
		k.add(CheckHTTPS, title, Warn, ds[0].Detail, ds...)
	default:
		k.add(CheckHTTPS, title, Pass, "both URIs are HTTPS on port 443; their certificates verified against this machine's roots (Amazon's CA list is not checked)")
	}
}

// redirectURLs sends the authorization request with each region's
// redirect URL and expects a sign-in form, not an error page.
func (k *checker) redirectURLs(ctx context.Context) error {
	const title = "all three Alexa redirect URLs accepted"
	var failed []string
	var ds Diagnoses
	for _, r := range AllRegions() {
		c := k.o.Console
		c.Region = r
		authURL, err := authorizationURL(&c, c.RedirectURI(), randomToken(48), "")
		if err != nil {
			k.add(CheckRedirectURLs, title, Fail, err.Error())
			return nil
		}
		res, err := FormSignIn{probe: true, Lang: k.o.Lang}.SignIn(ctx, SignInRequest{
			AuthURL: authURL, RedirectURI: c.RedirectURI(), DomainList: c.DomainList, Transport: k.o.Env.client().Transport,
		})
		if err != nil {
			return err
		}
		if !k.pageSeen && !res.Diagnoses.Failed() && len(res.Pages) > 0 {
			first := res.Pages[0]
			k.pageSeen, k.pageForm, k.offered = true, first.Form != "", first.Providers
		}
		if res.Diagnoses.Failed() {
			failed = append(failed, string(r)+" ("+r.Host()+")")
			ds = append(ds, res.Diagnoses...)
		}
	}
	if len(failed) > 0 {
		k.add(CheckRedirectURLs, title, Fail, "refused: "+strings.Join(failed, ", "), ds...)
	} else {
		k.add(CheckRedirectURLs, title, Pass, "NA, EU and FE reach a sign-in page")
	}
	return nil
}

// link runs a full link and the checks that build on it.
func (k *checker) link(ctx context.Context) error {
	dependent := []struct{ id, title string }{
		{CheckState, "state round-tripped unchanged"},
		{CheckRedirectRecheck, "redirect_uri re-checked at the token endpoint"},
		{CheckClientAuth, "client authentication schemes"},
		{CheckTokenResponse, "token response: JSON, Bearer, expires_in ≥ 360, refresh_token, < 4.5 s"},
		{CheckRefresh, "refresh keeps working over repeated expiries, also retried with the previous token after rotation"},
		{CheckLoginPage, "login page: mobile viewport, no pop-ups, content only from allowed domains"},
		{CheckInlineErrors, "login page shows errors inline"},
		{CheckAcceptGrant, "AcceptGrant answered (Send Alexa Events)"},
		{CheckDiscovery, "discovery returns endpoints"},
		{CheckCredentialError, "credential errors only for bad tokens"},
		{CheckReplies, "replies schema-valid and within 8 s"},
		{CheckUnlinkRevokes, "unlink: skill disabled → the skill revokes the grant (SkillDisabled event)"},
		{CheckIDTokenOnRefresh, idTokenOnRefreshTitle},
	}
	if (k.o.Username == "" || k.o.Password == "") && k.o.IdentityProvider == "" {
		for _, d := range dependent {
			k.add(d.id, d.title, Skip, "no test user: give a username and password")
		}
		return nil
	}
	form := FormSignIn{Username: k.o.Username, Password: k.o.Password, Lang: k.o.Lang, IdentityProvider: k.o.IdentityProvider}
	res, err := LinkAccount(ctx, LinkOptions{
		Name: "check", SkillName: k.o.SkillName, Console: k.o.Console, SignIn: form, Env: k.o.Env, Gateway: k.o.Gateway,
	})
	if res == nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	l := res.Link
	signedIn := stepOK(res, "sign-in")

	// state
	switch {
	case res.Diagnoses.Has(CodeStateMissing) || res.Diagnoses.Has(CodeStateMismatch):
		k.add(CheckState, dependent[0].title, Fail, "the redirect did not carry the state unchanged", pick(res.Diagnoses, CodeStateMissing, CodeStateMismatch)...)
	case stepOK(res, "redirect to Alexa"):
		k.add(CheckState, dependent[0].title, Pass, "a 64-character state came back unchanged")
	default:
		k.add(CheckState, dependent[0].title, Fail, "sign-in did not reach the redirect: "+firstError(res.Diagnoses), errorsOf(res.Diagnoses)...)
	}

	// redirect_uri re-check, client auth: each needs a fresh code.
	if signedIn {
		if err := k.redirectRecheck(ctx, form); err != nil {
			return err
		}
		if err := k.clientAuth(ctx, form, res); err != nil {
			return err
		}
	} else {
		k.add(CheckRedirectRecheck, dependent[1].title, Skip, "sign-in failed: "+firstError(res.Diagnoses))
		k.add(CheckClientAuth, dependent[2].title, Skip, "sign-in failed: "+firstError(res.Diagnoses))
	}

	// token response
	tokenDs := pick(res.Diagnoses, CodeTokenEndpointTimeout, CodeTokenEndpointUnreachable, CodeTokenInvalidClient, CodeTokenInvalidGrant,
		CodeTokenHTTPError, CodeTokenNotJSON, CodeTokenTypeInvalid, CodeAccessTokenMissing, CodeExpiresInTooShort, CodeExpiresInMissing,
		CodeRefreshTokenMissing, CodeTokenTooLarge)
	switch {
	case !stepOK(res, "redirect to Alexa"):
		k.add(CheckTokenResponse, dependent[3].title, Skip, "no code to exchange: "+firstError(res.Diagnoses))
	case tokenDs.Failed():
		k.add(CheckTokenResponse, dependent[3].title, Fail, firstError(tokenDs), tokenDs...)
	case len(tokenDs) > 0:
		k.add(CheckTokenResponse, dependent[3].title, Warn, tokenDs[0].Detail, tokenDs...)
	default:
		k.add(CheckTokenResponse, dependent[3].title, Pass, fmt.Sprintf("answered in %s, expires_in %d, refresh token present", res.TokenElapsed.Round(time.Millisecond), l.Tokens.ExpiresIn))
	}

	// refresh
	if l.Tokens.AccessToken != "" {
		k.refresh(ctx, l)
	} else {
		k.add(CheckRefresh, dependent[4].title, Skip, "no tokens")
	}
	k.idTokenOnRefresh()

	// login page
	k.loginPage(res)
	if err := k.inlineErrors(ctx); err != nil {
		return err
	}

	// skill items
	k.skill(ctx, res, l)

	// unlink, last: it ends the link.
	return k.unlinkRevokes(ctx, l)
}

func (k *checker) redirectRecheck(ctx context.Context, form FormSignIn) error {
	const title = "redirect_uri re-checked at the token endpoint"
	c := k.o.Console
	code, ds, err := k.code(ctx, form, &c)
	if err != nil {
		return err
	}
	if code == "" {
		k.add(CheckRedirectRecheck, title, Skip, "no second code: "+firstError(ds), ds...)
		return nil
	}
	other := RegionEU
	if c.Region == RegionEU {
		other = RegionNA
	}
	wrong := other.RedirectURL(c.VendorID)
	tr := tokenRequest(ctx, &k.o.Env, &c, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {wrong}}, false)
	if tr.status == http.StatusOK {
		k.add(CheckRedirectRecheck, title, Fail, fmt.Sprintf("a code issued for %s was exchanged with redirect_uri %s (RFC 6749 §4.1.3 requires them to match)", c.RedirectURI(), wrong))
		return nil
	}
	k.add(CheckRedirectRecheck, title, Pass, fmt.Sprintf("a code exchanged with another region's redirect_uri was refused (HTTP %d %s)", tr.status, tr.errorCode))
	return nil
}

func (k *checker) clientAuth(ctx context.Context, form FormSignIn, res *LinkResult) error {
	const title = "client authentication schemes"
	c := k.o.Console
	if !stepReached(res, "token exchange") {
		k.add(CheckClientAuth, title, Skip, "no code was exchanged: "+firstError(res.Diagnoses))
		return nil
	}
	configuredOK := len(pick(res.Diagnoses, CodeTokenInvalidClient, CodeTokenInvalidGrant, CodeTokenHTTPError,
		CodeTokenEndpointUnreachable, CodeTokenEndpointTimeout)) == 0
	other := SchemeRequestBody
	if c.Scheme == SchemeRequestBody {
		other = SchemeHTTPBasic
	}
	oc := c
	oc.Scheme = other
	code, ds, err := k.code(ctx, form, &oc)
	if err != nil {
		return err
	}
	otherOK := false
	otherDetail := "not tried: " + firstError(ds)
	if code != "" {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {oc.RedirectURI()}}
		tr := tokenRequest(ctx, &k.o.Env, &oc, form, false)
		otherOK = tr.status == http.StatusOK
		if otherOK {
			otherDetail = "works"
		} else {
			otherDetail = fmt.Sprintf("refused (HTTP %d %s)", tr.status, tr.errorCode)
		}
	}
	confDetail := "works"
	if !configuredOK {
		confDetail = "refused"
	}
	reason := fmt.Sprintf("%s (configured): %s; %s: %s", c.Scheme, confDetail, other, otherDetail)
	switch {
	case !configuredOK:
		k.add(CheckClientAuth, title, Fail, reason, pick(res.Diagnoses, CodeTokenInvalidClient)...)
	case !otherOK:
		k.add(CheckClientAuth, title, Warn, reason+"; keep the console on "+c.Scheme.String())
	default:
		k.add(CheckClientAuth, title, Pass, reason)
	}
	return nil
}

// code signs in for a fresh authorization code without exchanging it.
func (k *checker) code(ctx context.Context, form FormSignIn, c *Console) (string, Diagnoses, error) {
	state := randomToken(48)
	authURL, err := authorizationURL(c, c.RedirectURI(), state, "")
	if err != nil {
		return "", nil, err
	}
	sr, err := form.SignIn(ctx, SignInRequest{AuthURL: authURL, RedirectURI: c.RedirectURI(), DomainList: c.DomainList, Transport: k.o.Env.client().Transport})
	if err != nil {
		return "", nil, err
	}
	if sr.Redirect == nil {
		return "", sr.Diagnoses, nil
	}
	code, ds := checkRedirect(sr.Redirect, c.RedirectURI(), state)
	if ds.Failed() {
		return "", ds, nil
	}
	return code, nil, nil
}

// refresh lets the access token expire RefreshRounds times on the
// simulated clock and refreshes it each time, the way Alexa does; each new
// access token must then answer a directive (when a skill and an endpoint
// are known). After the first refresh that rotates the refresh token, a
// retry with the previous one must work too, and the refreshes after it go
// on with the token the link kept.
func (k *checker) refresh(ctx context.Context, l *Link) {
	const title = "refresh keeps working over repeated expiries, also retried with the previous token after rotation"
	var ds Diagnoses
	seen := map[string]bool{}
	keep := func(more Diagnoses) {
		for _, d := range more {
			if !seen[d.Code] {
				seen[d.Code] = true
				ds = append(ds, d)
			}
		}
	}
	var endpoint string
	if k.o.Env.Skill != nil && len(l.Endpoints) > 0 {
		endpoint = l.Endpoints[0].ID
	}
	start := l.Env.now()
	rotates, retried, directives := false, false, 0
	for i := 1; i <= RefreshRounds; i++ {
		k.advancePast(l.Env.now(), l.Tokens.ExpiresAt)
		at := l.Env.now().Sub(start).Round(time.Second)
		before := l.Tokens
		rds, err := l.Refresh(ctx)
		keep(rds)
		if err == nil {
			k.refreshes++
			if l.refreshIDToken {
				k.refreshIDTokens++
			}
		}
		if err != nil {
			reason := fmt.Sprintf("refresh %d of %d, %s into simulated time: %s", i, RefreshRounds, at, firstError(rds))
			if retried {
				reason = "after a retried refresh, the refresh token it returned does not work: " + reason
			}
			k.add(CheckRefresh, title, Fail, reason, ds...)
			return
		}
		if l.Tokens.AccessToken == before.AccessToken {
			k.add(CheckRefresh, title, Warn, fmt.Sprintf("refresh %d returned the same access token", i), ds...)
			return
		}
		if l.Tokens.RefreshToken != before.RefreshToken {
			rotates = true
			if !retried {
				// Alexa retries a refresh whose response was lost with the
				// previous token and keeps what the retry returns; that
				// must work, and so must the next refresh (RFC 9700
				// §4.14.2; Alexa's B-2024 advice against premature
				// invalidation).
				retried = true
				rds, _, rerr := l.refreshWith(ctx, before.RefreshToken, false)
				if rerr != nil {
					k.add(CheckRefresh, title, Fail, "the refresh token rotates and a retry with the previous one failed: "+firstError(rds), rds...)
					return
				}
			}
		}
		if endpoint != "" {
			rep := l.rawState(ctx, endpoint)
			if rep.Error != nil || rep.Name != alexa.NamespaceAlexa+"/StateReport" {
				got := rep.Name
				if rep.Error != nil {
					got = string(rep.Error.Type)
				}
				if got == "" {
					got = "no reply: " + firstError(rep.Diagnoses)
				}
				k.add(CheckRefresh, title, Fail, fmt.Sprintf("after refresh %d, ReportState with the new access token was answered %s", i, got), append(ds, rep.Diagnoses...)...)
				return
			}
			directives++
		}
	}
	reason := fmt.Sprintf("%d refreshes over %s of simulated time, each after the access token expired", RefreshRounds, l.Env.now().Sub(start).Round(time.Second))
	if directives > 0 {
		reason += fmt.Sprintf("; each new access token answered ReportState (%d directives)", directives)
	}
	if rotates {
		reason += "; the refresh token rotates and a retry with the previous one still works"
	} else {
		reason += "; the refresh token is kept (no rotation)"
	}
	k.add(CheckRefresh, title, Pass, reason, ds...)
}

const idTokenOnRefreshTitle = "ID token on refresh (informational: Alexa keeps only the access token, refresh token and expires_in)"

// idTokenOnRefresh reports whether the refresh responses carried an ID
// token. Alexa never reads one, so either way is fine; leaving it out
// (OpenID Connect Core §12.2) spares the server a signature per refresh,
// the request an Alexa skill's pool serves most.
func (k *checker) idTokenOnRefresh() {
	switch {
	case k.refreshes == 0:
		k.add(CheckIDTokenOnRefresh, idTokenOnRefreshTitle, Skip, "no refresh succeeded")
	case k.refreshIDTokens == 0:
		k.add(CheckIDTokenOnRefresh, idTokenOnRefreshTitle, Info, fmt.Sprintf(
			"none of %d refresh responses carried an ID token; Alexa does not need one, and each refresh signs one token instead of two", k.refreshes))
	default:
		k.add(CheckIDTokenOnRefresh, idTokenOnRefreshTitle, Info, fmt.Sprintf(
			"%d of %d refresh responses carried an ID token, which Alexa ignores; leaving it out (linkpool: client update --id-token-on-refresh=false) signs one token per refresh instead of two",
			k.refreshIDTokens, k.refreshes))
	}
}

func (k *checker) loginPage(res *LinkResult) {
	const title = "login page: mobile viewport, no pop-ups, content only from allowed domains"
	var form []PageReport
	for _, p := range res.Pages {
		if p.Form != "" {
			form = append(form, p)
		}
	}
	if len(form) == 0 {
		k.add(CheckLoginPage, title, Skip, "no login page was seen: "+firstError(res.Diagnoses))
		return
	}
	ds := pageDiagnoses(res.Pages)
	if len(ds) > 0 {
		k.add(CheckLoginPage, title, Warn, ds[0].Detail, ds...)
		return
	}
	k.add(CheckLoginPage, title, Pass, "viewport meta present, no alert/confirm/prompt/window.open in inline scripts, no foreign resources (pop-ups opened by external scripts need --browser)")
}

// inlineErrors signs in with a wrong password and expects the login page
// back with a visible error.
func (k *checker) inlineErrors(ctx context.Context) error {
	const title = "login page shows errors inline"
	if k.o.Username == "" || k.o.Password == "" {
		k.add(CheckInlineErrors, title, Skip, "no test user: give a username and password")
		return nil
	}
	c := k.o.Console
	authURL, err := authorizationURL(&c, c.RedirectURI(), randomToken(48), "")
	if err != nil {
		return err
	}
	wrong := FormSignIn{Username: k.o.Username, Password: k.o.Password + "-wrong-" + randomToken(3), Lang: k.o.Lang}
	sr, err := wrong.SignIn(ctx, SignInRequest{AuthURL: authURL, RedirectURI: c.RedirectURI(), DomainList: c.DomainList, Transport: k.o.Env.client().Transport})
	if err != nil {
		return err
	}
	var last PageReport
	if n := len(sr.Pages); n > 0 {
		last = sr.Pages[n-1]
	}
	switch {
	case sr.Redirect != nil:
		k.add(CheckInlineErrors, title, Fail, "a wrong password was accepted")
	case sr.Diagnoses.Has(CodeSignInFailed) && last.ErrorText != "":
		k.add(CheckInlineErrors, title, Pass, fmt.Sprintf("a wrong password shows %q on the page", clip(last.ErrorText, 80)))
	case sr.Diagnoses.Has(CodeSignInFailed):
		k.add(CheckInlineErrors, title, Warn, "a wrong password was refused, but no error text (role=alert or an error class) was found on the page")
	default:
		k.add(CheckInlineErrors, title, Skip, "the login page was not reached: "+firstError(sr.Diagnoses))
	}
	return nil
}

func (k *checker) skill(ctx context.Context, res *LinkResult, l *Link) {
	const (
		agTitle   = "AcceptGrant answered (Send Alexa Events)"
		discTitle = "discovery returns endpoints"
		credTitle = "credential errors only for bad tokens"
		repTitle  = "replies schema-valid and within 8 s"
	)
	if k.o.Env.Skill == nil {
		for _, it := range []struct{ id, t string }{{CheckAcceptGrant, agTitle}, {CheckDiscovery, discTitle}, {CheckCredentialError, credTitle}, {CheckReplies, repTitle}} {
			k.add(it.id, it.t, Skip, "no skill endpoint given")
		}
		return
	}
	var replies []*Reply
	switch {
	case !k.o.Console.SendAlexaEvents:
		k.add(CheckAcceptGrant, agTitle, Skip, "Send Alexa Events is off: Alexa sends no AcceptGrant")
	case res.AcceptGrant == nil:
		k.add(CheckAcceptGrant, agTitle, Skip, "linking did not get that far: "+firstError(res.Diagnoses))
	case res.AcceptGrant.Diagnoses.Failed():
		k.add(CheckAcceptGrant, agTitle, Fail, firstError(res.AcceptGrant.Diagnoses), res.AcceptGrant.Diagnoses...)
	default:
		replies = append(replies, res.AcceptGrant)
		k.add(CheckAcceptGrant, agTitle, Pass, "the skill answered AcceptGrant.Response")
	}
	switch {
	case res.Discovery == nil:
		k.add(CheckDiscovery, discTitle, Skip, "linking did not get that far: "+firstError(res.Diagnoses))
	case res.Discovery.Diagnoses.Failed():
		k.add(CheckDiscovery, discTitle, Fail, firstError(res.Discovery.Diagnoses), res.Discovery.Diagnoses...)
	default:
		replies = append(replies, res.Discovery)
		k.add(CheckDiscovery, discTitle, Pass, fmt.Sprintf("%d endpoint(s)", len(l.Endpoints)))
	}
	if len(l.Endpoints) == 0 || !l.IsLinked() {
		k.add(CheckCredentialError, credTitle, Skip, "no linked endpoint to send directives to")
	} else {
		ep := l.Endpoints[0].ID
		good, _ := l.State(ctx, ep)
		replies = append(replies, good)
		bad := *l
		bad.Tokens.AccessToken = "garbage-" + randomToken(24)
		bad.Tokens.ExpiresAt = l.Env.now().Add(time.Hour)
		garbage := bad.rawState(ctx, ep)
		replies = append(replies, garbage)
		switch {
		case good.Error != nil && (good.Error.Type == alexa.ErrInvalidAuthorization || good.Error.Type == alexa.ErrExpiredAuthorization):
			k.add(CheckCredentialError, credTitle, Fail, fmt.Sprintf("ReportState with a good token was answered %s: Alexa would unlink the user", good.Error.Type), good.Diagnoses...)
		case garbage.Error == nil || garbage.Error.Type != alexa.ErrInvalidAuthorization:
			got := garbage.Name
			if garbage.Error != nil {
				got = string(garbage.Error.Type)
			}
			if got == "" {
				got = "no reply"
			}
			k.add(CheckCredentialError, credTitle, Fail, "ReportState with a garbage token was answered "+got+", expected INVALID_AUTHORIZATION_CREDENTIAL", garbage.Diagnoses...)
		default:
			k.add(CheckCredentialError, credTitle, Pass, "a garbage token gets INVALID_AUTHORIZATION_CREDENTIAL, a good one a StateReport")
		}
	}
	var bad Diagnoses
	slowest := time.Duration(0)
	for _, r := range replies {
		if r == nil {
			continue
		}
		bad = append(bad, pick(r.Diagnoses, CodeReplySchemaInvalid, CodeSkillTimeout, CodeCorrelationTokenMismatch, CodeEndpointMismatch, CodeReplyUnexpected)...)
		if r.Elapsed > slowest {
			slowest = r.Elapsed
		}
	}
	switch {
	case len(replies) == 0:
		k.add(CheckReplies, repTitle, Skip, "no replies")
	case bad.Failed():
		k.add(CheckReplies, repTitle, Fail, firstError(bad), bad...)
	case k.o.Env.Schema == nil:
		k.add(CheckReplies, repTitle, Skip, fmt.Sprintf("schema %s; slowest reply %s", SchemaSkipped, slowest.Round(time.Millisecond)))
	default:
		k.add(CheckReplies, repTitle, Pass, fmt.Sprintf("%d replies valid; slowest %s", len(replies), slowest.Round(time.Millisecond)))
	}
}

// rawState sends ReportState with the link's token without refreshing
// or unlinking, for the credential check.
func (l *Link) rawState(ctx context.Context, endpoint string) *Reply {
	ep := l.endpoint(endpoint)
	ep.Scope = &alexa.Scope{Type: alexa.ScopeBearerToken, Token: l.Tokens.AccessToken}
	d, err := newDirective(alexa.NamespaceAlexa, "ReportState", ep, struct{}{}, true)
	if err != nil {
		return &Reply{Diagnoses: Diagnoses{newDiagnosis(CodeSkillUnreachable, err.Error())}}
	}
	return l.call(ctx, d, expect{ok: []string{alexa.NamespaceAlexa + "/StateReport"}, errNamespace: alexa.NamespaceAlexa})
}

func stepReached(res *LinkResult, name string) bool {
	for _, s := range res.Steps {
		if s.Name == name {
			return true
		}
	}
	return false
}

func stepOK(res *LinkResult, name string) bool {
	for _, s := range res.Steps {
		if s.Name == name {
			return s.OK
		}
	}
	return false
}

func pick(ds Diagnoses, codes ...string) Diagnoses {
	var out Diagnoses
	for _, d := range ds {
		for _, c := range codes {
			if d.Code == c {
				out = append(out, d)
			}
		}
	}
	return out
}

func errorsOf(ds Diagnoses) Diagnoses {
	var out Diagnoses
	for _, d := range ds {
		if d.Severity == Error {
			out = append(out, d)
		}
	}
	return out
}

func firstError(ds Diagnoses) string {
	if d, ok := ds.FirstError(); ok {
		return d.Code + ": " + d.Detail
	}
	return "no error reported"
}
