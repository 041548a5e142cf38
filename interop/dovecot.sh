#!/usr/bin/env bash
# Interop of Facteur's remote accounts (mua/imapsync, mua/pop3, `facteur account`
# and `facteur sync`) with a real Dovecot that nobody here wrote.
#
#   bash interop/dovecot.sh     (as root; or with dovecot-imapd, dovecot-pop3d installed)
#
# Packages: dovecot-core dovecot-imapd dovecot-pop3d openssl python3
#
# A private Dovecot (dovecot -c CONF: its own base_dir, state_dir and log in a
# temporary directory, users from a passwd-file, mail_location =
# maildir:~/Maildir there) listens on 127.0.0.2 high ports (clients come from 127.0.0.1): IMAP with STARTTLS
# and POP3 with STLS, a generated self-signed certificate, ssl = required. Its
# Maildir is filled with the benchmark corpus (3,000 messages in INBOX and a
# few hundred in Sent, Drafts, Trash, Archive (special-use) and Lists/golang),
# a fixed pattern of \Seen, \Flagged and \Answered.
#
# Facteur, in a temporary profile: `account add` of an IMAP and a POP3 account,
# the certificate pinned by the fingerprint that a first `account test` prints
# (checked against openssl's), `facteur sync` of both. The first IMAP sync
# fetches headers only (every message partial in the index, flags matching,
# but Drafts, fetched whole; the subscriptions kept);
# `facteur sync --offline` then fills every body in place; from there the
# Maildirs on both sides must hold the same messages, folder for folder:
# counts, bodies byte for byte (CRLF read as LF) and flags. A second sync
# fetches nothing; changes made on the server (flags by IMAP STORE and by
# renaming Maildir files, an APPEND, an EXPUNGE) come down on the next one;
# The message commands on ids from `facteur search --json`: `facteur flag
# --add flagged --add seen`, `flag --remove seen`, `flag --add '$Label1'
# --add Work --add forwarded` then `--remove Work` (IMAP keywords and
# $Forwarded; search --json gives the keywords), `move ID... Archive`,
# `delete` (to Trash, and from Trash for good), each checked in Dovecot's
# own state (doveadm fetch, every mailbox, by Message-ID); the sync after
# them changes nothing and both sides still agree; a keyword added and one
# removed on Dovecot (doveadm flags) come down with the next sync. With the account pointed
# at a closed port (Dovecot still up), a flag and a move change the store,
# wait in the journal, are not on Dovecot; back on the right port the next
# sync sends them (2 local actions) and brings nothing down. `facteur import
# --folder dove/Imported` of an mbox creates the folder on Dovecot and
# APPENDs each message once (8-bit body and unescaped >From line checked in
# Dovecot's own files); the same import again adds nothing anywhere. A
# message of the Local account given the keywords Work and $Label1, moved
# to dove/Archive, reaches Dovecot with them (by name in the APPEND), and
# the next sync changes nothing on either side.
# POP3 collects INBOX once (UIDL) and a second collect adds nothing. The Go
# tests of mua/imapsync that need a real server (FACTEUR_DOVECOT) run against
# this Dovecot: a sync of headers, then messages opened (FetchBody) byte for
# byte, and an offline sync.
#
# Installs what is missing with apt-get (no service started; anything the
# install started on 143/993/110/995 anyway is stopped by PID), stops exactly
# the Dovecot it started (doveadm -c CONF stop, then its master PID), and
# prints PASS/FAIL per check and "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
PYTHON=${PYTHON:-python3}
KEEP=${KEEP:-}   # KEEP=1 leaves the temporary directory for a post-mortem
N=${N:-3000}     # messages in INBOX

log() { echo "interop/dovecot: $*"; }

work=""
# shellcheck source=interop/lib/dovecot.bash
. "$repo/interop/lib/dovecot.bash"

# At exit: Dovecot stopped, $work removed (interop/lib/common.bash, with pass,
# fail and check NAME CMD...: here every check runs once, after the sync it
# looks at).
interop_traps dovecot_stop
check_seconds=0

# ---------------------------------------------------------------- setup

dovecot_install
command -v openssl >/dev/null && command -v "$PYTHON" >/dev/null && [ -x "$DOVECOT" ]

work=$(mktemp -d "${TMPDIR:-/tmp}/facteur-dovecot.XXXXXX")
chmod 755 "$work" # Dovecot serves the Maildir below it as nobody
t0=$SECONDS
interop_facteur "$work/bin/facteur"
"$GO" build -o "$work/bin/gencorpus" ./mailstore/internal/corpus/gencorpus
py() { "$PYTHON" "$repo/interop/dovecheck.py" "$@"; }

