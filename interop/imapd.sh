#!/usr/bin/env bash
# Interop of Facteur's IMAP server (localmta/imapd, started by `facteur mta
# --imap`) with real clients that nobody here wrote:
#
#   bash interop/imapd.sh    (as root; or with isync, neomutt, offlineimap3,
#                             openssl and python3 installed)
#
# A `facteur mta` runs on loopback high ports in a temporary profile, with
# the login marc:secret in mta/users; Python's smtplib delivers 16 messages
# (plain, 8-bit UTF-8, quoted-printable, a line starting with a dot, multipart
# with a base64 attachment) through it into the Local account. Then:
#
#   1. Python's imaplib, after STARTTLS with the MTA's certificate: CAPABILITY,
#      ID (before and after LOGIN), NAMESPACE, ENABLE, CREATE, RENAME, DELETE,
#      SUBSCRIBE, LSUB, LIST, STATUS, SELECT, FETCH (envelope, body
#      structure, partial), SEARCH, UID SEARCH, STORE, COPY, UID MOVE, APPEND with a date, EXPUNGE, UID
#      EXPUNGE, UNSELECT; every body of INBOX byte for byte as its Maildir file;
#      IDLE woken by a message delivered through the MTA; implicit TLS;
#   2. mbsync (isync) pulls every folder into a Maildir, a flag set there
#      goes back to the server;
#   3. neomutt, in batch (its commands pushed on the command line, no typing),
#      reads the first message of INBOX over IMAP and deletes it;
#   4. offlineimap3 syncs both ways (implicit TLS): a flag set on each side
#      reaches the other, and a third run changes nothing;
#   5. a second Facteur profile adds the first as an IMAP account (STARTTLS,
#      pinned fingerprint) and syncs it, headers first, then every body.
#
# After each client, counts, flags and bodies are compared folder by folder
# with what the server says. Uses $FACTEUR_BIN when set, else builds
# facteur. Stops exactly what it started (facteur mta by PID) and prints
# PASS/FAIL per check and "N passed, M failed".
# Packages: isync neomutt offlineimap3 openssl bsdutils python3
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
PYTHON=${PYTHON:-python3}
KEEP=${KEEP:-} # KEEP=1 leaves the temporary directory for a post-mortem
HOST=127.0.0.1

log() { echo "interop/imapd: $*"; }

work=""
# shellcheck source=interop/lib/common.bash
. "$repo/interop/lib/common.bash"

install_missing() {
	local need=()
	command -v mbsync >/dev/null || need+=(isync)
	command -v neomutt >/dev/null || need+=(neomutt)
	command -v offlineimap >/dev/null || need+=(offlineimap3)
	command -v openssl >/dev/null || need+=(openssl)
	command -v script >/dev/null || need+=(bsdutils)
	command -v "$PYTHON" >/dev/null || need+=(python3)
	interop_install '008F|03E1' "${need[@]}"
}

interop_traps
install_missing

work=$(mktemp -d "${TMPDIR:-/tmp}/facteur-imapd.XXXXXX")
t0=$SECONDS
if [ -n "${FACTEUR_BIN:-}" ]; then
	facteur_bin=$FACTEUR_BIN
else
	bash scripts/deps.sh
	log "building facteur in $work"
	"$GO" build -tags migrated_fynedo -o "$work/bin/facteur" .
	facteur_bin="$work/bin/facteur"
fi
py() { "$PYTHON" "$repo/interop/imapdcheck.py" "$@"; }

smtp=$(interop_free_port $HOST)
imap=$(interop_free_port $HOST)
imaps=$(interop_free_port $HOST)
prof="$work/a"
mkdir -p "$prof/mta"
echo 'marc:{plain}secret' >"$prof/mta/users"
FACTEUR_PROFILE=$prof "$facteur_bin" mta --smtp "$HOST:$smtp" --submission off --pop3 off \
	--imap "$HOST:$imap" --imaps "$HOST:$imaps" --hostname localhost >"$work/mta.log" 2>&1 &
