# Sourced by interop/dovecot.sh, interop/submission.sh and bench/sync-vs-mbsync.sh
# (not a suite of its own: scripts/interop.sh runs interop/*.sh only): installs
# Dovecot when missing, starts a private instance in a temporary directory on
# loopback high ports (or, for another server's SASL, its auth service alone),
# and stops exactly that instance.
#
# The caller sets work (the temporary directory, mode 755), PYTHON, and defines
# log(). Functions:
#
#   dovecot_install [PKG...]  apt-get install dovecot-imapd, dovecot-pop3d (and
#                             PKG..., e.g. isync) when missing, as root, with no
#                             service started; whatever the install started on
#                             143/993/110/995 anyway is stopped by PID.
#   dovecot_cert              $work/dovecot/cert.pem, key.pem: self-signed,
#                             CN=localhost, SAN IP:$dovecot_host, DNS:localhost;
#                             sets dovecot_fp (SHA-256, lower-case hex pairs).
#   dovecot_setup USER PASS   config, passwd-file, home; sets dovecot_conf,
#                             dovecot_maildir (~USER/Maildir), imap_port,
#                             pop3_port, mail_uid, mail_gid. The personal
#                             namespace has the separator dovecot_separator
#                             ('/' unless set) and the prefix dovecot_prefix
#                             (none unless set: "INBOX." with '.' is the
#                             Maildir++ layout of Courier).
#   dovecot_sasl_setup USER PASS
#                             instead of dovecot_setup: the auth service only
#                             (protocols = none), USER's password checked for
#                             Postfix's smtpd (smtpd_sasl_type = dovecot) on
#                             the unix socket dovecot_sasl_socket (user and
#                             group postfix); sets dovecot_conf.
#   dovecot_start             runs `dovecot -c CONF`, waits for both ports (or
#                             the SASL socket); sets dovecot_pid (the master).
#   dovecot_stop              `doveadm -c CONF stop`, then the master's PID.
#   dovecot_chown             gives the Maildir to the mail user (after
#                             writing into it as ourselves).
#   dovecot_log_check         PASS when the instance's log holds no error
#                             (Error, Fatal, Panic), else FAIL with them.

# shellcheck source=interop/lib/common.bash
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"

DOVECOT=${DOVECOT:-/usr/sbin/dovecot}
DOVEADM=${DOVEADM:-/usr/bin/doveadm}
# Dovecot counts a connection whose two ends have the same address as secured
# (plaintext logins allowed even with ssl = required): it listens on 127.0.0.2,
# so clients connect from 127.0.0.1 and the TLS requirement really holds.
dovecot_host=${DOVECOT_HOST:-127.0.0.2}
dovecot_conf=""
dovecot_pid=""
dovecot_sasl_socket=""

dovecot_install() {
	local need=() extra
	[ -x "$DOVECOT" ] && [ -x "$DOVEADM" ] || need+=(dovecot-core)
	[ -e /usr/lib/dovecot/imap ] || need+=(dovecot-imapd)
	[ -e /usr/lib/dovecot/pop3 ] || need+=(dovecot-pop3d)
	command -v openssl >/dev/null || need+=(openssl)
	command -v "$PYTHON" >/dev/null || need+=(python3)
	for extra in "$@"; do
		case $extra in
		isync) command -v mbsync >/dev/null || need+=(isync) ;;
		*) dpkg -s "$extra" >/dev/null 2>&1 || need+=("$extra") ;;
		esac
	done
	interop_install '008F|03E1|006E|03E3' "${need[@]}"
}

dovecot_cert() {
	interop_cert "$work/dovecot" "$dovecot_host"
	dovecot_fp=$interop_fp
}

# dovecot_free_port: a TCP port free on $dovecot_host now.
dovecot_free_port() { interop_free_port "$dovecot_host"; }

# dovecot_users USER PASS: the directories of an instance, and the
# passwd-file $work/dovecot/users with USER (home ~USER) and the identities it
# runs as: mail_uid, mail_gid, dovecot_internal, dovecot_login, dovecot_chroot.
dovecot_users() {
	local user=$1 pass=$2 d=$work/dovecot
	mkdir -p "$d/run" "$d/state" "$d/home/$user"
	dovecot_chroot=""
	if [ "$(id -u)" = 0 ]; then
		# Mail belongs to nobody (Dovecot serves no mail as root); the
		# package's own users run its internal and login processes.
		mail_uid=$(id -u nobody)
		mail_gid=$(getent group nogroup | cut -d: -f3)
		dovecot_internal=dovecot
		dovecot_login=dovenull
	else
		# Everything as ourselves: no chroot, no user switch.
		mail_uid=$(id -u)
		mail_gid=$(id -g)
		dovecot_internal=$(id -un)
		dovecot_login=$dovecot_internal
		dovecot_chroot="chroot ="
	fi
	printf '%s:{PLAIN}%s:%s:%s::%s::\n' "$user" "$pass" "$mail_uid" "$mail_gid" "$d/home/$user" >"$d/users"
	chmod 644 "$d/users"
}

