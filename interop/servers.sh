#!/usr/bin/env bash
# Interop of Facteur's IMAP sync and POP3 collect with the servers people
# really have, each in its own layout:
#
#   Dovecot   Maildir++ layout: separator '.', personal namespace "INBOX."
#             (the Dovecot of interop/dovecot.sh, separator '/', is the
#             other layout), special-use folders
#   Courier   Courier-IMAP and Courier POP3 (STLS): "INBOX." and '.', no
#             SPECIAL-USE, MOVE, CONDSTORE nor LITERAL+; then a second
#             Courier announcing neither UIDPLUS nor IDLE
#   Cyrus     Cyrus IMAP 3.6 and its POP3, unixhierarchysep (and
#             altnamespace) off ('.', "INBOX.") and on ('/', no prefix);
#             CONDSTORE, QRESYNC, MOVE, SPECIAL-USE, LITERAL+
#
#   bash interop/servers.sh      (as root: Courier and Cyrus run in a private
#                                 mount namespace)
#
# Courier and Cyrus conflict with the Dovecot packages: they are unpacked
# from their .debs into the temporary directory, never installed, and run
# as nobody with configurations of their own (interop/lib/unpacked.bash,
# courier.bash, cyrus.bash). Every server listens on loopback high ports
# and is stopped by PID at the end.
#
# For each IMAP server: interop/imapcheck.py fills it over IMAP (nested
# folders, a non-ASCII folder "Été", an 8-bit body, a message over 1 MB, a
# message without Message-ID, a pattern of flags); `facteur account add`
# pins its certificate; `facteur sync --offline`; the sync state must map
# the server's names to the local ones ("INBOX.Lists.golang" is
# Lists/golang), and every folder must hold the same messages on both
# sides: counts, bodies byte for byte (CRLF read as LF), flags; the
# special-use roles (from SPECIAL-USE, or from the folders' names) must be
# in the index. A second sync changes no file (idempotent). Flags changed,
# messages expunged and appended on the server come down. The Go tests of
# mua/imapsync that need a real server then run against it: headers first
# and messages opened byte for byte (TestDovecot*), and local actions
# (flags, move, delete, copy, a Sent copy, drafts) sent to the server and
# checked by a second Facteur syncing afresh (TestRealServerLocalActions);
# Facteur's first profile syncs again and still matches the server.
# `facteur folder` then creates a nested non-ASCII folder on the server,
# renames it with messages in it, refuses to delete it without --force,
# deletes it; after each step the server lists what it should and a sync
# finds every folder identical. For each POP3 server: `facteur sync` collects INBOX over STLS, bodies byte
# for byte, and a second collect adds nothing.
# Packages: dovecot-core dovecot-imapd dovecot-pop3d openssl python3 libcourier-unicode4 libgamin0 libgdbm6 libidn12 libgnutls30 libltdl7 libxapian30 libpcre3 libical3 libsasl2-2 libsasl2-modules libjansson4 libicu72 libzephyr4 libclamav12 libwrap0 libpq5 libxml2 libsqlite3-0 libldap-2.5-0 sasl2-bin
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
PYTHON=${PYTHON:-python3}
KEEP=${KEEP:-}   # KEEP=1 leaves the temporary directory for a post-mortem
ONLY=${ONLY:-}   # e.g. ONLY=courier: one server of the matrix

log() { echo "interop/servers: $*"; }

work=""
# shellcheck source=interop/lib/dovecot.bash
. "$repo/interop/lib/dovecot.bash"
# shellcheck source=interop/lib/courier.bash
. "$repo/interop/lib/courier.bash"
# shellcheck source=interop/lib/cyrus.bash
. "$repo/interop/lib/cyrus.bash"

interop_traps dovecot_stop courier_stop cyrus_stop
check_seconds=0

if [ "$(id -u)" != 0 ]; then
	log "needs root: Courier and Cyrus run from their unpacked packages in a private mount namespace (unshare -m)" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/facteur-servers.XXXXXX")
