#!/usr/bin/env bash
# Interop of Facteur's MTA, MDA and POP3 server with real peers nobody here wrote:
# Postfix (a private instance, as peer MTA in both directions), swaks (SMTP
# client), dnsmasq (the course's MX records), mutt (the course's MUA: it sends
# through `facteur sendmail` and reads back the Maildir and the mbox spool the
# MDA wrote), fetchmail (collecting over POP3 with STLS, keeping then
# deleting) and Python's mailbox and poplib modules (reading the Maildir and
# the mbox spool, collecting over POP3).
#
#   bash interop/mta.sh         (as root; or with postfix, swaks and dnsmasq installed)
#
# Packages: postfix swaks libnet-ssleay-perl dnsmasq-base python3 mutt bsdutils fetchmail
#
# The course's itinerary, on loopback addresses and high ports only:
#
#   machin.com  MX 10 smtp.machin.com -> 127.0.0.3   facteur mta (Maildir of the Local account)
#   truc.fr     MX 10 smtp.truc.fr    -> 127.0.0.2   Postfix (virtual Maildirs)
#   chose.org   MX 5  mx1.chose.org   -> 127.0.0.9   (nothing listens: the best MX is down)
#               MX 10 mx2.chose.org   -> 127.0.0.2   Postfix
#   nomx.test   A 127.0.0.2 and no MX                Postfix (the RFC 5321 §5.1 fallback)
#   bidule.net                         127.0.0.4     facteur mta --deliver mbox (mail.bidule.net)
#   sts.test    MX 10 mx.sts.test     -> 127.0.0.9   (no mail sent: `facteur route` reads its
#               _mta-sts and _smtp._tls TXT records and a TLSA record of mx.sts.test)
#   null.test   MX 0 . (RFC 7505), and void.test, which does not exist: flagged by `facteur route`
#
# Postfix resolves with the system's resolver, which knows none of this, so it
# reaches Facteur through its transport table ("machin.com smtp:[127.0.0.3]:PORT",
# the course's "Tables de transport"); Facteur reaches Postfix through its own
# transport file for truc.fr, and through dnsmasq's MX records for chose.org and
# nomx.test, on the high port that `facteur mta --mx-port` gives every MX host (a
# test network's port 25). It connects from its own address (--source-ip
# 127.0.0.3) and relays for 127.0.0.1 only (--relay-nets 127.0.0.1/32): a client
# on 127.0.0.5 is refused. The mbox instance reads its options from the file
# mta/options of its profile.
#
# Installs what is missing with apt-get (postfix preseeded to "No configuration"
# and kept from starting, dnsmasq-base without its service), starts everything in
# a temporary directory, stops exactly the processes it started (by PID; Postfix
# with `postfix -c DIR stop`), and prints PASS/FAIL per check and "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
PYTHON=${PYTHON:-python3}
KEEP=${KEEP:-} # KEEP=1 leaves the temporary directory for a post-mortem

log() { echo "interop/mta: $*"; }

work=""
# shellcheck source=interop/lib/postfix.bash
. "$repo/interop/lib/postfix.bash"

# ---------------------------------------------------------------- installing

install_missing() {
	local need=()
	[ -x /usr/sbin/postfix ] && [ -x /usr/sbin/smtp-source ] || need+=(postfix)
	command -v swaks >/dev/null || need+=(swaks)
	perl -MNet::SSLeay -e 1 2>/dev/null || need+=(libnet-ssleay-perl) # swaks's STARTTLS
	command -v dnsmasq >/dev/null || [ -x /usr/sbin/dnsmasq ] || need+=(dnsmasq-base)
	command -v "$PYTHON" >/dev/null || need+=(python3)
	command -v mutt >/dev/null || need+=(mutt)
	command -v script >/dev/null || need+=(bsdutils) # a tty for mutt's reading checks
	command -v fetchmail >/dev/null || need+=(fetchmail)
	interop_install '0019' "${need[@]}"
}

# ---------------------------------------------------------------- bookkeeping

# At exit: Postfix and the processes of pids stopped, $work removed
# (interop/lib/common.bash, with pass, fail, retry and check NAME CMD...).
interop_traps postfix_stop

