# Shared by the interop suites and the side-by-side benchmarks: installing
# Debian packages without letting their services start, and waiting for ports.
# Sourced, not run. Needs PYTHON set (python3).

# interop_policy_rc_d is the policy-rc.d file this run created, if any: the
# caller's cleanup removes it if the run stops during an install.
interop_policy_rc_d=""

# interop_listeners PORT_RE prints the inode of every socket listening on a
# TCP port whose 4-digit hex form matches PORT_RE (e.g. '0019' for 25).
interop_listeners() {
	awk -v re=":($1)\$" 'NR > 1 && $4 == "0A" && $2 ~ re { print $10 }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u
}

# interop_pids_of_inode INODE prints the PIDs holding socket INODE.
interop_pids_of_inode() {
	local fd
	for fd in /proc/[0-9]*/fd/*; do
		if [ "$(readlink "$fd" 2>/dev/null)" = "socket:[$1]" ]; then
			fd=${fd#/proc/}
			echo "${fd%%/*}"
		fi
	done | sort -u
}

# interop_apt_install PORT_RE PKG...: installs the packages (as root) while no
# service may start (Debian's policy-rc.d protocol; the file is ours only if
# it was not there, and goes away with us), then stops exactly what the
# install left listening on the ports of PORT_RE anyway.
interop_apt_install() {
	local ports=$1
	shift
	export DEBIAN_FRONTEND=noninteractive
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		interop_policy_rc_d=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\n# facteur interop: no service starts while it installs packages\nexit 101\n' >"$interop_policy_rc_d"
		chmod 755 "$interop_policy_rc_d"
	fi
	local before pkg inode pid
	before=$(interop_listeners "$ports")
	for pkg in "$@"; do
		if ! apt-cache show "$pkg" >/dev/null 2>&1; then
			apt-get update -qq
			break
		fi
	done
	if ! apt-get install -y -qq --no-install-recommends "$@" >/dev/null; then
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "$@" >/dev/null
	fi
	if [ -n "$interop_policy_rc_d" ]; then
		rm -f "$interop_policy_rc_d"
		interop_policy_rc_d=""
	fi
	for inode in $(interop_listeners "$ports"); do
		grep -qx "$inode" <<<"$before" && continue
		for pid in $(interop_pids_of_inode "$inode"); do
			echo "interop: stopping PID $pid ($(cat /proc/"$pid"/comm 2>/dev/null)), started on a standard port by the install"
			kill "$pid" 2>/dev/null || true
		done
	done
}

# interop_free_port IP: a TCP port free on IP now.
interop_free_port() {
	"$PYTHON" -c 'import socket,sys; s=socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$1"
}

# interop_wait_port PID IP PORT: until something accepts on IP:PORT (PID
# must live meanwhile).
interop_wait_port() {
	local i
	for i in $(seq 150); do
		kill -0 "$1" 2>/dev/null || return 1
		if (exec 3<>"/dev/tcp/$2/$3") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}