chmod 755 "$work"
t0=$SECONDS
dovecot_install
courier_install
cyrus_install
interop_facteur "$work/bin/facteur"
py() { "$PYTHON" "$repo/interop/imapcheck.py" "$@"; }
roles() { "$PYTHON" "$repo/interop/dovecheck.py" roles "$@"; }

user=marc
pass=s3cr3t-servers
prof=$work/facteur
mkdir -p "$prof"
facteur() { env -u DBUS_SESSION_BUS_ADDRESS FACTEUR_PROFILE="$prof" "$work/bin/facteur" "$@"; }
spec=(INBOX:12 Sent:4 Drafts:2 Trash:3 Archive:5 Lists:2 Lists/golang:6 Été:3)

want() { [ -z "$ONLY" ] || [[ " $ONLY " == *" $1 "* ]]; }

# add_account NAME PROTO HOST:PORT FP: `account add` (the login tested).
add_account() {
	if facteur account add --name "$1" --address marc@machin.example "--$2" "$3" --security starttls \
		--fingerprint "$4" --user "$user" --password-stdin <<<"$pass" >"$work/add.log" 2>&1; then
		pass "$1: account add --$2 $3 --security starttls --fingerprint: logged in"
	else
		fail "$1: account add --$2 $3"
		sed 's/^/    /' "$work/add.log"
		return 1
	fi
}

# sync_ok NAME WHAT [OPTION]: `facteur sync [OPTION] NAME` exits 0.
sync_ok() {
	local rc=0 t=$SECONDS
	# shellcheck disable=SC2086 # $3: no option or one
	facteur sync ${3:-} "$1" >"$work/sync.log" 2>"$work/sync.err" || rc=$?
	if [ $rc = 0 ]; then
		pass "$1: $2 in $((SECONDS - t)) s: $(grep "^$1: " "$work/sync.log" || true)"
	else
		fail "$1: $2 (exit $rc)"
		sed 's/^/    /' "$work/sync.log"
		tail -5 "$work/sync.err" | sed 's/^/    /'
	fi
}

# idempotent NAME [OPTION]: a sync that changes no file of the account.
idempotent() {
	py snapshot "$prof" "$1" >"$work/snap1"
	sync_ok "$1" "sync again" "${2:-}"
	py snapshot "$prof" "$1" >"$work/snap2"
	if cmp -s "$work/snap1" "$work/snap2"; then
		pass "$1: the second sync changed no file ($(wc -l <"$work/snap1") messages)"
	else
		fail "$1: the second sync changed files"
		diff "$work/snap1" "$work/snap2" | head -10 | sed 's/^/    /'
	fi
}

# go_tests NAME HOST PORT CAFILE: the Go tests of mua/imapsync against the
# server (see the header).
go_tests() {
	local env="$2:$3 $user $pass $4"
	if FACTEUR_DOVECOT="$env" FACTEUR_IMAP_SERVER="$env" "$GO" test -tags migrated_fynedo -count=1 \
		-run 'TestDovecot|TestRealServerLocalActions' -v ./mua/imapsync >"$work/gotest.log" 2>&1 &&
		! grep -q -- '--- SKIP' "$work/gotest.log"; then
		pass "$1: Go tests against the server (TestDovecot*, TestRealServerLocalActions): $(grep -c -- '--- PASS' "$work/gotest.log") passed"
		grep -E '^\s+(dovecot|realserver)_test' "$work/gotest.log" | sed 's/^\s*/  /'
	else
		fail "$1: Go tests against the server"
		tail -20 "$work/gotest.log" | sed 's/^/    /'
	fi
}

