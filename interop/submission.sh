#!/usr/bin/env bash
# Interop of Facteur's sending side (mua/submit, `facteur send`, the outbox
# through `facteur mta`, `facteur register-mailto`) with real software nobody
# here wrote:
#
#   bash interop/submission.sh    (as root; or with postfix, dovecot-core, xdg-utils
#                                  and desktop-file-utils installed)
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
	[ ${#need[@]} -gt 0 ] || return 0
	if [ "$(id -u)" != 0 ]; then
		echo "interop/submission: missing ${need[*]}: run as root, or: sudo apt-get install ${need[*]}" >&2
		exit 1
	fi
	log "installing ${need[*]}"
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	interop_apt_install '0019|008F|03E1|006E|03E3' "${need[@]}"
}

# ---------------------------------------------------------------- bookkeeping

pids=()         # processes we started, stopped by PID
postfix_conf="" # the Postfix instance we started
cleanup() {
	local rc=$?
	set +e
	if [ -n "$interop_policy_rc_d" ]; then rm -f "$interop_policy_rc_d"; fi
	postfix_stop
	dovecot_stop
	local pid
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null
	done
	if [ -n "$work" ]; then
		if [ -n "$KEEP" ]; then
			echo "interop/submission: kept $work"
		else
			rm -rf "$work"
		fi
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

postfix_stop() {
	[ -n "$postfix_conf" ] || return 0
	local master
	master=$(tr -d ' ' <"$work/postfix/spool/pid/master.pid" 2>/dev/null || true)
	/usr/sbin/postfix -c "$postfix_conf" stop >/dev/null 2>&1
	for _ in $(seq 50); do
		[ -n "$master" ] && kill -0 "$master" 2>/dev/null || break
		sleep 0.1
	done
	if [ -n "$master" ] && kill -0 "$master" 2>/dev/null; then kill "$master"; fi
	postfix_conf=""
}

passed=0
failed=0
pass() {
	passed=$((passed + 1))
	echo "PASS: $*"
}
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}

# retry SECONDS CMD...: runs CMD until it succeeds, at most SECONDS; its last
# output goes to $work/out.
retry() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >"$work/out" 2>&1; do
		if [ $SECONDS -ge $deadline ]; then
			return 1
		fi
		sleep 0.2
	done
}

# check NAME CMD...: PASS when CMD succeeds (within 20 s), else FAIL with its output.
check() {
	local name=$1
	shift
	if retry 20 "$@"; then
		pass "$name"
		cat "$work/out"
	else
		fail "$name"
		sed 's/^/    /' "$work/out"
	fi
}

py() { "$PYTHON" "$repo/interop/mailcheck.py" "$@"; }

# ---------------------------------------------------------------- setup

