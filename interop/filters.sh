#!/usr/bin/env bash
# The Local account's Sieve filter at delivery in a real `facteur mta`, fed by
# swaks (issue 18):
#
#   bash interop/filters.sh      (swaks installed, or as root)
#
# 1. a list message is filed into Lists/Go, marked read;
# 2. a message the script rejects gets 550 at the end of DATA (swaks sees it)
#    and is stored nowhere;
# 3. vacation answers a sender once, not twice (its reply is local mail);
# 4. a rule that fails at run time leaves the message in INBOX;
# then `facteur filter test` explains the INBOX and changes no file.
#
# The MTA listens on a 127.0.0.1 high port and asks DNS nothing (--dns on a
# port where nothing listens: every address here is local); the suite stops
# the process it started by PID and prints PASS/FAIL per check and "N passed,
# M failed".
# Packages: swaks python3
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
PYTHON=${PYTHON:-python3}
KEEP=${KEEP:-} # KEEP=1 leaves the temporary directory for a post-mortem
HOST=127.0.0.1

log() { echo "interop/filters: $*"; }

work=""
# shellcheck source=interop/lib/common.bash
. "$repo/interop/lib/common.bash"
interop_traps

if ! command -v swaks >/dev/null; then
	interop_install '' swaks
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/facteur-filters.XXXXXX")
interop_facteur "$work/bin/facteur"
prof="$work/prof"
mkdir -p "$prof/mta" "$prof/filters"
printf 'marc:{plain}secret\nanne:{plain}s3cr3t\n' >"$prof/mta/users"
cat >"$prof/filters/Local.sieve" <<'SIEVE'
require ["fileinto", "imap4flags", "reject", "vacation", "envelope"];
if header :contains "Subject" "[golang-nuts]" {
	fileinto :flags "\\Seen" "Lists/Go";
	stop;
}
if header :contains "Subject" "buy now" {
	reject "No spam, thanks.";
	stop;
}
if header :contains "Subject" "broken" {
	fileinto "Elsewhere"; vacation "a"; vacation "b";
}
if envelope :localpart :is "to" "marc" {
	vacation :days 7 :subject "Away" :addresses ["marc@localhost"] "Back on Monday.";
}
SIEVE

facteur() { env -u DBUS_SESSION_BUS_ADDRESS FACTEUR_PROFILE="$prof" "$work/bin/facteur" "$@"; }

smtp=$(interop_free_port $HOST)
nodns=$(interop_free_port $HOST)
# started straight (env execs it), so that $! is the MTA's PID
env -u DBUS_SESSION_BUS_ADDRESS FACTEUR_PROFILE="$prof" "$work/bin/facteur" mta --smtp "$HOST:$smtp" --submission off --pop3 off --imap off --hostname localhost \
	--dns "$HOST:$nodns" >"$work/mta.log" 2>&1 &
mta_pid=$!
pids+=("$mta_pid")
if interop_wait_port "$mta_pid" $HOST "$smtp"; then
	pass "facteur mta up: SMTP $HOST:$smtp (PID $mta_pid)"
else
	fail "facteur mta did not start"
	cat "$work/mta.log"
	echo "$passed passed, $failed failed"
	exit 1
fi

# send SUBJECT: a message from anne@localhost to marc@localhost; swaks's
# transcript in $work/swaks.out, its status returned.
send() {
	swaks --server "$HOST:$smtp" --from anne@localhost --to marc@localhost \
		--header "Subject: $1" --body "About: $1" >"$work/swaks.out" 2>&1
}
# subjects FOLDER QUERY: the subjects of the Local folder's messages that
# match QUERY, one a line.
subjects() {
	facteur search --json --folder "$1" --limit 100 "$2" |
		"$PYTHON" -c 'import json,sys; [print(h["subject"]) for h in json.load(sys.stdin) or []]'
}
# has FOLDER QUERY SUBJECT; count FOLDER QUERY SUBJECT N
has() { subjects "$1" "$2" | grep -qxF "$3"; }
count() { [ "$(subjects "$1" "$2" | grep -cxF "$3")" = "$4" ]; }

# 1. fileinto with flags
if send "[golang-nuts] generics"; then pass "swaks: the list message accepted"; else fail "swaks: $(cat "$work/swaks.out")"; fi
check "the list message is filed into Lists/Go" has Lists/Go generics "[golang-nuts] generics"
check "and marked read (S in its Maildir name)" bash -c "ls '$prof/mail/Local/Lists/Go/cur' | grep -q ':2,[A-Z]*S'"

# 2. reject at DATA
if send "buy now"; then
	fail "reject: swaks got no error: $(tail -5 "$work/swaks.out")"
elif grep -q '<\*\* *550 .*No spam, thanks\.' "$work/swaks.out"; then
	pass "reject: $(grep '<\*\* *550' "$work/swaks.out")"
else
	fail "reject: $(tail -5 "$work/swaks.out")"
fi

# 3. vacation, once per sender
send "hello one" || fail "swaks hello one: $(cat "$work/swaks.out")"
check "the first message is in INBOX" has INBOX hello "hello one"
check "anne got a vacation reply" count INBOX away Away 1
send "hello two" || fail "swaks hello two: $(cat "$work/swaks.out")"
check "the second message is in INBOX" has INBOX hello "hello two"
check "the queue is empty" bash -c "FACTEUR_PROFILE='$prof' '$work/bin/facteur' mailq | grep -qi 'empty'"
check_seconds=0
check "still one vacation reply: none for the second message" count INBOX away Away 1

# 4. a failing rule keeps the message
check_seconds=20
send "broken rule" || fail "swaks broken: $(cat "$work/swaks.out")"
check "the message of a failing rule is in INBOX" has INBOX broken "broken rule"
check_seconds=0
check "and nothing is in Elsewhere" bash -c "! ls '$prof/mail/Local/Elsewhere/new' '$prof/mail/Local/Elsewhere/cur' 2>/dev/null | grep -q ."
check "the rejected message is stored nowhere" bash -c "! grep -rlq 'About: buy now' '$prof/mail'"

# the dry run explains and changes nothing
state() { (cd "$prof/mail" && find . -type f -printf '%p %s %T@\n' | sort | sha256sum); }
before=$(state)
check "facteur filter test explains the INBOX" bash -c "FACTEUR_PROFILE='$prof' '$work/bin/facteur' filter test --folder INBOX | tee /dev/stderr | grep -qF 'matched line 13: if envelope :localpart :is \"to\" \"marc\" {'"
if [ "$before" = "$(state)" ]; then pass "the dry run changed no file of the Maildir"; else fail "the dry run changed the Maildir"; fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
