# Sourced by interop/mta.sh, interop/submission.sh and bench/smtp-vs-postfix.sh:
# a private Postfix (postfix -c DIR: its own config, queue, data directory and
# virtual(8) Maildirs in $work/postfix, on loopback), stopped with `postfix -c
# DIR stop` and then by its master's PID.
#
# The caller sets work (the temporary directory, mode 755: virtual(8) delivers
# as nobody below it), PYTHON, and defines log(). Functions:
#
#   postfix_setup NAME      main.cf with what every instance here has (syslog
#                           name postfix-NAME, loopback only, no local
#                           delivery, virtual(8) Maildirs for the addresses of
#                           etc/vmailbox, owned by nobody) and master.cf with
#                           the unix services; the caller then appends its own
#                           settings to main.cf (myhostname, mydomain,
#                           mynetworks, virtual_mailbox_domains...), its inet
#                           smtpd lines to master.cf, and writes vmailbox.
#                           Sets pf (the instance: etc/, spool/, mail/,
#                           maillog) and postfix_dir ($pf/etc).
#   postfix_start           postfix check, then postfix start, their output in
#                           $work/postfix.err; the status of start. Sets
#                           postfix_conf (postfix_stop stops it from then on).
#   postfix_wait IP PORT    until the master accepts on IP:PORT; sets
#                           postfix_master (its PID). Else shows postfix.err and
#                           the maillog on stderr, and fails.
#   postfix_stop            stops the instance we started, if any.

# shellcheck source=interop/lib/common.bash
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"

POSTFIX=${POSTFIX:-/usr/sbin/postfix}
pf=""
postfix_dir=""
postfix_conf=""
postfix_master=""

postfix_setup() {
	pf=$work/postfix
	postfix_dir=$pf/etc
	mkdir -p "$postfix_dir" "$pf/mail" "$pf/spool"
	chown nobody:nogroup "$pf/mail"
	cat >"$postfix_dir/main.cf" <<EOF
compatibility_level = 3.6
config_directory = $postfix_dir
queue_directory = $pf/spool
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-$1
maillog_file = $pf/maillog
maillog_file_prefixes = $pf
inet_interfaces = loopback-only
inet_protocols = ipv4
mydestination =
relay_domains =
local_recipient_maps =
alias_maps =
alias_database =
local_transport = error:no local mailboxes here
virtual_mailbox_base = $pf/mail
virtual_mailbox_maps = texthash:$postfix_dir/vmailbox
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(getent group nogroup | cut -d: -f3)
biff = no
append_dot_mydomain = no
EOF
	cat >"$postfix_dir/master.cf" <<EOF
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
}

postfix_start() {
	postfix_conf=$postfix_dir
	# Postfix's commands report to the maillog file (and to stderr on a tty only).
	"$POSTFIX" -c "$postfix_dir" check >"$work/postfix.err" 2>&1 || true
	"$POSTFIX" -c "$postfix_dir" start >>"$work/postfix.err" 2>&1
}

postfix_wait() {
	postfix_master=$(tr -d ' ' <"$pf/spool/pid/master.pid" 2>/dev/null || true)
	if [ -n "$postfix_master" ] && interop_wait_port "$postfix_master" "$1" "$2"; then
		return 0
	fi
	cat "$work/postfix.err" "$pf/maillog" >&2 2>/dev/null || true
	return 1
}

postfix_stop() {
	[ -n "$postfix_conf" ] || return 0
	local master
	master=$(tr -d ' ' <"$pf/spool/pid/master.pid" 2>/dev/null || true)
	"$POSTFIX" -c "$postfix_conf" stop >/dev/null 2>&1
	if [ -n "$master" ] && ! interop_wait 10 interop_gone "$master"; then kill "$master"; fi
	postfix_conf=""
}