# muttcheck maildir DIR SUBJECT BODY | piped FILE BODY SENDER | mbox FILE SENT...:
# the checks of what mutt sent and read (Python's mailbox for the Maildir).
muttcheck() {
	"$PYTHON" - "$@" <<'EOF'
import mailbox, re, sys

SEP = b"-- facteur interop: end of message --\n"

def split(data):
    data = data.replace(b"\r\n", b"\n")
    i = data.find(b"\n\n")
    return data[: i + 1], data[i + 2 :]

def same_body(what, got, want):
    if got != want:
        at = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
        print("  %s: body of %d bytes, want %d; first difference at byte %d" % (what, len(got), len(want), at))
        sys.exit(1)

def field(head, name):
    m = re.search(rb"(?im)^" + name + rb":[ \t]*(.*)$", head)
    return m.group(1).decode("utf-8", "replace") if m else ""

mode, args = sys.argv[1], sys.argv[2:]
if mode == "maildir":
    box = mailbox.Maildir(args[0], factory=None, create=False)
    want = open(args[2], "rb").read()
    found = [k for k in box.keys() if field(split(box.get_bytes(k))[0], b"Subject") == args[1]]
    if len(found) != 1:
        print("  %d messages with Subject %r, want 1" % (len(found), args[1]))
        sys.exit(1)
    head, body = split(box.get_bytes(found[0]))
    same_body(found[0], body, want)
    print("  %s: Return-Path %s, Message-ID %s (made by mutt), %d body bytes identical" % (
        found[0], field(head, b"Return-Path"), field(head, b"Message-ID"), len(body)))
elif mode == "piped":
    head, body = split(open(args[0], "rb").read().split(SEP)[0])
    same_body(args[0], body, open(args[1], "rb").read())
    if field(head, b"Return-Path") != "<" + args[2] + ">":
        print("  Return-Path %r" % field(head, b"Return-Path"))
        sys.exit(1)
    print("  mutt piped %d body bytes, identical; Return-Path %s" % (len(body), field(head, b"Return-Path")))
elif mode == "mbox":
    msgs = [m for m in open(args[0], "rb").read().split(SEP) if m.strip()]
    if len(msgs) != len(args) - 1:
        print("  mutt piped %d messages, want %d" % (len(msgs), len(args) - 1))
        sys.exit(1)
    for got, sent in zip(msgs, args[1:]):
        if got.startswith(b"From "):  # the From_ line of the mbox
            got = got.split(b"\n", 1)[1]
        # mutt shows the stored bytes: undo the mboxrd quoting of the MDA
        got = re.sub(rb"(?m)^>(>*From )", rb"\1", got)
        if got.endswith(b"\n\n"):  # the blank line between mbox messages
            got = got[:-1]
        same_body(sent, split(got)[1], split(open(sent, "rb").read())[1])
    print("  mutt piped %d messages from the mbox, bodies identical" % len(msgs))
EOF
}

free_port() { interop_free_port "$@"; }
wait_port() { interop_wait_port "$@"; }

# ---------------------------------------------------------------- setup

install_missing
command -v swaks >/dev/null && [ -x /usr/sbin/postfix ] && command -v "$PYTHON" >/dev/null
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)

work=$(mktemp -d "${TMPDIR:-/tmp}/facteur-interop.XXXXXX")
chmod 755 "$work" # Postfix's virtual(8) delivers as nobody below it
t0=$SECONDS
interop_facteur "$work/bin/facteur"
facteur="$work/bin/facteur"
check_py="$repo/interop/mailcheck.py"
py() { "$PYTHON" "$check_py" "$@"; }

dns_port=$(free_port 127.0.0.1)
f_smtp=$(free_port 127.0.0.3)
f_sub=$(free_port 127.0.0.3)
f_pop=$(free_port 127.0.0.3)
p_smtp=$(free_port 127.0.0.2)
m_smtp=$(free_port 127.0.0.4)

# dnsmasq: the course's DNS, authoritative for nothing but these records.
"$DNSMASQ" --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
	--port="$dns_port" --listen-address=127.0.0.1 --bind-interfaces \
	--pid-file="$work/dnsmasq.pid" --user=root --group=root \
	--log-queries --log-facility="$work/dnsmasq.log" \
	--mx-host=machin.com,smtp.machin.com,10 --host-record=smtp.machin.com,127.0.0.3 \
	--mx-host=truc.fr,smtp.truc.fr,10 --host-record=smtp.truc.fr,127.0.0.2 \
	--mx-host=chose.org,mx1.chose.org,5 --host-record=mx1.chose.org,127.0.0.9 \
	--mx-host=chose.org,mx2.chose.org,10 --host-record=mx2.chose.org,127.0.0.2 \
	--host-record=nomx.test,127.0.0.2 \
	--host-record=client.bidule.net,127.0.0.1 \
	--mx-host=sts.test,mx.sts.test,10 --host-record=mx.sts.test,127.0.0.9 \
	--txt-record=_mta-sts.sts.test,"v=STSv1; id=20261206" \
	--txt-record=_smtp._tls.sts.test,"v=TLSRPTv1; rua=mailto:tlsrpt@sts.test" \
	--dns-rr=_25._tcp.mx.sts.test,52,030101$(printf 'ab%.0s' $(seq 32)) \
	--dns-rr=null.test,15,000000 \
	--local=/machin.com/truc.fr/chose.org/nomx.test/bidule.net/sts.test/null.test/void.test/ \
	2>"$work/dnsmasq.err" &
