package loadtest

import (
	"fmt"
	"strconv"
	"strings"
)

// Operations of a run.
const (
	OpRefresh = "refresh" // refresh_token grant: what Alexa does about once an hour per linked user
	OpCode    = "code"    // sign-in through the hosted form and authorization_code grant: a new link
	OpSignUp  = "signup"  // self sign-up, then the code grant
)

// Mix weighs the operations of a run; each iteration picks one with
// probability proportional to its weight.
type Mix struct {
	Refresh int
	Code    int
	SignUp  int
}

// DefaultMix is dominated by refreshes, as Alexa's traffic is.
var DefaultMix = Mix{Refresh: 80, Code: 15, SignUp: 5}

// ParseMix parses "refresh=80,code=15,signup=5". Missing operations
// weigh 0; at least one weight must be positive.
func ParseMix(s string) (Mix, error) {
	var m Mix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, ok := strings.Cut(part, "=")
		if !ok {
			return Mix{}, fmt.Errorf("mix: %q is not op=weight", part)
		}
		w, err := strconv.Atoi(strings.TrimSpace(val))
		if err != nil || w < 0 {
			return Mix{}, fmt.Errorf("mix: weight of %s must be a non-negative integer", name)
		}
		switch strings.TrimSpace(name) {
		case OpRefresh:
			m.Refresh = w
		case OpCode:
			m.Code = w
		case OpSignUp:
			m.SignUp = w
		default:
			return Mix{}, fmt.Errorf("mix: unknown operation %q (want %s, %s or %s)", name, OpRefresh, OpCode, OpSignUp)
		}
	}
	if m.total() == 0 {
		return Mix{}, fmt.Errorf("mix: no operation has a positive weight")
	}
	return m, nil
}

func (m Mix) total() int { return m.Refresh + m.Code + m.SignUp }

// pick maps n in [0, total) to an operation.
func (m Mix) pick(n int) string {
	switch {
	case n < m.Refresh:
		return OpRefresh
	case n < m.Refresh+m.Code:
		return OpCode
	}
	return OpSignUp
}

func (m Mix) String() string {
	return fmt.Sprintf("%s=%d,%s=%d,%s=%d", OpRefresh, m.Refresh, OpCode, m.Code, OpSignUp, m.SignUp)
}
