#!/usr/bin/env bash
# make test-windows: Facteur's tests on Windows, as far as Linux can run them.
#  1. Wine and mingw from Debian's packages (scripts/deps.sh windows: as
#     root, installed when missing, with the build's own packages);
#  2. a private Wine prefix in a temporary directory, with the
#     bcryptprimitives.dll that Wine 8 lacks (scripts/windows/), and one
#     wineserver kept for the whole run (each binary would start its own),
#     made in the background while the test binaries build;
#  3. the test binary of every package but the GUI's (app/ and main, whose
#     cgo build is bin/facteur.exe), cross-compiled in one go test -c
#     (without -race: it needs cgo), run under Wine WINE_JOBS (2) at a
#     time, with -test.short: the long sweeps (imapsync's 120 connection
#     cuts, the 100 MB streams) are Linux's; under Wine the same tests take
#     the same paths with fewer offsets and smaller sizes (each IMAP round
#     trip costs a few wineserver round trips: the full sweep took 14 min);
#  4. the CLI of the real bin/facteur.exe (make windows, which make
#     test-windows runs first): version, import, search, inspect, then mta,
#     sendmail to it and mailq. SMOKE=0 leaves it out.
# Wine's own gaps (not Windows behaviour) are named, with the reason, in
# scripts/windows/wine-gaps.txt and skipped by name (-test.skip); nothing
# else is skipped. Prints each package's result, time and CPU time (and
# the Wine server's), fails if any failed. Every Wine process of the
# private prefix is ended at exit (wineserver -k of that prefix only).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
TAGS=migrated_fynedo
EXE=bin/facteur.exe
JOBS=${WINE_JOBS:-2}

bash scripts/deps.sh windows
for tool in wine wineserver x86_64-w64-mingw32-gcc; do
	command -v $tool >/dev/null || {
		echo "test-windows: $tool is missing (Debian: bash scripts/deps.sh windows)" >&2
		exit 1
	}
done
work=$(mktemp -d "${TMPDIR:-/tmp}/facteur-wine.XXXXXX")
# mscoree and mshtml off: Wine never looks for Mono nor Gecko (nor offers to
# download them); Go's binaries use neither.
export WINEPREFIX=$work/prefix WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
began=$SECONDS
cleanup() {
	set +e
	# The server and the services wineboot started are not this shell's
	# children: their CPU time is read before they end.
	[ -d "$WINEPREFIX" ] && echo "test-windows: Wine server and services: $(wine_cpu) s CPU"
	wineserver -k 2>/dev/null # this prefix's server and processes only
	wait
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM # CI's time limit: the EXIT trap still ends Wine

# secs: the seconds of bash's times ("1m2.500s") on stdin, summed.
secs() { awk '{ for (i = 1; i <= NF; i++) { split($i, t, "m"); sub(/s/, "", t[2]); s += t[1] * 60 + t[2] } } END { printf "%.1f", s }'; }
# children_cpu: sets cpu to the CPU time (user and system) of the shell's
# waited children; called as is, not in $(...): a subshell's own times
# start at zero.
children_cpu() {
	local f=$work/times.$BASHPID # this shell's, not $(...)'s
	times >"$f"
	cpu=$(sed -n 2p "$f" | secs)
}
# wine_cpu: the CPU time of the processes of this Wine prefix still alive
# (the server, the services) and of their waited children.
wine_cpu() {
	local p f total=0 hz
	hz=$(getconf CLK_TCK)
	for p in /proc/[0-9]*; do
		tr '\0' '\n' 2>/dev/null <"$p/environ" | grep -qxF "WINEPREFIX=$WINEPREFIX" || continue
		f=$(cat "$p/stat" 2>/dev/null) || continue
		read -r -a f <<<"${f##*) }"
		total=$((total + f[11] + f[12] + f[13] + f[14]))
	done
	awk -v t=$total -v hz="$hz" 'BEGIN { printf "%.1f", t / hz }'
}

# The Go runtime (1.24 and later) needs ProcessPrng from
# bcryptprimitives.dll; Wine 8 has no such DLL (Windows 10 has).
# The wineserver (and the services wineboot starts) stays until cleanup:
# otherwise each binary would start them again, and wait for them.
# make_prefix: the prefix, made while the test binaries build (it waits on
# Wine's services more than it computes); its output in $work/prefix.log.
make_prefix() {
	local start=$SECONDS
	mkdir -p "$WINEPREFIX"
	wineserver -p </dev/null
	timeout 600 wineboot -i </dev/null # a guard against a hang (10 to 45 s)
	x86_64-w64-mingw32-gcc -O2 -shared -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
		scripts/windows/bcryptprimitives.c -ladvapi32
	echo "test-windows: Wine prefix ready in $((SECONDS - start)) s ($(wine --version))"
}
make_prefix >"$work/prefix.log" 2>&1 &
prefix_pid=$!

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
declare -A dirs
while read -r pkg dir; do
	[ -z "$pkg" ] || dirs[$pkg]=$dir
done < <(GOOS=windows $GO list -e -tags $TAGS -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}} {{.Dir}}{{end}}' ./... |
	grep -v -e '^facteur ' -e '^facteur/app')
