package image

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
)

// Main is cmd/linkpool-image: it builds the image and writes the archive,
// printing its path, tag and digest. It returns the exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("linkpool-image", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o Options
	out := fs.String("o", "bin/linkpool-image.tar", "archive to write (OCI image layout in a tar file)")
	fs.StringVar(&o.Dir, "dir", ".", "root of the linkpool module")
	fs.StringVar(&o.Go, "go", "go", "go command that builds linkpool")
	fs.StringVar(&o.Arch, "arch", runtime.GOARCH, "architecture of the image (GOARCH): amd64, arm64, …")
	fs.StringVar(&o.Version, "version", "dev", "linkpool's version: `linkpool version`, the version label and the tag")
	fs.StringVar(&o.Revision, "revision", "", "commit the image is built from (the revision label)")
	fs.StringVar(&o.CACerts, "ca-certs", "/etc/ssl/certs/ca-certificates.crt", "CA certificate bundle (PEM) of the build host, copied to "+CACerts)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "linkpool-image: unexpected arguments %v\n", fs.Args())
		return 2
	}
	img, err := Build(ctx, o)
	if err == nil {
		err = WriteArchive(*out, img, o.Version)
	}
	if err != nil {
		fmt.Fprintf(stderr, "linkpool-image: %v\n", err)
		return 1
	}
	digest, err := img.Digest()
	if err != nil {
		fmt.Fprintf(stderr, "linkpool-image: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %s:%s linux/%s %s\n", *out, Repository, o.Version, o.Arch, digest)
	return 0
}
