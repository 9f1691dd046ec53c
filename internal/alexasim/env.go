package alexasim

import (
	"context"
	"net/http"
	"time"
)

// Deadlines Alexa applies.
const (
	// DefaultTokenTimeout is how long Alexa waits for the access token URI
	// ("Configure an authorization code grant": 4.5 seconds).
	DefaultTokenTimeout = 4500 * time.Millisecond
	// DefaultSkillTimeout is how long Alexa waits for a skill's reply
	// (8 seconds, then SKILL_RESPONSE_TIMEOUT_EXCEPTION).
	DefaultSkillTimeout = 8 * time.Second
)

// Retry bounds the retries of transient failures. Amazon does not
// document its policy; three attempts with doubling backoff is the
// simulator's assumption.
type Retry struct {
	// Attempts in total (default 3).
	Attempts int
	// Backoff before the second attempt, doubled after each (default
	// 500 ms).
	Backoff time.Duration
}

// Env is what the simulator runs with. The zero value works: real clock,
// a default HTTP client, Alexa's deadlines, no schema.
type Env struct {
	// HTTPClient talks to the access token URI and the gateway stand-in.
	// Sign-in builds its own client (cookie jar, redirect policy) over the
	// same transport; an HTTPSkill has its own client.
	HTTPClient *http.Client
	// Now is the clock used for token expiry.
	Now func() time.Time
	// Sleep waits between retries; nil sleeps for real (or until ctx ends).
	Sleep func(ctx context.Context, d time.Duration) error
	// Skill receives directives. Required for AcceptGrant, discovery and
	// directives.
	Skill Skill
	// Schema validates replies; nil reports "skipped (schema not found)".
	Schema *Schema
	// TokenTimeout and SkillTimeout default to Alexa's 4.5 s and 8 s.
	TokenTimeout time.Duration
	SkillTimeout time.Duration
	Retry        Retry
	// RefreshBefore makes directives refresh the access token this long
	// before its recorded expiry, as Amazon's service does (about five
	// minutes ahead), instead of once it has expired. 0 refreshes when
	// the token has expired.
	RefreshBefore time.Duration
}

func (e *Env) client() *http.Client {
	if e.HTTPClient != nil {
		return e.HTTPClient
	}
	return http.DefaultClient
}

func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Env) tokenTimeout() time.Duration {
	if e.TokenTimeout > 0 {
		return e.TokenTimeout
	}
	return DefaultTokenTimeout
}

func (e *Env) skillTimeout() time.Duration {
	if e.SkillTimeout > 0 {
		return e.SkillTimeout
	}
	return DefaultSkillTimeout
}

func (e *Env) attempts() int {
	if e.Retry.Attempts > 0 {
		return e.Retry.Attempts
	}
	return 3
}

// backoff waits before retry number n (1-based).
func (e *Env) backoff(ctx context.Context, n int) error {
	d := e.Retry.Backoff
	if d <= 0 {
		d = 500 * time.Millisecond
	}
	d <<= n - 1
	if e.Sleep != nil {
		return e.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
