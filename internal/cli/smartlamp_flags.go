package cli

import (
	"context"
	"flag"
	"fmt"
	"github.com/linkpool/linkpool/internal/admin"
	"slices"
	"strings"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/smarthome"
)

// smartLampFlags are the SmartLamp skill's settings (smarthome.Options),
// registered with the same names, help texts and defaults on `serve` and
// `skill serve`, so that the skill is configured the same wherever it runs.
// Each flag is also read from LINKPOOL_<NAME> and LINKPOOL_<NAME>_FILE.
type smartLampFlags struct {
	o smarthome.Options
}

// register sets the defaults and adds the flags to fs. f must not be
// copied afterwards: the flags write into f.o.
func (f *smartLampFlags) register(fs *flag.FlagSet) {
	f.o = smarthome.DefaultOptions()
	for _, opt := range f.o.OptionList() {
		fs.Var(opt.Value, opt.Name, opt.Usage)
	}
}

// validate checks the options after parsing, naming the flags.
func (f *smartLampFlags) validate() error {
	if err := f.o.Validate(func(o smarthome.Option) string { return "--" + o.Name }); err != nil {
		return usagef("%v", err)
	}
	return nil
}

// given returns the skill flags set on the command line or through the
// environment, sorted.
func (f *smartLampFlags) given(fs *flag.FlagSet) []string {
	var names []string
	for _, opt := range f.o.OptionList() {
		names = append(names, opt.Name)
	}
	var out []string
	fs.Visit(func(fl *flag.Flag) {
		if slices.Contains(names, fl.Name) {
			out = append(out, fl.Name)
		}
	})
	return out
}

// checkSkill checks serve's SmartLamp flags: --skill-pool with at least
// one --skill-client-id mounts the skill, --demo mounts it for the demo
// pool, and the skill's other settings need one of them.
func (f *serveFlags) checkSkill(fs *flag.FlagSet) error {
	switch {
	case f.demo:
		if f.skillPool != "" || len(f.skillClients) > 0 || f.skill.o.LampsClientID != "" || f.skill.o.LampsClientSecret != "" {
			return usagef("--demo mounts SmartLamp for the demo pool with its own clients: leave out --skill-pool, --skill-client-id and --lamps-client-id/--lamps-client-secret")
		}
	case f.skillPool == "":
		if len(f.skillClients) > 0 {
			return usagef("--skill-client-id needs --skill-pool")
		}
		if given := f.skill.given(fs); len(given) > 0 {
			return usagef("--%s configures the SmartLamp skill: give --skill-pool (or --demo) to mount it", given[0])
		}
	case len(f.skillClients) == 0:
		return usagef("--skill-pool needs --skill-client-id: the pool's Alexa app client")
	}
	return f.skill.validate()
}

// demoOrPoolSkill returns the options of the skill serve mounts: for the
// demo pool, or for --skill-pool.
func demoOrPoolSkill(f *serveFlags, demo *demoState) app.SkillOptions {
	if demo != nil {
		return demoSkill(*demo, f.publicURL, f.skill.o)
	}
	return app.SkillOptions{
		PoolID: f.skillPool, ClientIDs: f.skillClients, Options: f.skill.o,
		LampsRedirectURL: strings.TrimRight(f.publicURL, "/") + "/lamps/callback",
	}
}

// checkSkillClients confirms that the pool and the clients the skill is
// mounted with exist, so that a typo fails at start instead of every
// directive answering INVALID_AUTHORIZATION_CREDENTIAL.
func checkSkillClients(ctx context.Context, adm *admin.Service, so app.SkillOptions) error {
	if _, err := adm.DescribeUserPool(ctx, so.PoolID); err != nil {
		return notFound(err, "--skill-pool: pool %s", so.PoolID)
	}
	check := func(flagName, id string) error {
		c, err := adm.DescribeUserPoolClient(ctx, "", id)
		if err != nil {
			return notFound(err, "--%s: client %s", flagName, id)
		}
		if c.PoolID != so.PoolID {
			return fmt.Errorf("--%s: client %s belongs to pool %s, not --skill-pool %s", flagName, id, c.PoolID, so.PoolID)
		}
		return nil
	}
	for _, id := range so.ClientIDs {
		if err := check("skill-client-id", id); err != nil {
			return err
		}
	}
	if so.LampsClientID != "" {
		return check("lamps-client-id", so.LampsClientID)
	}
	return nil
}
