# Sourced by interop/servers.sh: a private Courier-IMAP and Courier POP3
# (Courier mail server 1.0.16, authlib 0.71), unpacked from their Debian
# packages (interop/lib/unpacked.bash: they conflict with Dovecot's) and
# run as nobody in a private mount namespace, on $courier_host high ports,
# with STARTTLS (IMAP) and STLS (POP3) required before any login.
#
# Courier's layout is the one Facteur must get right: every folder of the
# user under the personal namespace "INBOX." with '.' between levels, a
# Maildir++ on disk, no SPECIAL-USE, no MOVE, no CONDSTORE, no LITERAL+.
#
#   courier_install        the shared libraries the binaries need (apt-get,
#                          no service started), then the packages
#                          downloaded and unpacked into $work/courier/root
#   courier_cert           $work/courier/cert.pem, key.pem (CN=localhost,
#                          SAN IP:$courier_host); sets courier_fp (SHA-256)
#   courier_setup USER PASS [CAPABILITY]
#                          authdaemonrc (module authuserdb), the userdb of
#                          USER (mail as nobody) made with makeuserdb, its
#                          Maildir, the environment of imapd and pop3d;
#                          CAPABILITY replaces IMAP_CAPABILITY (the
#                          package's by default); sets courier_imap_port,
#                          courier_pop3_port, courier_maildir
#   courier_start          authdaemond, then couriertcpd for IMAP and for
#                          POP3; waits for the socket and both ports
#   courier_stop           stops exactly those three (and their children)

# shellcheck source=interop/lib/unpacked.bash
. "$(dirname "${BASH_SOURCE[0]}")/unpacked.bash"

courier_host=${COURIER_HOST:-127.0.0.6}
courier_pids=()
courier_capability="IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT THREAD=REFERENCES SORT QUOTA IDLE"

courier_install() {
	local need=() lib
	for lib in libcourier-unicode4 libgamin0 libgdbm6 libidn12 libgnutls30 libltdl7; do
		dpkg -s "$lib" >/dev/null 2>&1 || need+=("$lib")
	done
	command -v openssl >/dev/null || need+=(openssl)
	command -v "$PYTHON" >/dev/null || need+=(python3)
	interop_install '008F|03E1|006E|03E3' "${need[@]}"
	unpacked_fetch courier courier-base courier-authlib courier-authdaemon courier-authlib-userdb \
		courier-imap courier-pop
}

courier_cert() {
	local d=$work/courier
	interop_cert "$d" "$courier_host"
	courier_fp=$interop_fp
	mkdir -p "$d/etc-courier"
	cat "$d/key.pem" "$d/cert.pem" >"$d/etc-courier/server.pem" # couriertls reads both from one file
	chmod 600 "$d/etc-courier/server.pem"
}