# imap_matrix NAME HOST PORT CAFILE FP PREFIX DELIM ROLES...: the IMAP
# checks of one server (see the header); PREFIX and DELIM are its
# personal namespace, ROLES the FOLDER=ROLE its index must show.
imap_matrix() {
	local name=$1 host=$2 port=$3 ca=$4 fp=$5 prefix=$6 delim=$7
	shift 7
	local srv=("$host" "$port" "$user" "$pass" "$ca")
	if py fill "${srv[@]}" "${spec[@]}" >"$work/fill.log" 2>&1; then
		pass "$name: filled over IMAP: $(tail -1 "$work/fill.log") messages"
		head -n -1 "$work/fill.log"
	else
		fail "$name: filling the server"
		sed 's/^/    /' "$work/fill.log"
		return 0
	fi
	add_account "$name" imap "$host:$port" "$fp" || return 0
	sync_ok "$name" "first sync, every body (--offline)" --offline
	local names=(INBOX=INBOX "${prefix}Lists${delim}golang=Lists/golang" "${prefix}Été=Été" "${prefix}Sent=Sent")
	check "$name: the server's names kept in the sync state, the local ones without the prefix" \
		py names "$prof" "$name" "${names[@]}"
	check "$name: every folder, counts, bodies and flags identical" py compare "${srv[@]}" "$prof" "$name"
	check "$name: roles in Facteur's index" roles "$prof/index.sqlite" "$name" "$@"
	idempotent "$name" --offline
	local changed
	changed=$(py change "${srv[@]}" Lists/golang Été)
	log "$name: changed on the server behind Facteur's back: $changed (flags, expunged, appended)"
	sync_ok "$name" "sync of the server's changes" --offline
	check "$name: after the server's changes, every folder identical" py compare "${srv[@]}" "$prof" "$name"
	go_tests "$name" "$host" "$port" "$ca"
	sync_ok "$name" "sync of what the Go tests did" --offline
	check "$name: after the local actions of the Go tests, every folder identical" py compare "${srv[@]}" "$prof" "$name"
	folder_ops "$name" "$host" "$port" "$ca"
}

# create_nested ACCOUNT PARENT CHILD, delete_nested ACCOUNT CHILD PARENT:
# `facteur folder` twice, the second only when the first succeeded.
create_nested() { facteur folder create "$1" "$2" && facteur folder create "$1" "$3"; }
delete_nested() { facteur folder delete --force "$1" "$2" && facteur folder delete "$1" "$3"; }

# folder_ops NAME HOST PORT CAFILE: `facteur folder` creates a nested
# non-ASCII folder on the server, renames it with its messages, refuses to
# delete it while it holds some without --force, then deletes it; after
# each step the server lists what it should and a sync finds every folder
# identical.
folder_ops() {
	local name=$1 srv=("$2" "$3" "$user" "$pass" "$4") old="Projets/Été 2027" new="Projets/Hiver 2028"
	check "$name: facteur folder create Projets, then $old inside it" \
		create_nested "$name" Projets "$old"
	check "$name: the server lists them, in its own names" py has "${srv[@]}" Projets "$old"
	py fill "${srv[@]}" "$old:3" >/dev/null
	sync_ok "$name" "sync of 3 messages the server put in $old" --offline
	check "$name: facteur folder rename '$old' '$new'" facteur folder rename "$name" "$old" "$new"
	check "$name: the server lists $new, no longer $old" py has "${srv[@]}" "$new" "!$old"
	sync_ok "$name" "sync after the rename" --offline
	check "$name: after the rename, every folder identical (the 3 messages in $new)" py compare "${srv[@]}" "$prof" "$name"
	if facteur folder delete "$name" "$new" >"$work/delete.log" 2>&1; then
		fail "$name: facteur folder delete of a folder with 3 messages, without --force, succeeded"
	else
		pass "$name: delete without --force refused: $(head -1 "$work/delete.log")"
	fi
	check "$name: facteur folder delete --force '$new', then Projets" \
		delete_nested "$name" "$new" Projets
	check "$name: the server no longer lists them" py has "${srv[@]}" "!$new" "!Projets"
	sync_ok "$name" "sync after the deletes" --offline
	check "$name: after the deletes, every folder identical" py compare "${srv[@]}" "$prof" "$name"
}

