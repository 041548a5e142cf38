# Sourced by interop/servers.sh: a private Cyrus IMAP 3.6 (imapd and pop3d
# under its master), unpacked from the Debian packages (interop/lib/
# unpacked.bash: they conflict with Dovecot's) and run as nobody in a
# private mount namespace, on $cyrus_host high ports, every file in
# $work/cyrus. Users and passwords are in a sasldb of its own (saslpasswd2
# of sasl2-bin); cyradm is the administrator that creates the user's
# mailbox. STARTTLS (IMAP) and STLS (POP3) with a generated certificate.
#
#   cyrus_install           the shared libraries and sasl2-bin (apt-get, no
#                           service started), then cyrus-common,
#                           cyrus-imapd, cyrus-pop3d unpacked
#   cyrus_cert              $work/cyrus/cert.pem, key.pem; sets cyrus_fp
#   cyrus_setup USER PASS UNIXSEP
#                           imapd.conf and cyrus.conf in $work/cyrus/conf,
#                           USER's and cyradm's passwords; UNIXSEP yes:
#                           unixhierarchysep and altnamespace on ('/', the
#                           user's folders beside INBOX), no: both off ('.',
#                           every folder under "INBOX."); sets
#                           cyrus_imap_port, cyrus_pop3_port
#   cyrus_start             the master; waits for both ports, then creates
#                           USER's mailbox as cyradm
#   cyrus_stop              stops exactly that master (and its children)

# shellcheck source=interop/lib/unpacked.bash
. "$(dirname "${BASH_SOURCE[0]}")/unpacked.bash"

cyrus_host=${CYRUS_HOST:-127.0.0.7}
cyrus_pid=""
cyrus_user=""
cyrus_pass=""
cyrus_unixsep=""

cyrus_install() {
	local need=() lib
	for lib in libxapian30 libpcre3 libical3 libsasl2-2 libsasl2-modules libjansson4 libicu72 libzephyr4 \
		libclamav12 libwrap0 libpq5 libxml2 libsqlite3-0 libldap-2.5-0; do
		dpkg -s "$lib" >/dev/null 2>&1 || need+=("$lib")
	done
	command -v saslpasswd2 >/dev/null || need+=(sasl2-bin)
	command -v openssl >/dev/null || need+=(openssl)
	interop_install '008F|03E1|006E|03E3' "${need[@]}"
	unpacked_fetch cyrus cyrus-common cyrus-imapd cyrus-pop3d
}

cyrus_cert() {
	interop_cert "$work/cyrus/conf" "$cyrus_host"
	cyrus_fp=$interop_fp
}

cyrus_setup() {
	local d=$work/cyrus u
	cyrus_user=$1 cyrus_pass=$2 cyrus_unixsep=$3
	rm -rf "$d/lib" "$d/spool" "$d/run" "$d/sieve" "$d/conf/sasldb2"
	mkdir -p "$d/lib/socket" "$d/spool" "$d/run/proc" "$d/run/lock" "$d/run/socket" "$d/sieve"
	echo "cyrus $(id -u nobody) $(getent group nogroup | cut -d: -f3)" >"$d/users"
	unpacked_ns cyrus
	cyrus_imap_port=$(interop_free_port "$cyrus_host")
	cyrus_pop3_port=$(interop_free_port "$cyrus_host")
	while [ "$cyrus_pop3_port" = "$cyrus_imap_port" ]; do cyrus_pop3_port=$(interop_free_port "$cyrus_host"); done
	local conf=$d/conf/imapd.conf
	cat >"$conf" <<EOF
configdirectory: $d/lib
proc_path: $d/run/proc
mboxname_lockpath: $d/run/lock
defaultpartition: default
partition-default: $d/spool
sievedir: $d/sieve
unixhierarchysep: $cyrus_unixsep
altnamespace: $cyrus_unixsep
cyrus_user: nobody
admins: cyradm
allowplaintext: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $d/conf/sasldb2
sasl_mech_list: PLAIN LOGIN
tls_server_cert: $d/conf/cert.pem
tls_server_key: $d/conf/key.pem
lmtpsocket: $d/run/socket/lmtp
idlesocket: $d/run/socket/idle
notifysocket: $d/run/socket/notify
munge8bit: no
reject8bit: no
EOF
	cat >"$d/conf/cyrus.conf" <<EOF
START {
  recover cmd="/usr/lib/cyrus/bin/ctl_cyrusdb -C $conf -r"
}
SERVICES {
  imap cmd="/usr/lib/cyrus/bin/imapd -C $conf" listen="$cyrus_host:$cyrus_imap_port" prefork=0 maxchild=50
  pop3 cmd="/usr/lib/cyrus/bin/pop3d -C $conf" listen="$cyrus_host:$cyrus_pop3_port" prefork=0 maxchild=20
}
EVENTS {
}
EOF
	for u in "$cyrus_user" cyradm; do
		printf '%s' "$cyrus_pass" | saslpasswd2 -p -f "$d/conf/sasldb2" -c "$u"
	done
	chown -R nobody:nogroup "$d/conf" "$d/lib" "$d/spool" "$d/run" "$d/sieve"
}

cyrus_start() {
	local d=$work/cyrus
	unpacked_start cyrus "$d/master.log" /usr/lib/cyrus/bin/master -C "$d/conf/imapd.conf" \
		-M "$d/conf/cyrus.conf" -p "$d/run/master.pid"
	cyrus_pid=$unpacked_pid
	interop_wait_port "$cyrus_pid" "$cyrus_host" "$cyrus_imap_port" &&
		interop_wait_port "$cyrus_pid" "$cyrus_host" "$cyrus_pop3_port" || {
		cat "$d/master.log" >&2
		return 1
	}
	local sep=.
	[ "$cyrus_unixsep" = yes ] && sep=/
	"$PYTHON" - "$cyrus_host" "$cyrus_imap_port" "$cyrus_pass" "$d/conf/cert.pem" "user$sep$cyrus_user" <<'PY'
import imaplib, ssl, sys
host, port, password, cafile, mailbox = sys.argv[1:]
m = imaplib.IMAP4(host, int(port))
m.starttls(ssl.create_default_context(cafile=cafile))
m.login("cyradm", password)
typ, data = m.create(mailbox)
if typ != "OK":
    sys.exit("CREATE %s: %s %r" % (mailbox, typ, data))
m.logout()
PY
}

cyrus_stop() {
	[ -n "$cyrus_pid" ] || return 0
	unpacked_stop "$cyrus_pid"
	cyrus_pid=""
}
