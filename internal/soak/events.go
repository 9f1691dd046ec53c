package soak

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/linkpool/linkpool/internal/token"
)

// plan schedules the events over the span: key rotations every
// RotationEvery (the first one twice in a row), then (b) to (f) at fixed
// fractions of the span, so a shorter soak holds every event too.
func (s *soak) plan() {
	start, span := s.cfg.Start, s.cfg.Duration
	at := func(f float64) time.Time {
		return start.Add(time.Duration(float64(span) * f)).Truncate(time.Minute).Add(17 * time.Minute)
	}
	first := true
	for t := start.Add(s.cfg.RotationEvery); t.Before(start.Add(span - 24*time.Hour)); t = t.Add(s.cfg.RotationEvery) {
		s.sched.add(event{at: t, name: "(a) signing-key rotation", run: s.rotate(first)})
		first = false
	}
	if first {
		s.sched.add(event{at: at(0.15), name: "(a) signing-key rotation", run: s.rotate(true)})
	}
	s.sched.add(event{at: at(0.10), name: "(b) refresh response lost (rotating refresh tokens)", run: s.loseResponse})
	s.sched.add(event{at: at(0.30), name: "(c) instance killed mid-request", run: s.killInstance})
	s.sched.add(event{at: at(0.50), name: "(d) database outage", run: s.cutDatabase})
	s.sched.add(event{at: at(0.60), name: "(e) password change", run: s.changePassword})
	s.sched.add(event{at: at(0.60).Add(time.Hour), name: "(e) global sign-out", run: s.signOut})
	s.sched.add(event{at: at(0.80), name: "(f) server restart", run: s.restart})
	if s.cfg.InjectUnexpectedUnlink {
		s.sched.add(event{at: at(0.70), name: "injected: refresh token revoked outside the schedule", run: s.injectRevocation})
	}
}

// unlinkedOthers names the links other than except that are not linked.
func (s *soak) unlinkedOthers(except *link) []string {
	var out []string
	for _, lk := range s.links {
		if lk != except && !lk.linked() {
			out = append(out, lk.name)
		}
	}
	return out
}

// allLinked is the outcome suffix that says whether every link is still
// linked.
func (s *soak) allLinked() (string, bool) {
	if un := s.unlinkedOthers(nil); len(un) > 0 {
		return "; unlinked: " + strings.Join(un, ", "), false
	}
	return "; every link still linked", true
}

// rotate is (a): rotate the signing keys as `keys rotate` does, then
// refresh every link and send directives at once, so tokens signed by the
// new key meet the skill's cached JWKS. With double it rotates again
// straight away, which must be refused while the new next key is younger
// than token.PublishFor, and once more when that has passed.
func (s *soak) rotate(double bool) func(ctx context.Context) (string, bool) {
	return func(ctx context.Context) (string, bool) {
		a := s.admin()
		if a == nil {
			return "no instance is serving", false
		}
		res, err := s.cfg.Hooks.Rotate(ctx, a, s.pool.ID)
		if err != nil {
			return "rotation failed: " + err.Error(), false
		}
		s.rep.Rotations++
		kids := make([]string, 0, len(res.Activated))
		for _, k := range res.Activated {
			kids = append(kids, k.KID)
		}
		outcome := fmt.Sprintf("key set version %d, now signing with %s", res.Version, strings.Join(kids, ", "))
		s.round(ctx)
		tail, ok := s.allLinked()
		outcome += tail
		if !double {
			return outcome, ok
		}
		_, err = s.cfg.Hooks.Rotate(ctx, a, s.pool.ID)
		var nr *token.NotReadyError
		if !errors.As(err, &nr) {
			return outcome + fmt.Sprintf("; the rotation straight after was not refused (%v)", err), false
		}
		s.rep.RotationsRefused++
		s.sched.add(event{at: nr.ReadyAt, name: "(a) signing-key rotation, second in a row", run: s.rotate(false)})
		return outcome + fmt.Sprintf("; a second rotation at once was refused as expected until %s (+%v)",
			nr.ReadyAt.UTC().Format(time.RFC3339), nr.ReadyAt.Sub(s.clock.Now())), ok
	}
}

