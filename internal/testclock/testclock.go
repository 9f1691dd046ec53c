// Package testclock is a settable time source for tests: the services
// under test take its Now, and the test moves time forward with Advance
// instead of sleeping.
//
// Only tests and the soak (package soak, which plays a simulated year
// through the real server) import it.
package testclock

import (
	"sync"
	"time"
)

// Clock is a time source that stands still until advanced. It is safe
// for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// New returns a clock showing t.
func New(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
