package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
)

// runAlexaGateway serves the LWA token endpoint and event gateway
// stand-in until interrupted.
func runAlexaGateway(ctx context.Context, e *env, args []string) error {
	var af alexaFlags
	var addr, clientID, clientSecret string
	fs := newFlagSet("alexa gateway", e.stderr)
	af.register(fs)
	fs.StringVar(&addr, "addr", "127.0.0.1:9300", "address to listen on (keep it on loopback: /grants and /events need no credentials)")
	fs.StringVar(&clientID, "client-id", "", "the skill's Alexa Skill Messaging client id, which the token endpoint requires (required)")
	fs.StringVar(&clientSecret, "client-secret", "", "its secret (prefer LINKPOOL_CLIENT_SECRET or LINKPOOL_CLIENT_SECRET_FILE) (required)")
	if err := parseNoArgs(fs, args, e.getenv); err != nil {
		return err
	}
	if clientID == "" || clientSecret == "" {
		return usagef("--client-id and --client-secret are required: the credentials the skill uses for Login with Amazon")
	}
	schema, err := af.loadSchema(e)
	if err != nil {
		return err
	}
	gw := alexasim.NewGateway(alexasim.GatewayConfig{ClientID: clientID, ClientSecret: clientSecret, Schema: schema})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: gw, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) }}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(e.stdout, "Alexa gateway stand-in listening on %s\n", base)
	fmt.Fprintf(e.stdout, "  LWA token endpoint:  %s/auth/o2/token\n  event gateway:       %s/v3/events\n  events received:     %s/events (linkpool alexa events --gateway %s)\n", base, base, base, base)
	if schema == nil {
		fmt.Fprintf(e.stdout, "  events are not validated: schema %s\n", alexasim.SchemaSkipped)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// runAlexaEvents lists what the gateway stand-in received, through its
// GET /events, and keeps the link's events in the state file.
func runAlexaEvents(ctx context.Context, e *env, args []string) error {
	var af alexaFlags
	var gateway string
	var all bool
	fs := newFlagSet("alexa events", e.stderr)
	af.register(fs)
	fs.StringVar(&gateway, "gateway", "", "base URL of the gateway stand-in (default: the one the link used)")
	fs.BoolVar(&all, "all", false, "list the events of every link")
	if err := parseNoArgs(fs, args, e.getenv); err != nil {
		return err
	}
	var s *linkSession
	if !all || gateway == "" {
		var err error
		if s, err = openLink(ctx, e, &af, nil); err != nil {
			return err
		}
		if gateway == "" {
			gateway = s.link.Gateway
		}
	}
	if gateway == "" {
		return usagef("--gateway is required: the link was not made with one")
	}
	link := af.link
	if all {
		link = ""
	}
	evs, err := alexasim.FetchEvents(ctx, &http.Client{Timeout: 10 * time.Second}, gateway, link)
	if err != nil {
		return err
	}
	if s != nil && !all {
		s.link.Events = evs
		if err := s.save(); err != nil {
			return err
		}
	}
	if af.json {
		return printJSON(e.stdout, evs)
	}
	if len(evs) == 0 {
		fmt.Fprintln(e.stdout, "No events received.")
		return nil
	}
	rows := make([][]string, 0, len(evs))
	for _, ev := range evs {
		changed := "-"
		if len(ev.Changed) > 0 {
			changed = ""
			for i, p := range ev.Changed {
				v, _ := json.Marshal(p.Value)
				if i > 0 {
					changed += ", "
				}
				changed += p.Name + "=" + string(v)
			}
		}
		schema := string(ev.Schema)
		if ev.SchemaDetail != "" {
			schema += ": " + ev.SchemaDetail
		}
		rows = append(rows, []string{fmt.Sprint(ev.Seq), fmtTime(ev.ReceivedAt), ev.Link, ev.Namespace + "/" + ev.Name, ev.EndpointID, ev.Cause, changed, fmt.Sprint(ev.Status), schema})
	}
	return printTable(e.stdout, []string{"#", "RECEIVED", "LINK", "EVENT", "ENDPOINT", "CAUSE", "CHANGED", "HTTP", "SCHEMA"}, rows)
}
