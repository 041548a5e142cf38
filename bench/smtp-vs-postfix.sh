#!/usr/bin/env bash
# SMTP accept and delivery speed, side by side: Postfix's smtp-source drives
# Facteur's MTA (`facteur mta`, delivering into the Local account's Maildir) and
# a private Postfix instance (virtual(8) delivering into a Maildir), on the same
# machine in the same run. Both queues are durable: each fsyncs the queue file
# before its 250 (Postfix's cleanup always does; Facteur's queue, with group
# commit), and both MDAs fsync the Maildir file.
#
#   bash bench/smtp-vs-postfix.sh                 # smtp-source -s 20 -l 5120 -m 20000
#   N=2000 LAT=200 bash bench/smtp-vs-postfix.sh  # a quicker run
#   ROUNDS=1 bash bench/smtp-vs-postfix.sh        # Facteur's N, then Postfix's N
#
# Both servers run during the whole benchmark, and the N messages of each go in
# ROUNDS rounds (default 4) of N/ROUNDS, in the order Facteur, Postfix, Postfix,
# Facteur, Facteur, Postfix...: on a shared machine whose load comes and goes,
# both sides meet the same load. Each round waits until its messages are all
# delivered before the next starts.
#
# Reports, for each: messages/s accepted (N / the sum of smtp-source's wall
# times), messages/s delivered (N / the sum, over the rounds, of the time from
# the round's first connection until all its files are in the Maildir), and the
# accept latency of bench/smtplat (LAT messages one after the other over one
# connection: end of DATA to 250; median, p90, p99); then the ratios, and each
# round's figures. Loopback only: Facteur on 127.0.0.3, Postfix on 127.0.0.2,
# high ports, dnsmasq on 127.0.0.1 for Facteur's reverse look-ups (Postfix reads
# /etc/hosts). Installs postfix and dnsmasq-base with apt-get when missing (as
# root), never starting the system's Postfix; stops exactly the processes it
# started.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-20000}  # messages
S=${S:-20}     # parallel sessions
L=${L:-5120}   # message length
LAT=${LAT:-500} # messages of the latency run
ROUNDS=${ROUNDS:-4}
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
PYTHON=${PYTHON:-python3}

log() { echo "bench: $*"; }

# shellcheck source=interop/lib/common.bash
. interop/lib/common.bash
need=()
[ -x /usr/sbin/postfix ] && [ -x /usr/sbin/smtp-source ] || need+=(postfix)
command -v dnsmasq >/dev/null || [ -x /usr/sbin/dnsmasq ] || need+=(dnsmasq-base)
command -v "$PYTHON" >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "bench: missing ${need[*]}: sudo apt-get install ${need[*]}" >&2
		exit 1
	fi
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	log "installing ${need[*]}"
	interop_apt_install '0019' "${need[@]}"
fi
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)

