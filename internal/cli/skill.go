package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/verify"
)

func runSkill(ctx context.Context, e *env, args []string) error {
	return subcommands(ctx, e, "skill", args, map[string]func(context.Context, *env, []string) error{
		"serve": runSkillServe,
		"lamp":  runSkillLamp,
	})
}

// skillServeFlags are the flags of `skill serve`: the skill's settings
// (smartLampFlags, shared with serve) and those of running it on its own.
type skillServeFlags struct {
	storage                                                     storageFlags
	skill                                                       smartLampFlags
	clients                                                     stringList
	issuer, jwksURL, addr, tlsCert, tlsKey, logLevel, logFormat string
	lampsURL, lampsLogoutURL                                    string
	otelEndpoint                                                string
	gcInterval                                                  time.Duration
}

// flagSet returns the flag set of `skill serve` writing into f.
func (f *skillServeFlags) flagSet(stderr io.Writer) *flag.FlagSet {
	fs := newFlagSet("skill serve", stderr)
	f.storage.register(fs)
	f.skill.register(fs)
	fs.StringVar(&f.issuer, "issuer", "", "issuer of the access tokens: <public-url>/<poolId> for linkpool, https://cognito-idp.<region>.amazonaws.com/<poolId> for Cognito (required)")
	fs.StringVar(&f.jwksURL, "jwks-url", "", "JWKS URL (default <issuer>/.well-known/jwks.json)")
	fs.Var(&f.clients, "client-id", "accepted client_id of access tokens: the Alexa app client (repeatable, required)")
	fs.StringVar(&f.addr, "addr", ":8443", "address to listen on")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate file (PEM)")
	fs.StringVar(&f.tlsKey, "tls-key", "", "TLS private key file (PEM)")
	fs.StringVar(&f.lampsURL, "lamps-url", "", "with --lamps-client-id: public origin of this server for the page: the client's callback URL is <lamps-url>/lamps/callback")
	fs.StringVar(&f.lampsLogoutURL, "lamps-logout-url", "", "where sign-out sends the browser, e.g. the issuer's hosted UI /logout with client_id and logout_uri")
	fs.DurationVar(&f.gcInterval, "gc-interval", 10*time.Minute, "how often expired /lamps sessions are deleted")
	fs.StringVar(&f.logLevel, "log-level", "info", "log level")
	fs.StringVar(&f.logFormat, "log-format", "json", "log format: json or text")
	registerOTel(fs, &f.otelEndpoint)
	return fs
}

