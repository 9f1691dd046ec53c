package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
)

// directiveCmd runs one directive command: parse, load the link, send,
// print, save.
func directiveCmd(ctx context.Context, e *env, name string, args []string, nargs int, usage string,
	send func(ctx context.Context, l *alexasim.Link, pos []string) (*alexasim.Reply, error)) error {
	var af alexaFlags
	var skf skillFlags
	fs := newFlagSet("alexa "+name, e.stderr)
	af.register(fs)
	skf.register(fs)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: linkpool alexa %s %s [flags]\n", name, usage)
		fs.PrintDefaults()
	}
	pos, err := parseMixed(fs, args, e.getenv)
	if err != nil {
		return err
	}
	if len(pos) != nargs {
		return usagef("usage: linkpool alexa %s %s", name, usage)
	}
	s, err := openLink(ctx, e, &af, &skf)
	if err != nil {
		return err
	}
	defer s.close()
	if s.link.Env.Skill == nil {
		return usagef("no skill endpoint: pass --skill URL (or --lambda) or link with --skill")
	}
	rep, err := send(ctx, s.link, pos)
	if _, diagnosed := asDiagnosed(err); err != nil && !diagnosed {
		return err
	}
	if serr := s.save(); serr != nil {
		return serr
	}
	if af.json {
		if perr := printJSON(e.stdout, directiveReport{Reply: rep, Link: summarize(s.link)}); perr != nil {
			return perr
		}
	} else {
		printReply(e.stdout, rep, s.link)
	}
	if err != nil {
		return errDiagnosed(rep.Directive, rep.Diagnoses)
	}
	return nil
}

type directiveReport struct {
	*alexasim.Reply
	Link linkSummary `json:"link"`
}

func runAlexaDiscover(ctx context.Context, e *env, args []string) error {
	return directiveCmd(ctx, e, "discover", args, 0, "", func(ctx context.Context, l *alexasim.Link, _ []string) (*alexasim.Reply, error) {
		return l.Discover(ctx)
	})
}

func runAlexaPower(ctx context.Context, e *env, args []string) error {
	return directiveCmd(ctx, e, "power", args, 2, "on|off <endpoint>", func(ctx context.Context, l *alexasim.Link, pos []string) (*alexasim.Reply, error) {
		switch strings.ToLower(pos[0]) {
		case "on":
			return l.Power(ctx, pos[1], true)
		case "off":
			return l.Power(ctx, pos[1], false)
		}
		return nil, usagef("power: want on or off, got %q", pos[0])
	})
}

func runAlexaBrightness(ctx context.Context, e *env, args []string) error {
	return directiveCmd(ctx, e, "brightness", args, 2, "<endpoint> <n|+n|-n>", func(ctx context.Context, l *alexasim.Link, pos []string) (*alexasim.Reply, error) {
		v, rel, err := alexasim.ParseBrightness(pos[1])
		if err != nil {
			return nil, usagef("%v", err)
		}
		return l.Brightness(ctx, pos[0], v, rel)
	})
}

func runAlexaColor(ctx context.Context, e *env, args []string) error {
	return directiveCmd(ctx, e, "color", args, 2, "<endpoint> <name|h,s,b>", func(ctx context.Context, l *alexasim.Link, pos []string) (*alexasim.Reply, error) {
		c, err := alexasim.ParseColor(pos[1])
		if err != nil {
			return nil, usagef("%v", err)
		}
		return l.Color(ctx, pos[0], c)
	})
}

func runAlexaTemperature(ctx context.Context, e *env, args []string) error {
	return directiveCmd(ctx, e, "temperature", args, 2, "<endpoint> <kelvin|warmer|cooler>", func(ctx context.Context, l *alexasim.Link, pos []string) (*alexasim.Reply, error) {
		t, err := alexasim.ParseTemperature(pos[1])
		if err != nil {
			return nil, usagef("%v", err)
		}
		return l.Temperature(ctx, pos[0], t)
	})
}

func runAlexaState(ctx context.Context, e *env, args []string) error {
	return directiveCmd(ctx, e, "state", args, 1, "<endpoint>", func(ctx context.Context, l *alexasim.Link, pos []string) (*alexasim.Reply, error) {
		return l.State(ctx, pos[0])
	})
}

// printReply writes a checked reply: its name, schema status, properties
// or error, and diagnoses.
func printReply(w io.Writer, rep *alexasim.Reply, l *alexasim.Link) {
	target := ""
	if rep.EndpointID != "" {
		target = " -> " + rep.EndpointID
	}
	if rep.Name == "" {
		fmt.Fprintf(w, "%s%s: no reply\n", rep.Directive, target)
	} else {
		fmt.Fprintf(w, "%s%s: %s (schema %s, %s)\n", rep.Directive, target, rep.Name, rep.Schema, rep.Elapsed.Round(time.Millisecond))
	}
	if rep.Error != nil {
		fmt.Fprintf(w, "  error %s: %s\n", rep.Error.Type, rep.Error.Message)
	}
	props := make([]string, 0, len(rep.Properties))
	for _, p := range rep.Properties {
		v, _ := json.Marshal(p.Value)
		props = append(props, fmt.Sprintf("  %s.%s = %s", strings.TrimPrefix(p.Namespace, "Alexa."), p.Name, v))
	}
	sort.Strings(props)
	for _, p := range props {
		fmt.Fprintln(w, p)
	}
	if strings.HasSuffix(rep.Directive, "/Discover") && rep.Name != "" {
		printEndpoints(w, l.Endpoints)
	}
	printDiagnoses(w, rep.Diagnoses)
	if !l.IsLinked() {
		fmt.Fprintf(w, "\nThe link is unlinked (%s: %s); Alexa asks the user to link again.\n", l.Status.Code, l.Status.Reason)
	}
}

