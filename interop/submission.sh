#!/usr/bin/env bash
# Interop of Facteur's sending side (mua/submit, `facteur send`, the outbox
# through `facteur mta`, `facteur register-mailto`) with real software nobody
# here wrote:
#
#   bash interop/submission.sh    (as root; or with postfix, dovecot-core, xdg-utils
#                                  and desktop-file-utils installed)
#
# Packages: postfix dovecot-core openssl python3 xdg-utils desktop-file-utils
#
# A private Postfix (postfix -c DIR: its own config, queue and Maildirs in a
# temporary directory) is a submission server (RFC 6409) on 127.0.0.6, a high
# port: STARTTLS required (smtpd_tls_security_level = encrypt) with a
# certificate signed by a CA generated for the run, AUTH required and only
# after TLS, checked by a private Dovecot's auth service over a unix socket
# (smtpd_sasl_type = dovecot; Dovecot runs with no protocol at all). Postfix
# delivers machin.test's mail with virtual(8) into Maildirs.
#
# Facteur, in a temporary profile, trusts that CA through SSL_CERT_FILE (Go
# reads the system roots from it) and has an account added with `facteur
# account add --smtp 127.0.0.6:PORT --security starttls`. Checks:
#
#   1. `facteur send` of a whole message (To, Bcc): both recipients get it,
#      the body byte for byte, no Bcc field, Return-Path and Delivered-To
#      from the envelope, Postfix's Received says ESMTPSA (TLS and AUTH);
#   2. `facteur send --to --subject --attach`: the encoded Subject, the
#      attachment and its RFC 2231 filename, as Python's email package reads
#      them;
#   3. a wrong password is refused (535) and a server whose certificate is
#      not trusted is refused: nothing is sent, nothing is queued;
#   4. with `facteur mta` running, the Local account sends to a local user:
#      the message is in the Local Maildir with Facteur's Received line;
#   5. with `facteur mta` running, `facteur send --later` hands the message
#      to the daemon over its control socket (ENQUEUE) and the daemon submits
#      it to Postfix at once;
#   6. `facteur register-mailto` with the real xdg-mime (xdg-utils): the
#      desktop entry passes desktop-file-validate, and xdg-mime query default
#      x-scheme-handler/mailto answers facteur.desktop.
#
# Installs what is missing with apt-get (no service started; anything the
# install started on 25/143/993/110/995 anyway is stopped by PID), stops
# exactly the processes it started (Postfix with `postfix -c DIR stop`,
# Dovecot with `doveadm -c CONF stop`, facteur mta by PID), and prints
# PASS/FAIL per check and "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
PYTHON=${PYTHON:-python3}
KEEP=${KEEP:-} # KEEP=1 leaves the temporary directory for a post-mortem
HOST=${SUBMISSION_HOST:-127.0.0.6}
export USER=${USER:-$(id -un)} # the Local account's address is $USER@localhost

log() { echo "interop/submission: $*"; }

work=""
# shellcheck source=interop/lib/postfix.bash
. "$repo/interop/lib/postfix.bash"
# shellcheck source=interop/lib/dovecot.bash
. "$repo/interop/lib/dovecot.bash"

# ---------------------------------------------------------------- installing

install_missing() {
	local need=()
	[ -x /usr/sbin/postfix ] || need+=(postfix)
	[ -x "$DOVECOT" ] && [ -x "$DOVEADM" ] || need+=(dovecot-core)
	command -v openssl >/dev/null || need+=(openssl)
	command -v "$PYTHON" >/dev/null || need+=(python3)
	command -v xdg-mime >/dev/null || need+=(xdg-utils)
	command -v desktop-file-validate >/dev/null || need+=(desktop-file-utils)
	interop_install '0019|008F|03E1|006E|03E3' "${need[@]}"
}

# ---------------------------------------------------------------- bookkeeping

# At exit: Postfix, Dovecot and the processes of pids stopped, $work removed
# (interop/lib/common.bash, with pass, fail and check NAME CMD...).
interop_traps postfix_stop dovecot_stop

py() { "$PYTHON" "$repo/interop/mailcheck.py" "$@"; }

# ---------------------------------------------------------------- setup

install_missing
[ -x /usr/sbin/postfix ] && [ -x "$DOVECOT" ] && command -v "$PYTHON" >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/facteur-submission.XXXXXX")
chmod 755 "$work" # virtual(8) delivers as nobody, smtpd reaches the auth socket as postfix
t0=$SECONDS
interop_facteur "$work/bin/facteur"
facteur="$work/bin/facteur"
sub_port=$(interop_free_port "$HOST")
f_smtp=$(interop_free_port "$HOST")
while [ "$f_smtp" = "$sub_port" ]; do f_smtp=$(interop_free_port "$HOST"); done