// runSkillServe runs the SmartLamp skill on its own: POST
// /alexa/smart-home, verifying access tokens of any issuer (a linkpool
// pool or an Amazon Cognito user pool) against its JWKS, and, with
// --lamps-client-id, the /lamps page signing users in at that issuer.
func runSkillServe(ctx context.Context, e *env, args []string) error {
	var f skillServeFlags
	fs := f.flagSet(e.stderr)
	if err := parse(fs, args, e.getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %v", fs.Args())
	}
	if f.issuer == "" || len(f.clients) == 0 {
		return usagef("--issuer and --client-id are required")
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return usagef("--tls-cert and --tls-key go together")
	}
	if err := f.skill.validate(); err != nil {
		return err
	}
	opts := f.skill.o
	if (opts.LampsClientID == "") != (f.lampsURL == "") {
		return usagef("--lamps-client-id and --lamps-url go together")
	}
	log, err := newLogger(e.stderr, f.logLevel, f.logFormat)
	if err != nil {
		return err
	}
	stopTracing, err := startTracing(ctx, log, f.otelEndpoint, "smartlamp")
	if err != nil {
		return err
	}
	defer stopTracing()
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	st, err := f.storage.openStore(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	box, err := f.storage.openBox(ctx, st, e.stderr)
	if err != nil {
		return err
	}
	v, err := verify.New(verify.Config{Issuer: f.issuer, JWKSURL: f.jwksURL, ClientIDs: f.clients, RequiredScopes: opts.RequiredScopes})
	if err != nil {
		return usagef("%v", err)
	}
	skill, err := newStandaloneSkill(st, box, v, opts, nil, log)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/alexa/smart-home", skill.Handler())
	if opts.LampsClientID != "" {
		// Sessions live in the skill's store and are re-checked with the
		// issuer; every instance sharing the store derives the same key.
		lamps := opts.LampsConfig()
		lamps.Skill, lamps.Issuer, lamps.Logger, lamps.LogoutURL = skill, f.issuer, log, f.lampsLogoutURL
		lamps.RedirectURL = strings.TrimRight(f.lampsURL, "/") + "/lamps/callback"
		lamps.CookieKey = box.DeriveKey("lamps-cookie/" + f.issuer)
		page, err := smarthome.NewLampsPage(lamps)
		if err != nil {
			_ = skill.Close(ctx)
			return usagef("%v", err)
		}
		mux.Handle("/lamps", page)
		mux.Handle("/lamps/", page)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := st.Ping(r.Context()); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() {
		var err error
		if f.tlsCert != "" {
			err = srv.ServeTLS(ln, f.tlsCert, f.tlsKey)
		} else {
			err = srv.Serve(ln)
		}
		if !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	if opts.LampsClientID != "" {
		go store.CollectGarbage(ctx, st, log, f.gcInterval, skillstore.LampSessionSweep(st))
	}
	log.Info("SmartLamp skill serving", "addr", ln.Addr().String(), "issuer", f.issuer,
		"lamps_page", opts.LampsClientID != "", "change_reports", opts.EventsEnabled())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	return skill.Close(sctx)
}

// newStandaloneSkill builds the SmartLamp skill as `skill serve` runs it,
// apart from any pool: tokens are checked by v alone (signature, issuer,
// client, expiry), lamps and LWA tokens live in st, sealed with box. now
// is its clock (nil: time.Now); opts are the skill's settings.
func newStandaloneSkill(st skillstore.Database, box *seal.Box, v *verify.Verifier, opts smarthome.Options, now func() time.Time, log *slog.Logger) (*smarthome.Skill, error) {
	cfg := opts.SkillConfig()
	cfg.Store, cfg.Verifier, cfg.Logger, cfg.Now = st, v, log, now
	cfg.Seal = func(aad, b []byte) ([]byte, error) { return box.Seal(b, aad), nil }
	cfg.Open = func(aad, b []byte) ([]byte, error) { return box.Open(b, aad) }
	return smarthome.NewSkill(cfg)
}

// runSkillLamp manages a user's lamps: add, list, remove.
func runSkillLamp(ctx context.Context, e *env, args []string) error {
	verb := func(name string, run func(ctx context.Context, d *deps, owner string, fs lampArgs) error) func(context.Context, *env, []string) error {
		return func(ctx context.Context, e *env, args []string) error {
			var sf storageFlags
			var la lampArgs
			fs := newFlagSet("skill lamp "+name, e.stderr)
			sf.register(fs)
			fs.StringVar(&la.user, "user", "", "the user's sub (the sub claim of their access tokens)")
			fs.StringVar(&la.pool, "pool", "", "with --username: the pool to look the user up in")
			fs.StringVar(&la.username, "username", "", "with --pool: the user's username or email instead of --user")
			fs.StringVar(&la.name, "name", "", "lamp name (add)")
			fs.StringVar(&la.id, "id", "", "lamp endpoint id (remove)")
			fs.BoolVar(&la.json, "json", false, "print JSON")
			if err := parse(fs, args, e.getenv); err != nil {
				return err
			}
			d, err := openDeps(ctx, &sf, e)
			if err != nil {
				return err
			}
			defer d.close()
			owner := la.user
			if owner == "" {
				if la.pool == "" || la.username == "" {
					return usagef("name the user with --user SUB, or --pool ID --username NAME")
				}
				p, err := d.admin.DescribeUserPool(ctx, la.pool)
				if err != nil {
					return notFound(err, "pool %s", la.pool)
				}
				u, err := d.accounts.Lookup(ctx, p, la.username)
				if err != nil {
					return fmt.Errorf("user %s: %w", la.username, err)
				}
				owner = u.Sub
			}
			la.e = e
			return run(ctx, d, owner, la)
		}
	}
	return subcommands(ctx, e, "skill lamp", args, map[string]func(context.Context, *env, []string) error{
		"add": verb("add", func(ctx context.Context, d *deps, owner string, la lampArgs) error {
			if la.name == "" {
				return usagef("--name is required")
			}
			l, err := smarthome.AddLamp(ctx, d.store, owner, la.name)
			if err != nil {
				return err
			}
			return printLamps(la, []skillstore.Lamp{l})
		}),
		"list": verb("list", func(ctx context.Context, d *deps, owner string, la lampArgs) error {
			ls, err := smarthome.ListLamps(ctx, d.store, owner)
			if err != nil {
				return err
			}
			return printLamps(la, ls)
		}),
		"remove": verb("remove", func(ctx context.Context, d *deps, owner string, la lampArgs) error {
			if la.id == "" {
				return usagef("--id is required")
			}
			if err := smarthome.RemoveLamp(ctx, d.store, owner, la.id); err != nil {
				return notFound(err, "lamp %s", la.id)
			}
			fmt.Fprintf(la.e.stdout, "removed lamp %s\n", la.id)
			return nil
		}),
	})
}

type lampArgs struct {
	e                              *env
	user, pool, username, name, id string
	json                           bool
}

func printLamps(la lampArgs, ls []skillstore.Lamp) error {
	if la.json {
		return printJSON(la.e.stdout, ls)
	}
	rows := make([][]string, len(ls))
	for i, l := range ls {
		power := "off"
		if l.On {
			power = "on"
		}
		rows[i] = []string{l.ID, l.Name, power, strconv.Itoa(l.Brightness), fmt.Sprintf("%.0f,%.2f,%.2f", l.Hue, l.Saturation, l.ColorBright), strconv.Itoa(l.Kelvin)}
	}
	return printTable(la.e.stdout, []string{"ID", "NAME", "POWER", "BRIGHTNESS", "COLOR(H,S,B)", "KELVIN"}, rows)
}

// notFound turns store.ErrNotFound into a message naming the resource.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf(format+" does not exist", args...)
	}
	return err
}
