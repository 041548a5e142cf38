#!/usr/bin/env bash
# Interop of Facteur's DANE (RFC 7672) with a real validating resolver:
# `facteur route` reads the DNSSEC AD bit of unbound's answers about zones
# signed with ldns and served by NSD; none of the three is Facteur's. The
# other suites ask dnsmasq, which does not validate: there no answer is ever
# secure, and nothing checks the secure side of DANE.
#
#   bash interop/dnssec.sh      (as root; or with nsd, unbound, ldnsutils and postfix installed)
#
# Packages: nsd unbound ldnsutils openssl python3 postfix
#
# The zones, signed in the temporary directory with ldns-keygen (a KSK and a
# ZSK, ECDSA P-256) and ldns-signzone, served by `nsd -d` on 127.0.0.1:PORT:
#
#   dane.test    MX 10 mx.dane.test, mx.dane.test A 127.0.0.2,
#                _25._tcp.mx.dane.test TLSA 3 1 1 <SHA-256 of a key's SPKI>
#   bogus.test   the same records, signed, then its MX record changed: the
#                signature no longer matches (a forged answer)
#   plain.test   the same records, not signed (insecure: no trust anchor)
#
# and, in dane.test, for the local MTA (which looks up the TLSA records of
# --mx-port, a test network's port 25):
#
#   _MXPORT._tcp.mx.dane.test   TLSA 3 1 1 <the same SPKI>
#   wrong.dane.test             MX 10 mx2.dane.test, mx2.dane.test A 127.0.0.2,
#   _MXPORT._tcp.mx2.dane.test  TLSA 3 1 1 <the SHA-256 of another key's SPKI>
#
# `unbound -d` on 127.0.0.1:PORT2 validates ("validator iterator"), with the
# DS records of dane.test and bogus.test (from ldns-keygen) as trust anchors
# and stub zones pointing at NSD; the root too is a stub zone at NSD, which
# refuses it, so that unbound never asks a server off this machine.
#
# The checks (interop/danecheck.py reads the JSON of `facteur route --json
# --dns 127.0.0.1:PORT2`): dane.test's MX, addresses and TLSA answers carry
# AD and are secure, and the local MTA's plan for mx.dane.test is DANE,
# TLS required; bogus.test is a temporary DNS failure (unbound's SERVFAIL,
# with extended error 6) flagged dnssec-bogus (exit 1), not a secure domain
# and not a missing one; plain.test answers without AD,
# so its TLSA record is not used. unbound's own log must say that it found
# dane.test secure and bogus.test bogus.
#
# Then `facteur mta` (127.0.0.3, resolving through unbound) relays two
# messages by MX to a private Postfix on 127.0.0.2:MXPORT (interop/lib/
# postfix.bash) whose certificate holds the key the TLSA records of
# mx.dane.test pin: the one to a@dane.test is delivered over TLS with the
# certificate verified by DANE; the one to b@wrong.dane.test stays in the
# queue, deferred with a DANE reason (mx2.dane.test's TLSA record pins
# another key), and Postfix never receives it.
#
# Installs what is missing with apt-get (the packages' services kept from
# starting), starts everything in a temporary directory on loopback high
# ports, stops exactly the processes it started (by PID), and prints
# PASS/FAIL per check and "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
PYTHON=${PYTHON:-python3}
KEEP=${KEEP:-} # KEEP=1 leaves the temporary directory for a post-mortem

log() { echo "interop/dnssec: $*"; }

work=""
# shellcheck source=interop/lib/postfix.bash
. "$repo/interop/lib/postfix.bash"

# ---------------------------------------------------------------- installing

