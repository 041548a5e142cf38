#!/usr/bin/env bash
# Interop of `facteur sync` with a real Dovecot under network faults (issue
# 11: no message cut, lost, doubled or left behind).
#
#   bash interop/faults.sh     (as root; or with dovecot-imapd installed)
#
# A private Dovecot (interop/lib/dovecot.bash: its own directories, users
# from a passwd-file, 127.0.0.2 high ports) serves a Maildir filled with the
# benchmark corpus (INBOX and Archive, a fixed pattern of flags). A fault
# proxy (internal/faultproxy/cmd/faultproxy) stands between `facteur sync`
# and Dovecot. It connects from 127.0.0.2, the address Dovecot listens on,
# so Dovecot counts the connection as secured and takes a plaintext LOGIN:
# the cuts land in the IMAP bytes themselves, as when a server closes in
# the middle of a message; a few cuts also go through STARTTLS. For each
# of three syncs (--offline: whole messages; headers first; bodies filled
# in after a headers-first sync), a healthy run through a passing proxy
# tells how many bytes Dovecot sends; then, in a fresh profile each time,
# the sync's connection is cut at offsets spread over them (FIN, and RST
# for some), the local Maildir is checked (every message a faithful copy of
# a distinct server message: nothing cut short stored as whole, nothing
# twice), a healthy sync follows, and Facteur's Maildir must equal
# Dovecot's, message for message: bytes (CRLF read as LF) and flags, or
# for header-only copies the header and the size.
#
# Conditions, never fixed sleeps: the proxy's address file, the checks'
# exit codes. Stops exactly the Dovecot and the proxies it started;
# prints PASS/FAIL per check and "N passed, M failed". OFFSETS (8) cuts
# per sync, N (200) messages in INBOX, KEEP=1 keeps the temporary directory.
# Packages: dovecot-core dovecot-imapd dovecot-pop3d openssl python3
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
PYTHON=${PYTHON:-python3}
KEEP=${KEEP:-}
N=${N:-200}
OFFSETS=${OFFSETS:-8}

log() { echo "interop/faults: $*"; }

work=""
# shellcheck source=interop/lib/dovecot.bash
. "$repo/interop/lib/dovecot.bash"
interop_traps dovecot_stop
check_seconds=0

# ---------------------------------------------------------------- setup

dovecot_install
work=$(mktemp -d "${TMPDIR:-/tmp}/facteur-faults.XXXXXX")
chmod 755 "$work" # Dovecot serves the Maildir below it as nobody
t0=$SECONDS
log "building faultproxy and gencorpus in $work"
interop_facteur "$work/bin/facteur"
"$GO" build -o "$work/bin/faultproxy" ./internal/faultproxy/cmd/faultproxy
"$GO" build -o "$work/bin/gencorpus" ./mailstore/internal/corpus/gencorpus
py() { "$PYTHON" "$repo/interop/dovecheck.py" "$@"; }

user=marc
pass=s3cr3t-faults
dovecot_cert
dovecot_setup "$user" "$pass"
md=$dovecot_maildir
"$work/bin/gencorpus" -n "$N" -seed 11 -maildir "$md" >/dev/null
"$work/bin/gencorpus" -n $((N / 3)) -seed 12 -maildir "$md/.Archive" >/dev/null
folders=(INBOX Archive)
dir_of() { if [ "$1" = INBOX ]; then echo "$md"; else echo "$md/.$1"; fi; }
for f in "${folders[@]}"; do
	py setflags "$(dir_of "$f")" >/dev/null
done
dovecot_chown
if dovecot_start; then
	pass "private Dovecot $("$DOVECOT" --version | cut -d' ' -f1) up: IMAP $dovecot_host:$imap_port, master PID $dovecot_pid"
else
	fail "Dovecot did not start"
	echo "$passed passed, $failed failed"
	exit 1
fi

# ---------------------------------------------------------------- the proxy

# proxy_start SCHEDULE [TLS]: a fault proxy to Dovecot's IMAP port, on
# 127.0.0.1:$proxy_port (the same for every proxy: the profiles keep it);
# from $dovecot_host (plaintext logins allowed) unless TLS is given. Waits
# for its address file; sets proxy_pid, proxy_addr.
proxy_port=$(interop_free_port 127.0.0.1)
proxy_start() {
	local source=(-source "$dovecot_host") i
	[ -z "${2:-}" ] || source=()
	rm -f "$work/proxy.addr"
	"$work/bin/faultproxy" -target "$dovecot_host:$imap_port" -listen "127.0.0.1:$proxy_port" "${source[@]}" \
		-schedule "$1" -addr-file "$work/proxy.addr" >/dev/null 2>"$work/proxy.log" &
	proxy_pid=$!
	pids+=("$proxy_pid")
	for i in $(seq 100); do
		[ -s "$work/proxy.addr" ] && break
		kill -0 "$proxy_pid" 2>/dev/null || break
		sleep 0.1
	done
	proxy_addr=$(cat "$work/proxy.addr" 2>/dev/null || true)
	[ -n "$proxy_addr" ] || {
		cat "$work/proxy.log" >&2
		return 1
	}
}

