# Shared by the interop suites and the side-by-side benchmarks: installing
# Debian packages without letting their services start, waiting for ports, the
# run's bookkeeping (traps that stop what it started and remove $work) and
# the PASS/FAIL checks. Sourced, not run. Needs PYTHON set (python3), work (the
# temporary directory, once there is one) and log().

# Sourced once, whichever of the libraries sources it first.
[ -z "${interop_common:-}" ] || return 0
interop_common=1

# interop_policy_rc_d is the policy-rc.d file this run created, if any:
# interop_cleanup removes it if the run stops during an install.
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
	# apt-get waits for a lock that another apt holds (a fresh machine's
	# daily upgrade, a suite run beside this one) instead of failing.
	local apt=(apt-get -o DPkg::Lock::Timeout=600)
	for pkg in "$@"; do
		if ! apt-cache show "$pkg" >/dev/null 2>&1; then
			"${apt[@]}" update -qq
			break
		fi
	done
	if ! "${apt[@]}" install -y -qq --no-install-recommends "$@" >/dev/null; then
		"${apt[@]}" update -qq
		"${apt[@]}" install -y -qq --no-install-recommends "$@" >/dev/null
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

# interop_wait SECONDS CMD...: runs CMD until it succeeds, every 0.1 s, for
# at most SECONDS (0: once); fails when the time is up. The suites wait on a
# condition this way (a port that accepts, a file, a process gone), never for
# a fixed time: SECONDS is only the bound of a wait that normally ends at once.
interop_wait() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		if [ $SECONDS -ge $deadline ]; then
			return 1
		fi
		sleep 0.1
	done
}

# interop_accepts IP PORT: something accepts on IP:PORT now.
interop_accepts() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# interop_gone PID: process PID has ended.
interop_gone() { ! kill -0 "$1" 2>/dev/null; }

# interop_wait_port PID IP PORT: until something accepts on IP:PORT, for 60
# s at most; fails at once if PID ends.
interop_wait_port() {
	interop_wait 60 interop_port_or_gone "$@" && ! interop_gone "$1" && interop_accepts "$2" "$3"
}
interop_port_or_gone() { interop_gone "$1" || interop_accepts "$2" "$3"; }

# interop_wait_file PID FILE: until FILE exists, for 60 s at most; fails
# at once if PID ends.
interop_wait_file() {
	interop_wait 60 interop_file_or_gone "$@" && ! interop_gone "$1" && [ -e "$2" ]
}
interop_file_or_gone() { interop_gone "$1" || [ -e "$2" ]; }

# interop_cert DIR IP: a self-signed certificate for a private server,
# DIR/cert.pem and DIR/key.pem (CN=localhost, SAN IP:IP and DNS:localhost,
# two days); sets interop_fp, its SHA-256 in lower-case hex pairs, as
# `facteur account add --fingerprint` takes it.
interop_cert() {
	mkdir -p "$1"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
		-addext "subjectAltName=IP:$2,DNS:localhost" \
		-addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=digitalSignature,keyEncipherment" \
		-keyout "$1/key.pem" -out "$1/cert.pem" >/dev/null 2>&1
	chmod 600 "$1/key.pem"
	interop_fp=$(openssl x509 -in "$1/cert.pem" -noout -fingerprint -sha256 | sed 's/^.*=//' | tr 'A-F' 'a-f')
}

# interop_install PORT_RE PKG...: installs the missing packages PKG... (none:
# nothing to do) with interop_apt_install, Postfix preseeded to "No
# configuration"; when not root, says what is missing and exits.
interop_install() {
	local ports=$1
	shift
	[ $# -gt 0 ] || return 0
	if [ "$(id -u)" != 0 ]; then
		log "missing $*: run as root, or: sudo apt-get install $*" >&2
		exit 1
	fi
	log "installing $*"
	case " $* " in
	*" postfix "*) echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections ;;
	esac
	interop_apt_install "$ports" "$@"
}

# ---------------------------------------------------------------- shared by the runner

# A suite names the Debian packages of its peers on a line of its header,
#   # Packages: postfix swaks mutt
# so that scripts/interop.sh installs every suite's peers with one apt-get
# before the first suite runs; run alone, a suite still installs what it
# misses itself.

# interop_std_ports: the standard ports a peer's service could take at
# install (25, 110, 143, 465, 587, 993, 995; 53 and 8953: NSD's and
# unbound's), for interop_install.
interop_std_ports='0019|006E|008F|01D1|024B|03E1|03E3|0035|22F9'

# interop_packages FILE...: the packages named by the Packages: lines of
# FILE..., once each.
interop_packages() {
	sed -n 's/^# Packages://p' "$@" | tr -s ' \t' '\n\n' | sed '/^$/d' | sort -u
}

# interop_missing PKG...: those of PKG... that dpkg has not installed.
interop_missing() {
	local installed p
	installed=$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null | awk '/ ok installed$/ { print $1 }')
	for p in "$@"; do
		grep -qx -- "$p" <<<"$installed" || echo "$p"
	done
}

# interop_facteur DEST: puts the facteur binary the suite runs at DEST: a copy
# of $FACTEUR_BIN when set (scripts/interop.sh builds it once for every
# suite), else one built now from the repository (the working directory),
# after scripts/deps.sh (the GUI's cgo build needs its headers).
interop_facteur() {
	mkdir -p "$(dirname "$1")"
	if [ -n "${FACTEUR_BIN:-}" ]; then
		log "facteur: $FACTEUR_BIN (FACTEUR_BIN)"
		cp "$FACTEUR_BIN" "$1"
		return
	fi
	bash scripts/deps.sh
	log "building facteur in $(dirname "$1")"
	"${GO:-go}" build -tags migrated_fynedo -o "$1" .
}

# ---------------------------------------------------------------- bookkeeping

# pids: the processes the caller started, stopped by PID at exit.
pids=()

# interop_traps STOP...: sets the traps of a run. At exit (and on INT, TERM)
# interop_cleanup removes the policy-rc.d of an install cut short, runs each
# STOP (a function that stops a server the run started: postfix_stop,
# dovecot_stop), stops the processes of pids, removes $work (or, with KEEP
# set, leaves it and says where), and exits with the script's status.
interop_traps() {
	interop_stops=("$@")
	trap interop_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

interop_cleanup() {
	local rc=$? stop pid
	set +e
	if [ -n "$interop_policy_rc_d" ]; then rm -f "$interop_policy_rc_d"; fi
	for stop in "${interop_stops[@]}"; do
		"$stop"
	done
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null
	done
	if [ -n "${work:-}" ]; then
		if [ -n "${KEEP:-}" ]; then
			log "kept $work"
		else
			rm -rf "$work"
		fi
	fi
	exit "$rc"
}

# ---------------------------------------------------------------- checks

# pass MESSAGE, fail MESSAGE: a PASS or FAIL line, counted in passed and
# failed (the suite ends with "$passed passed, $failed failed").
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

# retry SECONDS CMD...: interop_wait SECONDS CMD..., CMD's last output in
# $work/out.
retry() {
	local seconds=$1
	shift
	interop_wait "$seconds" interop_to_out "$@"
}
interop_to_out() { "$@" >"$work/out" 2>&1; }

# check NAME CMD...: PASS when CMD succeeds (retried for check_seconds, 20 by
# default; 0 tries once), then its output; else FAIL with its output indented.
check_seconds=20
check() {
	local name=$1
	shift
	if retry "$check_seconds" "$@"; then
		pass "$name"
		cat "$work/out"
	else
		fail "$name"
		sed 's/^/    /' "$work/out"
	fi
}
