#!/usr/bin/env bash
# Facteur's offline store on a full file system (issue 11): nothing cut, lost,
# doubled or left behind, and exact counts.
#
#   bash interop/diskfull.sh     (as root: it mounts tmpfs file systems; else it skips)
#
# The profile is a small tmpfs (SMALL, 8 MB) that this suite mounts, and the
# mail to store is bigger than it:
#
# 1. `facteur import` of an mbox of N messages (about 22 MB) fails with a
#    clear error and says how many messages it stored, skipped and could not
#    store; the index lists exactly the files in the Maildir, tmp/ is empty,
#    and `facteur search` answers on the full disk. Once the tmpfs is
#    remounted bigger (BIG), the same import stores exactly the rest and says
#    that the others were there; a third run stores nothing; no Message-ID is
#    twice in the folder and a rescan finds nothing to change.
# 2. `facteur sync --offline` of an IMAP account of a private Dovecot (the
#    instance of interop/lib/dovecot.bash, M messages in INBOX) into a second
#    small tmpfs fails with a clear error and leaves the index listing exactly
#    the files of the Maildir; after the remount the same sync completes, and
#    the local INBOX holds the server's messages once each, byte for byte
#    (interop/dovecheck.py compare).
#
# It unmounts exactly what it mounted (at exit too), stops exactly the
# Dovecot it started, and prints PASS/FAIL per check and "N passed, M failed".
# Packages: dovecot-core dovecot-imapd dovecot-pop3d openssl python3
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
PYTHON=${PYTHON:-python3}
KEEP=${KEEP:-}      # KEEP=1 leaves the temporary directory for a post-mortem
N=${N:-3000}        # messages of the mbox
M=${M:-2000}        # messages of the Dovecot INBOX
SMALL=${SMALL:-8m}  # the full file system
BIG=${BIG:-128m}    # the same, space freed

log() { echo "interop/diskfull: $*"; }

if [ "$(id -u)" != 0 ]; then
	log "SKIP: this suite mounts small tmpfs file systems as the profile; run it as root"
	exit 0
fi

work=""
# shellcheck source=interop/lib/dovecot.bash
. "$repo/interop/lib/dovecot.bash"

# mounts: the tmpfs this run mounted, unmounted by diskfull_umount at exit.
mounts=()
diskfull_umount() {
	local m
	for m in "${mounts[@]}"; do
		umount "$m" || log "could not unmount $m"
	done
	mounts=()
}
# small DIR: a tmpfs of SMALL bytes mounted on DIR.
small() {
	mkdir -p "$1"
	mount -t tmpfs -o "size=$SMALL,mode=0700" facteur-diskfull "$1"
	mounts+=("$1")
}
interop_traps diskfull_umount dovecot_stop

work=$(mktemp -d "${TMPDIR:-/tmp}/facteur-diskfull.XXXXXX")
chmod 755 "$work" # Dovecot serves the Maildir below it as nobody
mkdir "$work/probe"
if ! mount -t tmpfs -o size=1m facteur-diskfull "$work/probe" 2>"$work/probe.err"; then
	log "SKIP: cannot mount a tmpfs here (a container without CAP_SYS_ADMIN?): $(cat "$work/probe.err")"
	exit 0
fi
umount "$work/probe"
dovecot_install
interop_facteur "$work/bin/facteur"
"$GO" build -o "$work/bin/gencorpus" ./mailstore/internal/corpus/gencorpus

# facteur PROFILE ARGS...: the command on a profile, passwords in its file.
facteur() {
	local prof=$1
	shift
	env -u DBUS_SESSION_BUS_ADDRESS FACTEUR_PROFILE="$prof" "$work/bin/facteur" "$@"
}

# index PROFILE ACCOUNT FOLDER: "MESSAGES DISTINCT-MESSAGE-IDS" of a folder in
# the profile's index, opened read-only (its WAL may hold what a full disk
# kept from being checkpointed).
index() {
	"$PYTHON" - "$1/index.sqlite" "$2" "$3" <<'EOF'
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
n, ids = db.execute("""SELECT count(*), count(DISTINCT message_id) FROM messages m
    JOIN folders f ON f.id = m.folder WHERE f.account = ? AND f.name = ?""", sys.argv[2:4]).fetchone()
print(n, ids)
EOF
}
# files DIR SUB...: the number of files in those subdirectories of Maildir DIR.
files() {
	local dir=$1 n=0 sub
	shift
	for sub in "$@"; do
		n=$((n + $(find "$dir/$sub" -type f 2>/dev/null | wc -l)))
	done
	echo "$n"
}
# exact PROFILE ACCOUNT FOLDER WANT NAME: the folder's index lists WANT
# messages (any when WANT is "-"), as many files are in cur/ and new/, none
# in tmp/, no Message-ID twice.
exact() {
	local prof=$1 dir=$1/mail/$2/$3 n ids disk tmp
	read -r n ids < <(index "$prof" "$2" "$3")
	disk=$(files "$dir" cur new)
	tmp=$(files "$dir" tmp)
	if { [ "$4" = - ] || [ "$n" = "$4" ]; } && [ "$n" = "$disk" ] && [ "$tmp" = 0 ] && [ "$ids" = "$n" ]; then
		pass "$5: $n messages indexed, $disk files, none in tmp/, $ids Message-IDs"
	else
		fail "$5: want ${4/-/any number of} messages; index $n (Message-IDs $ids), files $disk, tmp/ $tmp"
	fi
}

# ---------------------------------------------------------------- import