pids+=($!)
dnsmasq_pid=$!

# Postfix: a private instance, its own config, queue and data directories.
postfix_setup interop
cat >>"$postfix_dir/main.cf" <<EOF
myhostname = smtp.truc.fr
mydomain = truc.fr
myorigin = truc.fr
# Postfix refuses an inet_interfaces address that no interface has (lo has
# 127.0.0.1/8, inet_interfaces = loopback-only): master.cf binds 127.0.0.2,
# and so does the smtp client.
smtp_bind_address = 127.0.0.2
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
smtp_tls_security_level = may
smtp_tls_loglevel = 1
transport_maps = texthash:$postfix_dir/transport
virtual_mailbox_domains = truc.fr chose.org nomx.test
EOF
echo "127.0.0.2:$p_smtp inet n - n - - smtpd" >>"$postfix_dir/master.cf"
echo "machin.com smtp:[127.0.0.3]:$f_smtp" >"$postfix_dir/transport"
cat >"$postfix_dir/vmailbox" <<EOF
jean@truc.fr truc.fr/jean/
paul@chose.org chose.org/paul/
zoe@nomx.test nomx.test/zoe/
EOF
postfix_start || true

# Facteur: a temporary profile; its MTA is smtp.machin.com.
prof="$work/facteur"
mkdir -p "$prof/mta"
cat >"$prof/mta/users" <<EOF
marc:{plain}secret
anne:{plain}s3cr3t
EOF
echo machin.com >"$prof/mta/domains"
cat >"$prof/mta/transport" <<EOF
# the course's transport table: truc.fr straight to its host, no MX look-up;
# chose.org and nomx.test go by their MX records (dnsmasq), to port --mx-port
truc.fr smtp:[127.0.0.2]:$p_smtp
EOF
FACTEUR_PROFILE=$prof "$facteur" mta --smtp "127.0.0.3:$f_smtp" --submission "127.0.0.3:$f_sub" \
	--pop3 "127.0.0.3:$f_pop" --imap off --hostname smtp.machin.com --dns "127.0.0.1:$dns_port" \
	--relay-nets 127.0.0.1/32 --source-ip 127.0.0.3 --mx-port "$p_smtp" \
	>"$work/facteur.log" 2>&1 &
pids+=($!)
facteur_pid=$!
inbox="$prof/mail/Local/INBOX"

# Facteur's MTA with the mbox spool MDA: mail.bidule.net, delivering into
# mta/mail/<login> (the course's /var/mail/login); options from mta/options.
prof_mbox="$work/facteur-mbox"
mkdir -p "$prof_mbox/mta"
echo 'marc:{plain}secret' >"$prof_mbox/mta/users"
echo bidule.net >"$prof_mbox/mta/domains"
cat >"$prof_mbox/mta/options" <<EOF
# options of facteur mta, one a line, without their dashes
smtp 127.0.0.4:$m_smtp
submission off
pop3 off
imap off
hostname mail.bidule.net
EOF
FACTEUR_PROFILE=$prof_mbox "$facteur" mta --deliver mbox >"$work/mboxmta.log" 2>&1 &
pids+=($!)
mboxmta_pid=$!
mbox_dir="$prof_mbox/mta"

ready=1
wait_port "$dnsmasq_pid" 127.0.0.1 "$dns_port" || { ready=0; cat "$work/dnsmasq.err" >&2; }
postfix_wait 127.0.0.2 "$p_smtp" || ready=0
wait_port "$facteur_pid" 127.0.0.3 "$f_smtp" || { ready=0; cat "$work/facteur.log" >&2; }
wait_port "$mboxmta_pid" 127.0.0.4 "$m_smtp" || { ready=0; cat "$work/mboxmta.log" >&2; }
if [ $ready = 1 ]; then
	pass "peers up: dnsmasq 127.0.0.1:$dns_port (PID $dnsmasq_pid), Postfix 127.0.0.2:$p_smtp (master $postfix_master), facteur mta 127.0.0.3:$f_smtp/$f_sub/$f_pop (PID $facteur_pid), facteur mta --deliver mbox 127.0.0.4:$m_smtp (PID $mboxmta_pid)"
