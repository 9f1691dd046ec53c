package soak

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/smarthome/alexa"
)

// link is one user of the pool with the SmartLamp skill linked in the
// Alexa app, and a lamp.
type link struct {
	name     string
	username string
	password string
	client   Client
	lamp     string
	l        *alexasim.Link
	on       bool
	// expect names the event that calls for this link's unlink; an
	// unlink while it is empty is unexpected.
	expect string
	// retryAt is when Alexa tries a failed refresh again.
	retryAt time.Time
}

func (lk *link) linked() bool { return lk.l != nil && lk.l.IsLinked() }

// refreshAt is when Alexa refreshes the link's access token next.
func (lk *link) refreshAt() time.Time {
	t := lk.l.Tokens.ExpiresAt.Add(-RefreshBefore)
	if lk.retryAt.After(t) {
		return lk.retryAt
	}
	return t
}

// newPassword returns a password the default policy accepts.
func newPassword() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "Soak-" + hex.EncodeToString(b) + "-Aa1!"
}

// createLink creates the user of link i with the pool's service code and
// a lamp with the skill's, and links the account.
func (s *soak) createLink(ctx context.Context, i int) (*link, error) {
	lk := &link{
		name:     fmt.Sprintf("link-%d", i+1),
		username: fmt.Sprintf("soak-user-%d", i+1),
		password: newPassword(),
		client:   s.pool.Plain,
	}
	if i == 0 {
		lk.client = s.pool.Rotating
	}
	a := s.admin()
	res, err := a.Accounts.AdminCreateUser(ctx, s.userPool, account.AdminCreateUserInput{
		Username: lk.username, TemporaryPassword: lk.password, Permanent: true, EmailVerified: true,
		Attributes: map[string]string{"email": lk.username + "@example.com"},
	})
	if err != nil {
		return nil, fmt.Errorf("soak: create user %s: %w", lk.username, err)
	}
	if _, err := smarthome.AddLamp(ctx, s.skill.st, res.User.Sub, fmt.Sprintf("Lamp %d", i+1)); err != nil {
		return nil, fmt.Errorf("soak: add a lamp: %w", err)
	}
	if err := s.linkAccount(ctx, lk); err != nil {
		return nil, err
	}
	return lk, nil
}

// linkAccount links (again) with the hosted login form.
func (s *soak) linkAccount(ctx context.Context, lk *link) error {
	res, err := alexasim.LinkAccount(ctx, alexasim.LinkOptions{
		Name: lk.name,
		Console: alexasim.Console{
			AuthorizationURI: s.pool.AuthorizationURI, AccessTokenURI: s.pool.AccessTokenURI,
			ClientID: lk.client.ID, ClientSecret: lk.client.Secret, Scheme: alexasim.SchemeHTTPBasic,
			Scopes: s.pool.Scopes, VendorID: s.pool.VendorID, Region: alexasim.RegionNA,
		},
		SignIn: alexasim.FormSignIn{Username: lk.username, Password: lk.password},
		Env:    s.env,
	})
	if err != nil {
		detail := ""
		if res != nil {
			detail = ": " + strings.Join(res.Diagnoses.Codes(), ", ")
		}
		return fmt.Errorf("soak: link %s: %w%s", lk.name, err, detail)
	}
	if len(res.Link.Endpoints) != 1 {
		return fmt.Errorf("soak: link %s discovered %d endpoints, want its one lamp", lk.name, len(res.Link.Endpoints))
	}
	lk.l, lk.lamp, lk.retryAt = res.Link, res.Link.Endpoints[0].ID, time.Time{}
	return nil
}

// refresh refreshes the link's access token as Alexa does.
func (s *soak) refresh(ctx context.Context, lk *link) {
	if !lk.linked() {
		return
	}
	ds, err := lk.l.Refresh(ctx)
	s.countDiagnoses(ds)
	switch {
	case err == nil:
		s.rep.Refreshes.OK++
		if hasCode(ds, alexasim.CodeTransientRetry) {
			s.rep.Refreshes.Retried++
		}
		lk.retryAt = time.Time{}
	case lk.linked():
		s.rep.Refreshes.Failed++
		lk.retryAt = s.clock.Now().Add(time.Minute)
		s.failure(lk, "refresh", err)
	}
	s.observe(ctx, lk, true)
}