mapfile -t pkgs < <(
	printf '%s\n' "${!dirs[@]}" | sort |
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
# in parallel and shares the work (-race needs cgo: without it). The
# links are not cached: -s -w (no symbol table, no DWARF: a panic's
# stack trace needs neither) makes each faster.
start=$SECONDS
mkdir -p "$work/bin" "$work/result"
build_ok=1
GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $GO test -c -tags $TAGS -ldflags '-s -w' -overlay "$work/overlay.json" \
	-o "$work/bin/" "${pkgs[@]}" || build_ok=0
children_cpu
echo "test-windows: ${#pkgs[@]} test binaries built in $((SECONDS - start)) s ($cpu s CPU so far)"
if ! wait $prefix_pid; then
	cat "$work/prefix.log"
	echo "test-windows: FAILED: cannot make the Wine prefix" >&2
	exit 1
fi
tail -1 "$work/prefix.log" # Wine's notes on a new prefix are its own

# run_pkg PKG: runs PKG's test binary in PKG's directory under Wine (in a
# job of its own: its CPU time is its binary's); its output in
# $work/result/PKG.log, its report line in $work/result/PKG.
run_pkg() {
	local pkg=$1 bin out start=$SECONDS rc=0 skip note=
	bin=$(binary "$pkg")
	out=$work/result/${pkg//\//_}
	if [ ! -f "$bin" ]; then
		printf '%-40s %-7s\n' "$pkg" BUILD-FAILED >"$out"
		return
	fi
	skip=$(skips "$pkg")
	wine_test "$pkg" "$bin" "$skip" "$out.log" || rc=$?
	# A binary that never reached its tests (no PASS, FAIL nor panic from
	# Go's testing package: Wine did not start it, as happened once in CI
	# with 0.0 s CPU) is run once more; the report says so, with Wine's
	# words. A test that failed is never run again.
	if [ $rc != 0 ] && ! reached_tests "$out.log"; then
		note="  (Wine did not start it at first: $(grep -m1 . "$out.log" | cut -c1-100); run again)"
		mv "$out.log" "$out.first.log"
		rc=0
		wine_test "$pkg" "$bin" "$skip" "$out.log" || rc=$?
	fi
	children_cpu
	printf '%-40s %-7s %4d s %6s s CPU%s%s\n' "$pkg" "$([ $rc = 0 ] && echo ok || echo FAILED)" $((SECONDS - start)) \
		"$cpu" "${skip:+  (Wine gaps skipped: $skip)}" "${note:-}" >"$out"
	rm -f "$bin"
}

# wine_test PKG BIN SKIP LOG: PKG's test binary BIN run in PKG's directory
# under Wine, SKIP's tests left out, its output in LOG.
wine_test() {
	# -test.timeout: a guard against a hang, not a speed goal: under a load
	# of 30, mua/imapsync took over 10 minutes even with -test.short.
	(cd "${dirs[$1]}" && wine "$2" -test.short -test.timeout 25m ${3:+-test.skip "$3"} </dev/null >"$4" 2>&1)
}

# reached_tests LOG: whether the test binary's output shows Go's testing
# package at work (a result, a failed test, a panic or a timeout).
reached_tests() {
	grep -qE '^(PASS|FAIL|--- FAIL|panic: |ok |testing: )' "$1"
}

start=$SECONDS
for pkg in "${pkgs[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
	run_pkg "$pkg" &
done
wait
children_cpu
echo "test-windows: package tests run in $((SECONDS - start)) s, $JOBS at a time ($cpu s CPU so far, the Wine server's apart)"

failed=()
[ $build_ok = 1 ] || failed+=("the build of the test binaries")
for pkg in "${pkgs[@]}"; do
	grep -q ' ok ' "$work/result/${pkg//\//_}" || failed+=("$pkg")
done

if [ "${SMOKE:-1}" = 1 ]; then
	start=$SECONDS
	# timeout: a guard against a hang (they take 10 to 25 s)
	timeout 600 bash scripts/windows/smoke.sh "$EXE" "$work" || failed+=("CLI smoke tests of $EXE")
	echo "test-windows: CLI smoke tests in $((SECONDS - start)) s"
else
	echo "test-windows: SMOKE=0: no CLI smoke tests of $EXE"
fi

for pkg in "${pkgs[@]}"; do
	sed 's/^/test-windows: /' "$work/result/${pkg//\//_}"
done
children_cpu
echo "test-windows: $((SECONDS - began)) s in all, $cpu s CPU (the Wine server's apart)"
# The output of the failed binaries last, where a CI log cut to its end
# still shows it.
for pkg in "${pkgs[@]}"; do
	out=$work/result/${pkg//\//_}
	grep -q ' ok ' "$out" && continue
	for log in "$out.first.log" "$out.log"; do
		[ -f "$log" ] || continue
		echo "test-windows: $pkg (${log##*/}):"
		sed 's/^/    /' "$log" | tail -40
		# a test that hung: its name is above the goroutine dumps
		grep -A5 '^panic: test timed out' "$log" | sed 's/^/    /' || true
	done
done
if [ ${#failed[@]} != 0 ]; then
	printf 'test-windows: FAILED %s\n' "${failed[@]}"
	exit 1
fi
echo "test-windows: passed"
