package image

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/linkpool/linkpool/internal/apptest"
)

const testPEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

// file is one entry of the image's file system.
type file struct {
	hdr  *tar.Header
	body []byte
}

// inspectArchive reads the archive at path both ways (the OCI layout's
// index.json and the docker-save manifest.json), checks that they name the
// same image tagged linkpool:version, and checks its configuration and
// files. It returns the files by absolute path.
func inspectArchive(t *testing.T, path, version, arch string) map[string]file {
	t.Helper()
	img, err := tarball.ImageFromPath(path, nil)
	if err != nil {
		t.Fatalf("read %s as a docker-save archive: %v", path, err)
	}
	dir := t.TempDir()
	untar(t, path, dir)
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatalf("read %s as an OCI layout: %v", path, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 {
		t.Fatalf("index.json lists %d manifests, want 1", len(im.Manifests))
	}
	d := im.Manifests[0]
	if d.MediaType != types.OCIManifestSchema1 || d.Annotations["org.opencontainers.image.ref.name"] != version ||
		d.Annotations["io.containerd.image.name"] != "docker.io/library/linkpool:"+version {
		t.Errorf("index.json descriptor %+v", d)
	}
	oci, err := idx.Image(d.Digest)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []v1.Image{img, oci} {
		if err := validate(i); err != nil {
			t.Fatalf("image does not verify against its digests: %v", err)
		}
	}
	ociCfg, _ := oci.ConfigName()
	tarCfg, _ := img.ConfigName()
	if ociCfg != tarCfg {
		t.Errorf("index.json's image has config %s, manifest.json's %s", ociCfg, tarCfg)
	}
	if mt, _ := oci.MediaType(); mt != types.OCIManifestSchema1 {
		t.Errorf("manifest media type %s", mt)
	}

	cf, err := oci.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.OS != "linux" || cf.Architecture != arch {
		t.Errorf("platform %s/%s, want linux/%s", cf.OS, cf.Architecture, arch)
	}
	c := cf.Config
	if c.User == "" || c.User == "0" || strings.HasPrefix(c.User, "0:") || strings.HasPrefix(c.User, "root") {
		t.Errorf("user %q: the image must not run as root", c.User)
	}
	if c.User != "65532:65532" {
		t.Errorf("user %q, want 65532:65532", c.User)
	}
	if !slices.Equal(c.Entrypoint, []string{"/linkpool"}) {
		t.Errorf("entrypoint %q", c.Entrypoint)
	}
	if !slices.Equal(c.Cmd, []string{"serve", "--addr", ":8080", "--admin-addr", ":9090"}) {
		t.Errorf("cmd %q", c.Cmd)
	}
	if !reflect.DeepEqual(c.ExposedPorts, map[string]struct{}{"8080/tcp": {}, "9090/tcp": {}}) {
		t.Errorf("exposed ports %v", c.ExposedPorts)
	}
	if !reflect.DeepEqual(c.Volumes, map[string]struct{}{"/data": {}}) {
		t.Errorf("volumes %v", c.Volumes)
	}
	if !slices.Contains(c.Env, "LINKPOOL_DATA=/data") {
		t.Errorf("env %q lacks LINKPOOL_DATA=/data", c.Env)
	}
	if hc := c.Healthcheck; hc == nil || !slices.Equal(hc.Test, []string{"CMD", "/linkpool", "healthcheck"}) ||
		hc.Interval != 30*time.Second || hc.Timeout != 5*time.Second || hc.Retries != 3 {
		t.Errorf("healthcheck %+v", hc)
	}
	if c.Labels["org.opencontainers.image.version"] != version || c.Labels["org.opencontainers.image.source"] != "https://github.com/linkpool/linkpool" {
		t.Errorf("labels %v", c.Labels)
	}

	files := map[string]file{}
	rc := mutate.Extract(oci)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files["/"+strings.TrimSuffix(h.Name, "/")] = file{h, body}
	}
	for name := range files {
		if strings.HasPrefix(name, "/bin") || strings.HasPrefix(name, "/usr") || strings.HasSuffix(name, "/sh") {
			t.Errorf("the image holds %s: it has no shell or userland, only linkpool", name)
		}
	}
	check := func(name string, typ byte, mode int64, uid int) {
		t.Helper()
		f, ok := files[name]
		switch {
		case !ok:
			t.Errorf("no %s in the image", name)
		case f.hdr.Typeflag != typ || f.hdr.Mode != mode || f.hdr.Uid != uid || f.hdr.Gid != uid:
			t.Errorf("%s: type %c mode %o owner %d:%d, want type %c mode %o owner %d:%d",
				name, f.hdr.Typeflag, f.hdr.Mode, f.hdr.Uid, f.hdr.Gid, typ, mode, uid, uid)
		}
	}
	check("/linkpool", tar.TypeReg, 0o755, 0)
	check("/data", tar.TypeDir, 0o700, UserID)
	check("/tmp", tar.TypeDir, 0o1777, 0)
	check("/etc/passwd", tar.TypeReg, 0o644, 0)
	check("/etc/group", tar.TypeReg, 0o644, 0)
	check("/etc/ssl/certs/ca-certificates.crt", tar.TypeReg, 0o644, 0)
	if !strings.Contains(string(files["/etc/passwd"].body), "\nnonroot:x:65532:65532:") {
		t.Errorf("/etc/passwd lacks the user 65532:\n%s", files["/etc/passwd"].body)
	}
	if !strings.Contains(string(files["/etc/group"].body), "\nnonroot:x:65532:") {
		t.Errorf("/etc/group lacks the group 65532:\n%s", files["/etc/group"].body)
	}
	if !bytes.Contains(files["/etc/ssl/certs/ca-certificates.crt"].body, []byte("-----BEGIN CERTIFICATE-----")) {
		t.Error("the CA bundle holds no certificate")
	}
	return files
}