else
	fail "peers up"
	echo "$passed passed, $failed failed"
	exit 1
fi

# ---------------------------------------------------------------- checks

sent="$work/sent"
mkdir -p "$sent"
# swaks_to NAME SERVER PORT FROM TO [swaks options]: sends message NAME (a new
# file in $sent), transcript in $work/swaks-NAME.log.
swaks_to() {
	local name=$1 server=$2 port=$3 from=$4 to=$5
	shift 5
	py gen "$name" "$from" "$to" "interop $name" "$sent/$name.eml"
	# swaks ends DATA with CRLF . CRLF after the text: give it the text without
	# its last newline, or the message would gain an empty line.
	head -c -1 "$sent/$name.eml" >"$sent/$name.data"
	swaks --server "$server" --port "$port" --helo client.bidule.net --from "$from" --to "$to" \
		--data "@$sent/$name.data" "$@" >"$work/swaks-$name.log" 2>&1
}
# accepted NAME: swaks's transcript shows the 250 to the end of DATA.
# reply_of_data NAME: the server's reply to the end of DATA.
reply_of_data() { awk '/^ *[-~]> \.$/ { f = 1; next } f && /^<[-~*]/ { sub(/^<[-~*]+ +/, ""); print; exit }' "$work/swaks-$1.log"; }
# first_error NAME: the first 4xx/5xx reply swaks got.
first_error() { grep -m1 -E '^<[-~*]+ +[45][0-9][0-9][ -]' "$work/swaks-$1.log" | sed -E 's/^<[-~*]+ +//'; }

# 1. swaks -> Facteur -> Maildir
if swaks_to direct 127.0.0.3 "$f_smtp" jean@truc.fr marc@machin.com; then
	pass "swaks -> facteur mta: $(reply_of_data direct)"
else
	fail "swaks -> facteur mta"
	sed 's/^/    /' "$work/swaks-direct.log"
fi
check "facteur's MDA wrote it into the Local Maildir, Received by Facteur, body byte for byte" \
	py maildir "$inbox" "$sent/direct.eml" \
	--trace '^Return-Path: <jean@truc\.fr>$' \
	--trace '^Delivered-To: marc@machin\.com$' \
	--trace '^Received: from client\.bidule\.net \(client\.bidule\.net \[127\.0\.0\.1\]\) by smtp\.machin\.com \(Facteur\) with ESMTP id \S+ for <marc@machin\.com>; '

# 2. STARTTLS
if swaks_to tls 127.0.0.3 "$f_smtp" jean@truc.fr anne@machin.com -tls; then
	pass "swaks STARTTLS -> facteur mta: $(reply_of_data tls)"
else
	fail "swaks STARTTLS -> facteur mta"
	sed 's/^/    /' "$work/swaks-tls.log"
fi
check "STARTTLS session recorded as ESMTPS with the TLS version and cipher" \
	py maildir "$inbox" "$sent/tls.eml" \
	--trace 'by smtp\.machin\.com \(Facteur\) with ESMTPS id \S+ \(using TLSv1\.[23] with cipher \S+\) for <anne@machin\.com>'

# 3. swaks -> Postfix -> (transport table) -> Facteur -> Maildir
if swaks_to viapostfix 127.0.0.2 "$p_smtp" jean@truc.fr marc@machin.com; then
	pass "swaks -> Postfix (relay for machin.com): $(reply_of_data viapostfix)"
else
	fail "swaks -> Postfix"
	sed 's/^/    /' "$work/swaks-viapostfix.log"
fi
check "Postfix relayed into Facteur (transport table), Maildir has both Received lines" \
	py maildir "$inbox" "$sent/viapostfix.eml" \
	--trace '^Received: from smtp\.truc\.fr \(smtp\.truc\.fr \[127\.0\.0\.2\]\) by smtp\.machin\.com \(Facteur\) with ESMTPS id \S+ \(using TLSv1\.[23] ' \
	--trace '^Received: from client\.bidule\.net \(.*127\.0\.0\.1.*\) by smtp\.truc\.fr \(Postfix\)'

if grep -q 'TLS connection established to 127\.0\.0\.3' "$pf/maillog"; then
	pass "Postfix's smtp client used STARTTLS with Facteur: $(grep -m1 -o 'TLS connection established to 127\.0\.0\.3.*' "$pf/maillog")"
else
	fail "Postfix's smtp client did not use STARTTLS with Facteur"
fi

