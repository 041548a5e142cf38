#!/usr/bin/env bash
# The CLI of the real facteur.exe under Wine: scripts/windows/smoke.sh EXE WORKDIR
# (run by scripts/test-windows.sh, with its WINEPREFIX). version (also from
# a console, with no standard handles), import,
# search, inspect; then `facteur.exe mta` on a loopback port the system
# chooses, a message given to `sendmail` (which finds the running MTA), and
# mailq until the message is delivered into the Local INBOX. Loopback only.
set -euo pipefail
exe=$1 work=$2
prof=$work/smoke-profile
mta_pid=
trap '[ -n "$mta_pid" ] && kill "$mta_pid" 2>/dev/null; wait 2>/dev/null' EXIT

fail() {
	echo "smoke: FAILED: $*" >&2
	exit 1
}
# facteur ARGS...: runs facteur.exe on the smoke profile, stdout in $out,
# stderr in $err.
facteur() {
	local rc=0
	wine "$exe" --profile "$prof" "$@" >"$work/out" 2>"$work/err" <"${stdin:-/dev/null}" || rc=$?
	out=$(tr -d '\r' <"$work/out") err=$(tr -d '\r' <"$work/err")
	return $rc
}
# waitfor WHAT CMD...: runs CMD until it succeeds, for 60 s at most.
waitfor() {
	local what=$1 i
	shift
	for i in $(seq 300); do
		"$@" && return 0
		sleep 0.2
	done
	fail "$what"
}

version=$(sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
facteur version || fail "version: $err"
[ "$out" = "facteur $version" ] || fail "version printed '$out'"
echo "smoke: version ok"

# From a console: console.exe (scripts/windows/console.c) starts facteur.exe
# as a console program starts one of the GUI subsystem, with no standard
# handles, on a terminal (script(1)): what it prints must reach that
# console (console_windows.go), not vanish.
x86_64-w64-mingw32-gcc -O2 -municode -o "$work/console.exe" scripts/windows/console.c
win_exe=$(winepath -w "$(realpath "$exe")")
script -qec "wine '$work/console.exe' '$win_exe' version" /dev/null </dev/null >"$work/tty" 2>&1 ||
	fail "facteur.exe version from a console: $(tr -d '\r' <"$work/tty")"
grep -q "facteur $version" "$work/tty" || fail "facteur.exe version from a console printed '$(tr -d '\r' <"$work/tty")'"
echo "smoke: output to the console that started it ok"

facteur import testdata/three.mbox || fail "import: $err"
[[ $out == *"imported 3 messages"* ]] || fail "import printed '$out'"
facteur search --folder three lunch || fail "search: $err"
[[ $out == *"Re: Lunch on Friday"* ]] && [ "$(grep -c . <<<"$out")" = 2 ] || fail "search lunch printed '$out'"
echo "smoke: import and search ok"

stdin=mua/inspect/testdata/course-example.eml facteur inspect --no-dns - || fail "inspect: $err"
[[ $out == *"Received"* || $out == *"hop"* ]] || fail "inspect printed '$out'"
echo "smoke: inspect ok"

mkdir -p "$prof/mta"
printf 'marc:{plain}secret\n' >"$prof/mta/users"
wine "$exe" --profile "$prof" mta --smtp 127.0.0.1:0 --submission off --pop3 off --imap off \
	--hostname localhost --dns 127.0.0.1:9 >"$work/mta.out" 2>"$work/mta.err" &
mta_pid=$!
waitfor "the MTA published its address ($(cat "$work/mta.err"))" grep -qs '"smtp"' "$prof/mta/control.json"
printf 'From: fred@localhost\nTo: marc@localhost\nSubject: smoke under Wine\n\nhello from facteur.exe\n' >"$work/msg"
stdin=$work/msg facteur sendmail marc || fail "sendmail: $err"
[[ $err == *"sent over SMTP to the running MTA"* ]] || fail "sendmail said '$err'"
mailq_empty() { facteur mailq && [[ $out == "Mail queue is empty"* ]]; }
waitfor "delivery (mailq: $out)" mailq_empty
grep -rlq "smoke under Wine" "$prof/mail" || fail "the message is not in the Local INBOX"
echo "smoke: mta, sendmail and mailq ok"