# A CA of the run and the server's certificate (IP:$HOST) it signs.
pki="$work/pki"
mkdir -p "$pki"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Facteur interop CA" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
	-keyout "$pki/ca.key" -out "$pki/ca.pem" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj /CN=smtp.truc.test -keyout "$pki/server.key" -out "$pki/server.csr" >/dev/null 2>&1
printf 'subjectAltName=IP:%s,DNS:smtp.truc.test\nbasicConstraints=critical,CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' "$HOST" >"$pki/server.ext"
openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
	-extfile "$pki/server.ext" -out "$pki/server.pem" >/dev/null 2>&1
chmod 644 "$pki/server.key" # read by Postfix's smtpd (user postfix); a throw-away key

# Dovecot: the auth service only, for Postfix's SASL (fred's password).
dovecot_up=1
dovecot_sasl_setup fred s3cret
dovecot_start || dovecot_up=0

# Postfix: submission with STARTTLS and AUTH required, virtual Maildirs.
postfix_setup submission-interop
cat >>"$postfix_dir/main.cf" <<EOF
myhostname = smtp.truc.test
mydomain = truc.test
myorigin = truc.test
# nobody relays without AUTH (TEST-NET-1 is no one here)
mynetworks = 192.0.2.1/32
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
smtpd_tls_cert_file = $pki/server.pem
smtpd_tls_key_file = $pki/server.key
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $dovecot_sasl_socket
smtpd_sasl_security_options = noanonymous
virtual_mailbox_domains = machin.test
EOF
cat >>"$postfix_dir/master.cf" <<EOF
$HOST:$sub_port inet n - n - - smtpd
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
EOF
cat >"$postfix_dir/vmailbox" <<EOF
marc@machin.test machin.test/marc/
cache@machin.test machin.test/cache/
EOF
postfix_start || true
marc_box="$pf/mail/machin.test/marc"
cache_box="$pf/mail/machin.test/cache"

ready=$dovecot_up
postfix_wait "$HOST" "$sub_port" || ready=0
if [ "$ready" = 1 ]; then
	pass "peers up: Postfix submission $HOST:$sub_port (master $postfix_master), Dovecot auth $dovecot_sasl_socket (PID $dovecot_pid)"
else
	fail "peers up"
	echo "$passed passed, $failed failed"
	exit 1
fi

# Facteur: a profile with the account truc, the CA trusted for it.
prof="$work/facteur"
export FACTEUR_PROFILE=$prof
mkdir -p "$prof/mta"
run_facteur() { SSL_CERT_FILE="$pki/ca.pem" "$facteur" "$@"; }
if echo s3cret | run_facteur account add --name truc --address fred@truc.test --user fred \
	--pop3 "$HOST:1" --smtp "$HOST:$sub_port" --security starttls --password-stdin --no-test >"$work/account.log" 2>&1 &&
	echo wrong | run_facteur account add --name truc-bad --address fred@truc.test --user fred \
		--pop3 "$HOST:1" --smtp "$HOST:$sub_port" --security starttls --password-stdin --no-test >>"$work/account.log" 2>&1; then
	pass "facteur account add --smtp $HOST:$sub_port --security starttls: $(run_facteur account list | tr '\n' ';')"
else
	fail "facteur account add"
	sed 's/^/    /' "$work/account.log"
fi

# ---------------------------------------------------------------- checks

sent="$work/sent"
mkdir -p "$sent"

# 1. a whole message with To and Bcc
py gen whole fred@truc.test marc@machin.test "interop submission" "$sent/whole.eml"
sed '/^To: /a Bcc: <cache@machin.test>' "$sent/whole.eml" >"$sent/whole.in"
if run_facteur send --account truc <"$sent/whole.in" >"$work/send-whole.log" 2>&1 && grep -q "^sent through $HOST:$sub_port (truc)" "$work/send-whole.log"; then
	pass "facteur send (STARTTLS, AUTH) to Postfix: $(head -1 "$work/send-whole.log")"
else
	fail "facteur send to Postfix"
	sed 's/^/    /' "$work/send-whole.log" "$pf/maillog"
fi
trace=(--trace '^Return-Path: <fred@truc\.test>$'
	--trace '^Received: from \S+ \(\S* ?\[127\.0\.0\.1\]\) \(using TLSv1\.[23] with cipher \S+ .*\) \(No client certificate requested\) by smtp\.truc\.test \(Postfix\) with ESMTPSA id ')
