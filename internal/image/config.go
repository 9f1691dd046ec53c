package image

import (
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// The image's user: distroless's "nonroot", so that the Dockerfile's
// gcr.io/distroless/static:nonroot base and this image agree.
const (
	UserID   = 65532
	UserName = "nonroot"
)

// Paths inside the image.
const (
	BinaryPath = "/linkpool"
	DataDir    = "/data"
	CACerts    = "/etc/ssl/certs/ca-certificates.crt"
)

// Declared is what the Dockerfile declares and the generated image's
// configuration holds: a test reads the Dockerfile and compares.
type Declared struct {
	User         string
	Entrypoint   []string
	Cmd          []string
	Env          []string
	ExposedPorts []string
	Volumes      []string
	Healthcheck  v1.HealthConfig
	// Labels are the fixed labels; the version label comes from the build.
	Labels map[string]string
}

// Spec is the image's declared configuration. serve listens on :8080 and
// its admin listener (/healthz, /readyz, /metrics) on :9090 inside the
// container; the health check asks the admin listener's /healthz with
// `linkpool healthcheck`, since the image has no shell or curl.
func Spec() Declared {
	return Declared{
		User:         "65532:65532",
		Entrypoint:   []string{BinaryPath},
		Cmd:          []string{"serve", "--addr", ":8080", "--admin-addr", ":9090"},
		Env:          []string{"LINKPOOL_DATA=" + DataDir},
		ExposedPorts: []string{"8080/tcp", "9090/tcp"},
		Volumes:      []string{DataDir},
		Healthcheck: v1.HealthConfig{
			Test:        []string{"CMD", BinaryPath, "healthcheck"},
			Interval:    30 * time.Second,
			Timeout:     5 * time.Second,
			StartPeriod: 10 * time.Second,
			Retries:     3,
		},
		Labels: map[string]string{
			"org.opencontainers.image.title":       "linkpool",
			"org.opencontainers.image.description": "Self-hosted, Cognito-compatible user pool and OAuth 2.0 / OpenID Connect provider",
			"org.opencontainers.image.source":      "https://github.com/linkpool/linkpool",
		},
	}
}

// config returns the OCI configuration of the image built at version
// (and revision, when known).
func (d Declared) config(version, revision string) v1.Config {
	labels := map[string]string{"org.opencontainers.image.version": version}
	if revision != "" {
		labels["org.opencontainers.image.revision"] = revision
	}
	for k, v := range d.Labels {
		labels[k] = v
	}
	set := func(keys []string) map[string]struct{} {
		m := make(map[string]struct{}, len(keys))
		for _, k := range keys {
			m[k] = struct{}{}
		}
		return m
	}
	hc := d.Healthcheck
	hc.Test = append([]string(nil), hc.Test...)
	return v1.Config{
		User:         d.User,
		Entrypoint:   append([]string(nil), d.Entrypoint...),
		Cmd:          append([]string(nil), d.Cmd...),
		Env:          append([]string(nil), d.Env...),
		ExposedPorts: set(d.ExposedPorts),
		Volumes:      set(d.Volumes),
		WorkingDir:   "/",
		Healthcheck:  &hc,
		Labels:       labels,
	}
}
