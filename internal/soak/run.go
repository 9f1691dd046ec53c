package soak

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/testclock"
)

// soak is one run.
type soak struct {
	cfg      Config
	clock    clock
	dep      *deployment
	out      outage
	skill    *skillHost
	pool     Pool
	userPool pool.Pool
	net      *lossyTransport
	env      alexasim.Env
	links    []*link
	sched    schedule
	rep      *Report
	// disrupted is above zero while an event keeps the deployment from
	// serving (outage, the single instance killed): failures then are
	// expected.
	disrupted int
}

// Run soaks the deployment cfg describes and reports what happened. The
// error is for a soak that could not run (setup failed, ctx ended); a
// soak that ran reports its failures in the Report (Report.OK).
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	wallStart := time.Now()
	box, _, err := seal.LoadOrCreate(filepath.Join(cfg.Dir, "master.key"))
	if err != nil {
		return nil, err
	}
	s := &soak{cfg: cfg, clock: clock{testclock.New(cfg.Start)}}
	s.rep = &Report{Database: "SQLite", Instances: cfg.Instances, Start: cfg.Start, Links: cfg.Links, Transient: map[string]int{}}
	s.dep = &deployment{cfg: &s.cfg, clock: s.clock, box: box, dbPath: sqlitePath(cfg.Dir)}
	if cfg.postgres() {
		s.rep.Database = "PostgreSQL"
		proxy, u, err := newTCPProxy(cfg.DatabaseURL)
		if err != nil {
			return nil, err
		}
		s.out, s.dep.dbURL = proxy, u
	} else {
		s.out = &sqliteLock{path: s.dep.dbPath}
	}
	defer s.out.close()
	if s.dep.front, err = newFront(s.dep); err != nil {
		return nil, err
	}
	defer s.dep.close(context.WithoutCancel(ctx))
	for range cfg.Instances {
		if _, err := s.dep.start(ctx); err != nil {
			return nil, fmt.Errorf("soak: start an instance: %w", err)
		}
	}
	a := s.admin()
	if s.pool, err = cfg.Hooks.Setup(ctx, a, s.dep.front.url); err != nil {
		return nil, fmt.Errorf("soak: set up the pool: %w", err)
	}
	if s.userPool, err = a.Store.GetPool(ctx, s.pool.ID); err != nil {
		return nil, err
	}
	if s.skill, err = startSkill(ctx, &s.cfg, s.clock, box, s.pool); err != nil {
		return nil, fmt.Errorf("soak: start the skill: %w", err)
	}
	defer s.skill.close(context.WithoutCancel(ctx))
	s.net = &lossyTransport{next: &http.Transport{MaxIdleConnsPerHost: 16}}
	s.env = alexaEnv(s.clock, s.net, s.skill.url, cfg.Schema)
	for i := range cfg.Links {
		lk, err := s.createLink(ctx, i)
		if err != nil {
			return nil, err
		}
		s.links = append(s.links, lk)
	}
	s.plan()
	if err := s.loop(ctx); err != nil {
		return nil, err
	}
	s.rep.End = s.clock.Now()
	s.rep.Simulated = s.rep.End.Sub(s.rep.Start)
	s.rep.Wall = time.Since(wallStart)
	return s.rep, nil
}

// loop plays the span: at each step the clock moves to the next moment
// something happens — an event, a refresh Alexa makes five minutes before
// an access token expires, the hourly directives, the daily collection of
// expired rows.
func (s *soak) loop(ctx context.Context) error {
	start := s.cfg.Start
	end := start.Add(s.cfg.Duration)
	nextHour, nextGC, nextWeek := start.Add(time.Hour), start.Add(24*time.Hour), start.Add(7*24*time.Hour)
	hour := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		t := nextHour
		if nextGC.Before(t) {
			t = nextGC
		}
		if e := s.sched.next(); !e.IsZero() && e.Before(t) {
			t = e
		}
		for _, lk := range s.links {
			if lk.linked() && lk.refreshAt().Before(t) {
				t = lk.refreshAt()
			}
		}
		if t.After(end) {
			s.clock.to(end)
			return nil
		}
		s.clock.to(t)
		now := s.clock.Now()
		for _, e := range s.sched.due(now) {
			outcome, ok := e.run(ctx)
			s.rep.Events = append(s.rep.Events, Event{At: now, Offset: now.Sub(start), Name: e.name, Outcome: outcome, OK: ok})
			if !ok {
				s.rep.FailedEvents++
			}
		}
		for _, lk := range s.links {
			switch {
			case lk.linked() && !s.clock.Now().Before(lk.refreshAt()):
				s.refresh(ctx, lk)
			case !lk.linked() && lk.expect == "":
				if err := s.linkAccount(ctx, lk); err != nil && s.disrupted == 0 {
					s.note(lk, "link again", err.Error())
				}
			}
		}
		if !now.Before(nextHour) {
			hour++
			for _, lk := range s.links {
				s.directive(ctx, lk, hour)
			}
			nextHour = nextHour.Add(time.Hour)
		}
		if !now.Before(nextGC) {
			s.collectGarbage(ctx)
			nextGC = nextGC.Add(24 * time.Hour)
		}
		if s.cfg.Progress != nil && !now.Before(nextWeek) {
			fmt.Fprintf(s.cfg.Progress, "day %3.0f: %d refreshes, %d directives, %d unlinks (%d unexpected)\n",
				now.Sub(start).Hours()/24, s.rep.Refreshes.OK, s.rep.Directives.OK, len(s.rep.Unlinks), s.rep.Unexpected)
			nextWeek = nextWeek.Add(7 * 24 * time.Hour)
		}
	}
}

// collectGarbage deletes expired codes, tokens, sessions and lamp
// sessions, as the servers do every few minutes, against the live grants.
func (s *soak) collectGarbage(ctx context.Context) {
	a := s.admin()
	if a == nil {
		return
	}
	if _, err := a.Store.GarbageCollect(ctx, s.clock.Now()); err != nil {
		s.rep.Transient["GARBAGE_COLLECTION_FAILED"]++
		return
	}
	if _, err := a.Store.DeleteExpiredLampSessions(ctx, s.clock.Now()); err != nil {
		s.rep.Transient["GARBAGE_COLLECTION_FAILED"]++
		return
	}
	s.rep.GarbageCollections++
}

// admin is the app of a serving instance, for the operator's actions.
func (s *soak) admin() *app.App {
	live := s.dep.live()
	if len(live) == 0 {
		return nil
	}
	return live[0].app
}
