#!/usr/bin/env bash
# Side by side: initial sync of 10,000 messages (headers and bodies) from a
# private Dovecot into Facteur's offline store (`facteur sync --offline`: the
# account available offline, every body downloaded) against mbsync (isync)
# into a Maildir, on the same machine in the same run; then, apart, Facteur's
# default initial sync into another profile, headers only (BODY.PEEK[HEADER],
# BODYSTRUCTURE: bodies come when a message is opened), which mbsync has no
# equivalent of; then flag-only resyncs of the folder: nothing changed, 100
# flags changed, all 10,000 changed (Facteur with CONDSTORE; mbsync for
# comparison); then ROUNDS (3 unless set) more rounds where all N change
# (\Draft taken away, then given), the client that goes first alternating
# (bench/alternate.py: wall time to the microsecond, CPU from wait4, and the
# medians at the end; mbsync's rounds over a second, where it sleeps one
# second before its renames, are counted apart).
#
#   bash bench/sync-vs-mbsync.sh         (as root; or with dovecot-imapd and isync installed)
#   N=20000 bash bench/sync-vs-mbsync.sh
#   ROUNDS=60 bash bench/sync-vs-mbsync.sh   (rounds of all N flags changed, below)
#
# Dovecot is the one of interop/dovecot.sh (interop/lib/dovecot.bash): its own
# config, base_dir and Maildir in a temporary directory, IMAP with STARTTLS on
# 127.0.0.2 and a high port, stopped by PID at the end. Before timing, one
# FETCH of everything warms Dovecot's index and the page cache, so neither
# client pays for the other. Both clients use STARTTLS and fsync as they do
# by default.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
PYTHON=${PYTHON:-python3}
N=${N:-10000}
ROUNDS=${ROUNDS:-3}
KEEP=${KEEP:-}

log() { echo "bench/sync-vs-mbsync: $*"; }

work=""
# shellcheck source=interop/lib/dovecot.bash
. "$repo/interop/lib/dovecot.bash"
# At exit: Dovecot stopped, $work removed (interop/lib/common.bash).
interop_traps dovecot_stop

dovecot_install isync
work=$(mktemp -d "${TMPDIR:-/tmp}/facteur-bench-sync.XXXXXX")
chmod 755 "$work"
"$GO" build -tags migrated_fynedo -o "$work/bin/facteur" .
"$GO" build -o "$work/bin/gencorpus" ./mailstore/internal/corpus/gencorpus
py() { "$PYTHON" "$repo/interop/dovecheck.py" "$@"; }

user=marc
pass=s3cr3t-bench
dovecot_cert
dovecot_setup "$user" "$pass"
"$work/bin/gencorpus" -n "$N" -seed 1 -maildir "$dovecot_maildir"
py setflags "$dovecot_maildir" >/dev/null
dovecot_chown
dovecot_start
cafile=$work/dovecot/cert.pem
imap() { py imap "$dovecot_host" "$imap_port" "$user" "$pass" "$cafile" INBOX "$@"; }
log "Dovecot $("$DOVECOT" --version | cut -d' ' -f1) on $dovecot_host:$imap_port, $N messages ($(du -sh "$dovecot_maildir" | cut -f1)); $(nproc) CPUs"
imap warm >/dev/null

# now; elapsed T0: seconds since T0, 2 decimals.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# mbsync: a Maildir store, everything pulled.
mb=$work/mbsync
mkdir -p "$mb/mail"
cat >"$mb/mbsyncrc" <<EOF
IMAPAccount dove
Host $dovecot_host
Port $imap_port
User $user
Pass $pass
SSLType STARTTLS
CertificateFile $cafile

IMAPStore remote
Account dove

MaildirStore local
Path $mb/mail/
Inbox $mb/mail/INBOX
SubFolders Verbatim

Channel bench
Far :remote:
Near :local:
Patterns *
Create Near
Sync Pull
SyncState *
EOF
mbsync_run() { mbsync -c "$mb/mbsyncrc" -q -a >>"$mb/log" 2>&1; }

# Facteur: a temporary profile, the certificate pinned.
prof=$work/facteur
facteur() { env -u DBUS_SESSION_BUS_ADDRESS FACTEUR_PROFILE="$prof" "$work/bin/facteur" "$@"; }
facteur account add --name dove --address marc@machin.com --imap "$dovecot_host:$imap_port" \
	--security starttls --user "$user" --fingerprint "$dovecot_fp" --password-stdin <<<"$pass" >/dev/null 2>&1
