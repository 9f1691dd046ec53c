package smarthome

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/smarthome/alexa"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

// changeJob is one ChangeReport to send.
type changeJob struct {
	prev, next skillstore.Lamp
	cause      string
	at         time.Time
}

// reporter sends ChangeReports from one goroutine. The queue is bounded;
// when it is full, reports are dropped and logged, so a slow or failing
// gateway never blocks or fails a user's action.
type reporter struct {
	s       *Skill
	timeout time.Duration

	mu     sync.RWMutex // guards closed and the send on queue
	closed bool
	queue  chan changeJob
	done   chan struct{}
}

func newReporter(s *Skill, size int, timeout time.Duration) *reporter {
	r := &reporter{s: s, timeout: timeout, queue: make(chan changeJob, size), done: make(chan struct{})}
	go r.run()
	return r
}

// enqueue schedules a report without blocking.
func (r *reporter) enqueue(j changeJob) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		return
	}
	select {
	case r.queue <- j:
	default:
		r.s.log.Warn("smarthome: ChangeReport queue full, report dropped", "owner", j.next.Owner, "endpoint", j.next.ID)
	}
}

func (r *reporter) run() {
	defer close(r.done)
	for j := range r.queue {
		ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
		if err := r.s.sendChangeReport(ctx, j); err != nil {
			r.s.log.Warn("smarthome: ChangeReport not delivered", "owner", j.next.Owner, "endpoint", j.next.ID, "error", err.Error())
		}
		cancel()
	}
}

func (r *reporter) close(ctx context.Context) error {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.queue)
	}
	r.mu.Unlock()
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// errNoGrant: the user never accepted the grant (or events are off).
var errNoGrant = errors.New("no Alexa grant")

// sendChangeReport posts a ChangeReport for the lamp to the event gateway
// with the owner's LWA access token, refreshing it when it expired or the
// gateway rejects it (docs "Send Events to the Alexa Event Gateway").
func (s *Skill) sendChangeReport(ctx context.Context, j changeJob) error {
	changed, unchanged := changedProperties(j.prev, j.next, j.at)
	if len(changed) == 0 {
		return nil
	}
	tok, err := s.eventToken(ctx, j.next.Owner, false)
	if errors.Is(err, errNoGrant) {
		return nil
	}
	if err != nil {
		return err
	}
	status, err := s.postEvent(ctx, tok, j, changed, unchanged)
	if err == nil && status == http.StatusUnauthorized {
		if tok, err = s.eventToken(ctx, j.next.Owner, true); err != nil {
			return err
		}
		status, err = s.postEvent(ctx, tok, j, changed, unchanged)
	}
	if err != nil {
		return err
	}
	if status < 200 || status > 299 {
		return fmt.Errorf("event gateway answered HTTP %d", status)
	}
	return nil
}

func (s *Skill) postEvent(ctx context.Context, tok *oauth2.Token, j changeJob, changed, unchanged []alexa.Property) (int, error) {
	msg := alexa.ChangeReport(j.next.ID, alexa.Scope{Type: alexa.ScopeBearerToken, Token: tok.AccessToken}, j.cause, changed, unchanged)
	body, err := msg.Marshal()
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.gateway, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("event gateway: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// eventToken returns a current LWA access token for owner, refreshing it
// (and storing the refreshed tokens) when it expires within a minute or
// force is set. LWA access tokens last an hour (docs "Authenticate a
// customer to your skill").
func (s *Skill) eventToken(ctx context.Context, owner string, force bool) (*oauth2.Token, error) {
	if !s.eventsEnabled() {
		return nil, errNoGrant
	}
	g, err := s.store.GetAlexaGrant(ctx, owner)
	if errors.Is(err, store.ErrNotFound) || (err == nil && len(g.SealedTokens) == 0) {
		return nil, errNoGrant
	}
	if err != nil {
		return nil, fmt.Errorf("read grant: %w", err)
	}
	tok, err := s.openTokens(owner, g.SealedTokens)
	if errors.Is(err, errTokensDoNotOpen) {
		// Not this user's tokens: as if there were none, until the user
		// links again and AcceptGrant stores new ones.
		s.log.WarnContext(ctx, "smarthome: the stored LWA tokens do not open for their user; no events until the skill is linked again", "owner", owner)
		return nil, errNoGrant
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !force && tok.AccessToken != "" && now.Add(time.Minute).Before(tok.Expiry) {
		return tok, nil
	}
	if tok.RefreshToken == "" {
		return nil, errors.New("LWA access token expired and there is no refresh token")
	}
	old := tok.RefreshToken
	fresh, err := s.lwa.TokenSource(s.lwaContext(ctx), &oauth2.Token{RefreshToken: old}).Token()
	if err != nil {
		return nil, fmt.Errorf("refresh LWA token: %s", oauthErrorSummary(err))
	}
	if fresh.RefreshToken == "" {
		fresh.RefreshToken = old
	}
	sealed, err := s.sealTokens(owner, fresh)
	if err != nil {
		return nil, err
	}
	g.SealedTokens, g.TokenExpiresAt, g.UpdatedAt = sealed, fresh.Expiry, now
	if err := s.store.PutAlexaGrant(ctx, g); err != nil {
		return nil, fmt.Errorf("store refreshed grant: %w", err)
	}
	return fresh, nil
}