func runAlexaRefresh(ctx context.Context, e *env, args []string) error {
	var af alexaFlags
	fs := newFlagSet("alexa refresh", e.stderr)
	af.register(fs)
	if err := parseNoArgs(fs, args, e.getenv); err != nil {
		return err
	}
	s, err := openLink(ctx, e, &af, nil)
	if err != nil {
		return err
	}
	before := s.link.Tokens.RefreshToken
	ds, err := s.link.Refresh(ctx)
	if _, diagnosed := asDiagnosed(err); err != nil && !diagnosed {
		return err
	}
	if serr := s.save(); serr != nil {
		return serr
	}
	rotated := err == nil && s.link.Tokens.RefreshToken != before
	if af.json {
		if perr := printJSON(e.stdout, map[string]any{"diagnoses": ds, "rotated": rotated, "link": summarize(s.link)}); perr != nil {
			return perr
		}
	} else {
		if err == nil {
			fmt.Fprintf(e.stdout, "Refreshed: the access token expires at %s (expires_in %d); refresh token rotated: %v.\n",
				fmtTime(s.link.Tokens.ExpiresAt), s.link.Tokens.ExpiresIn, rotated)
		}
		printDiagnoses(e.stdout, ds)
		if !s.link.IsLinked() {
			fmt.Fprintf(e.stdout, "\nThe link is unlinked (%s: %s); Alexa asks the user to link again.\n", s.link.Status.Code, s.link.Status.Reason)
		}
	}
	if err != nil {
		return errDiagnosed("refresh", ds)
	}
	return nil
}

func runAlexaUnlink(ctx context.Context, e *env, args []string) error {
	var af alexaFlags
	var sf skillFlags
	fs := newFlagSet("alexa unlink", e.stderr)
	af.register(fs)
	sf.register(fs)
	if err := parseNoArgs(fs, args, e.getenv); err != nil {
		return err
	}
	s, err := openLink(ctx, e, &af, &sf)
	if err != nil {
		return err
	}
	defer s.close()
	// With a skill endpoint (remembered by alexa link, or given), Alexa
	// also sends it the SkillDisabled skill event.
	var ev *alexasim.SkillEventReply
	if s.link.Env.Skill != nil {
		ev, err = s.link.DisableSkill(ctx)
	} else {
		err = s.link.Unlink(ctx)
	}
	if err != nil {
		return err
	}
	if err := s.save(); err != nil {
		return err
	}
	if af.json {
		if err := printJSON(e.stdout, struct {
			Link       linkSummary               `json:"link"`
			SkillEvent *alexasim.SkillEventReply `json:"skill_event,omitempty"`
		}{summarize(s.link), ev}); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "Unlinked %q: Alexa deleted its tokens (the skill was disabled).\n", s.link.Name)
		switch {
		case ev == nil:
			fmt.Fprintln(e.stdout, "No skill endpoint is known, so no SkillDisabled event was sent; Alexa does not tell the authorization server, revoke the grant there if needed.")
		case ev.Acknowledged:
			fmt.Fprintf(e.stdout, "The skill acknowledged the %s event (it should have revoked the grant).\n", ev.Type)
		default:
			fmt.Fprintf(e.stdout, "The skill did not acknowledge the %s event; Alexa delivers it again for up to an hour.\n", ev.Type)
			printDiagnoses(e.stdout, ev.Diagnoses)
		}
	}
	if ev != nil && !ev.Acknowledged {
		return errDiagnosed("skill event", ev.Diagnoses)
	}
	return nil
}

func runAlexaStatus(ctx context.Context, e *env, args []string) error {
	var af alexaFlags
	fs := newFlagSet("alexa status", e.stderr)
	af.register(fs)
	if err := parseNoArgs(fs, args, e.getenv); err != nil {
		return err
	}
	path, err := af.statePath(e)
	if err != nil {
		return err
	}
	st, err := alexasim.LoadState(path)
	if err != nil {
		return err
	}
	out := []linkSummary{}
	for _, n := range st.Names() {
		l, _ := st.Link(n)
		out = append(out, summarize(l))
	}
	if af.json {
		return printJSON(e.stdout, out)
	}
	if len(out) == 0 {
		fmt.Fprintf(e.stdout, "No links in %s.\n", path)
		return nil
	}
	rows := make([][]string, 0, len(out))
	for _, s := range out {
		reason := "-"
		if s.Status.Code != "" {
			reason = s.Status.Code + ": " + s.Status.Reason
		}
		exp := s.ExpiresAt
		if exp == "" {
			exp = "-"
		}
		rows = append(rows, []string{s.Name, string(s.Status.State), string(s.Region), string(s.Scheme), exp, fmt.Sprint(len(s.Endpoints)), reason})
	}
	return printTable(e.stdout, []string{"LINK", "STATE", "REGION", "SCHEME", "TOKEN EXPIRES", "ENDPOINTS", "REASON"}, rows)
}