facteur_run() { facteur sync --offline dove 2>/dev/null | grep '^dove: '; }

# Facteur headers only: a second profile, the same account.
prof2=$work/facteur-headers
facteur2() { env -u DBUS_SESSION_BUS_ADDRESS FACTEUR_PROFILE="$prof2" "$work/bin/facteur" "$@"; }
facteur2 account add --name dove --address marc@machin.com --imap "$dovecot_host:$imap_port" \
	--security starttls --user "$user" --fingerprint "$dovecot_fp" --password-stdin <<<"$pass" >/dev/null 2>&1

# partials PROFILE: the number of partial (header-only) messages of its index.
partials() {
	"$PYTHON" -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM messages WHERE partial > 0").fetchone()[0])' "$1/index.sqlite"
}

t=$(now)
mbsync_run
m_init=$(elapsed "$t")
m_n=$(find "$mb/mail/INBOX/cur" "$mb/mail/INBOX/new" -type f | wc -l)
t=$(now)
f_sum=$(facteur_run)
f_init=$(elapsed "$t")
f_n=$(find "$prof/mail/dove/INBOX/cur" "$prof/mail/dove/INBOX/new" -type f | wc -l)

echo
echo "initial sync of $N messages (headers and bodies) over STARTTLS:"
printf '  mbsync (isync %s)  %8s s   %d messages\n' "$(mbsync -v | cut -d' ' -f2)" "$m_init" "$m_n"
printf '  facteur sync        %8s s   %d messages   (%s)\n' "$f_init" "$f_n" "$f_sum"
awk -v m="$m_init" -v f="$f_init" 'BEGIN { printf "  ratio mbsync/facteur: %.2fx (above 1: Facteur faster; target 1.5x)\n", m / f }'

t=$(now)
h_sum=$(facteur2 sync dove 2>/dev/null | grep '^dove: ')
h_init=$(elapsed "$t")
h_n=$(partials "$prof2")
echo
echo "initial sync of $N messages, headers only (Facteur's default; bodies fetched when opened):"
printf '  facteur sync        %8s s   %d partial messages   (%s)\n' "$h_init" "$h_n" "$h_sum"

# resync MSG: time both after a change on the server.
resync() {
	local t fr mr s
	t=$(now)
	s=$(facteur_run)
	fr=$(elapsed "$t")
	t=$(now)
	mbsync_run
	mr=$(elapsed "$t")
	printf '  %-34s facteur %6s s   mbsync %6s s   (%s)\n' "$1" "$fr" "$mr" "$s"
}
echo
echo "flag-only resync of the $N-message folder:"
resync "nothing changed"
imap 'store 1:100 +FLAGS.SILENT (\Flagged)' >/dev/null
resync "100 messages flagged on the server"
imap 'store 1:* +FLAGS.SILENT (\Draft)' >/dev/null
resync "all $N given \\Draft on the server"

# ROUNDS more rounds where all N change (\Draft given, then taken away),
# the clients taking turns to go first: bench/alternate.py.
q() { printf '%q ' "$@"; }
echo
echo "all $N flags changed, $ROUNDS rounds (wall, and CPU = user + system):"
"$PYTHON" "$repo/bench/alternate.py" "$ROUNDS" \
	"$(q "$PYTHON" "$repo/interop/dovecheck.py" imap "$dovecot_host" "$imap_port" "$user" "$pass" "$cafile" INBOX 'store 1:* {op}FLAGS.SILENT (\Draft)')" \
	"facteur=$(q env -u DBUS_SESSION_BUS_ADDRESS FACTEUR_PROFILE="$prof" "$work/bin/facteur" sync --offline dove)" \
	"mbsync=$(q mbsync -c "$mb/mbsyncrc" -q -a)"

if [ "$m_n" != "$N" ] || [ "$f_n" != "$N" ] || [ "$h_n" != "$N" ] || [ "$(partials "$prof")" != 0 ]; then
	echo "bench/sync-vs-mbsync: expected $N messages on both sides, none partial with --offline, all partial without" >&2
	exit 1
fi
