# erlgo — see README.md. `make demo` runs the demo node toured by a real erl
# node; `make test` runs the whole suite (installing Erlang/Elixir if needed).
GO ?= go
GOTESTFLAGS ?= -race -count=1 -timeout 18m
FUZZTIME ?= 60s

.PHONY: all demo test deps fmt-check vet unit compose-check bench fuzz soak build

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

test: deps fmt-check vet unit compose-check

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

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
