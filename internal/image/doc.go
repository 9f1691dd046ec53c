// Package image builds linkpool's container image without a Docker daemon
// or a base image: it cross-compiles a static linkpool binary and lays it
// out with the few files a static Go server needs (a non-root user, the
// CA certificates, /data and /tmp) in one layer, under the configuration
// of the repository's Dockerfile (user, entrypoint, ports, volume,
// health check), and writes the image as an OCI archive that docker load,
// podman load and skopeo accept. `make image` runs it through
// cmd/linkpool-image.
package image
