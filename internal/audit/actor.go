package audit

import (
	"context"
	"os"
	"os/user"
	"strconv"
)

// Actor kinds.
const (
	KindCLI     = "cli"     // the command line; ID is the OS user
	KindAPI     = "api"     // the Cognito JSON API; ID is the access-key id
	KindConsole = "console" // the console; ID is the signed-in user's sub
	KindSystem  = "system"  // the server itself; no ID
)

// Actor is who makes a change.
type Actor struct {
	Kind string
	ID   string
}

// String renders the actor as kind/id.
func (a Actor) String() string {
	if a.ID == "" {
		return a.Kind
	}
	return a.Kind + "/" + a.ID
}

type actorKey struct{}

// WithActor returns ctx carrying the actor that changes made with it are
// recorded under.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor ctx carries, if any.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// CLIActor is the command line's actor: the OS user running it, by
// name, or by uid when the name cannot be found.
func CLIActor() Actor {
	if u, err := user.Current(); err == nil {
		if u.Username != "" {
			return Actor{Kind: KindCLI, ID: u.Username}
		}
		return Actor{Kind: KindCLI, ID: u.Uid}
	}
	return Actor{Kind: KindCLI, ID: strconv.Itoa(os.Getuid())}
}