mta_pid=$!
pids+=("$mta_pid")
if interop_wait_port "$mta_pid" $HOST "$imap" && interop_wait_port "$mta_pid" $HOST "$imaps"; then
	pass "facteur mta up: SMTP $HOST:$smtp, IMAP $HOST:$imap (STARTTLS), IMAPS $HOST:$imaps (PID $mta_pid)"
else
	fail "facteur mta did not start"
	cat "$work/mta.log"
	echo "$passed passed, $failed failed"
	exit 1
fi
ca="$prof/mta/tls/cert.pem"
maildir="$prof/mail/Local"
auth=("$imap" "$ca" marc secret)

check "smtplib delivers the test messages through facteur mta" py seed "$smtp" marc@localhost
# The MTA queues what it accepts and its MDA delivers right after: wait
# for the deliveries, not for a time.
inbox_has_16() { [ "$(find "$maildir/INBOX/new" "$maildir/INBOX/cur" -type f ! -name '.*' 2>/dev/null | wc -l)" = 16 ]; }
check "the 16 messages are in INBOX" interop_wait 60 inbox_has_16

# 1. Python's imaplib
check_seconds=0
check "imaplib: every command, bodies byte for byte" py commands "${auth[@]}" "$maildir"
check "imaplib: IDLE woken by a delivery through facteur mta" py idle "${auth[@]}" "$smtp" marc@localhost
check "imaplib: implicit TLS (IMAP4_SSL) on $HOST:$imaps" "$PYTHON" -c "
import imaplib, ssl
ctx = ssl.create_default_context(cafile='$ca'); ctx.check_hostname = False
m = imaplib.IMAP4_SSL('$HOST', $imaps, ssl_context=ctx); m.login('marc', 'secret')
print('  ', m.select('INBOX')[1][0].decode(), 'messages in INBOX over implicit TLS'); m.logout()"
check "server state" py state "${auth[@]}"

# 2. mbsync
cat >"$work/mbsyncrc" <<EOF
IMAPAccount facteur
Host $HOST
Port $imap
User marc
Pass secret
SSLType STARTTLS
CertificateFile $ca

IMAPStore remote
Account facteur

MaildirStore near
Path $work/mbsync/
Inbox $work/mbsync/INBOX
SubFolders Verbatim

Channel facteur
Far :remote:
Near :near:
Patterns *
Create Near
SyncState *
EOF
mkdir -p "$work/mbsync"
check "mbsync pulls every folder" bash -c "mbsync -c '$work/mbsyncrc' -a 2>&1 | tail -3"
check "mbsync: the same folders, bodies and flags as the server" py compare "${auth[@]}" "$work/mbsync"
src=$(find "$work/mbsync/INBOX/cur" "$work/mbsync/INBOX/new" -type f ! -name '*:2,*F*' | sort | head -1)
case "$src" in
*:2,*) dst="${src%%:2,*}:2,F${src##*:2,}" ;;
*) dst="$src:2,F" ;;
esac
[ -z "$src" ] || mv "$src" "${dst/\/new\//\/cur\/}"
check "mbsync pushes a flag set in its Maildir" bash -c "mbsync -c '$work/mbsyncrc' -a 2>&1 | tail -3"
check "mbsync: the server has the flag (bodies and flags compared again)" py compare "${auth[@]}" "$work/mbsync"

# 3. neomutt in batch: read the first message of INBOX, delete it
before=$(py state "${auth[@]}" | sed -n 's/^  INBOX: \([0-9]*\) .*/\1/p')
printf 'Subject: placeholder\n\n' >"$work/neomutt.eml"
cp "$ca" "$work/neomutt-certs"
cat >"$work/muttrc" <<EOF
set folder="imap://marc@$HOST:$imap/"
set imap_pass="secret"
set spoolfile="+INBOX"
set ssl_starttls=yes
set ssl_force_tls=yes
set certificate_file="$work/neomutt-certs"
set header_cache="" message_cachedir=""
set quit=yes delete=yes wait_key=no pipe_decode=no mark_old=no move=no sort=mailbox-order
set record="" postponed=""
EOF
timeout 60 script -qec "TERM=vt100 neomutt -n -F '$work/muttrc' -e 'push \"<first-entry><pipe-message>cat > $work/neomutt.eml<enter><delete-message><sync-mailbox><quit>\"'" /dev/null \
	>"$work/neomutt.log" 2>&1 </dev/null || true