install_missing() {
	local need=()
	[ -x /usr/sbin/nsd ] || need+=(nsd)
	[ -x /usr/sbin/unbound ] || need+=(unbound)
	command -v ldns-signzone >/dev/null || need+=(ldnsutils)
	command -v openssl >/dev/null || need+=(openssl)
	command -v "$PYTHON" >/dev/null || need+=(python3)
	[ -x /usr/sbin/postfix ] || need+=(postfix)
	# Their services would take port 53 (and 8953, unbound's control port).
	interop_install '0035|22F9' "${need[@]}"
}

# At exit: Postfix and the processes of pids stopped, $work removed.
interop_traps postfix_stop

# ---------------------------------------------------------------- zones

# sign_zone ZONE DIR: signs DIR/ZONE.zone with a new KSK and ZSK into
# DIR/ZONE.zone.signed; the KSK's DS record is in DIR/ZONE.ds.
sign_zone() {
	local zone=$1 dir=$2 ksk zsk
	(
		cd "$dir"
		ksk=$(ldns-keygen -r /dev/urandom -a ECDSAP256SHA256 -k "$zone.")
		zsk=$(ldns-keygen -r /dev/urandom -a ECDSAP256SHA256 "$zone.")
		cp "$ksk.ds" "$zone.ds"
		ldns-signzone "$zone.zone" "$ksk" "$zsk"
	)
}

# write_zone ZONE FILE TLSA_DATA [EXTRA]: the zone's records, unsigned.
write_zone() {
	cat >"$2" <<EOF
\$ORIGIN $1.
\$TTL 300
@                  IN SOA  ns.$1. hostmaster.$1. 1 3600 600 86400 300
@                  IN NS   ns.$1.
ns                 IN A    127.0.0.1
@                  IN MX   10 mx.$1.
mx                 IN A    127.0.0.2
_25._tcp.mx        IN TLSA 3 1 1 $3
${4:-}
EOF
}

# ---------------------------------------------------------------- setup

install_missing
for c in nsd unbound; do [ -x "/usr/sbin/$c" ] || { log "no /usr/sbin/$c"; exit 1; }; done
command -v ldns-signzone >/dev/null && command -v "$PYTHON" >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/facteur-interop-dnssec.XXXXXX")
chmod 755 "$work" # Postfix's virtual(8) delivers as nobody below it
t0=$SECONDS
interop_facteur "$work/bin/facteur"
facteur="$work/bin/facteur"

nsd_port=$(interop_free_port 127.0.0.1)
unbound_port=$(interop_free_port 127.0.0.1)
while [ "$unbound_port" = "$nsd_port" ]; do unbound_port=$(interop_free_port 127.0.0.1); done
mx_port=$(interop_free_port 127.0.0.2) # Postfix, the MX hosts of dane.test
f_smtp=$(interop_free_port 127.0.0.3)  # facteur mta

# The key whose SPKI the TLSA records pin (DANE-EE, SPKI, SHA-256).
interop_cert "$work/tls" 127.0.0.2
spki=$(openssl x509 -in "$work/tls/cert.pem" -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -hex | sed 's/^.*= *//')
# Another key, which Postfix does not have: mx2.dane.test's TLSA pins it.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/tls/other.pem" 2>/dev/null
spki_other=$(openssl pkey -in "$work/tls/other.pem" -pubout -outform DER | openssl dgst -sha256 -hex | sed 's/^.*= *//')

zones="$work/zones"
mkdir -p "$zones"
for z in bogus.test plain.test; do write_zone "$z" "$zones/$z.zone" "$spki"; done
write_zone dane.test "$zones/dane.test.zone" "$spki" "_$mx_port._tcp.mx  IN TLSA 3 1 1 $spki
wrong              IN MX   10 mx2.dane.test.
mx2                IN A    127.0.0.2
_$mx_port._tcp.mx2 IN TLSA 3 1 1 $spki_other"
# A forged answer: bogus.test's MX changed after signing, its RRSIG kept.
if ! { sign_zone dane.test "$zones" && sign_zone bogus.test "$zones" &&
	sed -i -E 's/^(bogus\.test\.\s+[0-9]+\s+IN\s+MX\s+)10 /\120 /' "$zones/bogus.test.zone.signed" &&
	grep -qE '^bogus\.test\.\s+[0-9]+\s+IN\s+MX\s+20 ' "$zones/bogus.test.zone.signed"; } >"$work/sign.log" 2>&1; then
	fail "zones signed with ldns-signzone, bogus.test's MX changed after signing"
	sed 's/^/    /' "$work/sign.log"
	echo "$passed passed, $failed failed"
	exit 1