user=marc
pass=s3cr3t-dovecot
dovecot_cert
dovecot_setup "$user" "$pass"
md=$dovecot_maildir
"$work/bin/gencorpus" -n "$N" -seed 1 -maildir "$md"
seed=2
for spec in Sent:200 Drafts:20 Trash:50 Archive:500 Lists.golang:100; do
	"$work/bin/gencorpus" -n "${spec#*:}" -seed $seed -maildir "$md/.${spec%%:*}"
	seed=$((seed + 1))
done
folders=(INBOX Sent Drafts Trash Archive Lists/golang)
dir_of() { # server Maildir of a folder
	if [ "$1" = INBOX ]; then echo "$md"; else echo "$md/.${1//\//.}"; fi
}
for f in "${folders[@]}"; do
	printf '%s: ' "$f" >>"$work/flags.txt"
	py setflags "$(dir_of "$f")" >>"$work/flags.txt"
done
printf '%s\n' Sent Drafts Trash Archive >"$md/subscriptions" # not Lists/golang
dovecot_chown

if dovecot_start; then
	pass "private Dovecot $("$DOVECOT" --version | cut -d' ' -f1) up: IMAP $dovecot_host:$imap_port (STARTTLS), POP3 $dovecot_host:$pop3_port (STLS), master PID $dovecot_pid, config $dovecot_conf"
else
	fail "Dovecot did not start"
	echo "$passed passed, $failed failed"
	exit 1
fi
sed 's/^/  server /' "$work/flags.txt"

prof=$work/facteur
mkdir -p "$prof"
# Passwords go to the profile's file, never to the keyring of a desktop
# session this may run in.
facteur() { env -u DBUS_SESSION_BUS_ADDRESS FACTEUR_PROFILE="$prof" "$work/bin/facteur" "$@"; }
local_dir() { echo "$prof/mail/$1/$2"; }

# ---------------------------------------------------------------- accounts

# try_account NAME ADD-OPTIONS...: `account add` with the password on stdin,
# then `account test` when add saved the account without logging in; the
# output of the step that failed (or of the test) is in $work/try.log. Works
# whether add logs in before saving (and saves nothing when that fails) or not.
try_account() {
	local name=$1
	shift
	facteur account remove "$name" >/dev/null 2>&1 || true
	if ! facteur account add --name "$name" --address marc@machin.com "$@" --user "$user" \
		--password-stdin <<<"$pw" >"$work/try.log" 2>&1; then
		return 1
	fi
	facteur account test "$name" >"$work/try.log" 2>&1
}

# 1. a self-signed certificate is refused, and its fingerprint shown
pw=$pass
shown=""
if try_account dove --imap "$dovecot_host:$imap_port" --security starttls; then
	fail "a self-signed certificate was accepted without a pinned fingerprint"
else
	shown=$(grep -o -i -E -- '--fingerprint [0-9a-f:]{95}' "$work/try.log" | awk '{print $2}' | tr 'A-F' 'a-f' || true)
	if [ -n "$shown" ] && [ "$shown" = "$dovecot_fp" ]; then
		pass "self-signed certificate refused, its fingerprint shown, the same as openssl's: ${shown:0:23}..."
	else
		fail "no fingerprint shown, or not openssl's ($dovecot_fp)"
	fi
fi
sed 's/^/  /' "$work/try.log"
fp=${shown:-$dovecot_fp}

# 2. pinned (there is no `account set`: remove, add again with --fingerprint)
if try_account dove --imap "$dovecot_host:$imap_port" --security starttls --fingerprint "$fp"; then
	pass "account add --imap --security starttls --fingerprint, account test: logged in to Dovecot over STARTTLS with the pinned certificate"
else
	fail "account add/test with the pinned certificate"
fi
sed 's/^/  /' "$work/try.log"

# 3. a wrong password is told apart
pw=not-the-password
if try_account wrongpw --imap "$dovecot_host:$imap_port" --security starttls --fingerprint "$fp"; then
	fail "logged in with a wrong password"
elif grep -q -i 'refused the user name' "$work/try.log"; then
	pass "wrong password: $(tail -1 "$work/try.log")"
else
	fail "wrong password: unexpected message"
	sed 's/^/    /' "$work/try.log"
fi
facteur account remove wrongpw >/dev/null 2>&1 || true

# 4. plaintext: Dovecot (ssl = required, client on another address) refuses
# the login before STARTTLS
pw=$pass
if try_account plain --imap "$dovecot_host:$imap_port" --security none; then
	fail "Dovecot accepted a plaintext login (ssl = required)"