install_missing
[ -x /usr/sbin/postfix ] && [ -x "$DOVECOT" ] && command -v "$PYTHON" >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/facteur-submission.XXXXXX")
chmod 755 "$work" # virtual(8) delivers as nobody, smtpd reaches the auth socket as postfix
t0=$SECONDS
bash scripts/deps.sh
log "building facteur in $work"
"$GO" build -tags migrated_fynedo -o "$work/bin/facteur" .
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
d="$work/dovecot"
mkdir -p "$d/run" "$d/state" "$d/home/fred"
printf 'fred:{PLAIN}s3cret:%s:%s::%s::\n' "$(id -u nobody)" "$(getent group nogroup | cut -d: -f3)" "$d/home/fred" >"$d/users"
chmod 644 "$d/users"
dovecot_conf="$d/dovecot.conf"
cat >"$dovecot_conf" <<EOF
# A private Dovecot for Facteur's submission interop: the auth service only.
instance_name = facteur-submission-$$
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
info_log_path = $d/dovecot.log
protocols = none
ssl = no
default_internal_user = dovecot
default_login_user = dovenull
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $d/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $d/users
}
service auth {
  unix_listener $d/auth-postfix {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF
if "$DOVECOT" -c "$dovecot_conf" >"$d/start.log" 2>&1; then
	for _ in $(seq 50); do
		dovecot_pid=$(cat "$d/run/master.pid" 2>/dev/null || true)
		[ -n "$dovecot_pid" ] && [ -S "$d/auth-postfix" ] && break
		sleep 0.1
	done
fi

# Postfix: submission with STARTTLS and AUTH required, virtual Maildirs.
pf="$work/postfix"
postfix_dir="$pf/etc"
mkdir -p "$postfix_dir" "$pf/mail" "$pf/spool"
chown nobody:nogroup "$pf/mail"
cat >"$postfix_dir/main.cf" <<EOF
compatibility_level = 3.6
config_directory = $postfix_dir
queue_directory = $pf/spool
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-submission-interop
maillog_file = $pf/maillog
maillog_file_prefixes = $pf
myhostname = smtp.truc.test
mydomain = truc.test
myorigin = truc.test
inet_interfaces = loopback-only
inet_protocols = ipv4
# nobody relays without AUTH (TEST-NET-1 is no one here)
mynetworks = 192.0.2.1/32
mydestination =
relay_domains =
local_recipient_maps =
alias_maps =
alias_database =
local_transport = error:no local mailboxes here
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
smtpd_tls_cert_file = $pki/server.pem
smtpd_tls_key_file = $pki/server.key
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $d/auth-postfix
smtpd_sasl_security_options = noanonymous
virtual_mailbox_domains = machin.test
virtual_mailbox_base = $pf/mail
virtual_mailbox_maps = texthash:$postfix_dir/vmailbox
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(getent group nogroup | cut -d: -f3)
biff = no
append_dot_mydomain = no
EOF
cat >"$postfix_dir/master.cf" <<EOF
$HOST:$sub_port inet n - n - - smtpd
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
pickup    unix  n - n 60   1 pickup
cleanup   unix  n - n -    0 cleanup
qmgr      unix  n - n 300  1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n -    - trivial-rewrite
bounce    unix  - - n -    0 bounce
defer     unix  - - n -    0 bounce
trace     unix  - - n -    0 bounce
verify    unix  - - n -    1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -    - proxymap
smtp      unix  - - n -    - smtp
relay     unix  - - n -    - smtp
showq     unix  n - n -    - showq
error     unix  - - n -    - error
retry     unix  - - n -    - error
discard   unix  - - n -    - discard
virtual   unix  - n n -    - virtual
anvil     unix  - - n -    1 anvil
scache    unix  - - n -    1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
cat >"$postfix_dir/vmailbox" <<EOF
marc@machin.test machin.test/marc/
cache@machin.test machin.test/cache/
EOF
postfix_conf=$postfix_dir
/usr/sbin/postfix -c "$postfix_dir" check >"$work/postfix.err" 2>&1 || true
/usr/sbin/postfix -c "$postfix_dir" start >>"$work/postfix.err" 2>&1 || true
marc_box="$pf/mail/machin.test/marc"
cache_box="$pf/mail/machin.test/cache"

ready=1
[ -n "${dovecot_pid:-}" ] && [ -S "$d/auth-postfix" ] || { ready=0; cat "$d/start.log" "$d/dovecot.log" >&2 2>/dev/null || true; }
master=$(tr -d ' ' <"$pf/spool/pid/master.pid" 2>/dev/null || true)
[ -n "$master" ] && interop_wait_port "$master" "$HOST" "$sub_port" || { ready=0; cat "$work/postfix.err" "$pf/maillog" >&2 2>/dev/null || true; }
if [ $ready = 1 ]; then
	pass "peers up: Postfix submission $HOST:$sub_port (master $master), Dovecot auth $d/auth-postfix (PID $dovecot_pid)"
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
SSL_CERT_FILE="$pki/ca.pem" "$facteur" mta --smtp "$HOST:$f_smtp" --submission off --pop3 off \
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