check "Postfix delivered it to marc (To): body byte for byte, envelope sender, Received says ESMTPSA over TLS" \
	py maildir "$marc_box" "$sent/whole.eml" --trace '^Delivered-To: marc@machin\.test$' "${trace[@]}"
check "and to cache (Bcc), whose address is in no header field" \
	py maildir "$cache_box" "$sent/whole.eml" --trace '^Delivered-To: cache@machin\.test$' "${trace[@]}"
if grep -rqi '^Bcc:' "$marc_box" "$cache_box"; then fail "a Bcc field was delivered"; else pass "no Bcc field in the delivered copies"; fi
if grep -q "sasl_method=PLAIN, sasl_username=fred" "$pf/maillog"; then
	pass "Postfix logged the AUTH: $(grep -m1 -o 'sasl_method=PLAIN, sasl_username=fred' "$pf/maillog")"
else
	fail "no SASL login of fred in Postfix's log"
fi

# 2. a composed message with an attachment
printf 'Ordre du jour :\n1. SMTP\n2. IMAP\n' >"$sent/plan é.txt"
if printf 'Bonjour Marc,\nle plan est joint.\n' | run_facteur send --account truc --to "Marc <marc@machin.test>" \
	--subject "Réunion de lundi" --attach "$sent/plan é.txt" >"$work/send-composed.log" 2>&1; then
	pass "facteur send --to --subject --attach: $(head -1 "$work/send-composed.log")"
else
	fail "facteur send --to --subject --attach"
	sed 's/^/    /' "$work/send-composed.log"
fi
composed_ok() {
	"$PYTHON" - "$marc_box" "$sent/plan é.txt" <<'EOF'
import email, email.policy, mailbox, sys
box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
want = open(sys.argv[2], "rb").read()
for key in box.keys():
    msg = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
    if msg["Subject"] != "Réunion de lundi":
        continue
    atts = list(msg.iter_attachments())
    body = msg.get_body(("plain",)).get_content()
    ok = (msg["From"].addresses[0].addr_spec == "fred@truc.test" and msg["To"].addresses[0].display_name == "Marc"
          and msg["Message-ID"] and msg["Date"] and "le plan est joint" in body
          and len(atts) == 1 and atts[0].get_filename() == "plan é.txt" and atts[0].get_content() == want.decode())
    print("  Subject %r, From %s, To %s, attachment %r (%d bytes, %s): %s" % (
        msg["Subject"], msg["From"], msg["To"], atts[0].get_filename() if atts else None,
        len(want), atts[0]["Content-Transfer-Encoding"] if atts else "-", "ok" if ok else "WRONG"))
    sys.exit(0 if ok else 1)
print("  no message with that subject in", sys.argv[1])
sys.exit(1)
EOF
}
check "Python's email package reads the encoded Subject, the addresses, the body and the RFC 2231 attachment name" composed_ok

# 3. refusals: nothing sent, nothing queued
count_before=$(find "$marc_box/new" "$marc_box/cur" -type f | wc -l)
if echo hi | run_facteur send --account truc-bad --to marc@machin.test --subject "bad password" >"$work/send-bad.log" 2>&1; then
	fail "a wrong password was accepted"
	sed 's/^/    /' "$work/send-bad.log"
elif grep -q '535' "$work/send-bad.log" && ! grep -q queued "$work/send-bad.log"; then
	pass "wrong password refused, not queued: $(grep -m1 -o '535.*' "$work/send-bad.log")"
else
	fail "wrong password: unexpected outcome"
	sed 's/^/    /' "$work/send-bad.log"
fi
if echo hi | "$facteur" send --account truc --to marc@machin.test --subject "untrusted" >"$work/send-untrusted.log" 2>&1; then
	fail "a certificate of an unknown CA was accepted"
elif grep -qi 'certificate' "$work/send-untrusted.log" && ! grep -q queued "$work/send-untrusted.log"; then
	pass "without the CA the server's certificate is refused, not queued: $(grep -m1 -io 'certificate.*' "$work/send-untrusted.log" | cut -c1-120)"
else
	fail "untrusted certificate: unexpected outcome"
	sed 's/^/    /' "$work/send-untrusted.log"
fi
count_after=$(find "$marc_box/new" "$marc_box/cur" -type f | wc -l)
queue_files=$( (find "$prof/mta/queue" -name '*.json' 2>/dev/null || true) | wc -l)
if [ "$count_after" = "$count_before" ] && [ "$queue_files" = 0 ]; then
	pass "the refused sends delivered nothing and queued nothing"