# 4. swaks -> Facteur -> (transport [127.0.0.2]) -> Postfix -> Maildir
if swaks_to out 127.0.0.3 "$f_smtp" marc@machin.com jean@truc.fr; then
	pass "swaks -> facteur mta for truc.fr: $(reply_of_data out)"
else
	fail "swaks -> facteur mta for truc.fr"
	sed 's/^/    /' "$work/swaks-out.log"
fi
check "Facteur relayed to Postfix (transport file) from its --source-ip 127.0.0.3, Postfix's Maildir has it" \
	py maildir "$pf/mail/truc.fr/jean" "$sent/out.eml" \
	--trace '^Received: from smtp\.machin\.com \(.*\[127\.0\.0\.3\]\) by smtp\.truc\.fr \(Postfix\) with ESMTP id \S+ for <jean@truc\.fr>' \
	--trace '^Received: from client\.bidule\.net .* by smtp\.machin\.com \(Facteur\) with ESMTP id \S+ for <jean@truc\.fr>'

# 5. MX from dnsmasq: the best MX is down, the next one takes it
if swaks_to mx 127.0.0.3 "$f_smtp" marc@machin.com paul@chose.org; then
	pass "swaks -> facteur mta for chose.org: $(reply_of_data mx)"
else
	fail "swaks -> facteur mta for chose.org"
	sed 's/^/    /' "$work/swaks-mx.log"
fi
check "MX of chose.org from dnsmasq: MX 5 (127.0.0.9) down, delivered by MX 10 (Postfix) on --mx-port $p_smtp" \
	py maildir "$pf/mail/chose.org/paul" "$sent/mx.eml" \
	--trace '^Received: from smtp\.machin\.com .*by smtp\.truc\.fr \(Postfix\)'
if grep -q 'query\[MX\] chose\.org from 127\.0\.0\.' "$work/dnsmasq.log" && grep -q 'mx1\.chose\.org' "$work/dnsmasq.log"; then
	pass "Facteur asked dnsmasq for chose.org's MX and the MX hosts' addresses"
else
	fail "no MX query for chose.org in dnsmasq's log"
	sed 's/^/    /' "$work/dnsmasq.log" | tail -20
fi

# 6. no MX: the A record (RFC 5321 §5.1)
if swaks_to nomx 127.0.0.3 "$f_smtp" marc@machin.com zoe@nomx.test; then
	pass "swaks -> facteur mta for nomx.test: $(reply_of_data nomx)"
else
	fail "swaks -> facteur mta for nomx.test"
	sed 's/^/    /' "$work/swaks-nomx.log"
fi
check "nomx.test has no MX: Facteur fell back to its A record (Postfix)" \
	py maildir "$pf/mail/nomx.test/zoe" "$sent/nomx.eml"

# 6b. the delivery preview of the Local account: facteur route asks dnsmasq
# (MX, implicit and null MX, A/AAAA, the MTA-STS and TLS-RPT TXT records, TLSA)
# and applies the profile's domains and transport table; exit 1: two domains
# cannot take the message.
route_preview() {
	local rc=0
	FACTEUR_PROFILE=$prof "$facteur" route --json --dns "127.0.0.1:$dns_port" --timeout 20s \
		marc@machin.com jean@truc.fr paul@chose.org zoe@nomx.test bob@sts.test x@null.test y@void.test \
		>"$work/route.json" || rc=$?
	[ "$rc" = 1 ] || { echo "facteur route: exit $rc, want 1"; return 1; }
	"$PYTHON" "$repo/interop/routecheck.py" "$work/route.json" "$p_smtp"
}
check_seconds=0 check "facteur route: the path and the DNS facts of seven domains from dnsmasq, null MX and NXDOMAIN flagged" route_preview
if grep -q 'query\[TLSA\] _25\._tcp\.mx\.sts\.test' "$work/dnsmasq.log" && grep -q 'query\[TXT\] _mta-sts\.sts\.test' "$work/dnsmasq.log"; then
	pass "facteur route asked dnsmasq for the TLSA record of mx.sts.test and the _mta-sts TXT record of sts.test"
else
	fail "no TLSA or _mta-sts query in dnsmasq's log"
	grep 'sts\.test' "$work/dnsmasq.log" | sed 's/^/    /' | tail -20
fi

# 7. submission: AUTH required; with AUTH (under TLS) it relays
if swaks_to noauth 127.0.0.3 "$f_sub" marc@machin.com jean@truc.fr; then
	fail "submission without AUTH accepted the message"
