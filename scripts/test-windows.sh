#!/usr/bin/env bash
# make test-windows: Facteur's tests on Windows, as far as Linux can run them.
#  1. Wine and mingw from Debian's packages (installed as root when missing);
#  2. a private Wine prefix in a temporary directory, with the
#     bcryptprimitives.dll that Wine 8 lacks (scripts/windows/), and one
#     wineserver kept for the whole run (each binary would start its own);
#  3. the test binary of every package but the GUI's (app/ and main, whose
#     cgo build is bin/facteur.exe), cross-compiled in one go test -c
#     (without -race: it needs cgo), run under Wine two at a time, with
#     -test.short: the long sweeps (imapsync's 120 connection cuts, the
#     100 MB streams) are Linux's; under Wine the same tests take the same
#     paths with fewer offsets and smaller sizes (each IMAP round trip
#     costs a few wineserver round trips: the full sweep took 14 min);
#  4. the CLI of the real bin/facteur.exe (make windows): version, import,
#     search, inspect, then mta, sendmail to it and mailq. SMOKE=0 leaves
#     it out (CI: the cgo cross-build of the GUI takes 6 min cold).
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
# The wineserver (and the services wineboot starts) stays until cleanup:
# otherwise each binary would start them again, and wait for them.
start=$SECONDS
mkdir -p "$WINEPREFIX"
wineserver -p </dev/null >/dev/null 2>&1
wineboot -i </dev/null >/dev/null 2>&1
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

# The packages with tests on Windows, but the GUI's. The slowest under
# Wine come first (two binaries run at a time: a long one started last
# would run alone at the end); the order changes nothing else.
slow_first=(facteur/mua/imapsync facteur/mailstore facteur/localmta facteur/localmta/imapd facteur/localmta/pop3d facteur/mua/mailer)
mapfile -t pkgs < <(
	GOOS=windows $GO list -e -tags $TAGS -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' ./... |
		grep -v -e '^facteur$' -e '^facteur/app' |
		awk -v first="${slow_first[*]}" 'BEGIN { n = split(first, f, " "); for (i = 1; i <= n; i++) rank[f[i]] = i }
			NF { print ($0 in rank ? rank[$0] : n + 1) "\t" NR "\t" $0 }' |
		sort -n -k1,1 -k2,2 | cut -f3
)
# binary PKG: its test binary, named by go test -c -o DIR/ after the last
# element of the import path (which must then be unique).
binary() { echo "$work/bin/${1##*/}.test.exe"; }
dups=$(printf '%s\n' "${pkgs[@]##*/}" | sort | uniq -d)
if [ -n "$dups" ]; then
	echo "test-windows: two packages with tests named $dups: go test -c -o DIR/ needs distinct names" >&2
	exit 1
fi

# Every test binary in one cross-compilation: the go command builds them
# in parallel and shares the work (-race needs cgo: without it).
start=$SECONDS
mkdir -p "$work/bin" "$work/result"
build_ok=1
GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $GO test -c -tags $TAGS -overlay "$work/overlay.json" \
	-o "$work/bin/" "${pkgs[@]}" || build_ok=0
echo "test-windows: ${#pkgs[@]} test binaries built in $((SECONDS - start)) s"

# run_pkg PKG: runs PKG's test binary in PKG's directory under Wine; its
# output in $work/result/N.log, its report line in $work/result/N.
run_pkg() {
	local pkg=$1 bin out dir start=$SECONDS rc=0 skip
	bin=$(binary "$pkg")
	out=$work/result/${pkg//\//_}
	if [ ! -f "$bin" ]; then
		printf '%-40s %-7s\n' "$pkg" BUILD-FAILED >"$out"
		return
	fi
	dir=$($GO list -f '{{.Dir}}' "$pkg")
	skip=$(skips "$pkg")
	# -test.timeout: a guard against a hang, not a speed goal: under a load
	# of 30, mua/imapsync took over 10 minutes even with -test.short.
	(cd "$dir" && wine "$bin" -test.short -test.timeout 25m ${skip:+-test.skip "$skip"} \
		</dev/null >"$out.log" 2>&1) || rc=$?
	printf '%-40s %-7s %4d s%s\n' "$pkg" "$([ $rc = 0 ] && echo ok || echo FAILED)" $((SECONDS - start)) \
		"${skip:+  (Wine gaps skipped: $skip)}" >"$out"
	rm -f "$bin"
}

start=$SECONDS
for pkg in "${pkgs[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n || true; done
	run_pkg "$pkg" &
done
wait
echo "test-windows: package tests run in $((SECONDS - start)) s"

failed=()
[ $build_ok = 1 ] || failed+=("the build of the test binaries")
for pkg in "${pkgs[@]}"; do
	out=$work/result/${pkg//\//_}
	grep -q ' ok ' "$out" && continue
	failed+=("$pkg")
	if [ -f "$out.log" ]; then
		echo "test-windows: $pkg:"
		sed 's/^/    /' "$out.log" | tail -40
		# a test that hung: its name is above the goroutine dumps
		grep -A5 '^panic: test timed out' "$out.log" | sed 's/^/    /' || true
	fi
done

if [ "${SMOKE:-1}" = 1 ]; then
	start=$SECONDS
	bash scripts/windows/smoke.sh "$EXE" "$work" || failed+=("CLI smoke tests of $EXE")
	echo "test-windows: CLI smoke tests in $((SECONDS - start)) s"
else
	echo "test-windows: SMOKE=0: no CLI smoke tests of $EXE"
fi

for pkg in "${pkgs[@]}"; do
	sed 's/^/test-windows: /' "$work/result/${pkg//\//_}"
done
if [ ${#failed[@]} != 0 ]; then
	printf 'test-windows: FAILED %s\n' "${failed[@]}"
	exit 1
fi
echo "test-windows: passed"