// validate reads every blob of img and checks it against its digest.
func validate(img v1.Image) error {
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	for _, l := range layers {
		rc, err := l.Compressed()
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	_, err = img.RawConfigFile()
	return err
}

func untar(t *testing.T, path, dir string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if !filepath.IsLocal(h.Name) || h.Typeflag != tar.TypeReg {
			t.Fatalf("archive entry %q (type %c): want plain local files", h.Name, h.Typeflag)
		}
		p := filepath.Join(dir, h.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAssembleArchive lays out a stand-in binary and reads the archive
// back; the same inputs give the same image digest.
func TestAssembleArchive(t *testing.T) {
	bin := []byte("\x7fELF stand-in")
	img, err := Assemble(bin, []byte(testPEM), "arm64", "v1.2.3", "abc123")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "out", "linkpool-image.tar")
	if err := WriteArchive(path, img, "v1.2.3"); err != nil {
		t.Fatal(err)
	}
	files := inspectArchive(t, path, "v1.2.3", "arm64")
	if !bytes.Equal(files["/linkpool"].body, bin) {
		t.Error("/linkpool is not the binary given")
	}
	cf, _ := img.ConfigFile()
	if cf.Config.Labels["org.opencontainers.image.revision"] != "abc123" {
		t.Errorf("labels %v lack the revision", cf.Config.Labels)
	}
	again, err := Assemble(bin, []byte(testPEM), "arm64", "v1.2.3", "abc123")
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := img.Digest()
	d2, _ := again.Digest()
	if d1 != d2 {
		t.Errorf("the same inputs gave digests %s and %s", d1, d2)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("the output directory holds %d files, want only the archive", len(entries))
	}
}

// TestBuildRefusesBadInput: a CA bundle that is missing or holds no
// certificate, or a missing version, stops the build before anything is
// compiled or written.
func TestBuildRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "certs")
	if err := os.WriteFile(notPEM, []byte("nothing"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{Dir: "../..", Arch: "amd64", Version: "v1", CACerts: filepath.Join(dir, "missing")}, "CA certificates"},
		{Options{Dir: "../..", Arch: "amd64", Version: "v1", CACerts: notPEM}, "holds no PEM certificate"},
		{Options{Dir: "../..", Arch: "amd64", CACerts: notPEM}, "version are required"},
		{Options{Dir: "../..", Arch: "amd64", Version: "v1 -X main.x=y", CACerts: notPEM}, "it is the image's tag"},
		{Options{Dir: "../..", Arch: "amd64", Version: "-v1", CACerts: notPEM}, "it is the image's tag"},
	} {
		if _, err := Build(context.Background(), tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Build(%+v): %v, want an error about %q", tc.o, err, tc.want)
		}
	}
	var out, errb bytes.Buffer
	archive := filepath.Join(dir, "img.tar")
	if code := Main(context.Background(), []string{"-o", archive, "-dir", "../..", "-ca-certs", notPEM}, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "holds no PEM certificate") {
		t.Errorf("linkpool-image with a bad CA bundle: exit %d, stderr %q", code, errb.String())
	}
	if _, err := os.Stat(archive); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed build left %s: %v", archive, err)
	}
	if code := Main(context.Background(), []string{"extra"}, &out, &errb); code != 2 {
		t.Errorf("linkpool-image extra: exit %d, want 2", code)
	}
}