else
	reply=$(first_error noauth)
	if [[ $reply =~ ^5[0-9][0-9]\ 5\.7\. ]]; then
		pass "submission port refuses mail without AUTH: $reply"
	else
		fail "submission without AUTH: unexpected reply"
		sed 's/^/    /' "$work/swaks-noauth.log"
	fi
fi
if swaks_to badauth 127.0.0.3 "$f_sub" marc@machin.com jean@truc.fr -tls -a PLAIN -au marc -ap wrong; then
	fail "submission accepted a wrong password"
else
	reply=$(first_error badauth)
	if [[ $reply =~ ^535 ]]; then pass "submission refuses a wrong password: $reply"; else
		fail "submission, wrong password: unexpected reply"
		sed 's/^/    /' "$work/swaks-badauth.log"
	fi
fi
if swaks_to auth 127.0.0.3 "$f_sub" marc@machin.com jean@truc.fr -tls -a PLAIN -au marc -ap secret; then
	pass "submission with STARTTLS + AUTH PLAIN relays: $(reply_of_data auth)"
else
	fail "submission with AUTH"
	sed 's/^/    /' "$work/swaks-auth.log"
fi
check "authenticated submission reached Postfix, Received says ESMTPSA" \
	py maildir "$pf/mail/truc.fr/jean" "$sent/auth.eml" \
	--trace 'by smtp\.machin\.com \(Facteur\) with ESMTPSA id '

# 7b. relay control: --relay-nets 127.0.0.1/32, so 127.0.0.5 may not relay
if swaks_to relaydenied 127.0.0.3 "$f_smtp" marc@machin.com jean@truc.fr --local-interface 127.0.0.5; then
	fail "a client outside --relay-nets relayed to truc.fr"
else
	reply=$(first_error relaydenied)
	if [[ $reply == "554 5.7.1 Relay access denied" ]]; then
		pass "client 127.0.0.5, outside --relay-nets 127.0.0.1/32, refused at RCPT: $reply"
	else
		fail "relay from 127.0.0.5: unexpected reply"
		sed 's/^/    /' "$work/swaks-relaydenied.log"
	fi
fi
if grep -q 'rcpt refused.*client=127\.0\.0\.5 .*rcpt=jean@truc\.fr' "$work/facteur.log"; then
	pass "Facteur saw the client as 127.0.0.5: $(grep -m1 -o 'smtp rcpt refused.*client=127\.0\.0\.5.*' "$work/facteur.log")"
else
	fail "no refused RCPT from 127.0.0.5 in Facteur's log"
fi

# 8. unknown local user
if swaks_to nouser 127.0.0.3 "$f_smtp" jean@truc.fr nobody@machin.com; then
	fail "an unknown local user was accepted"
else
	reply=$(first_error nouser)
	if [[ $reply =~ ^550\ 5\.1\.1 ]]; then pass "unknown local user refused at RCPT: $reply"; else
		fail "unknown local user: unexpected reply"
		sed 's/^/    /' "$work/swaks-nouser.log"
	fi
fi

# 9. facteur sendmail -> the running daemon -> Maildir
py gen sendmail root@localhost anne@machin.com "interop sendmail" "$sent/sendmail.eml"
if FACTEUR_PROFILE=$prof "$facteur" sendmail -oi -f jean@truc.fr anne@machin.com <"$sent/sendmail.eml" >"$work/sendmail.log" 2>&1; then
	check "facteur sendmail injected it; the MDA wrote it into the Maildir" \
		py maildir "$inbox" "$sent/sendmail.eml" --trace '^Delivered-To: anne@machin\.com$' --trace '\(Facteur\)'
else
	fail "facteur sendmail"
	sed 's/^/    /' "$work/sendmail.log"
fi

# 10. the mbox spool: two messages through SMTP into mail/marc
ok=1
swaks_to mbox1 127.0.0.4 "$m_smtp" jean@truc.fr marc@bidule.net || ok=0
retry 20 test -s "$mbox_dir/mail/marc" || ok=0
swaks_to mbox2 127.0.0.4 "$m_smtp" paul@chose.org marc@bidule.net || ok=0
if [ $ok = 1 ]; then
	check "Python's mailbox.mbox reads mta/mail/marc that facteur mta --deliver mbox wrote, message for message, bodies byte for byte" \
		py mbox "$mbox_dir/mail/marc" jean@truc.fr "$sent/mbox1.eml" paul@chose.org "$sent/mbox2.eml"
else
	fail "swaks -> facteur mta --deliver mbox"
	sed 's/^/    /' "$work"/swaks-mbox*.log "$work/mboxmta.log"
