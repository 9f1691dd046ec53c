package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/app"
)

// runAlexa dispatches `linkpool alexa <verb>`: the Alexa simulator, which
// plays Amazon's side of account linking and of Smart Home directives
// against any authorization server and skill (package alexasim). With
// OTEL_EXPORTER_OTLP_ENDPOINT set, its calls are traced (service
// "alexasim") and carry traceparent to the pool and the skill.
func runAlexa(ctx context.Context, e *env, args []string) error {
	stopTracing, err := startTracing(ctx, warnLogger(e.stderr), "", "alexasim")
	if err != nil {
		return err
	}
	defer stopTracing()
	return subcommands(ctx, e, "alexa", args, map[string]func(context.Context, *env, []string) error{
		"link":        runAlexaLink,
		"discover":    runAlexaDiscover,
		"power":       runAlexaPower,
		"brightness":  runAlexaBrightness,
		"color":       runAlexaColor,
		"temperature": runAlexaTemperature,
		"state":       runAlexaState,
		"refresh":     runAlexaRefresh,
		"unlink":      runAlexaUnlink,
		"status":      runAlexaStatus,
		"check":       runAlexaCheck,
		"gateway":     runAlexaGateway,
		"events":      runAlexaEvents,
		"soak":        runAlexaSoak,
	})
}

// alexaFlags are the flags every alexa command shares.
type alexaFlags struct {
	state  string
	link   string
	json   bool
	schema string
}

func (f *alexaFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.state, "state", "", "state file with the links and their tokens (default $LINKPOOL_ALEXA_STATE, else $XDG_CONFIG_HOME/linkpool/alexa.json or ~/.config/linkpool/alexa.json); it holds secrets and is written with mode 0600")
	fs.StringVar(&f.link, "link", "default", "name of the link in the state file")
	fs.BoolVar(&f.json, "json", false, "print JSON")
	fs.StringVar(&f.schema, "alexa-schema", "", "Amazon's alexa_smart_home_message_schema.json (default ../shared/alexa/schema/ relative to the working directory, if present)")
}

// statePath resolves --state.
func (f *alexaFlags) statePath(e *env) (string, error) {
	if f.state != "" {
		return f.state, nil
	}
	return alexasim.DefaultStatePath(e.getenv)
}

// loadSchema finds the schema; without one, replies are reported as
// "skipped (schema not found)".
func (f *alexaFlags) loadSchema(e *env) (*alexasim.Schema, error) {
	wd, _ := os.Getwd()
	s, err := alexasim.FindSchema(f.schema, e.getenv, wd)
	if err != nil {
		return nil, fmt.Errorf("--alexa-schema: %w", err)
	}
	return s, nil
}

// skillFlags choose the skill endpoint: an HTTP URL, or linkpool's
// SmartLamp skill invoked in-process as its Lambda handler over
// linkpool's own database.
type skillFlags struct {
	url       string
	lambda    bool
	poolID    string
	publicURL string
	storage   storageFlags
}

func (f *skillFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "skill", "", "skill endpoint URL that takes directives by POST (e.g. http://localhost:8080/alexa/smart-home); remembered by alexa link")
	fs.BoolVar(&f.lambda, "lambda", false, "invoke the SmartLamp skill in-process as its Lambda handler, over linkpool's database (--data or --database-url) for the pool --pool-id issued at --public-url")
	fs.StringVar(&f.poolID, "pool-id", "", "the pool of --client-id: with --lambda, the pool whose users link; with alexa check, whose identity providers are checked (over --data or --database-url)")
	fs.StringVar(&f.publicURL, "public-url", "http://localhost:8080", "with --lambda: the public URL of the server that issues the tokens (their issuer is <public-url>/<pool-id>)")
	f.storage.register(fs)
}

// open returns the skill for link l and a function that releases it.
func (f *skillFlags) open(ctx context.Context, e *env, clientID string, remembered string) (alexasim.Skill, string, func(), error) {
	if f.lambda {
		if f.poolID == "" {
			return nil, "", nil, usagef("--lambda needs --pool-id")
		}
		sk, closeFn, err := lambdaSkill(ctx, e, &f.storage, f.publicURL, f.poolID, clientID)
		return sk, "", closeFn, err
	}
	u := f.url
	if u == "" {
		u = remembered
	}
	if u == "" {
		return nil, "", func() {}, nil
	}
	return &alexasim.HTTPSkill{URL: u, Client: &http.Client{}}, u, func() {}, nil
}

