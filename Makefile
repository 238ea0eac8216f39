# erlgo — see README.md. `make demo` runs the demo node toured by a real erl
# node; `make test` runs the whole suite (installing Erlang/Elixir if needed).
GO ?= go
# golangci-lint, pinned; `make lint` installs it into ./.bin from the Go
# module proxy when that version is missing there.
GOLANGCI_LINT_VERSION ?= v2.15.0
GOLANGCI_LINT := $(CURDIR)/.bin/golangci-lint
GOTESTFLAGS ?= -race -count=1 -timeout 18m
FUZZTIME ?= 60s

.PHONY: all demo test deps fmt-check vet lint tidy unit compose-check bench fuzz soak build

all: build

build:
	$(GO) build ./...

# deps installs the real peers (Debian's erlang-nox and elixir) and
# docker-compose when they are missing. Needs root and network access to
# Debian's mirrors; fails with a clear message otherwise.
deps:
	@bash scripts/deps.sh

demo: deps
	@bash scripts/demo.sh

test: deps fmt-check vet lint tidy unit compose-check

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# lint runs the curated set in .golangci.yml.
lint:
	@if ! "$(GOLANGCI_LINT)" version 2>/dev/null | grep -q "version $(GOLANGCI_LINT_VERSION:v%=%) "; then \
		echo "installing golangci-lint $(GOLANGCI_LINT_VERSION) into .bin"; \
		GOBIN="$(CURDIR)/.bin" $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION); \
	fi
	"$(GOLANGCI_LINT)" run ./...

# tidy fails when `go mod tidy` would change go.mod or go.sum.
tidy:
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }

unit:
	CI=$${CI:-true} $(GO) test $(GOTESTFLAGS) ./...

compose-check:
	docker-compose -f docker-compose.yml config -q

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./etf/ ./dist/ ./node/ ./actors/
	$(GO) run ./cmd/erlgo bench -quick

# The long soak against real erl and elixir nodes (not part of `make test`,
# which runs its one-minute version in go test ./soak).
DURATION ?= 10m
soak: deps
	$(GO) run ./cmd/erlgo soak -duration $(DURATION)

# Longer fuzz runs (not part of `make test`; the seed corpora run there).
fuzz:
	@bash scripts/fuzz.sh $(FUZZTIME)