work=""
pids=()
postfix_dir=""
cleanup() {
	local rc=$? pid
	set +e
	[ -n "$interop_policy_rc_d" ] && rm -f "$interop_policy_rc_d"
	[ -n "$postfix_dir" ] && stop_postfix
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
	[ -n "$work" ] && rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stop_postfix() {
	local master
	master=$(tr -d ' ' <"$pf/spool/pid/master.pid" 2>/dev/null)
	/usr/sbin/postfix -c "$postfix_dir" stop >/dev/null 2>&1
	for _ in $(seq 100); do
		[ -n "$master" ] && kill -0 "$master" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$master" ] && kill -0 "$master" 2>/dev/null && kill "$master"
	postfix_dir=""
}

free_port() {
	"$PYTHON" -c 'import socket,sys; s=socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$1"
}
wait_port() { # PID IP PORT
	for _ in $(seq 150); do
		kill -0 "$1" 2>/dev/null || return 1
		(exec 3<>"/dev/tcp/$2/$3") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t }'; }
count() { # files in a Maildir's new/ and cur/
	local d n=0
	for d in "$1/new" "$1/cur"; do
		[ -d "$d" ] && n=$((n + $(ls -U "$d" | wc -l)))
	done
	echo "$n"
}
# wait_count DIR N T0: waits until DIR holds N messages; prints seconds since T0.
wait_count() {
	local deadline=$((SECONDS + 120 + $2 / 20))
	while [ "$(count "$1")" -lt "$2" ]; do
		if [ $SECONDS -ge $deadline ]; then
			echo "timeout ($(count "$1") of $2)"
			return 1
		fi
		sleep 0.05
	done
	elapsed "$3" "$(now)"
}

work=$(mktemp -d "${TMPDIR:-/tmp}/facteur-smtpbench.XXXXXX")
chmod 755 "$work"
log "N=$N sessions=$S length=$L rounds=$ROUNDS latency run=$LAT, in $work"
"$GO" build -tags migrated_fynedo -o "$work/facteur" .
"$GO" build -o "$work/smtplat" ./bench/smtplat

# ---- Facteur
dns_port=$(free_port 127.0.0.1)
f_port=$(free_port 127.0.0.3)
"$DNSMASQ" --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
	--port="$dns_port" --listen-address=127.0.0.1 --bind-interfaces --user=root --group=root \
	--pid-file="$work/dnsmasq.pid" --host-record=localhost,127.0.0.1 --local=/machin.com/ &
pids+=($!)
prof="$work/profile"
mkdir -p "$prof/mta"
echo 'marc:{plain}secret' >"$prof/mta/users"
echo machin.com >"$prof/mta/domains"
FACTEUR_PROFILE=$prof "$work/facteur" mta --smtp "127.0.0.3:$f_port" --submission off --pop3 off \
	--hostname smtp.machin.com --dns "127.0.0.1:$dns_port" >"$work/facteur.log" 2>&1 &
f_pid=$!
pids+=($f_pid)
wait_port "$f_pid" 127.0.0.3 "$f_port" || { cat "$work/facteur.log" >&2; exit 1; }

# ---- Postfix
pf="$work/postfix"
postfix_dir="$pf/etc"
p_port=$(free_port 127.0.0.2)
mkdir -p "$postfix_dir" "$pf/spool" "$pf/mail"
chown nobody:nogroup "$pf/mail"
cat >"$postfix_dir/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $pf/spool
data_directory = $pf/data
maillog_file = $pf/maillog
maillog_file_prefixes = $pf
syslog_name = postfix-bench
myhostname = smtp.truc.fr
mydomain = truc.fr
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
local_transport = error:no local mailboxes here
virtual_mailbox_domains = truc.fr
virtual_mailbox_base = $pf/mail
virtual_mailbox_maps = texthash:$postfix_dir/vmailbox
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(getent group nogroup | cut -d: -f3)
biff = no
EOF
cat >"$postfix_dir/master.cf" <<EOF
127.0.0.2:$p_port inet n - n - - smtpd
pickup    unix  n - n 60   1 pickup
cleanup   unix  n - n -    0 cleanup
qmgr      unix  n - n 300  1 qmgr
rewrite   unix  - - n -    - trivial-rewrite
bounce    unix  - - n -    0 bounce
defer     unix  - - n -    0 bounce
trace     unix  - - n -    0 bounce
verify    unix  - - n -    1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -    - proxymap
smtp      unix  - - n -    - smtp
showq     unix  n - n -    - showq
error     unix  - - n -    - error
retry     unix  - - n -    - error
discard   unix  - - n -    - discard
virtual   unix  - n n -    - virtual
anvil     unix  - - n -    1 anvil
scache    unix  - - n -    1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
echo "jean@truc.fr truc.fr/jean/" >"$postfix_dir/vmailbox"
/usr/sbin/postfix -c "$postfix_dir" check >/dev/null 2>&1 || true
/usr/sbin/postfix -c "$postfix_dir" start >/dev/null 2>&1 || { cat "$pf/maillog" >&2; exit 1; }
master=$(tr -d ' ' <"$pf/spool/pid/master.pid")
wait_port "$master" 127.0.0.2 "$p_port" || { cat "$pf/maillog" >&2; exit 1; }

# ---- rounds
# round NAME ADDR RCPT MAILDIR M TOTAL: smtp-source sends M messages to ADDR;
# waits until MAILDIR holds TOTAL; adds the times to NAME's sums.
declare -A accept_sum deliver_sum
accept_sum=([Facteur]=0 [Postfix]=0)
deliver_sum=([Facteur]=0 [Postfix]=0)
rounds_log=()
round() {
	local name=$1 addr=$2 rcpt=$3 dir=$4 m=$5 total=$6 t0 t1 acc del
	sync
	t0=$(now)
	/usr/sbin/smtp-source -s "$S" -l "$L" -m "$m" -f bench@bench.test -t "$rcpt" "$addr"
	t1=$(now)
	acc=$(elapsed "$t0" "$t1")
	del=$(wait_count "$dir" "$total" "$t0")
	accept_sum[$name]=$(awk -v a="${accept_sum[$name]}" -v b="$acc" 'BEGIN { print a + b }')
	deliver_sum[$name]=$(awk -v a="${deliver_sum[$name]}" -v b="$del" 'BEGIN { print a + b }')
	rounds_log+=("$(printf '  %-8s %6d msgs  accept %6.2f s (%4.0f/s)  deliver %6.2f s (%4.0f/s)  load %s' \
		"$name" "$m" "$acc" "$(rate "$m" "$acc")" "$del" "$(rate "$m" "$del")" "$(cut -d' ' -f1 /proc/loadavg)")")
}
f_run() { round Facteur "127.0.0.3:$f_port" marc@machin.com "$prof/mail/Local/INBOX" "$1" "$2"; }
p_run() { round Postfix "127.0.0.2:$p_port" jean@truc.fr "$pf/mail/truc.fr/jean" "$1" "$2"; }
log "smtp-source -s $S -l $L -m N/$ROUNDS, Facteur 127.0.0.3:$f_port (marc@machin.com), Postfix 127.0.0.2:$p_port (jean@truc.fr)"
done_n=0
for r in $(seq "$ROUNDS"); do
	m=$((N / ROUNDS))
	[ "$r" = "$ROUNDS" ] && m=$((N - done_n))
	done_n=$((done_n + m))
	if [ $((r % 2)) = 1 ]; then
		f_run "$m" "$done_n"
		p_run "$m" "$done_n"
	else
		p_run "$m" "$done_n"
		f_run "$m" "$done_n"
	fi
done
f_lat=$("$work/smtplat" -addr "127.0.0.3:$f_port" -m "$LAT" -l "$L" -to marc@machin.com)
p_lat=$("$work/smtplat" -addr "127.0.0.2:$p_port" -m "$LAT" -l "$L" -to jean@truc.fr)
kill "$f_pid"
wait "$f_pid" || true
stop_postfix

# ---- report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
f_accept=${accept_sum[Facteur]} p_accept=${accept_sum[Postfix]}
f_deliver=${deliver_sum[Facteur]} p_deliver=${deliver_sum[Postfix]}
f_ar=$(rate "$N" "$f_accept")
p_ar=$(rate "$N" "$p_accept")
echo
echo "smtp-source -s $S -l $L -m $N in $ROUNDS rounds, $(nproc) CPUs, Linux $(uname -r), $(df -T "$work" | awk 'NR == 2 { print $2 }') in $work"
printf '%-8s %10s %12s %10s %12s  %s\n' "" "accept s" "accepted/s" "deliver s" "delivered/s" "accept latency (smtplat, $LAT sequential)"
printf '%-8s %10.2f %12s %10.2f %12s  %s\n' Facteur "$f_accept" "$f_ar" "$f_deliver" "$(rate "$N" "$f_deliver")" "$f_lat"
printf '%-8s %10.2f %12s %10.2f %12s  %s\n' Postfix "$p_accept" "$p_ar" "$p_deliver" "$(rate "$N" "$p_deliver")" "$p_lat"
echo "Facteur/Postfix: accepted/s x$(ratio "$f_ar" "$p_ar"), delivered/s x$(ratio "$p_deliver" "$f_deliver")"
echo "rounds:"
printf '%s\n' "${rounds_log[@]}"