fi

cat >"$work/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1
	port: $nsd_port
	do-ip6: no
	server-count: 1
	username: ""
	chroot: ""
	zonesdir: "$zones"
	database: ""
	zonelistfile: "$work/nsd.zonelist"
	xfrdfile: "$work/nsd.xfrd.state"
	xfrdir: "$work"
	pidfile: "$work/nsd.pid"
	logfile: "$work/nsd.log"
	verbosity: 1
remote-control:
	control-enable: no
zone:
	name: "dane.test"
	zonefile: "dane.test.zone.signed"
zone:
	name: "bogus.test"
	zonefile: "bogus.test.zone.signed"
zone:
	name: "plain.test"
	zonefile: "plain.test.zone"
EOF

{
	cat <<EOF
server:
	interface: 127.0.0.1@$unbound_port
	do-ip6: no
	do-not-query-localhost: no
	access-control: 127.0.0.0/8 allow
	num-threads: 1
	username: ""
	chroot: ""
	directory: "$work"
	pidfile: "$work/unbound.pid"
	use-syslog: no
	logfile: ""
	verbosity: 1
	val-log-level: 2
	# Extended DNS errors (RFC 8914): SERVFAIL says why (6, DNSSEC Bogus).
	ede: yes
	module-config: "validator iterator"
	trust-anchor-signaling: no
	root-key-sentinel: no
	# test. is one of unbound's default local zones (RFC 6761), always
	# NXDOMAIN: let it be resolved (at NSD).
	local-zone: "test." nodefault
EOF
	for z in dane.test bogus.test; do
		printf '\ttrust-anchor: "%s"\n' "$(tr -s ' \t' '  ' <"$zones/$z.ds")"
	done
	# The root, and every zone, at NSD: unbound asks nothing off loopback.
	for z in dane.test bogus.test plain.test .; do
		printf 'stub-zone:\n\tname: "%s"\n\tstub-addr: 127.0.0.1@%s\n' "$z" "$nsd_port"
	done
	printf 'remote-control:\n\tcontrol-enable: no\n'
} >"$work/unbound.conf"

/usr/sbin/nsd -d -c "$work/nsd.conf" >"$work/nsd.out" 2>&1 &
pids+=($!)
nsd_pid=$!
/usr/sbin/unbound -d -c "$work/unbound.conf" >"$work/unbound.log" 2>&1 &
pids+=($!)
unbound_pid=$!

# The local account: the route is the local MTA's, by MX.
prof="$work/facteur"
mkdir -p "$prof/mta"

# Postfix: the MX hosts of dane.test, with the key of the TLSA records.
postfix_setup dnssec
cat >>"$postfix_dir/main.cf" <<EOF
myhostname = mx.dane.test
mydomain = dane.test
myorigin = dane.test
mynetworks = 127.0.0.1/32
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
smtpd_tls_security_level = may
smtpd_tls_cert_file = $work/tls/cert.pem
smtpd_tls_key_file = $work/tls/key.pem
smtpd_tls_loglevel = 1
virtual_mailbox_domains = dane.test wrong.dane.test
EOF
echo "127.0.0.2:$mx_port inet n - n - - smtpd" >>"$postfix_dir/master.cf"
cat >"$postfix_dir/vmailbox" <<EOF
a@dane.test dane.test/a/
b@wrong.dane.test wrong.dane.test/b/
EOF
postfix_start || true