# proxy_stop: stops the proxy (SIGTERM) and sets proxy_conns, proxy_faults
# and proxy_bytes from its last line.
proxy_stop() {
	kill "$proxy_pid" 2>/dev/null || true
	wait "$proxy_pid" 2>/dev/null || true
	pids=("${pids[@]/$proxy_pid/}")
	proxy_conns=0 proxy_faults=0 proxy_bytes=0
	read -r proxy_conns proxy_faults proxy_bytes < <(sed -n \
		's/^faultproxy: \([0-9]*\) connections, \([0-9]*\) faults, \([0-9]*\) bytes down$/\1 \2 \3/p' "$work/proxy.log") || true
}

# ---------------------------------------------------------------- Facteur

# profile_new [TLS]: a fresh profile with the account "dove" through the
# proxy at $proxy_addr (plaintext, or STARTTLS with the certificate pinned).
prof=""
facteur() { env -u DBUS_SESSION_BUS_ADDRESS FACTEUR_PROFILE="$prof" "$work/bin/facteur" "$@"; }
profile_new() {
	prof=$(mktemp -d "$work/profile.XXXXXX")
	local sec=(--security none)
	[ -z "${1:-}" ] || sec=(--security starttls --fingerprint "$dovecot_fp")
	facteur account add --name dove --address marc@machin.com --user "$user" --imap "$proxy_addr" \
		"${sec[@]}" --password-stdin --no-test <<<"$pass" >"$work/add.log" 2>&1
}
local_dir() { echo "$prof/mail/dove/$1"; }

# fcheck MODE SERVER LOCAL: the local Maildir against Dovecot's. MODE
# subset: every local message is a faithful copy of a distinct server
# message (whole: the same bytes, CRLF read as LF; header-only: the same
# header section and the server's size); whole or headers: the two hold
# the same messages, all whole or all header-only, with the same flags.
fcheck() {
	"$PYTHON" - "$@" <<'PY'
import collections, os, re, sys
mode, server, local = sys.argv[1:4]
def files(d):
    for sub in ("cur", "new"):
        if not os.path.isdir(os.path.join(d, sub)):
            continue  # a folder the cut sync had not reached yet: no copy
        for n in sorted(os.listdir(os.path.join(d, sub))):
            with open(os.path.join(d, sub, n), "rb") as f:
                data = f.read().replace(b"\r\n", b"\n")
            m = re.search(r":2,([A-Za-z]*)$", n)
            yield data, "".join(sorted(c for c in (m.group(1) if m else "") if c in "DFRST"))
def header(data):
    i = data.find(b"\n\n")
    return data if i < 0 else data[:i + 1]
srv = collections.Counter()
for data, fl in files(server):
    srv[(data, fl)] += 1
heads = collections.Counter()
for (data, fl), n in srv.items():
    heads[(header(data).rstrip(b"\n"), len(data) + data.count(b"\n"), fl)] += n
whole, partial, bad = collections.Counter(), collections.Counter(), []
for data, fl in files(local):
    if data.startswith(b"X-Facteur-Partial: header-only"):
        mark, _, rest = data.partition(b"\n")
        size = int(re.search(rb"size=(\d+)", mark).group(1))
        partial[(rest.rstrip(b"\n"), size, fl)] += 1
    else:
        whole[(data, fl)] += 1
def strip(c):  # the same without flags
    out = collections.Counter()
    for k, n in c.items():
        out[k[:-1]] += n
    return out
if mode == "subset":
    extra = (strip(whole) - strip(srv)) + (strip(partial) - strip(heads))
    if extra:
        sys.exit("  %d local messages are no server message (cut short, or twice)" % sum(extra.values()))
    print("  %d whole and %d header-only local copies, each a distinct server message" % (sum(whole.values()), sum(partial.values())))
    sys.exit(0)
got, want = (whole, srv) if mode == "whole" else (partial, heads)
other = partial if mode == "whole" else whole
if got != want or other:
    sys.exit("  server %d, Facteur %d %s (+%d of the other kind); %d differ" %
             (sum(want.values()), sum(got.values()), mode, sum(other.values()), sum(((got - want) + (want - got)).values())))
print("  %d messages, %s, identical to Dovecot's with their flags" % (sum(got.values()), "bytes" if mode == "whole" else "headers and sizes"))
PY
}

# check_folders MODE WHAT: fcheck of every folder.
check_folders() {
	local f ok=0
	for f in "${folders[@]}"; do
		if fcheck "$1" "$(dir_of "$f")" "$(local_dir "$f")" >"$work/out" 2>&1; then
			sed "s/^  /  $f: /" "$work/out"
		else
			fail "$2, $f:"
			sed 's/^/    /' "$work/out"
			ok=1
		fi
	done
	return $ok
}

