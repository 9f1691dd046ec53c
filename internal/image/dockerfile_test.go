package image

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// instruction is one Dockerfile instruction with its continuation lines
// joined.
type instruction struct {
	op   string
	args string
}

// readDockerfile returns the instructions of the repository's Dockerfile
// by stage (a new stage at each FROM).
func readDockerfile(t *testing.T) [][]instruction {
	t.Helper()
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var stages [][]instruction
	var cur string
	flush := func() {
		line := strings.TrimSpace(cur)
		cur = ""
		if line == "" {
			return
		}
		op, args, _ := strings.Cut(line, " ")
		in := instruction{op: strings.ToUpper(op), args: strings.TrimSpace(args)}
		if in.op == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			t.Fatalf("Dockerfile: %s before FROM", in.op)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], in)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if l, ok := strings.CutSuffix(strings.TrimRight(line, " \t"), "\\"); ok {
			cur += l + " "
			continue
		}
		cur += line
		flush()
	}
	flush()
	return stages
}

// words splits Dockerfile arguments at spaces, honouring double quotes.
func words(t *testing.T, s string) []string {
	t.Helper()
	var out []string
	var w strings.Builder
	inQuote, has := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			inQuote, has = !inQuote, true
		case c == '\\' && inQuote && i+1 < len(s):
			i++
			w.WriteByte(s[i])
		case (c == ' ' || c == '\t') && !inQuote:
			if has {
				out = append(out, w.String())
				w.Reset()
				has = false
			}
		default:
			w.WriteByte(c)
			has = true
		}
	}
	if inQuote {
		t.Fatalf("Dockerfile: unterminated quote in %q", s)
	}
	if has {
		out = append(out, w.String())
	}
	return out
}

func execForm(t *testing.T, op, s string) []string {
	t.Helper()
	var v []string
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("Dockerfile %s %s: not the exec (JSON) form: %v", op, s, err)
	}
	return v
}

// TestDockerfileMatchesGenerator keeps the Dockerfile and the image
// `make image` generates equivalent: the final stage declares Spec's
// user, entrypoint, command, environment, ports, volume, health check
// and labels, and the binary is built as Compile builds it.
func TestDockerfileMatchesGenerator(t *testing.T) {
	stages := readDockerfile(t)
	if len(stages) != 2 {
		t.Fatalf("Dockerfile has %d stages, want 2 (build, runtime)", len(stages))
	}
	final := stages[len(stages)-1]
	var got Declared
	got.Labels = map[string]string{}
	var build, copies []string
	for _, in := range stages[0] {
		if in.op == "RUN" {
			build = append(build, in.args)
		}
	}
	for _, in := range final {
		switch in.op {
		case "FROM":
			if in.args != "gcr.io/distroless/static-debian12:nonroot" {
				t.Errorf("runtime base %q, want distroless static nonroot (user %d)", in.args, UserID)
			}
		case "USER":
			got.User = in.args
		case "ENTRYPOINT":
			got.Entrypoint = execForm(t, in.op, in.args)
		case "CMD":
			got.Cmd = execForm(t, in.op, in.args)
		case "ENV":
			got.Env = append(got.Env, words(t, in.args)...)
		case "EXPOSE":
			got.ExposedPorts = append(got.ExposedPorts, words(t, in.args)...)
		case "VOLUME":
			got.Volumes = append(got.Volumes, execForm(t, in.op, in.args)...)
		case "LABEL":
			for _, kv := range words(t, in.args) {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					t.Fatalf("Dockerfile LABEL %q: not key=value", kv)
				}
				got.Labels[k] = v
			}
		case "COPY":
			copies = append(copies, in.args)
		case "HEALTHCHECK":
			args := in.args
			for strings.HasPrefix(args, "--") {
				var opt string
				opt, args, _ = strings.Cut(args, " ")
				args = strings.TrimSpace(args)
				name, val, _ := strings.Cut(strings.TrimPrefix(opt, "--"), "=")
				var err error
				var d time.Duration
				switch name {
				case "interval", "timeout", "start-period":
					d, err = time.ParseDuration(val)
				case "retries":
					got.Healthcheck.Retries, err = strconv.Atoi(val)
				default:
					t.Errorf("Dockerfile HEALTHCHECK: option %s not compared with the generator", opt)
				}
				if err != nil {
					t.Fatalf("Dockerfile HEALTHCHECK %s: %v", opt, err)
				}
				switch name {
				case "interval":
					got.Healthcheck.Interval = d
				case "timeout":
					got.Healthcheck.Timeout = d
				case "start-period":
					got.Healthcheck.StartPeriod = d
				}
			}
			cmd, rest, _ := strings.Cut(args, " ")
			if cmd != "CMD" {
				t.Fatalf("Dockerfile HEALTHCHECK %q: want CMD [...]", in.args)
			}
			got.Healthcheck.Test = append([]string{"CMD"}, execForm(t, in.op, strings.TrimSpace(rest))...)
		}
	}
	if v := got.Labels["org.opencontainers.image.version"]; v != "${VERSION}" {
		t.Errorf("Dockerfile version label %q, want ${VERSION}", v)
	}
	delete(got.Labels, "org.opencontainers.image.version")

	want := Spec()
	slices.Sort(got.ExposedPorts)
	slices.Sort(want.ExposedPorts)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Dockerfile declares\n%+v\nthe generator (Spec)\n%+v", got, want)
	}
	// The generated configuration holds the same values.
	cfg := want.config("v9", "")
	if cfg.User != got.User || !slices.Equal(cfg.Entrypoint, got.Entrypoint) || !slices.Equal(cfg.Cmd, got.Cmd) ||
		!reflect.DeepEqual(*cfg.Healthcheck, got.Healthcheck) || cfg.Labels["org.opencontainers.image.version"] != "v9" {
		t.Errorf("config %+v does not hold the declared values", cfg)
	}

	// The binary is built as Compile builds it, and /data belongs to the user.
	run := strings.Join(build, " ")
	for _, want := range []string{"CGO_ENABLED=0", "go build -trimpath", "-s -w -X " + VersionVar + "=${VERSION}", "./cmd/linkpool", "mkdir -m 0700 /out/data"} {
		if !strings.Contains(run, want) {
			t.Errorf("Dockerfile build stage does not run %q:\n%s", want, run)
		}
	}
	wantCopies := []string{"--from=build /out/linkpool " + BinaryPath, "--from=build --chown=65532:65532 /out/data " + DataDir}
	if !slices.Equal(copies, wantCopies) {
		t.Errorf("Dockerfile copies %q, want %q", copies, wantCopies)
	}
	if got.User != strconv.Itoa(UserID)+":"+strconv.Itoa(UserID) {
		t.Errorf("user %q is not %d:%d", got.User, UserID, UserID)
	}
}