// TestImage builds the real image as `make image` does, inspects the
// archive, and runs the binary in it: `linkpool version`, then `serve`
// with the image's health check asking it.
func TestImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds linkpool (skipped with -short)")
	}
	certs := "/etc/ssl/certs/ca-certificates.crt"
	if _, err := os.Stat(certs); err != nil {
		apptest.Missing(t, "no CA bundle at %s for the image (Debian package ca-certificates): %v", certs, err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "linkpool-image.tar")
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"-o", path, "-dir", "../..", "-version", "v0.0.0-imagetest", "-arch", runtime.GOARCH, "-ca-certs", certs}, &out, &errb); code != 0 {
		t.Fatalf("linkpool-image: exit %d\n%s", code, errb.String())
	}
	if !strings.Contains(out.String(), "linkpool:v0.0.0-imagetest linux/"+runtime.GOARCH+" sha256:") {
		t.Errorf("linkpool-image printed %q", out.String())
	}
	files := inspectArchive(t, path, "v0.0.0-imagetest", runtime.GOARCH)
	if runtime.GOOS != "linux" {
		t.Skipf("the image's linux binary does not run on %s", runtime.GOOS)
	}
	bin := filepath.Join(dir, "linkpool")
	if err := os.WriteFile(bin, files["/linkpool"].body, 0o755); err != nil {
		t.Fatal(err)
	}
	v, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil || string(v) != "linkpool v0.0.0-imagetest\n" {
		t.Fatalf("linkpool version from the image: %q, %v", v, err)
	}
	ef, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the image's binary is dynamically linked (%v): the image has no libc", p.Type)
		}
	}
	ef.Close()

	// The health check of the image against the image's command run from
	// the same binary, its listeners moved to free ports (a later flag
	// wins) and its data directory to a temporary one.
	admin := apptest.FreeAddr(t)
	args := append(slices.Clone(Spec().Cmd), "--addr", apptest.FreeAddr(t), "--admin-addr", admin)
	srv := exec.Command(bin, args...)
	srv.Env = append(os.Environ(), "LINKPOOL_DATA="+filepath.Join(dir, "data"))
	var srvLog bytes.Buffer
	srv.Stdout, srv.Stderr = &srvLog, &srvLog
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	url := "http://" + admin + "/healthz"
	deadline := time.Now().Add(30 * time.Second)
	for {
		hc, err := exec.Command(bin, "healthcheck", "--url", url).CombinedOutput()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("healthcheck never passed: %s %v\nserve:\n%s", hc, err, srvLog.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := srv.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = srv.Wait()
	if hc, err := exec.Command(bin, "healthcheck", "--url", url).CombinedOutput(); err == nil {
		t.Errorf("healthcheck passed with serve stopped: %s", hc)
	}
}