# facteur mta: relays for 127.0.0.1 by MX, resolving through unbound.
mprof="$work/facteur-mta"
mkdir -p "$mprof/mta"
FACTEUR_PROFILE=$mprof "$facteur" mta --smtp "127.0.0.3:$f_smtp" --submission off --pop3 off --imap off \
	--hostname mail.facteur.test --dns "127.0.0.1:$unbound_port" \
	--relay-nets 127.0.0.1/32 --source-ip 127.0.0.3 --mx-port "$mx_port" \
	>"$work/facteur.log" 2>&1 &
pids+=($!)
facteur_pid=$!

ready=1
interop_wait_port "$nsd_pid" 127.0.0.1 "$nsd_port" || { ready=0; cat "$work/nsd.out" "$work/nsd.log" >&2; }
interop_wait_port "$unbound_pid" 127.0.0.1 "$unbound_port" || { ready=0; cat "$work/unbound.log" >&2; }
postfix_wait 127.0.0.2 "$mx_port" || ready=0
interop_wait_port "$facteur_pid" 127.0.0.3 "$f_smtp" || { ready=0; cat "$work/facteur.log" >&2; }
if [ $ready = 1 ]; then
	pass "peers up: nsd 127.0.0.1:$nsd_port (PID $nsd_pid, three zones, two signed), unbound 127.0.0.1:$unbound_port (PID $unbound_pid, validating), Postfix 127.0.0.2:$mx_port (master $postfix_master), facteur mta 127.0.0.3:$f_smtp (PID $facteur_pid)"
else
	fail "peers up"
	sed 's/^/    /' "$work/sign.log"
	echo "$passed passed, $failed failed"
	exit 1
fi

# ---------------------------------------------------------------- checks

# route DOMAIN OUT WANT_EXIT: facteur route --json for x@DOMAIN through
# unbound into OUT; fails unless it exits WANT_EXIT.
route() {
	local rc=0
	FACTEUR_PROFILE=$prof "$facteur" route --json --dns "127.0.0.1:$unbound_port" --timeout 20s \
		"x@$1" >"$2" 2>"$2.err" || rc=$?
	[ "$rc" = "$3" ] || {
		echo "  facteur route x@$1: exit $rc, want $3"
		sed 's/^/  /' "$2.err"
		return 1
	}
}
check_route() {
	local domain=$1 want_exit=$2
	route "$domain" "$work/route-$domain.json" "$want_exit" &&
		"$PYTHON" "$repo/interop/danecheck.py" "$domain" "$work/route-$domain.json" "$spki"
}

check_seconds=0 check "dane.test: MX, address and TLSA answers validated by unbound (AD, secure), the plan for mx.dane.test is DANE, TLS required" \
	check_route dane.test 0
check_seconds=0 check "bogus.test: unbound's SERVFAIL for the forged MX (extended error 6) is a temporary DNS failure flagged dnssec-bogus, not DANE, not NXDOMAIN" \
	check_route bogus.test 1
check_seconds=0 check "plain.test: unsigned, no AD: its TLSA record is not used, the plan is not DANE" \
	check_route plain.test 0

if grep -qE 'validation failure <bogus\.test\. MX IN>' "$work/unbound.log"; then
	pass "unbound says why: $(grep -m1 -oE 'validation failure <bogus\.test\. MX IN>.*' "$work/unbound.log" | cut -c1-160)"
else
	fail "no validation failure for bogus.test's MX in unbound's log"
	tail -20 "$work/unbound.log" | sed 's/^/    /'
fi
if grep -q 'validation failure' "$work/unbound.log" && ! grep 'validation failure' "$work/unbound.log" | grep -qv 'bogus\.test\.'; then
	pass "unbound found nothing bogus in dane.test or plain.test"
else
	fail "validation failures outside bogus.test"
	grep 'validation failure' "$work/unbound.log" | grep -v 'bogus\.test\.' | sed 's/^/    /'