elif grep -q -e panic -e goroutine "$work/try.log"; then
	fail "--security none: facteur crashed"
	sed 's/^/    /' "$work/try.log" | head -20
else
	pass "--security none: no plaintext login: $(tail -1 "$work/try.log")"
fi
facteur account remove plain >/dev/null 2>&1 || true

# ---------------------------------------------------------------- IMAP

# sync_ok NAME LOG EXPECT [OPTION]: `facteur sync [OPTION] dove` succeeded
# and its summary matches the regular expression EXPECT. The option is
# --offline unless given ("" for a sync of headers).
summary=""
sync_ok() {
	local name=$1 out=$2 expect=$3 opt=${4---offline} t=$SECONDS rc=0
	# shellcheck disable=SC2086 # $opt: no option or one
	facteur sync $opt dove >"$out" 2>"$out.err" || rc=$?
	summary=$(grep '^dove: ' "$out" || true)
	if [ $rc = 0 ] && [[ $summary =~ $expect ]]; then
		pass "$name in $((SECONDS - t)) s: $summary"
	else
		fail "$name (exit $rc): want /$expect/"
		sed 's/^/    /' "$out"
		tail -5 "$out.err" | sed 's/^/    /'
	fi
}

total=0
for f in "${folders[@]}"; do
	total=$((total + $(find "$(dir_of "$f")"/cur "$(dir_of "$f")"/new -type f | wc -l)))
done
sync_ok "first IMAP sync, headers only, of $total messages in ${#folders[@]} folders" "$work/sync1.log" \
	"^dove: ${#folders[@]} folders, $total new, 0 removed, 0 flag changes" ""

# partials: the number of partial (header-only) messages of the index.
partials() {
	"$PYTHON" -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM messages WHERE partial > 0").fetchone()[0])' "$prof/index.sqlite"
}
drafts=$(find "$(dir_of Drafts)"/cur "$(dir_of Drafts)"/new -type f | wc -l)
n=$(partials)
if [ "$n" = $((total - drafts)) ]; then
	pass "every message but the $drafts drafts (fetched whole) is partial (header only) after the first sync: $n"
else
	fail "$n partial messages after the first sync, want $((total - drafts))"
fi
# same_headers SERVER LOCAL: the two Maildirs hold the same messages by
# Message-ID, with the same flags; LOCAL's files are header-only (the mark of
# a partial message first, no body).
same_headers() {
	"$PYTHON" - "$1" "$2" <<'PY'
import email.parser, os, re, sys
def scan(d, partial):
    out = {}
    for sub in ("cur", "new"):
        for n in sorted(os.listdir(os.path.join(d, sub))):
            with open(os.path.join(d, sub, n), "rb") as f:
                data = f.read()
            if partial and (not data.startswith(b"X-Facteur-Partial: header-only") or re.search(rb"\r?\n\r?\n.", data, re.S)):
                sys.exit("  %s is not a partial message" % n)
            h = email.parser.BytesHeaderParser().parsebytes(data)
            m = re.search(r":2,([A-Za-z]*)$", n)
            out[h["Message-ID"]] = "".join(sorted(c for c in (m.group(1) if m else "") if c in "DFRST"))
    return out
a, b = scan(sys.argv[1], False), scan(sys.argv[2], True)
if a != b:
    sys.exit("  server %d messages, Facteur %d; %d differ" % (len(a), len(b), len(set(a.items()) ^ set(b.items()))))
print("  %d messages on both sides by Message-ID, flags identical, Facteur's header-only" % len(a))
PY
}
for f in "${folders[@]}"; do
	if [ "$f" = Drafts ]; then
		check "headers only, Drafts fetched whole: count, bodies and flags match Dovecot's Maildir" \
			py compare "$(dir_of "$f")" "$(local_dir dove "$f")"
		continue
	fi
	check "headers only, $f: the same messages and flags as Dovecot's Maildir" \
		same_headers "$(dir_of "$f")" "$(local_dir dove "$f")"
