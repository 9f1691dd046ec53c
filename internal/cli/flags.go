package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// EnvName returns the environment variable of a flag: LINKPOOL_ plus the
// flag name upper-cased with dashes as underscores.
func EnvName(flagName string) string {
	return "LINKPOOL_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// newFlagSet returns a flag set for a subcommand that reports errors
// instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses args, then fills every flag not given on the command line
// from its environment variable, or from the file its _FILE variable
// names, unless a flag of the same name with -file appended takes that
// variable. Flag mistakes are usage errors (exit code 2).
func parse(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usagef("%v", err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] {
			return
		}
		name := EnvName(f.Name)
		v, ok := lookup(getenv, name)
		if !ok {
			// A flag with a -file twin (--master-key, --master-key-file)
			// leaves its _FILE variable to the twin, which checks the file.
			if fs.Lookup(f.Name+"-file") != nil {
				return
			}
			file, fok := lookup(getenv, name+"_FILE")
			if !fok {
				return
			}
			b, err := os.ReadFile(file)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s_FILE: %w", name, err))
				return
			}
			v = strings.TrimRight(string(b), "\r\n")
		}
		if err := fs.Set(f.Name, v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	})
	if err := errors.Join(errs...); err != nil {
		return usagef("%v", err)
	}
	return nil
}

func lookup(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	return v, v != ""
}

// stringList is a repeatable or comma-separated flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// optBool is a boolean flag that remembers whether it was given, for
// updates that change only what the operator names.
type optBool struct {
	set bool
	v   bool
}

func (b *optBool) String() string { return fmt.Sprint(b.v) }

func (b *optBool) Set(s string) error {
	switch strings.ToLower(s) {
	case "true", "1", "yes", "on":
		b.v = true
	case "false", "0", "no", "off":
		b.v = false
	default:
		return fmt.Errorf("not a boolean: %q", s)
	}
	b.set = true
	return nil
}

func (b *optBool) IsBoolFlag() bool { return true }