"$work/bin/gencorpus" -n "$N" -seed 1 -mbox "$work/big.mbox"
p1=$work/import
small "$p1"
log "importing $(du -h "$work/big.mbox" | cut -f1) of mbox ($N messages) into a $SMALL profile"
rc=0
facteur "$p1" import --quiet --folder big "$work/big.mbox" >"$work/import1.out" 2>"$work/import1.err" || rc=$?
said=$(cat "$work/import1.out" "$work/import1.err")
stored=$(sed -n 's/^imported \([0-9]*\) messages.*/\1/p' "$work/import1.out")
if [ $rc = 1 ] && grep -q -i -e 'full' -e 'no space' "$work/import1.err" && [ -n "$stored" ]; then
	pass "import on a full disk: exit 1, told: $(tr '\n' ' ' <<<"$said")"
else
	fail "import on a full disk: exit $rc, said: $said"
	stored=-
fi
exact "$p1" Local big "$stored" "after the failed import, the index and the Maildir agree with what it said"
if facteur "$p1" search --folder big --limit 3 the >"$work/search.out" 2>&1 && [ -s "$work/search.out" ]; then
	pass "search on the full disk: $(wc -l <"$work/search.out") results"
else
	fail "search on the full disk: $(cat "$work/search.out")"
fi
df -h "$p1" | tail -1 | sed 's/^/  /'

mount -o "remount,size=$BIG" "$p1"
rc=0
facteur "$p1" import --quiet --folder big "$work/big.mbox" >"$work/import2.out" 2>&1 || rc=$?
want="imported $((N - ${stored/-/0})) messages .* into Local/big; ${stored/-/0} already there, skipped$"
if [ $rc = 0 ] && grep -q -x -E "$want" "$work/import2.out"; then
	pass "import again with room: $(cat "$work/import2.out")"
else
	fail "import again with room: exit $rc, want /$want/: $(cat "$work/import2.out")"
fi
exact "$p1" Local big "$N" "after the second import"
rc=0
facteur "$p1" import --quiet --folder big "$work/big.mbox" >"$work/import3.out" 2>&1 || rc=$?
if [ $rc = 0 ] && grep -q -x "imported 0 messages (0 B) into Local/big; $N already there, skipped" "$work/import3.out"; then
	pass "the same import a third time stores nothing: $(cat "$work/import3.out")"
else
	fail "third import: exit $rc: $(cat "$work/import3.out")"
fi
if facteur "$p1" rescan --quiet >"$work/rescan.out" 2>&1 && grep -q "^rescan: 0 added, 0 removed, 0 renamed, $N unchanged" "$work/rescan.out"; then
	pass "rescan: nothing to change: $(cat "$work/rescan.out")"
else
	fail "rescan: $(cat "$work/rescan.out")"
fi

# ---------------------------------------------------------------- sync

user=marc
pass=s3cr3t-diskfull
dovecot_cert
dovecot_setup "$user" "$pass"
md=$dovecot_maildir
"$work/bin/gencorpus" -n "$M" -seed 3 -maildir "$md"
dovecot_chown
if dovecot_start; then
	pass "private Dovecot $("$DOVECOT" --version | cut -d' ' -f1) up: IMAP $dovecot_host:$imap_port, $M messages ($(du -sh "$md" | cut -f1))"
else
	fail "Dovecot did not start"
	echo "$passed passed, $failed failed"
	exit 1
fi
p2=$work/sync
small "$p2"
if facteur "$p2" account add --name dove --address marc@machin.com --imap "$dovecot_host:$imap_port" --security starttls \
	--fingerprint "$dovecot_fp" --user "$user" --password-stdin <<<"$pass" >"$work/add.out" 2>&1; then
	pass "account add on the $SMALL profile"
else
	fail "account add: $(cat "$work/add.out")"
fi
rc=0
facteur "$p2" sync --offline dove >"$work/sync1.out" 2>"$work/sync1.err" || rc=$?
if [ $rc = 1 ] && grep -q -i -e 'full' -e 'no space' "$work/sync1.err"; then
	pass "sync --offline on a full disk: exit 1, told: $(grep -v '^INBOX: [0-9]' "$work/sync1.err" | tail -3 | tr '\n' ' ')"
else
	fail "sync --offline on a full disk: exit $rc: $(cat "$work/sync1.out") $(tail -5 "$work/sync1.err")"
fi
exact "$p2" dove INBOX - "after the failed sync, the index and the Maildir agree"
if facteur "$p2" search --folder dove/INBOX --limit 3 the >"$work/search2.out" 2>&1; then
	pass "search on the full disk after the sync: $(wc -l <"$work/search2.out") results"
else
	fail "search after the failed sync: $(cat "$work/search2.out")"
fi

mount -o "remount,size=$BIG" "$p2"
rc=0
facteur "$p2" sync --offline dove >"$work/sync2.out" 2>"$work/sync2.err" || rc=$?
if [ $rc = 0 ]; then
	pass "sync --offline again with room: $(grep '^dove: ' "$work/sync2.out")"
else
	fail "sync --offline again: exit $rc: $(cat "$work/sync2.out") $(tail -5 "$work/sync2.err")"
fi
exact "$p2" dove INBOX "$M" "after the second sync"
if "$PYTHON" "$repo/interop/dovecheck.py" compare "$md" "$p2/mail/dove/INBOX" >"$work/compare.out" 2>&1; then
	pass "the local INBOX is the server's: $(cat "$work/compare.out")"
else
	fail "the local INBOX differs from the server's: $(cat "$work/compare.out")"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