courier_setup() {
	local user=$1 pass=$2 d=$work/courier
	courier_capability=${3:-$courier_capability}
	mkdir -p "$d/etc-courier" "$d/run/courier/authdaemon" "$d/home/$user"
	# imaplogin looks the user "courier" up (for couriertls): nobody here
	echo "courier $(id -u nobody) $(getent group nogroup | cut -d: -f3)" >"$d/users"
	unpacked_ns courier "$d/etc-courier:/etc/courier" "$d/run:/run"
	cat >"$d/etc-courier/authdaemonrc" <<EOF
authmodulelist="authuserdb"
daemons=3
authdaemonvar=/run/courier/authdaemon
DEBUG_LOGIN=0
DEFAULTOPTIONS=""
LOGGEROPTS=""
EOF
	printf '%s\thome=%s|mail=%s/Maildir|uid=%s|gid=%s|systempw=%s\n' "$user" "$d/home/$user" "$d/home/$user" \
		"$(id -u nobody)" "$(getent group nogroup | cut -d: -f3)" "$(openssl passwd -6 "$pass")" >"$d/etc-courier/userdb"
	chmod 600 "$d/etc-courier/userdb"
	unpacked_run courier /usr/sbin/makeuserdb
	courier_maildir=$d/home/$user/Maildir
	unpacked_run courier /usr/bin/maildirmake.courier "$courier_maildir"
	courier_imap_port=$(interop_free_port "$courier_host")
	courier_pop3_port=$(interop_free_port "$courier_host")
	while [ "$courier_pop3_port" = "$courier_imap_port" ]; do courier_pop3_port=$(interop_free_port "$courier_host"); done
	cat >"$d/imapd.env" <<EOF
IMAP_CAPABILITY="$courier_capability"
IMAP_CAPABILITY_TLS="$courier_capability AUTH=PLAIN"
IMAP_KEYWORDS=1
IMAP_ACL=1
IMAP_IDLE_TIMEOUT=60
IMAP_MAILBOX_SANITY_CHECK=1
IMAP_UMASK=022
IMAP_USELOCKS=1
IMAP_ENHANCEDIDLE=0
IMAP_TRASHFOLDERNAME=Trash
IMAP_STARTTLS=YES
IMAP_TLS_REQUIRED=1
EOF
	cat >"$d/pop3d.env" <<EOF
POP3AUTH=""
POP3AUTH_TLS="LOGIN PLAIN"
POP3_STARTTLS=YES
POP3_TLS_REQUIRED=1
EOF
	cat >"$d/tls.env" <<EOF
COURIERTLS=/usr/bin/couriertls
TLS_CERTFILE=/etc/courier/server.pem
TLS_VERIFYPEER=NONE
TLS_PROTOCOL=TLS1_2:TLS1_3
MAILDIRPATH=Maildir
EOF
	chown -R nobody:nogroup "$d/etc-courier" "$d/run" "$d/home"
}

# courier_tcpd LOG ENV PORT LOGIN DAEMON: couriertcpd serving PORT, each
# connection through LOGIN then DAEMON, with the variables of ENV and
# tls.env only.
courier_tcpd() {
	local log=$1 env=$2 port=$3
	shift 3
	unpacked_start courier "$log" env -i PATH=/usr/bin:/bin:/usr/sbin:/sbin sh -c \
		'set -a; . "$0"; . "${0%/*}/tls.env"; exec "$@"' "$env" \
		/usr/sbin/couriertcpd -address="$courier_host" -nodnslookup -noidentlookup \
		-maxprocs=40 -maxperip=40 "$port" "$@" Maildir
	courier_pids+=("$unpacked_pid")
}

courier_start() {
	local d=$work/courier
	unpacked_start courier "$d/authdaemond.log" /usr/lib/courier/courier-authlib/authdaemond
	courier_pids+=("$unpacked_pid")
	courier_ready "$d/authdaemond.log" interop_wait_file "$unpacked_pid" "$d/run/courier/authdaemon/socket" &&
		courier_tcpd "$d/imapd.log" "$d/imapd.env" "$courier_imap_port" \
			/usr/lib/courier/courier/imaplogin /usr/bin/imapd &&
		courier_ready "$d/imapd.log" interop_wait_port "$unpacked_pid" "$courier_host" "$courier_imap_port" &&
		courier_tcpd "$d/pop3d.log" "$d/pop3d.env" "$courier_pop3_port" \
			/usr/lib/courier/courier/courierpop3login /usr/lib/courier/courier/courierpop3d &&
		courier_ready "$d/pop3d.log" interop_wait_port "$unpacked_pid" "$courier_host" "$courier_pop3_port"
}

# courier_ready LOG WAIT...: runs the wait WAIT...; when it fails, shows LOG.
courier_ready() {
	local log=$1
	shift
	"$@" || {
		cat "$log" >&2
		return 1
	}
}

courier_stop() {
	[ ${#courier_pids[@]} -gt 0 ] || return 0
	unpacked_stop "${courier_pids[@]}"
	courier_pids=()
}