// lambdaSkill builds the SmartLamp skill over linkpool's store, as `serve`
// mounts it, and returns its Lambda entry point.
func lambdaSkill(ctx context.Context, e *env, sf *storageFlags, publicURL, poolID, clientID string) (alexasim.Skill, func(), error) {
	st, err := sf.openStore(ctx, warnLogger(e.stderr))
	if err != nil {
		return nil, nil, err
	}
	box, err := sf.openBox(ctx, st, e.stderr)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	// The skill mails nothing; it must not claim the servers' mail either.
	a, err := app.New(app.Config{Store: st, Box: box, PublicURL: publicURL, NoMail: true})
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	sk, _, err := a.MountSkill(publicURL, app.SkillOptions{PoolID: poolID, ClientIDs: []string{clientID}})
	if err != nil {
		_ = a.Shutdown(ctx)
		st.Close()
		return nil, nil, fmt.Errorf("SmartLamp skill: %w", err)
	}
	closeFn := func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = sk.Close(cctx)
		_ = a.Shutdown(cctx)
		st.Close()
	}
	return alexasim.LambdaSkill(sk.Invoke), closeFn, nil
}

// negativeNumber matches "-10", a brightness change, not a flag.
var negativeNumber = regexp.MustCompile(`^-[0-9]+%?$`)

// parseMixed parses flags given before, between or after positional
// arguments, then fills flags from the environment, and returns the
// positional arguments.
func parseMixed(fs *flag.FlagSet, args []string, getenv func(string) string) ([]string, error) {
	var pos []string
	rest := args
	for len(rest) > 0 {
		switch a := rest[0]; {
		case a == "--":
			pos = append(pos, rest[1:]...)
			rest = nil
			continue
		case negativeNumber.MatchString(a) || !strings.HasPrefix(a, "-") || a == "-":
			pos = append(pos, a)
			rest = rest[1:]
			continue
		}
		j := 1
		for j < len(rest) && !negativeNumber.MatchString(rest[j]) {
			j++
		}
		if err := fs.Parse(rest[:j]); err != nil {
			return nil, err
		}
		rest = append(fs.Args(), rest[j:]...)
	}
	if err := parse(fs, nil, getenv); err != nil {
		return nil, err
	}
	return pos, nil
}

// parseNoArgs is parseMixed for commands that take no positional
// arguments.
func parseNoArgs(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	pos, err := parseMixed(fs, args, getenv)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected arguments %v", pos)
	}
	return nil
}

// linkSession is a loaded link with its environment, saved after the
// command.
type linkSession struct {
	path  string
	state *alexasim.StateFile
	link  *alexasim.Link
	close func()
}

// openLink loads the named link and attaches the skill, the schema and
// Alexa's deadlines.
func openLink(ctx context.Context, e *env, af *alexaFlags, sf *skillFlags) (*linkSession, error) {
	path, err := af.statePath(e)
	if err != nil {
		return nil, err
	}
	st, err := alexasim.LoadState(path)
	if err != nil {
		return nil, err
	}
	l, ok := st.Link(af.link)
	if !ok {
		return nil, fmt.Errorf("no link %q in %s: run 'linkpool alexa link' first", af.link, path)
	}
	schema, err := af.loadSchema(e)
	if err != nil {
		return nil, err
	}
	s := &linkSession{path: path, state: st, link: l, close: func() {}}
	l.Env = alexasim.Env{Schema: schema}
	if sf != nil {
		skill, _, closeFn, err := sf.open(ctx, e, l.Console.ClientID, l.SkillURL)
		if err != nil {
			return nil, err
		}
		l.Env.Skill, s.close = skill, closeFn
	}
	return s, nil
}

// save writes the state back.
func (s *linkSession) save() error {
	s.state.Put(s.link)
	return s.state.Save(s.path)
}

// errDiagnosed is returned after a report was printed: the exit code is
// 1 and stderr names the failing codes.
func errDiagnosed(what string, ds alexasim.Diagnoses) error {
	var codes []string
	for _, d := range ds {
		if d.Severity == alexasim.Error {
			codes = append(codes, d.Code)
		}
	}
	return fmt.Errorf("%s failed: %s", what, strings.Join(codes, ", "))
}

// asDiagnosed reports whether err carries diagnoses (already printed).
func asDiagnosed(err error) (*alexasim.DiagnosedError, bool) {
	var de *alexasim.DiagnosedError
	ok := errors.As(err, &de)
	return de, ok
}
