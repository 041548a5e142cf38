#!/usr/bin/env bash
# make test-windows: Facteur's tests on Windows, as far as Linux can run them.
#  1. Wine and mingw from Debian's packages (installed as root when missing);
#  2. a private Wine prefix in a temporary directory, with the
#     bcryptprimitives.dll that Wine 8 lacks (scripts/windows/);
#  3. the test binary of every package but the GUI's (app/ and main, whose
#     cgo build is bin/facteur.exe), cross-compiled, run under Wine;
#  4. the CLI of the real bin/facteur.exe (make windows): version, import,
#     search, inspect, then mta, sendmail to it and mailq.
# Wine's own gaps (not Windows behaviour) are named, with the reason, in
# scripts/windows/wine-gaps.txt and skipped by name (-test.skip); nothing
# else is skipped. Prints each package's result and time, fails if any failed.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
TAGS=migrated_fynedo
EXE=bin/facteur.exe
packages=(wine wine64 gcc-mingw-w64-x86-64)

install_missing() {
	local missing=() p
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} = 0 ] && return
	if [ "$(id -u)" != 0 ]; then
		echo "test-windows: missing ${missing[*]}: as root, apt-get install ${missing[*]}" >&2
		exit 1
	fi
	echo "test-windows: installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
}

install_missing
work=$(mktemp -d "${TMPDIR:-/tmp}/facteur-wine.XXXXXX")
export WINEPREFIX=$work/prefix WINEARCH=win64 WINEDEBUG=-all
cleanup() {
	wineserver -k 2>/dev/null || true # this prefix's server only
	rm -rf "$work"
}
trap cleanup EXIT

# The Go runtime (1.24 and later) needs ProcessPrng from
# bcryptprimitives.dll; Wine 8 has no such DLL (Windows 10 has).
start=$SECONDS
wineboot -i >/dev/null 2>&1
x86_64-w64-mingw32-gcc -O2 -shared -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
	scripts/windows/bcryptprimitives.c -ladvapi32
echo "test-windows: Wine prefix ready in $((SECONDS - start)) s ($(wine --version))"

# Two gaps of Wine 8 break the standard library where Windows 10 works; the
# test binaries get Go's own way around each through a build overlay of the
# standard library's file (facteur.exe is built unchanged):
#  - NtSetInformationFile lacks FileDispositionInformationEx: os.RemoveAll
#    fails with "Invalid function"; Go's fall-back (for older Windows) is
#    taken for that status too;
#  - WSAIoctl lacks SIO_UDP_NETRESET (WSAEOPNOTSUPP): every UDP socket
#    fails; the option (no NET_UNREACHABLE reports) is left unset there.
# patch FILE PERL-EXPR: FILE of GOROOT/src, changed, into the overlay.
overlay_json=
patch() {
	local src out
	src=$($GO env GOROOT)/src/$1
	out=$work/overlay/$1
	mkdir -p "$(dirname "$out")"
	perl -0pe "$2" "$src" >"$out"
	if cmp -s "$src" "$out"; then
		echo "test-windows: $src changed: update the Wine overlay" >&2
		exit 1
	fi
	overlay_json+="${overlay_json:+,}\"$src\":\"$out\""
}
patch internal/syscall/windows/at_windows.go \
	's|(\n\t\tSTATUS_NOT_SUPPORTED): |$1, NTStatus(0xC0000002) /* Wine: not implemented */:|'
patch net/fd_windows.go \
	's|(SIO_UDP_NETRESET, [^\n]*\n\t\tif err != nil) \{|$1 \&\& err != syscall.Errno(10045) /* Wine */ {|'
printf '{"Replace":{%s}}\n' "$overlay_json" >"$work/overlay.json"

# skips PKG: the -test.skip pattern of PKG's Wine gaps.
skips() {
	awk -v pkg="$1" '$1 == pkg { printf "%s%s", sep, $2; sep = "|" }' scripts/windows/wine-gaps.txt
}

failed=()
report=()
run_pkg() {
	local pkg=$1 dir bin start rc=0 skip
	dir=$($GO list -f '{{.Dir}}' "$pkg")
	bin=$work/$(echo "$pkg" | tr / _).test.exe
	start=$SECONDS
	if ! GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $GO test -c -tags $TAGS -overlay "$work/overlay.json" -o "$bin" "$pkg"; then
		failed+=("$pkg (build)")
		report+=("$(printf '%-48s %-7s' "$pkg" "BUILD-FAILED")")
		return
	fi
	if [ ! -f "$bin" ]; then
		report+=("$(printf '%-48s %-7s' "$pkg" "no tests")")
		return
	fi
	skip=$(skips "$pkg")
	(cd "$dir" && wine "$bin" -test.timeout 10m ${skip:+-test.skip "$skip"} >"$bin.log" 2>&1) || rc=$?
	if [ $rc != 0 ]; then
		failed+=("$pkg")
		sed 's/^/    /' "$bin.log" | tail -40
		# a test that hung: its name is above the goroutine dumps
		grep -A5 '^panic: test timed out' "$bin.log" | sed 's/^/    /' || true
	fi
	report+=("$(printf '%-48s %-7s %4d s%s' "$pkg" "$([ $rc = 0 ] && echo ok || echo FAILED)" $((SECONDS - start)) "${skip:+  (Wine gaps skipped: $skip)}")")
	rm -f "$bin"
}

start=$SECONDS
for pkg in $($GO list -tags $TAGS ./... | grep -v -e '^facteur$' -e '^facteur/app'); do
	run_pkg "$pkg"
done
echo "test-windows: package tests in $((SECONDS - start)) s"

start=$SECONDS
bash scripts/windows/smoke.sh "$EXE" "$work" || failed+=("CLI smoke tests of $EXE")
echo "test-windows: CLI smoke tests in $((SECONDS - start)) s"

printf 'test-windows: %s\n' "${report[@]}"
if [ ${#failed[@]} != 0 ]; then
	printf 'test-windows: FAILED %s\n' "${failed[@]}"
	exit 1
fi
echo "test-windows: passed"
