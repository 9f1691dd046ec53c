package image

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Options say what to build.
type Options struct {
	// Dir is the root of the linkpool module, where `go build` runs.
	Dir string
	// Go is the go command; empty means "go".
	Go string
	// Arch is the GOARCH of the image (linux/<Arch>).
	Arch string
	// Version is linkpool's version (`linkpool version`, the version label
	// and the image's tag); Revision the commit, a label when not empty.
	Version  string
	Revision string
	// CACerts is the CA certificate bundle copied into the image (for SMTP,
	// Lambda triggers and federation over TLS).
	CACerts string
}

// tagRe is the grammar of an image tag.
var tagRe = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

// VersionVar is the variable `linkpool version` prints, set with -X.
const VersionVar = "github.com/linkpool/linkpool/internal/cli.Version"

// Compile builds the static linux/<Arch> linkpool binary: CGO_ENABLED=0,
// -trimpath, without symbol tables, with the version set.
func Compile(ctx context.Context, o Options) ([]byte, error) {
	goCmd := o.Go
	if goCmd == "" {
		goCmd = "go"
	}
	tmp, err := os.MkdirTemp("", "linkpool-image-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "linkpool")
	cmd := exec.CommandContext(ctx, goCmd, "build", "-trimpath",
		"-ldflags", "-s -w -X "+VersionVar+"="+o.Version, "-o", out, "./cmd/linkpool")
	cmd.Dir = o.Dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+o.Arch)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go build: %w\n%s", err, stderr.Bytes())
	}
	return os.ReadFile(out)
}

// Build compiles linkpool and assembles its image.
func Build(ctx context.Context, o Options) (v1.Image, error) {
	if o.Arch == "" || o.Version == "" {
		return nil, errors.New("image: the architecture and the version are required")
	}
	if !tagRe.MatchString(o.Version) {
		return nil, fmt.Errorf("version %q: it is the image's tag, so letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'", o.Version)
	}
	certs, err := os.ReadFile(o.CACerts)
	if err != nil {
		return nil, fmt.Errorf("CA certificates: %w", err)
	}
	if !bytes.Contains(certs, []byte("-----BEGIN CERTIFICATE-----")) {
		return nil, fmt.Errorf("CA certificates: %s holds no PEM certificate", o.CACerts)
	}
	bin, err := Compile(ctx, o)
	if err != nil {
		return nil, err
	}
	return Assemble(bin, certs, o.Arch, o.Version, o.Revision)
}

// Assemble lays out binary and caCerts in one layer under Spec's
// configuration, as an OCI image for linux/arch.
func Assemble(binary, caCerts []byte, arch, version, revision string) (v1.Image, error) {
	layerTar, err := rootfs(binary, caCerts)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(layerTar)), nil },
		tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:   layer,
		History: v1.History{Created: v1.Time{Time: epoch}, CreatedBy: "linkpool image " + version, Comment: "static linkpool binary, user, CA certificates, /data, /tmp"},
	})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	cf.Created = v1.Time{Time: epoch}
	cf.Config = Spec().config(version, revision)
	return mutate.ConfigFile(img, cf)
}
