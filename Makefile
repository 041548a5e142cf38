# Facteur: `make run` opens the app, `make test` passes every test.
# Both install the system packages that Fyne's cgo build needs first (scripts/deps.sh).

GO      ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
TAGS    := migrated_fynedo
BIN     := bin/facteur
VERSION := $(shell sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
LDFLAGS := -X main.Version=$(VERSION)
# Every package but the GUI must build for the other desktop systems too.
PORTABLE = $(shell $(GO) list ./... | grep -v -e '^facteur$$' -e '^facteur/app')

.PHONY: all deps build run test vet cross interop ci-fresh bench package clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	$(GO) build -tags $(TAGS) -ldflags '$(LDFLAGS)' -o $(BIN) .

run: build
	./$(BIN)

# -timeout: a guard against a hung test, not a speed goal (those are benchmarks):
# go test's default of 10 minutes a package stopped the GUI's tests on a loaded
# 2-core machine.
test: deps vet cross
	$(GO) test -race -tags $(TAGS) -shuffle=on -timeout 30m ./...

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet -tags $(TAGS) ./...

cross:
	GOOS=windows CGO_ENABLED=0 $(GO) build -tags $(TAGS) $(PORTABLE)
	GOOS=darwin CGO_ENABLED=0 $(GO) build -tags $(TAGS) $(PORTABLE)

# Suites against real peers (Dovecot, Postfix, swaks, dnsmasq, mutt) come with the
# local MTA and remote-account work; scripts/interop.sh runs whatever exists.
interop: deps
	bash scripts/interop.sh

# What CI does with a submission: .ci/run in a fresh clone of the committed HEAD.
ci-fresh:
	bash scripts/ci-fresh.sh

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem -tags $(TAGS) ./...
	@echo "side-by-side with notmuch: bash bench/index-vs-notmuch.sh"

package: deps
	$(GO) run fyne.io/tools/cmd/fyne@v1.7.4 package --tags $(TAGS) --release

clean:
	rm -rf bin Facteur.tar.xz