# dovecot_conf_head INSTANCE PROTOCOLS: the settings every instance starts
# with: its directories and log, the identities and the passwd-file of
# dovecot_users.
dovecot_conf_head() {
	local d=$work/dovecot
	cat <<EOF
instance_name = $1-$$
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
info_log_path = $d/dovecot.log
protocols = $2
default_internal_user = $dovecot_internal
default_login_user = $dovecot_login
auth_mechanisms = plain login

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $d/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $d/users
}
EOF
}

dovecot_setup() {
	local user=$1 pass=$2 d=$work/dovecot
	dovecot_users "$user" "$pass"
	mkdir -p "$d/home/$user/Maildir"
	imap_port=$(dovecot_free_port)
	pop3_port=$(dovecot_free_port)
	while [ "$pop3_port" = "$imap_port" ]; do pop3_port=$(dovecot_free_port); done
	dovecot_conf=$d/dovecot.conf
	dovecot_maildir=$d/home/$user/Maildir
	{
		echo "# A private Dovecot for Facteur's interop suite: nothing outside $d."
		dovecot_conf_head facteur-interop "imap pop3"
		cat <<EOF
listen = $dovecot_host
shutdown_clients = yes
first_valid_uid = 1
first_valid_gid = 1

ssl = required
ssl_cert = <$d/cert.pem
ssl_key = <$d/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes

mail_location = maildir:~/Maildir
mail_fsync = optimized
# POP3 leaves the flags alone: the IMAP checks see only their own changes.
pop3_no_flag_updates = yes
pop3_uidl_format = %08Xu%08Xv

namespace inbox {
  inbox = yes
  separator = ${dovecot_separator:-/}
  prefix = ${dovecot_prefix:-}
  mailbox Sent {
    special_use = \\Sent
  }
  mailbox Drafts {
    special_use = \\Drafts
  }
  mailbox Trash {
    special_use = \\Trash
  }
  mailbox Archive {
    special_use = \\Archive
  }
}

protocol imap {
  mail_max_userip_connections = 50
}

service imap-login {
  $dovecot_chroot
  inet_listener imap {
    address = $dovecot_host
    port = $imap_port
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  $dovecot_chroot
  inet_listener pop3 {
    address = $dovecot_host
    port = $pop3_port
  }
  inet_listener pop3s {
    port = 0
  }
}
EOF
	} >"$dovecot_conf"
}

dovecot_sasl_setup() {
	local d=$work/dovecot
	dovecot_users "$1" "$2"
	dovecot_conf=$d/dovecot.conf
	dovecot_sasl_socket=$d/auth-postfix
	{
		echo "# A private Dovecot for Facteur's submission interop: the auth service only."
		dovecot_conf_head facteur-submission none
		cat <<EOF
ssl = no
service auth {
  unix_listener $dovecot_sasl_socket {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF
	} >"$dovecot_conf"
}

dovecot_chown() {
	if [ "$(id -u)" = 0 ]; then
		chown -R "$mail_uid:$mail_gid" "$work/dovecot/home"
	fi
}

# dovecot_wait_port PORT: until something accepts on $dovecot_host:PORT (the
# master must live).
dovecot_wait_port() { interop_wait_port "$dovecot_pid" "$dovecot_host" "$1"; }

# dovecot_wait_sasl: until the SASL socket is there (the master must live).
dovecot_wait_sasl() { interop_wait_file "$dovecot_pid" "$dovecot_sasl_socket"; }

# dovecot_ready: the instance listens (both ports, or the SASL socket).
dovecot_ready() {
	if [ -n "$dovecot_sasl_socket" ]; then
		dovecot_wait_sasl
	else
		dovecot_wait_port "$imap_port" && dovecot_wait_port "$pop3_port"
	fi
}

dovecot_start() {
	local d=$work/dovecot
	"$DOVECOT" -c "$dovecot_conf" >"$d/start.log" 2>&1 || {
		cat "$d/start.log" "$d/dovecot.log" >&2 2>/dev/null
		return 1
	}
	interop_wait 30 dovecot_read_pid
	[ -n "$dovecot_pid" ] && dovecot_ready || {
		cat "$d/start.log" "$d/dovecot.log" >&2 2>/dev/null
		return 1
	}
}

# dovecot_read_pid: sets dovecot_pid from the master's PID file, once there.
dovecot_read_pid() {
	dovecot_pid=$(cat "$work/dovecot/run/master.pid" 2>/dev/null || true)
	[ -n "$dovecot_pid" ]
}

# dovecot_stop stops the master we started (and with it its children).
dovecot_stop() {
	[ -n "$dovecot_conf" ] || return 0
	local pid=$dovecot_pid
	[ -n "$pid" ] || pid=$(cat "$work/dovecot/run/master.pid" 2>/dev/null || true)
	"$DOVEADM" -c "$dovecot_conf" stop >/dev/null 2>&1
	if [ -n "$pid" ] && ! interop_wait 10 interop_gone "$pid"; then
		kill "$pid" 2>/dev/null
	fi
	dovecot_conf=""
}

dovecot_log_check() {
	if grep -E -q 'Error|Fatal|Panic' "$work/dovecot/dovecot.log"; then
		fail "Dovecot logged errors"
		grep -E 'Error|Fatal|Panic' "$work/dovecot/dovecot.log" | head -10 | sed 's/^/    /'
	else
		pass "no error in Dovecot's log"
	fi
}
