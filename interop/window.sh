#!/usr/bin/env bash
# The window's actions against a real Dovecot: the app's own GUI-level test
# (Fyne's test driver, the app's harness), TestWindowActionsReachTheIMAPServer,
# run on a Dovecot user's empty mailbox instead of go-imap's memory server.
#
#   bash interop/window.sh     (as root; or with dovecot-imapd installed)
#
# Packages: dovecot-core dovecot-imapd dovecot-pop3d openssl python3
#
# A private Dovecot (interop/lib/dovecot.bash: its own directories in a
# temporary one, listening on 127.0.0.2 high ports, STARTTLS required, a
# self-signed certificate, special-use Sent, Drafts, Trash and Archive) with
# one user whose Maildir is empty. The app's test binary (go test -c, built
# once; $FACTEUR_APP_TEST when set) runs the test with
# FACTEUR_IMAP_TEST_SERVER naming that user: the test creates the folders,
# appends One, Two and Three to INBOX, and in the window reads One and
# flags it, deletes Two (to the Trash), marks Three unread and moves it to
# Archive, answers One from the composer through the account (the Sent
# copy by APPEND, One marked \Answered), and removes the account (no secret of it left in the
# profile's credentials), each time waiting for the server's state.
#
# Then the suite reads Dovecot's own state (doveadm fetch, every mailbox):
# One in INBOX with \Seen, \Flagged and \Answered, Two (read) in Trash only, Three in Archive
# only and not \Seen, the sent message in Sent with \Seen, nothing else;
# and no error in Dovecot's log. Stops exactly the Dovecot it started and
# prints PASS/FAIL per check and "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
PYTHON=${PYTHON:-python3}
KEEP=${KEEP:-} # KEEP=1 leaves the temporary directory for a post-mortem

log() { echo "interop/window: $*"; }

work=""
# shellcheck source=interop/lib/dovecot.bash
. "$repo/interop/lib/dovecot.bash"
interop_traps dovecot_stop
check_seconds=0 # the test waited for the server's state: each check runs once

dovecot_install
work=$(mktemp -d "${TMPDIR:-/tmp}/facteur-window.XXXXXX")
chmod 755 "$work" # Dovecot serves the Maildir below it as nobody
t0=$SECONDS

# The app's test binary, built once (the Fyne cgo build) while Dovecot starts.
apptest=$work/bin/app.test
if [ -n "${FACTEUR_APP_TEST:-}" ]; then
	log "app tests: $FACTEUR_APP_TEST (FACTEUR_APP_TEST)"
	mkdir -p "$work/bin"
	cp "$FACTEUR_APP_TEST" "$apptest"
	build=""
else
	bash scripts/deps.sh
	log "building the app's tests in $work/bin"
	"$GO" test -c -tags migrated_fynedo -o "$apptest" ./app/ >"$work/build.log" 2>&1 &
	build=$!
	pids+=("$build")
fi

user=lea
pass=s3cr3t-window
dovecot_cert
dovecot_setup "$user" "$pass"
dovecot_chown
if dovecot_start; then
	pass "private Dovecot $("$DOVECOT" --version | cut -d' ' -f1) up: IMAP $dovecot_host:$imap_port (STARTTLS), user $user with an empty Maildir, master PID $dovecot_pid"
else
	fail "Dovecot did not start"
	echo "$passed passed, $failed failed"
	exit 1
fi
if [ -n "$build" ] && ! wait "$build"; then
	fail "go test -c ./app/"
	sed 's/^/    /' "$work/build.log"
	echo "$passed passed, $failed failed"
	exit 1
fi

# ---------------------------------------------------------------- the test

test_name=TestWindowActionsReachTheIMAPServer
t=$SECONDS
rc=0
(cd app && FACTEUR_IMAP_TEST_SERVER="$dovecot_host:$imap_port $user $pass $work/dovecot/cert.pem" \
	"$apptest" -test.run "^$test_name\$" -test.count=1 -test.v) >"$work/test.log" 2>&1 || rc=$?
if [ $rc = 0 ] && grep -q -- "^--- PASS: $test_name" "$work/test.log" &&
	grep -q "IMAP server $dovecot_host:$imap_port (FACTEUR_IMAP_TEST_SERVER), user $user" "$work/test.log"; then
	pass "$test_name against Dovecot in $((SECONDS - t)) s"
	grep -E '^\s+\S+_test\.go:[0-9]+:' "$work/test.log" | sed 's/^\s*/  /'
else
	fail "$test_name against Dovecot (exit $rc)"
	tail -40 "$work/test.log" | sed 's/^/    /'
fi

# ---------------------------------------------------------------- Dovecot's state

# messages: every message of the user, one line each, "MAILBOX SUBJECT
# FLAG..." (system flags sorted, \Recent left out), sorted; the Subject
# decoded (RFC 2047).
messages() {
	"$DOVEADM" -c "$dovecot_conf" -f tab fetch -u "$user" 'mailbox flags hdr.subject' mailbox '*' all | "$PYTHON" -c '
import email.header, sys
rows = []
for line in sys.stdin.read().splitlines()[1:]:
    box, fl, subject = (line.split("\t") + ["", ""])[:3]
    subject = str(email.header.make_header(email.header.decode_header(subject)))
    keep = sorted(f for f in fl.split() if f in ("\\Seen", "\\Flagged", "\\Answered", "\\Draft", "\\Deleted"))
    rows.append(" ".join([box, subject] + keep))
print("\n".join(sorted(rows)))'
}

# has NAME WANT: Dovecot holds exactly the messages WANT (lines of messages).
has() {
	local got
	got=$(messages)
	if [ "$got" = "$2" ]; then
		pass "$1"
		sed 's/^/  dovecot: /' <<<"$got"
	else
		fail "$1"
		diff <(echo "$2") <(echo "$got") | sed 's/^/    /'
	fi
}
has "Dovecot's own state (doveadm fetch): One read, flagged and answered in INBOX, Two read in Trash, Three unread in Archive, the sent copy in Sent, nothing else" \
	"$(printf '%s\n' 'Archive Three' 'INBOX One \Answered \Flagged \Seen' 'Sent Envoyé \Seen' 'Trash Two \Seen')"

dovecot_log_check

log "done in $((SECONDS - t0)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
