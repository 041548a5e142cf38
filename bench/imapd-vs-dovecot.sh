#!/usr/bin/env bash
# Side by side: mbsync (isync) pulls N messages (10,000 by default) over
# STARTTLS from Facteur's IMAP server (`facteur mta --imap`, localmta/imapd)
# and from a private Dovecot on the same machine, into empty Maildirs, in
# alternating rounds.
#
#   bash bench/imapd-vs-dovecot.sh         (as root; or with dovecot-imapd and isync installed)
#   N=20000 ROUNDS=3 bash bench/imapd-vs-dovecot.sh
#
# Both servers serve the same generated corpus (mailstore/internal/corpus,
# seed 1): Dovecot from its Maildir, Facteur from the Local account's INBOX
# of a temporary profile, indexed with `facteur rescan` beforehand. Dovecot
# is the one of interop/dovecot.sh (interop/lib/dovecot.bash): its own config
# and Maildir in a temporary directory, on 127.0.0.2 and a high port.
# Before timing, one FETCH of every body warms each server (Dovecot builds
# its index, Facteur gives the UIDs and measures the sizes) and the page
# cache. mbsync fsyncs as it does by default. Stops what it started by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
PYTHON=${PYTHON:-python3}
N=${N:-10000}
ROUNDS=${ROUNDS:-2}
KEEP=${KEEP:-}

log() { echo "bench/imapd-vs-dovecot: $*"; }

work=""
# shellcheck source=interop/lib/dovecot.bash
. "$repo/interop/lib/dovecot.bash"
interop_traps dovecot_stop

dovecot_install isync
work=$(mktemp -d "${TMPDIR:-/tmp}/facteur-bench-imapd.XXXXXX")
chmod 755 "$work"
if [ -n "${FACTEUR_BIN:-}" ]; then
	facteur_bin=$FACTEUR_BIN
else
	"$GO" build -tags migrated_fynedo -o "$work/bin/facteur" .
	facteur_bin=$work/bin/facteur
fi
"$GO" build -o "$work/bin/gencorpus" ./mailstore/internal/corpus/gencorpus

user=marc
pass=s3cr3t-bench
dovecot_cert
dovecot_setup "$user" "$pass"
"$work/bin/gencorpus" -n "$N" -seed 1 -maildir "$dovecot_maildir" >/dev/null
dovecot_chown
dovecot_start

# Facteur: the same corpus in the Local INBOX of a profile, indexed.
prof=$work/facteur
"$work/bin/gencorpus" -n "$N" -seed 1 -maildir "$prof/mail/Local/INBOX" >/dev/null
mkdir -p "$prof/mta"
echo "$user:{plain}$pass" >"$prof/mta/users"
FACTEUR_PROFILE=$prof "$facteur_bin" rescan >/dev/null
f_port=$(interop_free_port 127.0.0.1)
FACTEUR_PROFILE=$prof "$facteur_bin" mta --smtp 127.0.0.1:0 --submission off --pop3 off \
	--imap "127.0.0.1:$f_port" --hostname localhost >"$work/mta.log" 2>&1 &
pids+=("$!")
interop_wait_port "$!" 127.0.0.1 "$f_port"
f_ca=$prof/mta/tls/cert.pem
log "Dovecot $("$DOVECOT" --version | cut -d' ' -f1) on $dovecot_host:$imap_port, Facteur on 127.0.0.1:$f_port, $N messages ($(du -sh "$dovecot_maildir" | cut -f1)); $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# warm HOST PORT CA: one FETCH of every body.
warm() {
	"$PYTHON" - "$@" "$user" "$pass" <<'EOF'
import imaplib, ssl, sys
host, port, ca, user, pw = sys.argv[1:]
ctx = ssl.create_default_context(cafile=ca); ctx.check_hostname = False
m = imaplib.IMAP4(host, int(port)); m.starttls(ssl_context=ctx); m.login(user, pw)
m.select("INBOX", readonly=True)
typ, data = m.uid("FETCH", "1:*", "(UID FLAGS RFC822.SIZE BODY.PEEK[])")
print(sum(1 for d in data if isinstance(d, tuple)))
m.logout()
EOF
}
log "warm-up: Dovecot served $(warm "$dovecot_host" "$imap_port" "$work/dovecot/cert.pem") messages, Facteur $(warm 127.0.0.1 "$f_port" "$f_ca")"

# mbsyncrc NAME HOST PORT CA: an mbsync configuration pulling everything
# into $work/pull-NAME.
mbsyncrc() {
	local dir=$work/pull-$1
	mkdir -p "$dir/mail"
	cat >"$dir/mbsyncrc" <<EOF
IMAPAccount $1
Host $2
Port $3
User $user
Pass $pass
SSLType STARTTLS
CertificateFile $4

IMAPStore remote
Account $1

MaildirStore local
Path $dir/mail/
Inbox $dir/mail/INBOX
SubFolders Verbatim

Channel $1
Far :remote:
Near :local:
Patterns *
Create Near
Sync Pull
SyncState *
EOF
}
mbsyncrc dovecot "$dovecot_host" "$imap_port" "$work/dovecot/cert.pem"
mbsyncrc facteur 127.0.0.1 "$f_port" "$f_ca"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# pull NAME: an empty Maildir, then mbsync (its state goes with the
# Maildir: SyncState *), timed; prints seconds and messages.
pull() {
	local dir=$work/pull-$1 t n
	rm -rf "$dir/mail" "$dir/log"
	mkdir -p "$dir/mail"
	t=$(now)
	mbsync -c "$dir/mbsyncrc" -q -a >>"$dir/log" 2>&1
	t=$(elapsed "$t")
	n=$(find "$dir/mail/INBOX/cur" "$dir/mail/INBOX/new" -type f | wc -l)
	echo "$t $n"
}

echo
echo "mbsync (isync $(mbsync -v | cut -d' ' -f2)) pulling $N messages over STARTTLS, $ROUNDS rounds:"
f_all=() d_all=()
for r in $(seq "$ROUNDS"); do
	read -r ft fn < <(pull facteur)
	read -r dt dn < <(pull dovecot)
	printf '  round %d: from Facteur %7s s (%d messages)   from Dovecot %7s s (%d messages)   Dovecot/Facteur %s\n' \
		"$r" "$ft" "$fn" "$dt" "$dn" "$(awk -v d="$dt" -v f="$ft" 'BEGIN { printf "%.2fx", d / f }')"
	f_all+=("$ft") d_all+=("$dt")
	if [ "$fn" != "$N" ] || [ "$dn" != "$N" ]; then
		echo "bench/imapd-vs-dovecot: expected $N messages from both servers" >&2
		exit 1
	fi
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
fm=$(median "${f_all[@]}")
dm=$(median "${d_all[@]}")
printf '  median: Facteur %s s, Dovecot %s s: Facteur at %s Dovecot'"'"'s speed (goal: at least 1x); load average now %s\n' \
	"$fm" "$dm" "$(awk -v d="$dm" -v f="$fm" 'BEGIN { printf "%.2fx", d / f }')" "$(cut -d' ' -f1-3 /proc/loadavg)"
