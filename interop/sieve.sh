#!/usr/bin/env bash
# Pigeonhole's own Sieve tests (Dovecot's Sieve implementation, the
# reference of the field) run against Facteur's engine (issue 18):
#
#   bash interop/sieve.sh
#
# go-sieve (third_party/go-sieve) executes Pigeonhole's testsuite format
# (.svtest files: test "name" { ... } blocks with test_set, test_message,
# test_result_action...). This suite fetches the Pigeonhole source of the
# Dovecot that Debian ships (the orig-pigeonhole tarball of the dovecot
# source package, from the Debian archive that apt uses), unpacks it in a
# temporary directory and runs, with PIGEONHOLE_DIR naming it:
#
#   1. go-sieve's own tests of the core language and of the extensions it
#      has (fileinto, envelope, imap4flags, variables, relational,
#      comparators, encoded-character...);
#   2. internal/sieve/ext's TestPigeonhole: the tests of the extensions
#      Facteur adds (body, date, index, subaddress, regex, vacation, reject).
#
# A test that cannot pass is left out by name in the Go test that lists it,
# with the reason; none is skipped silently: the suite fails if a test is
# skipped. Prints PASS/FAIL per check and "N passed, M failed".
# Packages: curl ca-certificates
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
KEEP=${KEEP:-}
# The Debian archive of the machine's apt sources.
ARCHIVE=${ARCHIVE:-http://deb.debian.org/debian}
PIGEONHOLE_VERSION=${PIGEONHOLE_VERSION:-}

log() { echo "interop/sieve: $*"; }

work=""
# shellcheck source=interop/lib/common.bash
. "$repo/interop/lib/common.bash"
interop_traps

command -v curl >/dev/null || interop_install '' curl ca-certificates
work=$(mktemp -d "${TMPDIR:-/tmp}/facteur-sieve.XXXXXX")

# The upstream version of Debian's dovecot ("2.3.19.1+dfsg1"), from the
# installed package or else apt's candidate.
if [ -z "$PIGEONHOLE_VERSION" ]; then
	v=$(dpkg-query -W -f '${Version}' dovecot-core 2>/dev/null || true)
	[ -n "$v" ] || v=$(apt-cache policy dovecot-core 2>/dev/null | sed -n 's/^ *Candidate: *//p')
	v=${v#*:}                 # epoch
	PIGEONHOLE_VERSION=${v%-*} # Debian revision
fi
tarball="dovecot_${PIGEONHOLE_VERSION}.orig-pigeonhole.tar.gz"
fetch() {
	curl -sSf --max-time 120 -o "$work/$tarball" "$ARCHIVE/pool/main/d/dovecot/$tarball" &&
		tar -xzf "$work/$tarball" -C "$work" &&
		ls -d "$work"/dovecot-*-pigeonhole-*
}
check_seconds=0
check "Pigeonhole's source fetched from the Debian archive ($tarball)" fetch
dir=$(ls -d "$work"/dovecot-*-pigeonhole-* 2>/dev/null | head -n 1)
export PIGEONHOLE_DIR=$dir

# gotests NAME DIR PKG...: the Go tests of PKG in DIR, verbose, with
# PIGEONHOLE_DIR; fails when one fails or is skipped; prints the counts.
gotests() {
	local dir=$1
	shift
	(cd "$dir" && "$GO" test -count=1 -v "$@") >"$work/go.log" 2>&1
	local rc=$? pass skip fail
	pass=$(grep -c -- '--- PASS' "$work/go.log")
	skip=$(grep -c -- '--- SKIP' "$work/go.log")
	fail=$(grep -c -- '--- FAIL' "$work/go.log")
	echo "  $pass tests passed, $fail failed, $skip skipped"
	grep -- '--- SKIP' "$work/go.log" | sed 's/^ *--- SKIP: /  left out by name: /'
	grep -B2 -A8 -- '--- FAIL' "$work/go.log" | head -60
	[ "$rc" = 0 ] && [ "$pass" -gt 0 ]
}
check "go-sieve runs Pigeonhole's tests of the core language and its extensions" \
	gotests "$repo/third_party/go-sieve" ./tests/
check "Facteur's extensions (body, date, index, subaddress, regex, vacation, reject) pass Pigeonhole's tests" \
	gotests "$repo" -run '^TestPigeonhole$' ./internal/sieve/ext/

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