// loseResponse is (b): on the link whose client rotates refresh tokens,
// the server processes a refresh and its response is lost; Alexa retries
// with the refresh token it still has, which must work.
func (s *soak) loseResponse(ctx context.Context) (string, bool) {
	lk := s.links[0]
	if !lk.linked() {
		return lk.name + " is not linked", false
	}
	before, lost := lk.l.Tokens.RefreshToken, s.net.lost.Load()
	okBefore := s.rep.Refreshes.OK
	s.net.armed.Store(true)
	s.refresh(ctx, lk)
	s.net.armed.Store(false)
	if s.net.lost.Load() == lost {
		return "no response was lost", false
	}
	s.rep.LostResponses++
	if s.rep.Refreshes.OK == okBefore || !lk.linked() {
		return "the retry after the lost response failed", false
	}
	rotated := lk.l.Tokens.RefreshToken != before
	s.directive(ctx, lk, 1)
	s.refresh(ctx, lk)
	tail, ok := s.allLinked()
	return fmt.Sprintf("%s: the retry with the previous refresh token succeeded (refresh token rotated: %v), then a directive and a refresh%s", lk.name, rotated, tail), ok && rotated
}

// killInstance is (c): an instance is killed while a request is in
// flight to it. With PostgreSQL the other instances keep serving and a
// fresh instance takes its place a day later; SQLite's single instance is
// started again after ten minutes.
func (s *soak) killInstance(ctx context.Context) (string, bool) {
	live := s.dep.live()
	if len(live) == 0 {
		return "no instance is serving", false
	}
	victim := live[len(live)-1]
	killed := make(chan struct{})
	var once sync.Once
	kill := func(in *instance) { once.Do(func() { s.dep.kill(in); close(killed) }) }
	s.dep.front.armKill(victim, kill)
	alone := len(live) == 1
	if alone {
		s.disrupted++ // nothing serves until the restart
	}
	// The request killed in flight is a refresh of a link whose client
	// does not rotate refresh tokens. On the rotating client a refresh
	// the server committed but never answered must be retried within
	// the 60 s grace period; past it the previous token counts as reused
	// and the grant is revoked (reuse detection, RFC 9700 §4.14.2), so a
	// single instance down for longer unlinks that user. (b) covers the
	// rotating client's lost response with a prompt retry.
	s.refresh(ctx, s.links[len(s.links)-1])
	s.round(ctx)
	if s.dep.front.disarm() {
		kill(victim) // no request reached it
	}
	<-killed
	if alone {
		s.sched.add(event{at: s.clock.Now().Add(10 * time.Minute), name: "(c) instance started again", run: s.replaceInstance(true)})
		tail, ok := s.allLinked()
		return victim.name + " killed mid-request; nothing serves until it is started again" + tail, ok
	}
	s.round(ctx)
	s.sched.add(event{at: s.clock.Now().Add(24 * time.Hour), name: "(c) fresh instance in its place", run: s.replaceInstance(false)})
	tail, ok := s.allLinked()
	return fmt.Sprintf("%s killed mid-request; %d instance(s) serving", victim.name, len(s.dep.live())) + tail, ok
}

func (s *soak) replaceInstance(wasAlone bool) func(ctx context.Context) (string, bool) {
	return func(ctx context.Context) (string, bool) {
		in, err := s.dep.start(ctx)
		if wasAlone {
			s.disrupted--
		}
		if err != nil {
			return "start: " + err.Error(), false
		}
		s.round(ctx)
		tail, ok := s.allLinked()
		return fmt.Sprintf("%s started; %d instance(s) serving", in.name, len(s.dep.live())) + tail, ok
	}
}

// cutDatabase is (d): the database is unreachable for OutageFor, longer
// than the server's caches; Alexa's traffic goes on and must only see
// transient failures.
func (s *soak) cutDatabase(ctx context.Context) (string, bool) {
	if err := s.out.cut(ctx); err != nil {
		return err.Error(), false
	}
	s.disrupted++
	failedBefore := s.rep.Refreshes.Failed + s.rep.Directives.Failed
	s.round(ctx)
	s.clock.Advance(OutageFor / 2)
	s.round(ctx)
	failed := s.rep.Refreshes.Failed + s.rep.Directives.Failed - failedBefore
	s.sched.add(event{at: s.clock.Now().Add(OutageFor / 2), name: "(d) database back", run: s.restoreDatabase})
	tail, ok := s.allLinked()
	return fmt.Sprintf("database unreachable for %v; %d refresh(es) and directive(s) failed transiently", OutageFor, failed) + tail, ok
}

