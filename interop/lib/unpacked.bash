# Sourced by interop/lib/courier.bash and interop/lib/cyrus.bash (not a suite
# of its own): servers whose Debian packages conflict with Dovecot's (they
# all provide imap-server and pop3-server) are never installed. Their .debs
# are downloaded (apt-get download) and unpacked (dpkg-deb -x) into
# $work/NAME/root, and their daemons run in a private mount namespace
# (unshare -m) where read-only overlays make /usr/lib, /usr/sbin, /usr/bin
# and /etc look as they would with the packages installed, with the run's
# own files on top (a passwd and group with the users the daemons look up,
# their configuration directory bound over the package's). Nothing outside
# $work changes; the namespace goes away with its last process. Needs root
# (unshare -m, mount); the daemons themselves run as nobody.
#
#   unpacked_fetch NAME PKG...   downloads and unpacks PKG... into
#                                $work/NAME/root (a package already
#                                unpacked there is skipped)
#   unpacked_ns NAME [DIR:TARGET...]
#                                writes $work/NAME/ns.sh, which mounts the
#                                overlays, binds each DIR over TARGET (a
#                                directory that exists once the overlays are
#                                mounted), then runs its arguments; the
#                                users of $work/NAME/users ("name uid gid")
#                                are added to the passwd and group seen there
#   unpacked_run NAME CMD...     runs CMD in a namespace of NAME, as root
#   unpacked_start NAME LOG CMD...
#                                starts CMD in the background, in a namespace
#                                of NAME, as nobody, its output in LOG; sets
#                                unpacked_pid (the daemon itself: unshare,
#                                the mounts and setpriv exec it in turn)
#   unpacked_stop PID...         stops those daemons and their children,
#                                by PID: the children are listed first, the
#                                daemon is sent TERM and waited for, then any
#                                child still there gets TERM

# shellcheck source=interop/lib/common.bash
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"

unpacked_pid=""

unpacked_fetch() {
	local name=$1 d=$work/$1
	shift
	mkdir -p "$d/debs" "$d/root"
	(cd "$d/debs" && apt-get download "$@" >"$d/download.log" 2>&1) || {
		apt-get update -qq && (cd "$d/debs" && apt-get download "$@" >"$d/download.log" 2>&1)
	} || {
		cat "$d/download.log" >&2
		return 1
	}
	local deb
	for deb in "$d"/debs/*.deb; do
		dpkg-deb -x "$deb" "$d/root"
	done
	chmod 755 "$d"
}

unpacked_ns() {
	local name=$1 d=$work/$1 bind
	shift
	mkdir -p "$d/etc"
	cp /etc/passwd /etc/group "$d/etc/"
	if [ -f "$d/users" ]; then
		local user uid gid
		while read -r user uid gid; do
			echo "$user:x:$uid:$gid:$user:/nonexistent:/usr/sbin/nologin" >>"$d/etc/passwd"
			echo "$user:x:$gid:" >>"$d/etc/group"
		done <"$d/users"
	fi
	{
		echo '#!/bin/sh'
		echo "# The private mount namespace of $name (interop/lib/unpacked.bash)."
		echo 'set -e'
		local dir
		for dir in /usr/lib /usr/sbin /usr/bin; do
			[ -d "$d/root$dir" ] && echo "mount -t overlay overlay -o lowerdir=$d/root$dir:$dir $dir"
		done
		echo "mount -t overlay overlay -o lowerdir=$d/etc:$d/root/etc:/etc /etc"
		for bind in "$@"; do
			echo "mount --bind ${bind%%:*} ${bind#*:}"
		done
		echo 'exec "$@"'
	} >"$d/ns.sh"
	chmod 755 "$d/ns.sh"
}

unpacked_run() {
	local name=$1
	shift
	unshare -m --propagation private -- "$work/$name/ns.sh" "$@"
}

unpacked_start() {
	local name=$1 log=$2
	shift 2
	unshare -m --propagation private -- "$work/$name/ns.sh" \
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$@" >"$log" 2>&1 &
	unpacked_pid=$!
}

# unpacked_children PID: the PIDs of PID's descendants.
unpacked_children() {
	local pid kids
	kids=$(grep -l -x "PPid:[[:space:]]*$1" /proc/[0-9]*/status 2>/dev/null | cut -d/ -f3 || true)
	for pid in $kids; do
		echo "$pid"
		unpacked_children "$pid"
	done
}

unpacked_stop() {
	local pid kids i
	for pid in "$@"; do
		[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || continue
		kids=$(unpacked_children "$pid")
		kill "$pid" 2>/dev/null || true
		for i in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
		for i in $kids; do
			kill "$i" 2>/dev/null || true
		done
	done
}
