package image

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Repository is the name the archive tags the image with: linkpool:<tag>.
const Repository = "linkpool"

// WriteArchive writes img to path as an OCI image layout in a tar file
// (index.json, oci-layout, blobs/sha256/…), the format of `docker save`
// since Docker 25: a manifest.json naming the same blobs lets older
// `docker load` and docker-archive readers take it too. The image is
// tagged linkpool:<tag>. The file is written next to path and renamed, so
// a failed build leaves no partial archive.
func WriteArchive(path string, img v1.Image, tag string) (err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := writeArchive(f, img, tag); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

func writeArchive(w io.Writer, img v1.Image, tag string) error {
	tw := tar.NewWriter(w)
	file := func(name string, body []byte) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), ModTime: epoch, Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err := tw.Write(body)
		return err
	}
	blob := func(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }

	manifest, err := img.RawManifest()
	if err != nil {
		return err
	}
	manifestDigest, err := img.Digest()
	if err != nil {
		return err
	}
	config, err := img.RawConfigFile()
	if err != nil {
		return err
	}
	configName, err := img.ConfigName()
	if err != nil {
		return err
	}
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	ref := Repository + ":" + tag
	index := v1.IndexManifest{
		SchemaVersion: 2,
		MediaType:     types.OCIImageIndex,
		Manifests: []v1.Descriptor{{
			MediaType: types.OCIManifestSchema1,
			Size:      int64(len(manifest)),
			Digest:    manifestDigest,
			Annotations: map[string]string{
				"io.containerd.image.name":          "docker.io/library/" + ref,
				"org.opencontainers.image.ref.name": tag,
			},
		}},
	}
	indexJSON, err := json.Marshal(index)
	if err != nil {
		return err
	}
	legacy := []struct {
		Config   string
		RepoTags []string
		Layers   []string
	}{{Config: blob(configName), RepoTags: []string{ref}}}

	for _, d := range []struct {
		name string
		body []byte
	}{
		{"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)},
		{"index.json", indexJSON},
		{blob(manifestDigest), manifest},
		{blob(configName), config},
	} {
		if err := file(d.name, d.body); err != nil {
			return fmt.Errorf("archive %s: %w", d.name, err)
		}
	}
	for _, l := range layers {
		digest, err := l.Digest()
		if err != nil {
			return err
		}
		rc, err := l.Compressed()
		if err != nil {
			return err
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		if err := file(blob(digest), body); err != nil {
			return fmt.Errorf("archive layer %s: %w", digest, err)
		}
		legacy[0].Layers = append(legacy[0].Layers, blob(digest))
	}
	legacyJSON, err := json.Marshal(legacy)
	if err != nil {
		return err
	}
	if err := file("manifest.json", legacyJSON); err != nil {
		return fmt.Errorf("archive manifest.json: %w", err)
	}
	return tw.Close()
}