func (s *soak) restoreDatabase(ctx context.Context) (string, bool) {
	err := s.out.restore()
	s.disrupted--
	if err != nil {
		return err.Error(), false
	}
	failedBefore := s.rep.Refreshes.Failed + s.rep.Directives.Failed
	s.round(ctx)
	tail, ok := s.allLinked()
	if failed := s.rep.Refreshes.Failed + s.rep.Directives.Failed - failedBefore; failed > 0 {
		return fmt.Sprintf("%d refresh(es) or directive(s) failed after the database came back", failed) + tail, false
	}
	return "every link refreshed and answered" + tail, ok
}

const signOutWhy = "(e) password change and global sign-out"

// changePassword is (e), first half: the second link's user gets a new
// password from the administrator.
func (s *soak) changePassword(ctx context.Context) (string, bool) {
	lk := s.links[1]
	a := s.admin()
	if a == nil {
		return "no instance is serving", false
	}
	pw := newPassword()
	if err := a.Accounts.AdminSetUserPassword(ctx, s.userPool, lk.username, pw, true); err != nil {
		return "set password: " + err.Error(), false
	}
	lk.password, lk.expect = pw, signOutWhy
	s.round(ctx)
	state := "still linked"
	if !lk.linked() {
		state = "unlinked (" + lk.l.Status.Code + ")"
	}
	others := s.unlinkedOthers(lk)
	return fmt.Sprintf("%s's password changed; %s is %s; other links unlinked: %d", lk.username, lk.name, state, len(others)), len(others) == 0
}

// signOut is (e), second half: the user signs out everywhere, which must
// end their link and only theirs; they then link again.
func (s *soak) signOut(ctx context.Context) (string, bool) {
	lk := s.links[1]
	a := s.admin()
	if a == nil {
		return "no instance is serving", false
	}
	unlinksBefore := s.countUnlinks(lk)
	if err := a.Accounts.GlobalSignOut(ctx, s.userPool, lk.username); err != nil {
		return "global sign-out: " + err.Error(), false
	}
	s.round(ctx)
	ended := s.countUnlinks(lk) > unlinksBefore || !lk.linked()
	cause := ""
	if n := len(s.rep.Unlinks); n > 0 && s.rep.Unlinks[n-1].Link == lk.name {
		cause = s.rep.Unlinks[n-1].Code
	}
	others := s.unlinkedOthers(lk)
	lk.expect = ""
	if err := s.linkAccount(ctx, lk); err != nil {
		return "linking again: " + err.Error(), false
	}
	s.directive(ctx, lk, 1)
	outcome := fmt.Sprintf("%s ended: %v (%s); other links unlinked: %d; linked again with the new password: %v", lk.name, ended, cause, len(others), lk.linked())
	return outcome, ended && len(others) == 0 && lk.linked()
}

func (s *soak) countUnlinks(lk *link) int {
	n := 0
	for _, u := range s.rep.Unlinks {
		if u.Link == lk.name {
			n++
		}
	}
	return n
}

// restart is (f): every instance shuts down gracefully and starts again
// over the same database and master key.
func (s *soak) restart(ctx context.Context) (string, bool) {
	live := s.dep.live()
	for _, in := range live {
		if err := s.dep.stop(ctx, in); err != nil {
			return "shutdown of " + in.name + ": " + err.Error(), false
		}
	}
	var names []string
	for range live {
		in, err := s.dep.start(ctx)
		if err != nil {
			return "start: " + err.Error(), false
		}
		names = append(names, in.name)
	}
	s.round(ctx)
	tail, ok := s.allLinked()
	return fmt.Sprintf("%d instance(s) shut down and started again as %s", len(live), strings.Join(names, ", ")) + tail, ok
}

// injectRevocation revokes the last link's refresh token at the pool's
// revocation endpoint (RFC 7009) outside the schedule: the next refresh
// is answered invalid_grant, an unlink the soak must report as
// unexpected.
func (s *soak) injectRevocation(ctx context.Context) (string, bool) {
	lk := s.links[len(s.links)-1]
	if !lk.linked() {
		return lk.name + " is not linked", false
	}
	endpoint := strings.TrimSuffix(s.pool.AccessTokenURI, "/token") + "/revoke"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(url.Values{"token": {lk.l.Tokens.RefreshToken}}.Encode()))
	if err != nil {
		return err.Error(), false
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(lk.client.ID), url.QueryEscape(lk.client.Secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err.Error(), false
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("revocation answered HTTP %d", resp.StatusCode), false
	}
	return lk.name + "'s refresh token revoked", true
}
