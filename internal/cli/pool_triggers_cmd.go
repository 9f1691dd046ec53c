package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/linkpool/linkpool/internal/pool"
)

func runPoolTriggers(ctx context.Context, e *env, args []string) error {
	return subcommands(ctx, e, "pool triggers", args, map[string]func(context.Context, *env, []string) error{
		"show":   runPoolTriggersShow,
		"set":    runPoolTriggersSet,
		"secret": runPoolTriggersSecret,
	})
}

// triggersView is what `pool triggers show|set --json` print: the pool's
// LambdaConfig (as in pool show --json), whether it has a webhook
// signing secret, and the secret itself only when set just made it.
type triggersView struct {
	LambdaConfig     pool.LambdaConfig `json:"LambdaConfig"`
	HasWebhookSecret bool              `json:"HasWebhookSecret"`
	WebhookSecret    string            `json:"WebhookSecret,omitempty"`
}

func runPoolTriggersShow(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "pool triggers show", true)
	d, p, err := c.startOnPool(ctx, args)
	if err != nil {
		return err
	}
	defer d.close()
	return printTriggers(e.stdout, c.json, p, "")
}

// triggerFlags maps the flags of `pool triggers set` to the triggers.
var triggerFlags = []struct{ flag, trigger string }{
	{"pre-sign-up", pool.TriggerPreSignUp},
	{"custom-message", pool.TriggerCustomMessage},
	{"post-confirmation", pool.TriggerPostConfirmation},
	{"pre-authentication", pool.TriggerPreAuthentication},
	{"post-authentication", pool.TriggerPostAuthentication},
	{"define-auth-challenge", pool.TriggerDefineAuthChallenge},
	{"create-auth-challenge", pool.TriggerCreateAuthChallenge},
	{"verify-auth-challenge-response", pool.TriggerVerifyAuthChallengeResponse},
	{"pre-token-generation", pool.TriggerPreTokenGeneration},
	{"user-migration", pool.TriggerUserMigration},
}

func runPoolTriggersSet(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "pool triggers set", true)
	var version string
	targets := make([]string, len(triggerFlags))
	c.fs.String("pool", "", "pool id (required)")
	for i, f := range triggerFlags {
		c.fs.StringVar(&targets[i], f.flag, "", "target of the "+f.trigger+" trigger: a Lambda function ARN or an https webhook URL (http only to localhost); empty removes it")
	}
	c.fs.StringVar(&version, "pre-token-version", "", "event version of pre token generation: V1_0 (ID token), V2_0 (access token too) or V3_0 (machine-to-machine grants too); default: the current one, else V1_0")
	if err := c.parse(args, "pool"); err != nil {
		return err
	}
	changes := c.given["pre-token-version"]
	for _, f := range triggerFlags {
		changes = changes || c.given[f.flag]
	}
	if !changes {
		return usagef("nothing to set: give the triggers to change (see 'linkpool pool triggers set -h')")
	}
	d, p, err := c.openInPool(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	lc := p.LambdaConfig
	if !c.given["pre-token-version"] {
		version = lc.PreTokenVersion()
	}
	version = strings.ToUpper(version)
	for i, f := range triggerFlags {
		if c.given[f.flag] {
			lc.SetTarget(f.trigger, targets[i], version)
		}
	}
	if c.given["pre-token-version"] && !c.given["pre-token-generation"] {
		target := lc.Target(pool.TriggerPreTokenGeneration)
		if target == "" {
			return usagef("--pre-token-version needs a pre token generation trigger (--pre-token-generation)")
		}
		lc.SetTarget(pool.TriggerPreTokenGeneration, target, version)
	}
	updated, err := d.admin.SetLambdaConfig(ctx, p.ID, lc)
	if err != nil {
		return adminErr(err)
	}
	var secret string
	if len(p.TriggerSecret) == 0 && len(updated.TriggerSecret) > 0 {
		if secret, err = d.admin.TriggerSecret(ctx, p.ID); err != nil {
			return err
		}
	}
	if !c.json {
		fmt.Fprintf(e.stdout, "Updated the triggers of pool %s.\n\n", p.ID)
	}
	return printTriggers(e.stdout, c.json, updated, secret)
}

func runPoolTriggersSecret(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "pool triggers secret", false)
	var rotate bool
	c.fs.BoolVar(&rotate, "rotate", false, "replace the secret with a new one; receivers verifying with the old one refuse requests until they have it")
	d, p, err := c.startOnPool(ctx, args)
	if err != nil {
		return err
	}
	defer d.close()
	var secret string
	if rotate {
		secret, err = d.admin.RotateTriggerSecret(ctx, p.ID)
	} else {
		secret, err = d.admin.TriggerSecret(ctx, p.ID)
	}
	if err != nil {
		return adminErr(err)
	}
	if secret == "" {
		return fmt.Errorf("pool %s has no webhook signing secret: it gets one with its first webhook trigger, or with --rotate", p.ID)
	}
	fmt.Fprintln(e.stdout, secret)
	return nil
}

func printTriggers(w io.Writer, asJSON bool, p pool.Pool, newSecret string) error {
	if asJSON {
		return printJSON(w, triggersView{LambdaConfig: p.LambdaConfig, HasWebhookSecret: len(p.TriggerSecret) > 0, WebhookSecret: newSecret})
	}
	lc := p.LambdaConfig
	fields := make([][2]string, 0, len(pool.Triggers)+3)
	for _, t := range pool.Triggers {
		target := lc.Target(t)
		if target == "" {
			target = "(none)"
		}
		fields = append(fields, [2]string{t, target})
	}
	if lc.Target(pool.TriggerPreTokenGeneration) != "" {
		fields = append(fields, [2]string{"PreTokenGeneration version", lc.PreTokenVersion()})
	}
	secret := "none"
	if len(p.TriggerSecret) > 0 {
		secret = "set (linkpool pool triggers secret --pool " + p.ID + ")"
	}
	fields = append(fields, [2]string{"Webhook signing secret", secret})
	if err := printFields(w, fields); err != nil {
		return err
	}
	if newSecret != "" {
		_, err := fmt.Fprintf(w, "\nWebhook signing secret, for the receivers to verify requests with (docs/triggers.md):\n%s\n", newSecret)
		return err
	}
	return nil
}
