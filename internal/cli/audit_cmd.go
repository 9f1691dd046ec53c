package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

func runAudit(ctx context.Context, e *env, args []string) error {
	return subcommands(ctx, e, "audit", args, map[string]func(context.Context, *env, []string) error{
		"list": runAuditList,
	})
}

// auditRecord is what audit list --json prints of a record.
type auditRecord struct {
	ID         string        `json:"Id"`
	Time       time.Time     `json:"Time"`
	Actor      auditActor    `json:"Actor"`
	Action     string        `json:"Action"`
	UserPoolID string        `json:"UserPoolId,omitempty"`
	Target     string        `json:"Target,omitempty"`
	Changed    []auditChange `json:"Changed"`
	Result     string        `json:"Result"`
	RequestID  string        `json:"RequestId,omitempty"`
}

type auditActor struct {
	Kind string `json:"Kind"`
	ID   string `json:"Id,omitempty"`
}

type auditChange struct {
	Field    string `json:"Field"`
	Value    string `json:"Value,omitempty"`
	Withheld bool   `json:"Withheld,omitempty"`
}

func auditView(r store.AuditRecord) auditRecord {
	v := auditRecord{ID: r.ID, Time: r.Time, Actor: auditActor{Kind: r.ActorKind, ID: r.ActorID}, Action: r.Action,
		UserPoolID: r.PoolID, Target: r.Target, Changed: []auditChange{}, Result: r.Result, RequestID: r.RequestID}
	for _, c := range r.Changed {
		v.Changed = append(v.Changed, auditChange(c))
	}
	return v
}

// auditTime reads --since and --until: an RFC 3339 time, or a span
// before now (24h, 7d, 2w).
func auditTime(flag, s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := parseSpan(s)
	if err != nil {
		return time.Time{}, usagef("--%s: %q is neither an RFC 3339 time nor a span such as 24h or 7d", flag, s)
	}
	return now.Add(-d), nil
}

func runAuditList(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "audit list", true)
	var since, until, poolID, action, actor string
	var limit int
	c.fs.StringVar(&since, "since", "", "only records at or after this time: RFC 3339 (2026-05-01T00:00:00Z) or a span before now (24h, 7d)")
	c.fs.StringVar(&until, "until", "", "only records before this time: RFC 3339 or a span before now")
	c.fs.StringVar(&poolID, "pool", "", "only records of this pool id")
	c.fs.StringVar(&action, "action", "", "only records of this action (AdminDisableUser, CreateUserPoolClient, ...)")
	c.fs.StringVar(&actor, "actor", "", "only records of this actor: a kind (cli, api, console, system) or kind/id (cli/alice, api/AKIA...)")
	c.fs.IntVar(&limit, "limit", 100, "print at most this many records, newest first; 0 prints all")
	if err := c.parse(args); err != nil {
		return err
	}
	if limit < 0 {
		return usagef("--limit must be 0 or more")
	}
	now := time.Now()
	f := store.AuditFilter{PoolID: poolID, Action: action}
	var err error
	if f.Since, err = auditTime("since", since, now); err != nil {
		return err
	}
	if f.Until, err = auditTime("until", until, now); err != nil {
		return err
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		return usagef("--since must be before --until")
	}
	if actor != "" {
		f.ActorKind, f.ActorID, _ = strings.Cut(actor, "/")
	}
	d, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	var out []auditRecord
	opts := store.ListOptions{Limit: store.MaxPageSize}
	for {
		if limit > 0 {
			opts.Limit = min(store.MaxPageSize, limit-len(out))
		}
		page, err := d.audit.List(ctx, f, opts)
		if err != nil {
			return fmt.Errorf("list audit records: %w", err)
		}
		for _, r := range page.Items {
			out = append(out, auditView(r))
		}
		if page.Next == "" || (limit > 0 && len(out) >= limit) {
			break
		}
		opts.PageToken = page.Next
	}
	return printList(e.stdout, c.json, out, []string{"TIME", "ACTOR", "ACTION", "POOL", "TARGET", "RESULT", "CHANGED"}, func(r auditRecord) []string {
		who := r.Actor.Kind
		if r.Actor.ID != "" {
			who += "/" + r.Actor.ID
		}
		return []string{fmtTime(r.Time), who, r.Action, orDash(r.UserPoolID), orDash(r.Target), r.Result, changedText(r.Changed)}
	})
}

// changedText renders changed fields as field=value, a withheld value
// as field=***.
func changedText(cs []auditChange) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		switch {
		case c.Withheld:
			parts = append(parts, c.Field+"=***")
		default:
			parts = append(parts, c.Field+"="+c.Value)
		}
	}
	return orDash(strings.Join(parts, " "))
}

// DefaultAuditRetention is serve --audit-retention's default: 400 days,
// a year of records with a month's margin.
const DefaultAuditRetention = 400 * 24 * time.Hour

// retention is a flag of a period to keep records: a span (parseSpan)
// or 0 for ever.
type retention time.Duration

func (r *retention) String() string {
	d := time.Duration(*r)
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

func (r *retention) Set(s string) error {
	if s == "0" {
		*r = 0
		return nil
	}
	d, err := parseSpan(s)
	if err != nil {
		return err
	}
	*r = retention(d)
	return nil
}