else
	fail "refused sends: $((count_after - count_before)) delivered, $queue_files queued"
fi

# 4. and 5. with facteur mta running
echo 'marc:{plain}secret' >"$prof/mta/users"
echo machin.local >"$prof/mta/domains"
SSL_CERT_FILE="$pki/ca.pem" "$facteur" mta --smtp "$HOST:$f_smtp" --submission off --pop3 off --imap off \
	--hostname smtp.machin.local >"$work/facteur-mta.log" 2>&1 &
pids+=($!)
mta_pid=$!
if interop_wait_port "$mta_pid" "$HOST" "$f_smtp"; then
	pass "facteur mta up on $HOST:$f_smtp (PID $mta_pid)"
else
	fail "facteur mta did not start"
	sed 's/^/    /' "$work/facteur-mta.log"
fi

py gen local "$USER@localhost" marc@machin.local "interop local" "$sent/local.eml"
if run_facteur send --account Local <"$sent/local.eml" >"$work/send-local.log" 2>&1; then
	pass "facteur send from the Local account: $(head -1 "$work/send-local.log")"
else
	fail "facteur send from the Local account"
	sed 's/^/    /' "$work/send-local.log"
fi
check "the Local Maildir has it, with its route: Facteur's Received line, Delivered-To" \
	py maildir "$prof/mail/Local/INBOX" "$sent/local.eml" \
	--trace '^Delivered-To: marc@machin\.local$' \
	--trace '^Received: from \S+ \(\S+ \[[0-9.]+\]\) by smtp\.machin\.local \(Facteur\) with ESMTP id \S+ for <marc@machin\.local>; '
inspect_local() {
	local f
	f=$(grep -l '^Message-ID: <local@interop\.facteur\.test>' "$prof"/mail/Local/INBOX/{new,cur}/* 2>/dev/null | head -1)
	[ -n "$f" ] && "$facteur" inspect --no-dns "$f" >"$work/inspect.out" &&
		grep -E '^ +1 .* submission +localhost \[127\.0\.0\.1\] +smtp\.machin\.local +ESMTP' "$work/inspect.out" &&
		grep -E "MAIL FROM +$USER@localhost" "$work/inspect.out"
}
check "facteur inspect reads the route: one hop, MUA -> smtp.machin.local (Facteur), and the envelope" inspect_local

py gen daemon fred@truc.test marc@machin.test "interop outbox through the daemon" "$sent/daemon.eml"
if run_facteur send --account truc --later <"$sent/daemon.eml" >"$work/send-daemon.log" 2>&1 &&
	grep -q "handed to the running MTA (PID $mta_pid)" "$work/send-daemon.log"; then
	pass "facteur send --later with facteur mta running: $(tr '\n' ' ' <"$work/send-daemon.log")"
else
	fail "facteur send --later with facteur mta running"
	sed 's/^/    /' "$work/send-daemon.log"
fi
check "the daemon submitted it to Postfix at once (STARTTLS, AUTH from the profile's credentials)" \
	py maildir "$marc_box" "$sent/daemon.eml" "${trace[@]}"
check "facteur mailq: the queue is empty" bash -c "'$facteur' mailq 2>/dev/null | grep -qx 'Mail queue is empty' && echo '  Mail queue is empty'"

# 6. register-mailto with the real xdg-mime
xdg="$work/xdg"
mkdir -p "$xdg/data" "$xdg/config"
if XDG_DATA_HOME="$xdg/data" XDG_CONFIG_HOME="$xdg/config" "$facteur" register-mailto >"$work/register.log" 2>&1; then
	pass "facteur register-mailto: $(tr '\n' ' ' <"$work/register.log")"
else
	fail "facteur register-mailto"
	sed 's/^/    /' "$work/register.log"
fi
check "desktop-file-validate accepts the desktop entry" \
	bash -c "desktop-file-validate '$xdg/data/applications/facteur.desktop' && grep -E '^(Exec|MimeType)=' '$xdg/data/applications/facteur.desktop' | sed 's/^/  /'"
check "xdg-mime query default x-scheme-handler/mailto answers facteur.desktop" \
	bash -c "out=\$(XDG_DATA_HOME='$xdg/data' XDG_CONFIG_HOME='$xdg/config' xdg-mime query default x-scheme-handler/mailto) && echo \"  \$out\" && [ \"\$out\" = facteur.desktop ]"

log "done in $((SECONDS - t0)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