# sync_through SCHEDULE ARGS...: `facteur sync ARGS dove` through a new
# proxy; rc is its exit status, its output in $work/sync.log.
sync_through() {
	local sched=$1
	shift
	proxy_start "$sched" "${tls:-}"
	rc=0
	facteur sync "$@" dove >"$work/sync.log" 2>&1 || rc=$?
	proxy_stop
}

# the three syncs: name, the healthy syncs before the one cut, its options,
# the kind of copies once healed
modes=(offline headers fill)
declare -A before=([offline]="" [headers]="" [fill]="-")
declare -A opts=([offline]=--offline [headers]="" [fill]=--offline)
declare -A healed=([offline]=whole [headers]=headers [fill]=whole)

# prepare MODE: a fresh profile, and for fill a healthy headers-first sync.
prepare() {
	proxy_start pass "${tls:-}"
	profile_new "${tls:-}"
	proxy_stop
	if [ -n "${before[$1]}" ]; then
		sync_through pass
		[ "$rc" = 0 ] || {
			fail "$1: the headers-first sync before the fill failed"
			sed 's/^/    /' "$work/sync.log"
		}
	fi
}

# cut MODE FAULT: the sync of MODE cut by FAULT, checked, healed, checked
# (healed even when the first check failed: a message stored cut short
# would stay so).
cut() {
	local mode=$1 fault=$2 t=$SECONDS cutok=0
	prepare "$mode"
	# shellcheck disable=SC2086 # opts: no option or one
	sync_through "$fault,pass" ${opts[$mode]}
	if [ "$proxy_faults" != 1 ]; then
		fail "$mode $fault: the fault did not strike (sync exit $rc)"
		return
	fi
	local got=$rc
	check_folders subset "$mode $fault, after the cut" >"$work/cut.out" || cutok=1
	# shellcheck disable=SC2086
	sync_through pass ${opts[$mode]}
	if [ "$rc" != 0 ]; then
		fail "$mode $fault: the healthy sync after the cut failed (exit $rc)"
		sed 's/^/    /' "$work/sync.log"
		return
	fi
	if check_folders "${healed[$mode]}" "$mode $fault, healed" >"$work/heal.out" && [ $cutok = 0 ]; then
		pass "$mode ${tls:+STARTTLS }$fault (sync exit $got), then a healthy sync: Facteur's Maildir equals Dovecot's ($((SECONDS - t)) s)"
		sed 's/^  /  after the cut, /' "$work/cut.out"
	else
		cat "$work/cut.out" "$work/heal.out"
	fi
}

# ---------------------------------------------------------------- the cuts

total_cuts=0
tfaults=$SECONDS
for mode in "${modes[@]}"; do
	prepare "$mode"
	# shellcheck disable=SC2086
	sync_through pass ${opts[$mode]}
	if [ "$rc" != 0 ]; then
		fail "$mode: a healthy sync through the proxy failed"
		sed 's/^/    /' "$work/sync.log"
		continue
	fi
	bytes=$proxy_bytes
	if check_folders "${healed[$mode]}" "$mode, healthy" >"$work/out2"; then
		pass "$mode: a healthy sync through the proxy mirrors Dovecot ($bytes bytes from Dovecot)"
		cat "$work/out2"
	else
		cat "$work/out2"
	fi
	# offsets spread over the bytes, past the greeting and the login
	for k in $(seq 0 $((OFFSETS - 1))); do
		off=$((bytes / 50 + (bytes - bytes / 50) * k / OFFSETS + 7 * k))
		cut "$mode" "fin@$off"
		total_cuts=$((total_cuts + 1))
		if [ $((k % 3)) = 1 ]; then
			cut "$mode" "rst@$((off + 1013))"
			total_cuts=$((total_cuts + 1))
		fi
	done
done

# a few cuts through STARTTLS (the proxy connects from elsewhere: Dovecot
# requires TLS); the bytes are TLS records, cut in the middle
tls=1
prepare offline
sync_through pass --offline
if [ "$rc" = 0 ]; then
	bytes=$proxy_bytes
	for k in 1 2; do
		cut offline "fin@$((bytes * k / 3))"
		total_cuts=$((total_cuts + 1))
	done
else
	fail "a healthy sync --offline through STARTTLS failed"
	sed 's/^/    /' "$work/sync.log"
fi
tls=""
log "$total_cuts cuts in $((SECONDS - tfaults)) s"

if grep -E -q 'Fatal|Panic' "$work/dovecot/dovecot.log"; then
	fail "Dovecot logged fatal errors"
	grep -E 'Fatal|Panic' "$work/dovecot/dovecot.log" | head -10 | sed 's/^/    /'
else
	pass "no fatal error in Dovecot's log"
fi

log "done in $((SECONDS - t0)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
