# syntax=docker/dockerfile:1
# linkpool's container image: a static binary on distroless, as the non-root
# user 65532, data in the /data volume. `make image` builds the same image
# without a Docker daemon (internal/image); a test compares the two.
#
#   docker build -t linkpool --build-arg VERSION=v1.2.3 .
#   docker run -p 8080:8080 -v linkpool-data:/data \
#     -e LINKPOOL_PUBLIC_URL=https://id.example.com linkpool

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/linkpool/linkpool/internal/cli.Version=${VERSION}" \
      -o /out/linkpool ./cmd/linkpool && \
    mkdir -m 0700 /out/data

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
COPY --from=build /out/linkpool /linkpool
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV LINKPOOL_DATA=/data
# serve's listener and its admin listener (/healthz, /readyz, /metrics).
EXPOSE 8080/tcp 9090/tcp
VOLUME ["/data"]
# No shell or curl in the image: the binary asks the admin listener itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/linkpool", "healthcheck"]
LABEL org.opencontainers.image.title="linkpool" \
      org.opencontainers.image.description="Self-hosted, Cognito-compatible user pool and OAuth 2.0 / OpenID Connect provider" \
      org.opencontainers.image.source="https://github.com/linkpool/linkpool" \
      org.opencontainers.image.version="${VERSION}"
ENTRYPOINT ["/linkpool"]
CMD ["serve", "--addr", ":8080", "--admin-addr", ":9090"]
