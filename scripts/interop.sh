#!/usr/bin/env bash
# Runs the interop suites (tests against real peers: Dovecot, Postfix, swaks,
# dnsmasq, NSD, unbound, mutt): every interop/*.sh, or the suites named. Each suite starts its
# peers on loopback high ports in a temporary directory and stops exactly what
# it started.
#
#   bash scripts/interop.sh [interop/SUITE.sh...]
#
# First, at the same time: one apt-get install of the peers that every suite
# names on the "# Packages:" line of its header (as root; a suite run alone
# installs what it misses itself), and one build of facteur, which every suite
# copies (FACTEUR_BIN; set it to skip the build). Then every suite runs, even
# after one fails, each bounded by INTEROP_TIMEOUT seconds (1800). Prints each
# suite's result, its "N passed, M failed" and its time, also appended to
# $INTEROP_REPORT when set; fails at the end if any suite failed.
set -uo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
PYTHON=${PYTHON:-python3}
INTEROP_TIMEOUT=${INTEROP_TIMEOUT:-1800}

log() { echo "interop: $*"; }

work=""
# shellcheck source=interop/lib/common.bash
. interop/lib/common.bash

# report: the summary, also appended to $INTEROP_REPORT when set.
report() {
	local r
	log "summary"
	for r in "${results[@]}"; do
		echo "interop: $r"
		if [ -n "${INTEROP_REPORT:-}" ]; then echo "$r" >>"$INTEROP_REPORT"; fi
	done
}

# install_peers SUITE...: installs the packages the suites name that are
# missing, with one apt-get; only notes what is missing when not root.
install_peers() {
	local pkgs missing
	mapfile -t pkgs < <(interop_packages "$@")
	[ ${#pkgs[@]} -gt 0 ] || return 0
	command -v dpkg-query >/dev/null || return 0
	mapfile -t missing < <(interop_missing "${pkgs[@]}")
	if [ ${#missing[@]} -eq 0 ]; then
		log "peers installed: ${pkgs[*]}"
	elif [ "$(id -u)" = 0 ]; then
		interop_install "$interop_std_ports" "${missing[@]}"
		mapfile -t missing < <(interop_missing "${pkgs[@]}")
		if [ ${#missing[@]} -gt 0 ]; then
			log "could not install ${missing[*]}"
			return 1
		fi
	else
		log "missing ${missing[*]}: each suite says how to install what it needs"
	fi
}

# build_facteur: the binary the suites share, in $work/bin/facteur.
build_facteur() {
	if interop_facteur "$work/bin/facteur" >"$work/build.log" 2>&1; then
		return 0
	fi
	cat "$work/build.log"
	return 1
}

# run_suite SUITE: runs it (bounded by INTEROP_TIMEOUT), its output shown as
# it comes, and reports its result and time. timeout runs the suite in a
# process group of its own, which it signals whole when the time is up, or
# when the runner stops (Ctrl+C, TERM: interop_cleanup signals timeout, a PID
# of pids); the suite then stops what it started.
run_suite() {
	local s=$1 start=$SECONDS rc=0 counts suite tail
	log "== $s"
	timeout -k 30 "$INTEROP_TIMEOUT" bash "$s" >"$work/suite.log" 2>&1 &
	suite=$!
	pids+=("$suite")
	tail -n +1 -f --pid="$suite" "$work/suite.log" &
	tail=$!
	wait "$suite" || rc=$?
	wait "$tail"
	counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$work/suite.log" | tail -1)
	[ -n "$counts" ] || counts="no count"
	if [ "$rc" = 124 ]; then counts="$counts, stopped after ${INTEROP_TIMEOUT} s"; fi
	result "$s" "$rc" "$start" "$counts"
	[ "$rc" = 0 ]
}

# result NAME STATUS START NOTE: a line of the summary.
result() {
	results+=("$(printf '%-28s %-6s %5d s  %s' "$1" "$([ "$2" = 0 ] && echo ok || echo FAILED)" $((SECONDS - $3)) "$4")")
}

main() {
	local suites=("$@") s start failed=0
	if [ ${#suites[@]} -eq 0 ]; then
		shopt -s nullglob
		suites=(interop/*.sh)
	fi
	if [ ${#suites[@]} -eq 0 ]; then
		log "no suite yet"
		return 0
	fi
	work=$(mktemp -d "${TMPDIR:-/tmp}/facteur-interop-run.XXXXXX")
	interop_traps

	start=$SECONDS
	results=()
	if [ -z "${FACTEUR_BIN:-}" ]; then
		bash scripts/deps.sh || return 1 # the build's cgo headers, before apt-get runs for the peers
		build_facteur &
		pids+=($!)
	fi
	install_peers "${suites[@]}" || failed=1
	if [ -z "${FACTEUR_BIN:-}" ]; then
		wait "${pids[-1]}" || { log "cannot build facteur"; return 1; }
		export FACTEUR_BIN=$work/bin/facteur
	fi
	result setup "$failed" "$start" "peers installed, facteur built"

	for s in "${suites[@]}"; do
		run_suite "$s" || failed=1
	done
	report
	return $failed
}

main "$@"
