package soak

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/testclock"
	"github.com/linkpool/linkpool/internal/token"
	"github.com/linkpool/linkpool/verify"
)

// TestPlanHoldsEveryEvent schedules (a)-(f) within the span, in order,
// for the shortest soak and for a year.
func TestPlanHoldsEveryEvent(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, span := range []time.Duration{7 * 24 * time.Hour, 60 * 24 * time.Hour, DefaultDuration} {
		s := &soak{cfg: Config{Start: start, Duration: span, RotationEvery: DefaultRotationEvery}, clock: clock{testclock.New(start)}}
		s.plan()
		seen := map[string]bool{}
		var last time.Time
		for _, e := range s.sched.events {
			if e.at.Before(last) || !e.at.After(start) || !e.at.Before(start.Add(span)) {
				t.Errorf("span %v: %s at %v out of order or outside the span", span, e.name, e.at)
			}
			last = e.at
			seen[e.name[:3]] = true
			if strings.HasPrefix(e.name, "injected") {
				t.Errorf("span %v: %s without InjectUnexpectedUnlink", span, e.name)
			}
		}
		for _, want := range []string{"(a)", "(b)", "(c)", "(d)", "(e)", "(f)"} {
			if !seen[want] {
				t.Errorf("span %v: no %s event", span, want)
			}
		}
	}
}

// TestConfigChecks refuses what cannot be soaked and fills in defaults.
func TestConfigChecks(t *testing.T) {
	hooks := Hooks{
		Setup:  func(context.Context, *app.App, string) (Pool, error) { return Pool{}, nil },
		Rotate: func(context.Context, *app.App, string) (token.RotateResult, error) { return token.RotateResult{}, nil },
		NewSkill: func(skillstore.Database, *seal.Box, *verify.Verifier, func() time.Time, *slog.Logger) (*smarthome.Skill, error) {
			return nil, nil
		},
	}
	for _, c := range []Config{
		{Duration: time.Hour, Dir: "x", Hooks: hooks},
		{Links: 1, Dir: "x", Hooks: hooks},
		{Instances: 2, Dir: "x", Hooks: hooks},
		{DatabaseURL: "mysql://x", Dir: "x", Hooks: hooks},
		{RotationEvery: time.Hour, Dir: "x", Hooks: hooks},
		{Hooks: hooks},
		{Dir: "x"},
	} {
		if _, err := c.withDefaults(); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	c, err := Config{Dir: "x", DatabaseURL: "postgres://h/db", Hooks: hooks}.withDefaults()
	if err != nil || c.Instances != 2 || c.Links != DefaultLinks || c.Duration != DefaultDuration || c.RotationEvery != DefaultRotationEvery {
		t.Errorf("defaults %+v %v", c, err)
	}
}
