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
#   KEEP=1 bash bench/smtp-vs-postfix.sh          # leaves the temporary directory
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

work=""
# shellcheck source=interop/lib/postfix.bash
. interop/lib/postfix.bash
need=()
[ -x /usr/sbin/postfix ] && [ -x /usr/sbin/smtp-source ] || need+=(postfix)
command -v dnsmasq >/dev/null || [ -x /usr/sbin/dnsmasq ] || need+=(dnsmasq-base)
command -v "$PYTHON" >/dev/null || need+=(python3)
interop_install '0019' "${need[@]}"
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)

# At exit: Postfix and the processes of pids stopped, $work removed
# (interop/lib/common.bash).
interop_traps postfix_stop

free_port() { interop_free_port "$@"; }
wait_port() { interop_wait_port "$@"; }
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
p_port=$(free_port 127.0.0.2)
postfix_setup bench
cat >>"$postfix_dir/main.cf" <<EOF
myhostname = smtp.truc.fr
mydomain = truc.fr
mynetworks = 127.0.0.0/8
virtual_mailbox_domains = truc.fr
EOF
echo "127.0.0.2:$p_port inet n - n - - smtpd" >>"$postfix_dir/master.cf"
echo "jean@truc.fr truc.fr/jean/" >"$postfix_dir/vmailbox"
postfix_start || { cat "$work/postfix.err" "$pf/maillog" >&2; exit 1; }
postfix_wait 127.0.0.2 "$p_port" || exit 1

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
postfix_stop

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