check "neomutt read the first message of INBOX over IMAP" bash -c "grep -q '^Subject: ' '$work/neomutt.eml' && ! grep -q placeholder '$work/neomutt.eml' && grep -m1 '^Subject: ' '$work/neomutt.eml' | sed 's/^/  /'"
check "neomutt deleted it: INBOX has one message less" bash -c "
	after=\$('$PYTHON' '$repo/interop/imapdcheck.py' state ${auth[*]} | sed -n 's/^  INBOX: \([0-9]*\) .*/\1/p')
	echo \"  \$after messages, \$(( $before - 1 )) wanted\"; [ \"\$after\" = \$(( $before - 1 )) ]"

# 4. offlineimap3, both ways, twice, over implicit TLS: its STARTTLS is racy
# (imaplib2 3.05's reader thread still reads the clear socket while the writer
# starts the handshake: "[SSL] internal error" on the client, a clear-text
# record on the server, about one run in three against a quick server).
cat >"$work/offlineimaprc" <<EOF
[general]
accounts = facteur
metadata = $work/offlineimap-meta

[Account facteur]
localrepository = near
remoterepository = far

[Repository near]
type = Maildir
localfolders = $work/offlineimap
sep = /

[Repository far]
type = IMAP
# offlineimap checks the host name itself and knows no IP address in a
# certificate: the MTA's certificate names localhost too
remotehost = localhost
remoteport = $imaps
remoteuser = marc
remotepass = secret
ssl = yes
sslcacertfile = $ca
EOF
mkdir -p "$work/offlineimap"
oi() { offlineimap -c "$work/offlineimaprc" -u basic -o >"$work/offlineimap.log" 2>&1 || { tail -20 "$work/offlineimap.log"; return 1; }; }
check "offlineimap3: first sync" oi
check "offlineimap3: the same folders, bodies and flags as the server" py compare "${auth[@]}" "$work/offlineimap"
src=$(find "$work/offlineimap/Archive/2026" -type f -path '*/cur/*' ! -name '*:2,*F*' | sort | head -1)
[ -z "$src" ] || mv "$src" "${src%%:2,*}:2,F${src##*:2,}"
check "the server flags a message of INBOX" py store "${auth[@]}" INBOX '\Flagged'
check "offlineimap3: second sync, both ways" oi
check "offlineimap3: both flags on both sides" py compare "${auth[@]}" "$work/offlineimap"
snapshot() { (cd "$work/offlineimap" && find . -type f | sort) >"$1"; py state "${auth[@]}" >>"$1"; }
snapshot "$work/oi.before"
check "offlineimap3: third sync" oi
snapshot "$work/oi.after"
check "offlineimap3: the third sync changed nothing on either side" diff "$work/oi.before" "$work/oi.after"

# 5. a second Facteur profile adds the first as an IMAP account
fp=$(openssl x509 -in "$ca" -noout -fingerprint -sha256 | cut -d= -f2 | tr 'A-F' 'a-f')
profb="$work/b"
fb="env -u DBUS_SESSION_BUS_ADDRESS FACTEUR_PROFILE=$profb $facteur_bin"
check "facteur account add --imap $HOST:$imap --security starttls --fingerprint (second profile)" bash -c \
	"echo secret | $fb account add --name local --address marc@localhost --imap '$HOST:$imap' --smtp '$HOST:$smtp' \
	--security starttls --fingerprint '$fp' --user marc --password-stdin 2>&1 | tail -3"
check "facteur sync: headers first" bash -c "$fb sync local 2>&1 | tail -2"
check "second profile: every folder, every message (headers only)" py compare "${auth[@]}" "$profb/mail/local" --partial-ok
check "facteur sync --offline: every body" bash -c "$fb sync --offline local 2>&1 | tail -2"
check "second profile: the same folders, bodies and flags as the server" py compare "${auth[@]}" "$profb/mail/local"

log "done in $((SECONDS - t0)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
