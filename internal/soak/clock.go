package soak

import (
	"context"
	"sort"
	"time"

	"github.com/linkpool/linkpool/internal/testclock"
)

// clock is the one time source of the server, the skill and the
// simulator. Only Run moves it; Alexa's retry backoff moves it too,
// instead of waiting.
type clock struct{ *testclock.Clock }

// to moves the clock forward to t (never back).
func (c clock) to(t time.Time) {
	if d := t.Sub(c.Now()); d > 0 {
		c.Advance(d)
	}
}

// sleep is alexasim.Env.Sleep: the backoff passes in simulated time.
func (c clock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// event is a scheduled event.
type event struct {
	at   time.Time
	name string
	run  func(ctx context.Context) (outcome string, ok bool)
}

// schedule is the queue of events, earliest first.
type schedule struct{ events []event }

func (s *schedule) add(e event) {
	s.events = append(s.events, e)
	sort.SliceStable(s.events, func(i, j int) bool { return s.events[i].at.Before(s.events[j].at) })
}

// next is the time of the earliest event, or zero.
func (s *schedule) next() time.Time {
	if len(s.events) == 0 {
		return time.Time{}
	}
	return s.events[0].at
}

// due removes and returns the events due at now.
func (s *schedule) due(now time.Time) []event {
	var out []event
	for len(s.events) > 0 && !s.events[0].at.After(now) {
		out = append(out, s.events[0])
		s.events = s.events[1:]
	}
	return out
}
