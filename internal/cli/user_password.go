package cli

import (
	"bufio"
	"io"
	"strings"
)

// maxPasswordInput bounds what --password-stdin reads; pool policies
// allow at most 256 characters.
const maxPasswordInput = 4096

// passwordFlags are the ways to hand a command a password. Standard input
// (--password-stdin) keeps it out of shell history and the process list;
// --password is for scripts that already hold it in a variable.
type passwordFlags struct {
	password  string
	temporary string
	stdin     bool
}

func (p *passwordFlags) register(c *adminCmd, withTemporary bool) {
	c.fs.StringVar(&p.password, "password", "", "the password (visible in shell history and ps: prefer --password-stdin)")
	c.fs.BoolVar(&p.stdin, "password-stdin", false, "read the password from the first line of standard input")
	if withTemporary {
		c.fs.StringVar(&p.temporary, "temporary-password", "", "a temporary password the user must change at the first sign-in")
	}
}

// read returns the password given, or "" when none was and required is
// false. It never echoes the password in an error.
func (p *passwordFlags) read(e *env, required bool) (string, error) {
	n := 0
	for _, given := range []bool{p.password != "", p.temporary != "", p.stdin} {
		if given {
			n++
		}
	}
	switch {
	case n > 1:
		return "", usagef("give only one of --password, --temporary-password and --password-stdin")
	case n == 0 && required:
		return "", usagef("give the password with --password-stdin (or --password)")
	case p.password != "":
		return p.password, nil
	case p.temporary != "":
		return p.temporary, nil
	case !p.stdin:
		return "", nil
	}
	if e.stdin == nil {
		return "", usagef("--password-stdin: no standard input")
	}
	line, err := bufio.NewReaderSize(io.LimitReader(e.stdin, maxPasswordInput), maxPasswordInput).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", usagef("--password-stdin: cannot read standard input: %v", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usagef("--password-stdin: standard input holds no password")
	}
	return line, nil
}