fi
if grep -q '^>From the course' "$mbox_dir/mail/marc" && grep -q '^>>From an already' "$mbox_dir/mail/marc"; then
	pass "mbox spool quotes From_ lines in the body the mboxrd way"
else
	fail "mbox spool: no >From quoting"
fi

# 10b. mutt, the course's MUA: it sends through facteur sendmail, then reads
# what the MDAs wrote, on a pseudo-terminal (script), its keys pushed by -e.
# $folder must exist: else mutt first asks whether to create it (~/Mail on a
# fresh machine), and that question takes the pushed keys.
muttrc="$work/muttrc"
mkdir -p "$work/mutt"
cat >"$muttrc" <<EOF
set folder="$work/mutt"
set sendmail="$facteur --profile $prof sendmail -oi"
set from="Jean <jean@truc.fr>"
set use_envelope_from=yes
set record=""
set copy=no
set charset="utf-8"
set send_charset="utf-8"
set signature=""
set edit_headers=no
set pipe_decode=no
set pipe_split=yes
set pipe_sep="-- facteur interop: end of message --\n"
set wait_key=no
set read_only=yes
set quit=yes
set header_cache=""
EOF
py gen mutt jean@truc.fr marc@machin.com "interop mutt" "$sent/mutt.eml"
sed '1,/^$/d' "$sent/mutt.eml" >"$sent/mutt.body"
# mutt_read BOX OUT KEYS: mutt opens BOX read-only and runs KEYS, which pipe
# messages into OUT and quit. mutt reads a mailbox on a terminal only: script
# gives it one, whose input is empty, so that nothing but KEYS is typed; it
# returns once mutt has exited, OUT complete (mutt waits for the pipe's
# command). timeout only bounds a mutt that would wait for a key. When mutt
# fails, says how, with the end of its screen.
mutt_read() {
	local keys="$work/mutt-keys.rc" rc=0
	printf 'push "%s"\n' "$3" >"$keys"
	rm -f "$2"
	TERM=vt100 timeout 120 script -qec "mutt -n -F '$muttrc' -f '$1' -e 'source $keys'" /dev/null \
		</dev/null >"$work/mutt-screen.log" 2>&1 || rc=$?
	if [ $rc != 0 ] || ! [ -s "$2" ]; then
		echo "mutt exited with status $rc, $2 $([ -s "$2" ] && echo written || echo empty); its screen:"
		tr -c '[:print:]\n' ' ' <"$work/mutt-screen.log" | tail -c 2000
		return 1
	fi
}
# mutt_check NAME BOX OUT KEYS CHECK...: mutt_read BOX OUT KEYS, then the
# check NAME of CHECK... (once: mutt has exited, OUT is complete).
mutt_check() {
	local name=$1 box=$2 out=$3 keys=$4
	shift 4
	if mutt_read "$box" "$out" "$keys" >"$work/out" 2>&1; then
		check_seconds=0 check "$name" "$@"
	else
		fail "$name"
		sed 's/^/    /' "$work/out"
	fi
}
if mutt -n -F "$muttrc" -s "interop mutt" marc@machin.com <"$sent/mutt.body" >"$work/mutt-send.log" 2>&1; then
	pass "mutt sent through facteur sendmail (set sendmail=\"facteur --profile DIR sendmail -oi\")"
	check "mutt's message is in the Local Maildir, body byte for byte" \
		muttcheck maildir "$inbox" "interop mutt" "$sent/mutt.body"
	mutt_check "mutt reads it back from the Maildir the MDA wrote (<pipe-message>), body byte for byte" \
		"$inbox" "$work/mutt-read.eml" "<limit>~s 'interop mutt'<enter><pipe-message>cat >>$work/mutt-read.eml<enter><quit>" \
		muttcheck piped "$work/mutt-read.eml" "$sent/mutt.body" jean@truc.fr
else
	fail "mutt -s ... marc@machin.com through facteur sendmail"
	sed 's/^/    /' "$work/mutt-send.log"
fi
mutt_check "mutt reads the mbox spool mta/mail/marc: both messages, bodies byte for byte once the mboxrd quoting is undone" \
	"$mbox_dir/mail/marc" "$work/mutt-mbox.txt" "<tag-pattern>~A<enter><tag-prefix><pipe-message>cat >>$work/mutt-mbox.txt<enter><quit>" \
	muttcheck mbox "$work/mutt-mbox.txt" "$sent/mbox1.eml" "$sent/mbox2.eml"

# 11. the Local Maildir, message for message: direct, tls, viapostfix, sendmail, mutt
check "Local Maildir holds exactly the 5 messages sent to local users" py count "$inbox" 5
if [ -z "$(ls -A "$inbox/tmp" 2>/dev/null)" ]; then pass "nothing left in the Maildir's tmp/"; else fail "files left in $inbox/tmp"; fi