fi

# ---------------------------------------------------------------- the local MTA

# send TO SUBJECT: Python's smtplib hands a message for TO to facteur mta.
send() {
	"$PYTHON" - "$f_smtp" "$1" "$2" <<'PY'
import smtplib, sys
port, to, subject = int(sys.argv[1]), sys.argv[2], sys.argv[3]
msg = (f"From: <x@facteur.test>\r\nTo: <{to}>\r\nSubject: {subject}\r\n"
       f"Message-ID: <{subject.replace(' ', '.')}@facteur.test>\r\n\r\nDANE interop.\r\n")
with smtplib.SMTP("127.0.0.3", port, timeout=30) as s:
    s.sendmail("x@facteur.test", [to], msg)
print(f"  facteur mta accepted the message for {to}")
PY
}
# delivered: Postfix's Maildir of a@dane.test has the message, received
# from Facteur over TLS (ESMTPS), and Facteur logged it sent to
# mx.dane.test, whose plan is DANE with TLS required (the route check
# above; deferred shows the same MTA refusing a key that no TLSA matches).
delivered() {
	local f
	f=$(grep -l '^Subject: dane ok' "$pf/mail/dane.test/a/new/"* 2>/dev/null | head -1)
	[ -n "$f" ] || { echo "  nothing in $pf/mail/dane.test/a/new"; return 1; }
	sed -e ':a;N;$!ba;s/\n[ \t]\+/ /g' "$f" | grep -m1 -E '^Received: from mail\.facteur\.test \(.*\[127\.0\.0\.3\]\) by mx\.dane\.test \(Postfix\) with ESMTPS ' |
		cut -c1-120 | sed 's/^/  /' | grep . &&
		grep -m1 -oE 'TLS connection established from [^:]*\[127\.0\.0\.3\]: TLSv1\.[23]' "$pf/maillog" | sed 's/^/  Postfix: /' | grep . &&
		grep -m1 -oE 'msg=delivery .*to=a@dane\.test relay=mx\.dane\.test .*dsn=2\.0\.0 status=sent' "$work/facteur.log" | sed 's/^/  facteur mta: /' | grep .
}
# deferred: facteur mailq lists b@wrong.dane.test with the DANE reason,
# and facteur mta logged the deferral (4.7.5) after STARTTLS.
deferred() {
	FACTEUR_PROFILE=$mprof "$facteur" mailq >"$work/mailq.txt" 2>&1 || true
	grep -q 'b@wrong\.dane\.test' "$work/mailq.txt" &&
		grep -m1 -oE 'SMTP error 451: DANE: mx2\.dane\.test: .*no TLSA record matches[^)]*' "$work/mailq.txt" | sed 's/^/  facteur mailq: /' | grep . &&
		grep -m1 -oE 'msg=delivery .*to=b@wrong\.dane\.test .*dsn=4\.7\.5 status=deferred' "$work/facteur.log" | sed 's/^/  facteur mta: /' | grep .
}

check_seconds=0 check "smtplib -> facteur mta for a@dane.test" send a@dane.test "dane ok"
check_seconds=0 check "smtplib -> facteur mta for b@wrong.dane.test" send b@wrong.dane.test "dane wrong"
check "a@dane.test: delivered to Postfix over STARTTLS, whose key matches the TLSA record of _$mx_port._tcp.mx.dane.test (plan: DANE, TLS required)" delivered
check "b@wrong.dane.test: deferred, 451 4.7.5 with a DANE reason: Postfix's key does not match mx2.dane.test's TLSA" deferred
if [ -z "$(ls -A "$pf/mail/wrong.dane.test/b/new" 2>/dev/null)" ]; then
	pass "Postfix never received the message for b@wrong.dane.test"
else
	fail "Postfix received the message for b@wrong.dane.test"
fi

log "done in $((SECONDS - t0)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
