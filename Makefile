# linkpool build and test targets. `make test` is what CI runs.
GO ?= go
STATICCHECK_VERSION ?= v0.8.2

.PHONY: build image test test-short race check unit bench bench-report bench-million fuzz lambda scaling-tables cognitojs

build:
	$(GO) build -o bin/linkpool ./cmd/linkpool

# image builds the container image without a Docker daemon or a base image
# (cmd/linkpool-image: a static linux binary, the non-root user 65532, this
# machine's CA certificates, /data and /tmp) and writes it as an OCI archive
# to IMAGE_OUT, tagged linkpool:VERSION: `docker load -i bin/linkpool-image.tar`.
# The Dockerfile builds the same image with Docker. IMAGE_ARCH=arm64 for ARM.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null)
IMAGE_OUT ?= bin/linkpool-image.tar
IMAGE_ARCH ?= $(shell $(GO) env GOARCH)
image:
	$(GO) run ./cmd/linkpool-image -go $(GO) -o $(IMAGE_OUT) -arch $(IMAGE_ARCH) -version $(VERSION) -revision "$(REVISION)"

# test: formatting, vet, staticcheck and every test.
test: check unit

check:
	@unformatted="$$(gofmt -l $$(git ls-files '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

unit:
	$(GO) test -count=1 -timeout 30m ./...

# cognitojs installs amazon-cognito-identity-js and aws-amplify at the versions
# of test/cognitojs/package-lock.json, for the tests that drive them against
# `linkpool serve` (test/cluster TestCognitoJS*, TestAmplifySRP; without them they skip, and
# fail under CI=true). It does nothing when node_modules was installed from
# the current lock file (npm's own .package-lock.json is newer).
cognitojs:
	@cd test/cognitojs && if [ node_modules/.package-lock.json -nt package-lock.json ] && \
		[ node_modules/.package-lock.json -nt package.json ]; then echo "test/cognitojs: node_modules is up to date"; \
	else npm ci --no-audit --no-fund; fi

# test-short: the unit and package tests. The cluster, end-to-end, soak,
# attack and stress tests and every test slower than about two seconds
# skip themselves under -short; `make test` runs them all.
test-short:
	$(GO) test -short -count=1 ./...

# race: the packages with concurrency (store backends and their
# conformance suite, token endpoint and grants, accounts and lockout,
# rate limiters, key sets, the configuration cache, the mail outbox, the
# skill's event sender, the Alexa simulator, the token verifier, federated
# sign-in with its metadata and key caches, the pools' SAML keys, passkey
# ceremonies, the trigger invoker's worker budget) under the race
# detector, which needs cgo and a C compiler. CI runs it after `make test`.
RACE_PACKAGES ?= ./internal/store/... ./internal/oauth ./internal/account ./internal/web ./internal/token \
	./internal/confcache ./internal/mail ./internal/smarthome ./internal/alexasim ./internal/accesskey ./verify \
	./internal/federation/... ./internal/admin ./internal/passkey ./internal/trigger
race:
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 30m $(RACE_PACKAGES)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# scaling-tables measures the throughput tables of docs/scaling.md (test/cluster
# BenchmarkLoad: three workloads on SQLite, PostgreSQL and two PostgreSQL
# instances, SCALING_DURATION each; about 6 minutes at 30s) and prints them with
# the date, commit and machine, ready to paste between the doc's
# scaling-tables markers. The benchmark's log goes to standard error. Run it
# on a quiet machine.
SCALING_DURATION ?= 30s
scaling-tables:
	@out="$$(mktemp)"; \
	$(GO) test -count=1 -run '^$$' -bench '^BenchmarkLoad$$' -benchtime 1x -timeout 60m ./test/cluster \
		-args -load.duration $(SCALING_DURATION) -load.markdown "$$out" >&2; rc=$$?; \
	if [ $$rc -eq 0 ] || [ -s "$$out" ]; then cat "$$out"; fi; rm -f "$$out"; exit $$rc

# bench-report measures linkpool against the physical bounds of this machine
# (test/cluster BenchmarkReport, internal/benchreport): RS256 and ES256
# signatures, argon2id, fsync and a SQLite commit, then refreshes (rotation
# off and on, RS256 and ES256), the link flow and two skill directives
# through HTTP against a `linkpool serve` process, BENCH_DURATION each
# (about 2 minutes at 10s). It prints the block between docs/scaling.md's
# bench-report markers: each rate, the bound it is limited by and the
# percentage, with the date, commit, Go, CPU and load average. The
# benchmark's log goes to standard error.
BENCH_DURATION ?= 10s
BENCH_BOUND_DURATION ?= 2s
bench-report:
	@out="$$(mktemp)"; \
	$(GO) test -count=1 -run '^$$' -bench '^BenchmarkReport$$' -benchtime 1x -timeout 30m ./test/cluster \
		-args -report.duration $(BENCH_DURATION) -report.bound-duration $(BENCH_BOUND_DURATION) -report.markdown "$$out" >&2; rc=$$?; \
	if [ $$rc -eq 0 ] && [ -s "$$out" ]; then cat "$$out"; fi; rm -f "$$out"; exit $$rc

# bench-million compares refresh and sign-in rates with 1,000 and with
# 1,000,000 users and live refresh tokens, on SQLite and on PostgreSQL
# (test/cluster BenchmarkMillion: `linkpool seed`, `linkpool import`,
# then `linkpool serve` driven over HTTP, the sizes interleaved in
# MILLION_ROUNDS rounds of MILLION_DURATION per rate), with the import
# rate and the bytes per user and per link. About 15 minutes and 8 GB of
# disk on a quiet 2-vCPU machine. It prints the block between
# docs/scaling.md's million markers; the log goes to standard error.
MILLION_SIZES ?= 1000,1000000
MILLION_DURATION ?= 20s
MILLION_ROUNDS ?= 2
bench-million:
	@out="$$(mktemp)"; \
	$(GO) test -count=1 -run '^$$' -bench '^BenchmarkMillion$$' -benchtime 1x -timeout 120m ./test/cluster \
		-args -million.sizes $(MILLION_SIZES) -million.duration $(MILLION_DURATION) -million.rounds $(MILLION_ROUNDS) \
		-million.markdown "$$out" >&2; rc=$$?; \
	if [ $$rc -eq 0 ] && [ -s "$$out" ]; then cat "$$out"; fi; rm -f "$$out"; exit $$rc

# fuzz runs every fuzz target of the repository, one at a time, each for
# FUZZTIME. Crashers are written to the package's testdata/fuzz; commit them
# and they run as regression tests in `make test`. FUZZFLAGS passes extra
# flags, e.g. FUZZFLAGS=-parallel=1 on a shared machine.
FUZZTIME ?= 60s
FUZZFLAGS ?=
fuzz:
	@set -e; for f in $$(git ls-files '*_test.go' | xargs grep -l '^func Fuzz'); do \
		for t in $$(sed -nE 's/^func (Fuzz[A-Za-z0-9_]*)\(.*/\1/p' $$f); do \
			echo "== $$t ./$$(dirname $$f)"; \
			$(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./$$(dirname $$f); \
		done; \
	done

# lambda builds the SmartLamp skill for AWS Lambda (provided.al2023, arm64).
lambda:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -o bin/bootstrap ./cmd/smartlamp-lambda