# pop3_matrix NAME HOST PORT CAFILE FP IMAPPORT: collect INBOX over STLS.
pop3_matrix() {
	local name=$1 host=$2 port=$3 ca=$4 fp=$5 imap=$6
	add_account "$name" pop3 "$host:$port" "$fp" || return 0
	sync_ok "$name" "POP3 collect over STLS"
	check "$name: POP3 collected INBOX, bodies byte for byte" \
		py compare "$host" "$imap" "$user" "$pass" "$ca" "$prof" "$name" --no-flags
	idempotent "$name"
}

roles_prefixed=(INBOX=inbox Sent=sent Drafts=drafts Trash=trash Archive=archive Lists/golang=)

# ---------------------------------------------------------------- Dovecot, Maildir++

if want dovecot; then
	dovecot_separator=. dovecot_prefix=INBOX.
	dovecot_cert
	dovecot_setup "$user" "$pass"
	dovecot_chown
	if dovecot_start; then
		pass "private Dovecot $("$DOVECOT" --version | cut -d' ' -f1), Maildir++ layout ('.', \"INBOX.\"): IMAP $dovecot_host:$imap_port"
		imap_matrix dovecot "$dovecot_host" "$imap_port" "$work/dovecot/cert.pem" "$dovecot_fp" INBOX. . "${roles_prefixed[@]}"
	else
		fail "Dovecot did not start"
	fi
	dovecot_stop
fi

# ---------------------------------------------------------------- Courier

if want courier; then
	courier_cert
	courier_setup "$user" "$pass"
	if courier_start; then
		pass "private Courier-IMAP and Courier POP3 (unpacked, as nobody, PIDs ${courier_pids[*]}): IMAP $courier_host:$courier_imap_port, POP3 $courier_host:$courier_pop3_port"
		imap_matrix courier "$courier_host" "$courier_imap_port" "$work/courier/cert.pem" "$courier_fp" INBOX. . "${roles_prefixed[@]}"
		pop3_matrix courier-pop "$courier_host" "$courier_pop3_port" "$work/courier/cert.pem" "$courier_fp" "$courier_imap_port"
	else
		fail "Courier did not start"
	fi
	courier_stop
	# the same Courier announcing neither UIDPLUS nor IDLE
	rm -rf "$work/courier/home"
	courier_setup "$user" "$pass" "IMAP4rev1 CHILDREN NAMESPACE SORT QUOTA"
	if courier_start; then
		pass "Courier-IMAP without UIDPLUS and IDLE: IMAP $courier_host:$courier_imap_port"
		imap_matrix courier-lean "$courier_host" "$courier_imap_port" "$work/courier/cert.pem" "$courier_fp" INBOX. . "${roles_prefixed[@]}"
	else
		fail "Courier (lean) did not start"
	fi
	courier_stop
fi

# ---------------------------------------------------------------- Cyrus

for sep in no yes; do
	want "cyrus-$sep" || want cyrus || continue
	[ -e "$work/cyrus/conf/cert.pem" ] || cyrus_cert
	cyrus_setup "$user" "$pass" "$sep"
	prefix=INBOX. delim=.
	[ $sep = yes ] && prefix="" delim=/
	if cyrus_start; then
		pass "private Cyrus IMAP (unpacked, as nobody, master PID $cyrus_pid), unixhierarchysep: $sep: IMAP $cyrus_host:$cyrus_imap_port, POP3 $cyrus_host:$cyrus_pop3_port"
		imap_matrix "cyrus-$sep" "$cyrus_host" "$cyrus_imap_port" "$work/cyrus/conf/cert.pem" "$cyrus_fp" "$prefix" "$delim" "${roles_prefixed[@]}"
		pop3_matrix "cyrus-$sep-pop" "$cyrus_host" "$cyrus_pop3_port" "$work/cyrus/conf/cert.pem" "$cyrus_fp" "$cyrus_imap_port"
	else
		fail "Cyrus (unixhierarchysep: $sep) did not start"
	fi
	cyrus_stop
done

log "done in $((SECONDS - t0)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