done
subs=$("$PYTHON" -c 'import sqlite3, sys
print(" ".join("%s=%s" % r for r in sqlite3.connect(sys.argv[1]).execute(
    "SELECT name, subscribed FROM folders WHERE account = ? ORDER BY name", ("dove",))))' "$prof/imap/state.sqlite")
if [ "$subs" = "Archive=1 Drafts=1 INBOX=1 Lists/golang=0 Sent=1 Trash=1" ]; then
	pass "subscriptions kept from LIST (RETURN (SUBSCRIBED)): $subs"
else
	fail "subscriptions in the sync state: $subs; want Lists/golang=0 and the others 1"
fi
sync_ok "sync --offline fills the bodies in place" "$work/sync1b.log" \
	"^dove: ${#folders[@]} folders, 0 new, 0 removed, 0 flag changes, 0 local actions sent, $((total - drafts)) partial messages completed"
n=$(partials)
if [ "$n" = 0 ]; then pass "no partial message left"; else fail "$n partial messages left"; fi

compare_all() {
	local f
	for f in "${folders[@]}"; do
		check "$1 $f: count, bodies and flags match Dovecot's Maildir" \
			py compare "$(dir_of "$f")" "$(local_dir dove "$f")"
	done
}
compare_all "IMAP"
check "special-use folders have their roles in Facteur's index, every file indexed" \
	py roles "$prof/index.sqlite" dove INBOX=inbox Sent=sent Drafts=drafts Trash=trash Archive=archive Lists/golang=

sync_ok "second IMAP sync fetches nothing" "$work/sync2.log" \
	"^dove: ${#folders[@]} folders, 0 new, 0 removed, 0 flag changes"

# Changes on the server: flags by IMAP STORE (INBOX) and by renaming Maildir
# files as another program would (Sent), a new message (APPEND), an expunge.
py snap "$md" "$work/snap1"
cafile=$work/dovecot/cert.pem
check "server-side changes over IMAP (python imaplib, STARTTLS)" \
	py imap "$dovecot_host" "$imap_port" "$user" "$pass" "$cafile" INBOX \
	'store 1:10 +FLAGS (\Flagged)' 'store 11:30 -FLAGS (\Seen)' 'store 31:35 +FLAGS (\Answered \Seen)' \
	"append $(find "$(dir_of Drafts)" -type f | sort | head -1)"
py imap "$dovecot_host" "$imap_port" "$user" "$pass" "$cafile" Trash 'expunge 1:3' >"$work/out" 2>&1 ||
	fail "expunge in Trash: $(cat "$work/out")"
renamed=$(py rename "$(dir_of Sent)" 12 F || true)
if [ "$renamed" = 12 ]; then
	pass "renamed 12 files of Dovecot's Sent Maildir to carry F (\\Flagged), as another program would"
else
	fail "renaming Sent files: $renamed"
fi
# Dovecot sees a change of cur/ by its mtime, to the second: a change in the
# second of its last look shows once the next second is over too (its
# MAILDIR_SYNC_SECS). Wait for the clock to pass that, not for a fixed time.
past_mtime() { [ "$(date +%s)" -gt $(($(stat -c %Y "$1") + 1)) ]; }
interop_wait 10 past_mtime "$(dir_of Sent)/cur"
py snap "$md" "$work/snap2"
nflags=$(py changed "$work/snap1" "$work/snap2")
sync_ok "third IMAP sync brings down the server's changes ($nflags messages with new flags, 1 appended, 3 expunged)" \
	"$work/sync3.log" "^dove: ${#folders[@]} folders, 1 new, 3 removed, $nflags flag changes"
compare_all "after the changes,"
sync_ok "fourth IMAP sync fetches nothing" "$work/sync4.log" \
	"^dove: ${#folders[@]} folders, 0 new, 0 removed, 0 flag changes"

# ---------------------------------------------------------------- message commands

# The CLI's message commands (facteur flag, move, delete: the mailer's
# actions, journaled and pushed to the server at once) on messages picked
# with `facteur search --json`, then Dovecot's own view of each: doveadm
# fetch in every mailbox, by Message-ID. A sync after them changes nothing.

# on_server MSGID: one line per copy of the message on Dovecot, "MAILBOX
# FLAG...", system flags sorted (\Recent left out); nothing when it is gone.
on_server() {
	"$DOVEADM" -c "$dovecot_conf" -f tab fetch -u "$user" 'mailbox flags' \
		mailbox '*' header Message-ID "<$1>" | "$PYTHON" -c '
import sys
rows = []
for line in sys.stdin.read().splitlines()[1:]:
    box, _, fl = line.partition("\t")
    keep = sorted(f for f in fl.split() if f in ("\\Seen", "\\Flagged", "\\Answered", "\\Draft", "\\Deleted"))
    rows.append(" ".join([box] + keep))
print("\n".join(sorted(rows)))'
}

# pick QUERY N: "ID MSGID" of N messages of `facteur search --json QUERY`
# that Dovecot holds once, in FOLDER (the appended draft is there twice).
pick() {
	local query=$1 n=$2 folder=$3 id mid where got=0
	facteur search --json --limit $((n + 20)) "$query" >"$work/pick.json"
	while read -r id mid; do
		where=$(on_server "$mid")
		[ "$(wc -l <<<"$where")" = 1 ] && [ "${where%% *}" = "$folder" ] || continue
		echo "$id $mid"
		got=$((got + 1))
		[ $got -lt "$n" ] || break
	done < <("$PYTHON" -c 'import json, sys
for h in json.load(open(sys.argv[1])):
    print(h["id"], h["message_id"])' "$work/pick.json")
}

# run_cmd NAME EXPECT ARG...: `facteur ARG...` succeeds and its output
# matches the regular expression EXPECT (what the command did, and that the
# server took it at once).
run_cmd() {
	local name=$1 expect=$2 rc=0
	shift 2
	facteur "$@" >"$work/cmd.log" 2>&1 || rc=$?
	if [ $rc = 0 ] && [[ $(tr '\n' ' ' <"$work/cmd.log") =~ $expect ]]; then
		pass "$name: $(tr '\n' ' ' <"$work/cmd.log")"
	else
		fail "$name (exit $rc): want /$expect/"
		sed 's/^/    /' "$work/cmd.log"
	fi
}

# server_has NAME MSGID WANT: Dovecot's copies of MSGID (on_server) are WANT.
server_has() {
	local got
	got=$(on_server "$2")
	if [ "$got" = "$3" ]; then
		pass "$1: Dovecot has ${3:-no copy left}"
	else
		fail "$1: Dovecot has '${got//$'\n'/; }', want '${3//$'\n'/; }'"
	fi
}

# keywords_on MSGID: the keywords of its copies on Dovecot (the flags that
# do not begin with \), sorted, on one line.
keywords_on() {
	"$DOVEADM" -c "$dovecot_conf" -f tab fetch -u "$user" 'flags' \
		mailbox '*' header Message-ID "<$1>" | "$PYTHON" -c '
import sys
kws = set()
for line in sys.stdin.read().splitlines()[1:]:
    kws.update(f for f in line.split() if not f.startswith("\\"))
print(" ".join(sorted(kws)))'
}

# same NAME WHAT GOT WANT: PASS when GOT is WANT, saying "NAME: WHAT 'GOT'".
same() {
	if [ "$3" = "$4" ]; then
		pass "$1: $2 '$4'"
	else
		fail "$1: $2 '$3', want '$4'"
	fi
}

# keywords_has NAME MSGID WANT: Dovecot's keywords of MSGID are WANT.
keywords_has() { same "$1" "Dovecot has the keywords" "$(keywords_on "$2")" "$3"; }

# search_keywords NAME ID WANT [FOLDER]: `facteur search --json` gives
# message ID, in FOLDER (dove/INBOX unless given), the keywords WANT
# (space-separated).
search_keywords() {
	local got
	got=$(facteur search --json "folder:${4:-dove/INBOX}" | "$PYTHON" -c 'import json, sys
for h in json.load(sys.stdin):
    if str(h["id"]) == sys.argv[1]:
        print(" ".join(h["keywords"]))' "$2")
	same "$1" "search --json gives" "$got" "$3"
}

# flags_on MSGID: the flags of its only copy on Dovecot (on_server without
# the mailbox).
flags_on() { on_server "$1" | cut -s -d' ' -f2-; }

# with_flag LINE FLAG: a line of on_server with FLAG added.
with_flag() {
	"$PYTHON" -c 'import sys
box, *fl = sys.argv[1].split()
print(" ".join([box] + sorted(set(fl) | {sys.argv[2]})))' "$1" "$2"
}

took='dove: the server took the change'
# Picked: an unread message without flags (to flag), three flagged ones (to
# move and delete with their flags), one of Trash (deleted for good).
mapfile -t inbox_picks < <(pick 'folder:dove/INBOX is:unread -is:flagged -is:answered' 1 INBOX
	pick 'folder:dove/INBOX is:flagged' 3 INBOX)
mapfile -t trash_picks < <(pick 'folder:dove/Trash is:flagged' 1 Trash)
if [ ${#inbox_picks[@]} = 4 ] && [ ${#trash_picks[@]} = 1 ]; then
	pass "search --json: 4 messages of INBOX and 1 of Trash picked, each once on Dovecot"
	read -r a_id a_mid <<<"${inbox_picks[0]}"
	read -r b_id b_mid <<<"${inbox_picks[1]}"
	read -r c_id c_mid <<<"${inbox_picks[2]}"
	read -r d_id d_mid <<<"${inbox_picks[3]}"
	read -r e_id e_mid <<<"${trash_picks[0]}"

	run_cmd "facteur flag --add flagged --add seen $a_id" "1 messages: flags \\+seen \\+flagged $took" \
		flag --add flagged --add seen "$a_id"
	server_has "flags added" "$a_mid" 'INBOX \Flagged \Seen'
	run_cmd "facteur flag --remove seen $a_id" "1 messages: flags -seen $took" flag --remove seen "$a_id"
	server_has "\\Seen removed, \\Flagged kept" "$a_mid" 'INBOX \Flagged'
	# IMAP keywords (RFC 9051 §2.3.2) and forwarded ($Forwarded, RFC 5788)
	run_cmd "facteur flag --add \$Label1 --add Work --add forwarded $a_id" \
		"1 messages: flags \\+forwarded \\+\\\$Label1 \\+Work $took" \
		flag --add '$Label1' --add Work --add forwarded "$a_id"
	keywords_has "keywords added" "$a_mid" '$Forwarded $Label1 Work'
	run_cmd "facteur flag --remove Work $a_id" "1 messages: flags -Work $took" flag --remove Work "$a_id"
	keywords_has "Work removed, \$Label1 and \$Forwarded kept" "$a_mid" '$Forwarded $Label1'
	search_keywords "keywords in the store" "$a_id" '$Label1'

	b_flags=$(flags_on "$b_mid")
	c_flags=$(flags_on "$c_mid")
	run_cmd "facteur move $b_id $c_id Archive" "2 messages moved to dove/Archive $took" move "$b_id" "$c_id" Archive
	server_has "moved (UID MOVE), in Archive only, flags kept" "$b_mid" "Archive${b_flags:+ $b_flags}"
	server_has "moved, the second" "$c_mid" "Archive${c_flags:+ $c_flags}"

	d_flags=$(flags_on "$d_mid")
	run_cmd "facteur delete $d_id" "1 messages deleted \\(moved to the Trash\\) $took" delete "$d_id"
	server_has "deleted: in Trash only" "$d_mid" "Trash${d_flags:+ $d_flags}"
	run_cmd "facteur delete $e_id (in Trash already)" "1 messages deleted: 0 moved to the Trash, 1 removed for good \\(in the Trash already\\) $took" delete "$e_id"
	server_has "deleted in Trash: expunged for good" "$e_mid" ""
else
	fail "search --json picked ${#inbox_picks[@]} INBOX messages (want 4) and ${#trash_picks[@]} of Trash (want 1)"
	sed 's/^/    /' "$work/pick.json" | head -20
fi
sync_ok "sync after the commands changes nothing locally" "$work/sync5.log" \
	"^dove: ${#folders[@]} folders, 0 new, 0 removed, 0 flag changes, 0 local actions sent"
compare_all "after the message commands,"

# A keyword set on Dovecot by another program (doveadm flags), and one
# taken away there, come down with the next sync.
if [ -n "${a_mid:-}" ]; then
	"$DOVEADM" -c "$dovecot_conf" flags add -u "$user" 'Projet' mailbox INBOX header Message-ID "<$a_mid>"
	"$DOVEADM" -c "$dovecot_conf" flags remove -u "$user" '$Label1' mailbox INBOX header Message-ID "<$a_mid>"
	keywords_has "doveadm flags add Projet, remove \$Label1" "$a_mid" '$Forwarded Projet'
	sync_ok "the sync brings Dovecot's keyword change down" "$work/sync5b.log" \
		"^dove: ${#folders[@]} folders, 0 new, 0 removed, 1 flag changes, 0 local actions sent"
	search_keywords "keywords from Dovecot in the store" "$a_id" 'Projet'
fi

# The server out of reach: the account pointed at a closed port (Dovecot
# itself keeps running). The commands change the store at once, say that
# the changes wait, and the server has none of them; back on the right
# port, the next sync sends them and brings nothing down.
set_port() {
	"$PYTHON" - "$prof/config.json" "$1" <<'PY'
import json, os, sys
path, port = sys.argv[1], int(sys.argv[2])
with open(path) as f:
    doc = json.load(f)
for a in doc["accounts"]:
    if a["name"] == "dove":
        a["incoming"]["port"] = port
with open(path + ".tmp", "w") as f:
    json.dump(doc, f, indent=2)
os.replace(path + ".tmp", path)
PY
}
mapfile -t down_picks < <(pick 'folder:dove/INBOX -is:answered -is:flagged' 2 INBOX)
if [ ${#down_picks[@]} = 2 ]; then
	read -r f_id f_mid <<<"${down_picks[0]}"
	read -r g_id g_mid <<<"${down_picks[1]}"
	f_where=$(on_server "$f_mid")
	g_flags=$(flags_on "$g_mid")
	closed=$(dovecot_free_port) # nothing listens there
	set_port "$closed"
	wait_re='dove: the server was not reached .*; %d changes wait for the next sync'
	# shellcheck disable=SC2059 # the format is ours
	run_cmd "server down ($dovecot_host:$closed): facteur flag --add answered $f_id" "$(printf "$wait_re" 1)" \
		flag --add answered "$f_id"
	# shellcheck disable=SC2059
	run_cmd "server down: facteur move $g_id Lists/golang" "1 messages moved to dove/Lists/golang $(printf "$wait_re" 2)" \
		move "$g_id" Lists/golang
	server_has "server down: the flag is not on Dovecot" "$f_mid" "$f_where"
	server_has "server down: the message not moved on Dovecot" "$g_mid" "INBOX${g_flags:+ $g_flags}"
	set_port "$imap_port"
	sync_ok "server back: the sync sends the 2 waiting changes, brings nothing down" "$work/sync6.log" \
		"^dove: ${#folders[@]} folders, 0 new, 0 removed, 0 flag changes, 2 local actions sent"
	server_has "server back: \\Answered on Dovecot" "$f_mid" "$(with_flag "$f_where" '\Answered')"
	server_has "server back: moved to Lists/golang on Dovecot" "$g_mid" "Lists/golang${g_flags:+ $g_flags}"
	for f in INBOX Lists/golang; do
		check "after the changes made with the server down, $f: count, bodies and flags match Dovecot's Maildir" \
			py compare "$(dir_of "$f")" "$(local_dir dove "$f")"
	done
else
	fail "search --json picked ${#down_picks[@]} INBOX messages, want 2"
fi

# ---------------------------------------------------------------- import

# facteur import --folder dove/Imported: an mbox of 3 messages (an 8-bit
# body, a body line that began with "From " and was escaped, no flags)
# into a folder Dovecot does not have yet: created on the server, each
# message APPENDed once, bytes as Facteur stored them; the same import
# again adds nothing anywhere; the next sync brings nothing down.
{
	for i in 1 2 3; do
		printf 'From import%d@example.org Sat Dec  5 10:0%d:00 2026\n' $i $i
		printf 'From: Import %d <import%d@example.org>\nTo: marc@machin.com\n' $i $i
		printf 'Subject: =?UTF-8?Q?Import=C3=A9_%d?=\nMessage-ID: <import-%d.%d@facteur.test>\n' $i $i $$
		printf 'Date: Sat, 05 Dec 2026 10:0%d:00 +0000\nMIME-Version: 1.0\n' $i
		printf 'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n'
		printf 'Été %d, corps en huit bits.\n>From the start of this line, escaped in the mbox.\n\n' $i
	done
} >"$work/import.mbox"
imported=("import-1.$$@facteur.test" "import-2.$$@facteur.test" "import-3.$$@facteur.test")
run_cmd "facteur import --folder dove/Imported (a folder Dovecot does not have)" \
	"imported 3 messages .* into dove/Imported.*$took" import --folder dove/Imported "$work/import.mbox"
for mid in "${imported[@]}"; do
	server_has "imported $mid: on Dovecot once" "$mid" "Imported"
done
check "imported: Dovecot's Imported and Facteur's hold the same bytes" \
	py compare "$(dir_of Imported)" "$(local_dir dove Imported)"
if grep -rqFx -e 'Été 2, corps en huit bits.' "$(dir_of Imported)"/cur "$(dir_of Imported)"/new &&
	grep -rqFx -e 'From the start of this line, escaped in the mbox.' "$(dir_of Imported)"/cur "$(dir_of Imported)"/new; then
	pass "imported: Dovecot's copy has the 8-bit body and the body's From line unescaped"
else
	fail "imported: the 8-bit body or the unescaped From line is missing from Dovecot's copy"
	for f in "$(dir_of Imported)"/cur/* "$(dir_of Imported)"/new/*; do
		[ -f "$f" ] && tail -3 "$f" | cat -A | sed "s|^|    ${f##*/}: |"
	done
fi
run_cmd "the same import again adds nothing" "imported 0 messages .* into dove/Imported; 3 already there, skipped" \
	import --folder dove/Imported "$work/import.mbox"
for mid in "${imported[@]}"; do
	server_has "after the second import, $mid still once on Dovecot" "$mid" "Imported"
done
sync_ok "sync after the import brings nothing down" "$work/sync7.log" \
	"^dove: $((${#folders[@]} + 1)) folders, 0 new, 0 removed, 0 flag changes, 0 local actions sent"

# The Go tests that need a real IMAP server: headers, then opened messages
# (FetchBody) byte for byte; an offline sync byte for byte.
if FACTEUR_DOVECOT="$dovecot_host:$imap_port $user $pass $cafile" "$GO" test -tags migrated_fynedo -count=1 \
	-run 'TestDovecot' -v ./mua/imapsync >"$work/gotest.log" 2>&1 &&
	! grep -q -- '--- SKIP' "$work/gotest.log"; then
	pass "Go tests against Dovecot (mua/imapsync TestDovecot*): $(grep -c -- '--- PASS' "$work/gotest.log") passed"
	grep -E '^\s+dovecot_test' "$work/gotest.log" | sed 's/^\s*/  /'
else
	fail "Go tests against Dovecot (mua/imapsync TestDovecot*)"
	tail -20 "$work/gotest.log" | sed 's/^/    /'
fi

# ---------------------------------------------------------------- keywords across accounts

# A message of the Local account with the keywords Work and $Label1, moved
# into dove/Archive: Dovecot's copy has them (the APPEND carries, by name,
# the keywords its folder keeps: the Local account's Maildir letters are
# not Dovecot's); the next sync changes nothing, and both sides keep them.
{
	printf 'From kw@example.org Sat Dec  5 11:00:00 2026\n'
	printf 'From: Kw <kw@example.org>\nTo: marc@machin.com\nSubject: keywords across accounts\n'
	printf 'Message-ID: <kwmove.%d@facteur.test>\nDate: Sat, 05 Dec 2026 11:00:00 +0000\n\nbody\n\n' $$
} >"$work/kw.mbox"
kw_mid="kwmove.$$@facteur.test"
run_cmd "facteur import --folder Local/Kept" "imported 1 messages" import --folder Local/Kept "$work/kw.mbox"
kw_id=$(facteur search --json "folder:Local/Kept" | "$PYTHON" -c 'import json, sys
print(next((h["id"] for h in json.load(sys.stdin) if h["message_id"] == sys.argv[1]), ""))' "$kw_mid")
run_cmd "facteur flag --add Work --add \$Label1 (a Local message)" "1 messages: flags" flag --add Work --add '$Label1' "$kw_id"
run_cmd "facteur move to dove/Archive, from the Local account" "1 messages moved to dove/Archive $took" move "$kw_id" dove/Archive
keywords_has "moved from Local: the keywords went up with the APPEND" "$kw_mid" '$Label1 Work'
sync_ok "sync after the move from Local changes nothing" "$work/sync8.log" \
	"^dove: $((${#folders[@]} + 1)) folders, 0 new, 0 removed, 0 flag changes"
keywords_has "after the sync, Dovecot still has them" "$kw_mid" '$Label1 Work'
search_keywords "after the sync, the store still has them" "$kw_id" '$Label1 Work' dove/Archive

# ---------------------------------------------------------------- POP3

if try_account dovepop --pop3 "$dovecot_host:$pop3_port" --security starttls --fingerprint "$fp"; then
	pass "account add --pop3 --security starttls --fingerprint, account test: logged in to Dovecot's POP3 with STLS"
else
	fail "account add/test of the POP3 account"
fi
sed 's/^/  /' "$work/try.log"
inbox_n=$(find "$md/cur" "$md/new" -type f | wc -l)
pop_sync() {
	local name=$1 expect=$2 t=$SECONDS rc=0
	facteur sync dovepop >"$work/pop.log" 2>&1 || rc=$?
	local s
	s=$(grep '^dovepop: ' "$work/pop.log" || true)
	if [ $rc = 0 ] && [[ $s =~ $expect ]]; then
		pass "$name in $((SECONDS - t)) s: $s"
	else
		fail "$name (exit $rc): want /$expect/"
		sed 's/^/    /' "$work/pop.log" | tail -5
	fi
}
pop_sync "POP3 collects Dovecot's INBOX ($inbox_n messages)" "^dovepop: $inbox_n new, 0 deleted from the server, $inbox_n kept there"
check "POP3: count and bodies match Dovecot's INBOX" py compare "$md" "$(local_dir dovepop INBOX)" --no-flags
pop_sync "second POP3 collect adds nothing (UIDL)" "^dovepop: 0 new, 0 deleted from the server, $inbox_n kept there"
check "POP3: still the same messages, none twice" py compare "$md" "$(local_dir dovepop INBOX)" --no-flags

dovecot_log_check

log "done in $((SECONDS - t0)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
