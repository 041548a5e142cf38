# Facteur: `make run` opens the app, `make test` passes every test.
# Both install the system packages that Fyne's cgo build needs first (scripts/deps.sh).

GO      ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
TAGS    := migrated_fynedo
BIN     := bin/facteur
VERSION := $(shell sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
LDFLAGS := -X main.Version=$(VERSION)
# Every package but the GUI must build for the other desktop systems too.
PORTABLE = $(shell $(GO) list ./... | grep -v -e '^facteur$$' -e '^facteur/app')

.PHONY: all deps deps-windows build run test vet cross interop ci-fresh bench package package-windows windows test-windows clean

all: build

deps:
	@bash scripts/deps.sh

# The same, with Wine and mingw for make windows and make test-windows, in
# one apt-get run.
deps-windows:
	@bash scripts/deps.sh windows

build: deps
	$(GO) build -tags $(TAGS) -ldflags '$(LDFLAGS)' -o $(BIN) .

run: build
	./$(BIN)

# -timeout: a guard against a hung test, not a speed goal (those are benchmarks):
# go test's default of 10 minutes a package stopped the GUI's tests on a loaded
# 2-core machine.
test: deps vet cross
	$(GO) test -race -tags $(TAGS) -shuffle=on -timeout 30m ./...
	cd third_party/go-sieve && $(GO) test -race -shuffle=on ./...

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet -tags $(TAGS) ./...

# macOS is not run here: its build and go vet (tests included) are what CI checks.
cross:
	GOOS=windows CGO_ENABLED=0 $(GO) build -tags $(TAGS) $(PORTABLE)
	GOOS=darwin CGO_ENABLED=0 $(GO) build -tags $(TAGS) $(PORTABLE)
	GOOS=darwin CGO_ENABLED=0 $(GO) vet -tags $(TAGS) $(PORTABLE)

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

# fyne package rewrites FyneApp.toml: scripts/package.sh puts it back.
package: deps
	GO=$(GO) bash scripts/package.sh linux

# Facteur.exe, with its icon: cross-compiled with mingw.
package-windows: deps
	GO=$(GO) bash scripts/package.sh windows

# The GUI .exe, cross-compiled with mingw (cgo), in the GUI subsystem: no
# console window opens with it; from a console it attaches to it (main's
# console_windows.go).
windows:
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
		$(GO) build -tags $(TAGS) -ldflags '$(LDFLAGS) -H=windowsgui' -o $(BIN).exe .

# Every package's tests but the GUI's, cross-compiled and run under Wine, then
# the CLI of the real facteur.exe, made by make windows first
# (scripts/test-windows.sh; Wine and mingw from Debian's packages when
# missing; SMOKE=0 leaves the .exe out, WINE_JOBS binaries run at a time).
test-windows: deps-windows $(if $(filter 0,$(SMOKE)),,windows)
	GO=$(GO) bash scripts/test-windows.sh

clean:
	rm -rf bin Facteur.tar.xz Facteur.exe