# 12. POP3
check "Python's poplib collects the Local INBOX over POP3 (STLS, USER/PASS, UIDL, RETR), bytes identical" \
	py pop3 127.0.0.3 "$f_pop" marc secret "$inbox"

# fetchmail, as its users run it: STLS with the server's certificate pinned
# by fingerprint, each message handed to an MDA (a file each), a UIDL list
# kept between runs. First with keep (RETR, no DELE): every message once,
# bytes identical once the Received line fetchmail adds is taken off; again:
# nothing new; then fetchall without keep: RETR and DELE of every message,
# and Facteur's Maildir is empty after the QUIT. fetchmail exits 0 when it
# delivered mail, 1 when there was none (fetchmail(1), EXIT CODES).
fm=$work/fetchmail
mkdir -p "$fm/got"
fm_fp=$(openssl x509 -noout -fingerprint -md5 -in "$prof/mta/tls/cert.pem" | cut -d= -f2)
# fetchmailrc NAME KEEP: a run control file, owner-only as fetchmail wants.
fetchmailrc() {
	cat >"$fm/$1.rc" <<EOF
set no syslog
set idfile "$fm/uidl"
poll 127.0.0.3 service $f_pop protocol pop3 uidl
	user "marc" password "secret"
	sslproto tls1.2+ sslfingerprint "$fm_fp" no sslcertck
	mda "cat > $fm/got/msg.\$\$"
	$2
EOF
	chmod 600 "$fm/$1.rc"
}
# fetchmail_run NAME: rc of fetchmail with $fm/NAME.rc, its output in $fm/NAME.log.
fetchmail_run() {
	local rc=0
	HOME=$fm FETCHMAILHOME=$fm timeout 120 fetchmail --nodetach -f "$fm/$1.rc" --pidfile "$fm/pid" -v >"$fm/$1.log" 2>&1 || rc=$?
	return $rc
}
fetchmail_report() { grep -v -e '^fetchmail: POP3[<>]' "$fm/$1.log" | tail -8 | sed 's/^/    /'; }
n_inbox=$(find "$inbox/cur" "$inbox/new" -type f | wc -l)
if [ ! -f "$prof/mta/tls/cert.pem" ] || [ -z "$fm_fp" ]; then
	fail "fetchmail: no certificate of the MTA at $prof/mta/tls/cert.pem"
else
	fetchmailrc keep "keep"
	rc=0
	fetchmail_run keep || rc=$?
	if [ $rc = 0 ]; then
		check "fetchmail (keep) collects the Local INBOX over POP3 with STLS: $n_inbox messages, bytes identical but its Received line" \
			py fetchmailed "$fm/got" "$inbox"
	else
		fail "fetchmail (keep): exit $rc"
		fetchmail_report keep
	fi
	rm -f "$fm/got"/msg.*
	rc=0
	fetchmail_run keep || rc=$?
	if [ $rc = 1 ] && [ -z "$(ls -A "$fm/got")" ]; then
		pass "fetchmail again (UIDL): no new mail, exit 1"
	else
		fail "fetchmail again: exit $rc, $(find "$fm/got" -type f | wc -l) messages, want none (exit 1)"
		fetchmail_report keep
	fi
	fetchmailrc flush "fetchall no keep"
	rc=0
	fetchmail_run flush || rc=$?
	got=$(find "$fm/got" -type f | wc -l)
	left=$(find "$inbox/cur" "$inbox/new" -type f | wc -l)
	if [ $rc = 0 ] && [ "$got" = "$n_inbox" ] && [ "$left" = 0 ]; then
		pass "fetchmail fetchall, no keep: $n_inbox messages taken (RETR, DELE), Facteur's Maildir is empty after the QUIT"
	else
		fail "fetchmail fetchall, no keep: exit $rc, $got taken, $left left in the Maildir"
		fetchmail_report flush
	fi
fi

# 13. queues drained
check "facteur mailq: the queue is empty" bash -c "FACTEUR_PROFILE='$prof' '$facteur' mailq 2>/dev/null | grep -qx 'Mail queue is empty' && echo '  Mail queue is empty'"
check "Postfix's queue is empty" bash -c "[ -z \"\$(find '$pf/spool/incoming' '$pf/spool/active' '$pf/spool/deferred' -type f 2>/dev/null)\" ] && echo '  no file in incoming/, active/, deferred/'"

log "done in $((SECONDS - t0)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