// directive sends the hour's directive: a power toggle, or every sixth
// hour a ReportState, and checks the reported power state.
func (s *soak) directive(ctx context.Context, lk *link, hour int) {
	if !lk.linked() {
		return
	}
	token := lk.l.Tokens.AccessToken
	var rep *alexasim.Reply
	var err error
	want := !lk.on
	if hour%6 == 0 {
		want = lk.on
		rep, err = lk.l.State(ctx, lk.lamp)
	} else {
		rep, err = lk.l.Power(ctx, lk.lamp, want)
	}
	if rep != nil {
		s.countDiagnoses(rep.Diagnoses)
	}
	if lk.linked() && lk.l.Tokens.AccessToken != token {
		s.rep.Refreshes.OK++ // refreshed on the directive's path
	}
	switch {
	case err == nil && rep.Error != nil:
		// An ErrorResponse that is no credential error (those unlink):
		// the skill could not do it now; Alexa tells the user.
		s.rep.Directives.Failed++
		s.rep.Transient["SKILL_ERROR/"+string(rep.Error.Type)]++
		s.failure(lk, "directive", fmt.Errorf("%s: %s", rep.Error.Type, rep.Error.Message))
	case err == nil && !powerIs(rep, want):
		s.rep.Directives.Failed++
		s.rep.Undisrupted++
		s.note(lk, "directive", fmt.Sprintf("%s replied without powerState %v", rep.Directive, onOff(want)))
	case err == nil:
		s.rep.Directives.OK++
		lk.on = want
		if rep != nil && hasCode(rep.Diagnoses, alexasim.CodeTransientRetry) {
			s.rep.Directives.Retried++
		}
	case lk.linked():
		s.rep.Directives.Failed++
		s.failure(lk, "directive", err)
	}
	s.observe(ctx, lk, true)
}

// round refreshes every link at once and sends each a directive, as
// after an event.
func (s *soak) round(ctx context.Context) {
	for _, lk := range s.links {
		s.refresh(ctx, lk)
	}
	for _, lk := range s.links {
		s.directive(ctx, lk, 1)
	}
}

// observe records an unlink of a link that was linked, and links an
// unexpectedly unlinked one again, as its user would.
func (s *soak) observe(ctx context.Context, lk *link, wasLinked bool) {
	if !wasLinked || lk.l == nil || lk.linked() || lk.l.Status.State != alexasim.Unlinked {
		return
	}
	if n := len(s.rep.Unlinks); n > 0 && s.rep.Unlinks[n-1].Link == lk.name && s.rep.Unlinks[n-1].At.Equal(lk.l.Status.At) {
		return // recorded already
	}
	u := Unlink{At: lk.l.Status.At, Link: lk.name, Code: lk.l.Status.Code, Reason: lk.l.Status.Reason, Expected: lk.expect != "", Why: lk.expect}
	s.rep.Unlinks = append(s.rep.Unlinks, u)
	if u.Expected {
		return
	}
	s.rep.Unexpected++
	if err := s.linkAccount(ctx, lk); err != nil {
		s.note(lk, "link again", err.Error())
	}
}

// failure records a refresh or directive that failed every attempt while
// the link stayed linked: expected while an event disrupts the
// deployment, a failure of the soak otherwise.
func (s *soak) failure(lk *link, op string, err error) {
	if s.disrupted > 0 {
		return
	}
	s.rep.Undisrupted++
	msg := err.Error()
	var de *alexasim.DiagnosedError
	if errors.As(err, &de) {
		msg = strings.Join(de.Diagnoses.Codes(), ", ")
	}
	s.note(lk, op, msg)
}

// note keeps the first failures for the report.
func (s *soak) note(lk *link, op, msg string) {
	if len(s.rep.Failures) < 20 {
		s.rep.Failures = append(s.rep.Failures, fmt.Sprintf("day %.2f %s %s: %s", s.clock.Now().Sub(s.rep.Start).Hours()/24, lk.name, op, msg))
	}
}

// countDiagnoses counts the diagnoses of retried and failed attempts.
func (s *soak) countDiagnoses(ds alexasim.Diagnoses) {
	for _, d := range ds {
		if d.Code == alexasim.CodeNotHTTPS {
			continue
		}
		code := d.Code
		if code == alexasim.CodeTransientRetry {
			// "refresh attempt 1: TOKEN_HTTP_5XX: ..." names the cause.
			if _, rest, ok := strings.Cut(d.Detail, ": "); ok {
				if cause, _, ok := strings.Cut(rest, ":"); ok && cause == strings.ToUpper(cause) && !strings.Contains(cause, " ") {
					code += "/" + cause
				}
			}
		}
		s.rep.Transient[code]++
	}
}

func hasCode(ds alexasim.Diagnoses, code string) bool {
	for _, d := range ds {
		if d.Code == code {
			return true
		}
	}
	return false
}

// powerIs reports whether a reply reports the power state on.
func powerIs(rep *alexasim.Reply, on bool) bool {
	if rep == nil {
		return false
	}
	for _, p := range rep.Properties {
		if p.Name == alexa.PropPowerState {
			return p.Value == onOff(on)
		}
	}
	return false
}

func onOff(on bool) string {
	if on {
		return "ON"
	}
	return "OFF"
}
