#!/usr/bin/env bash
# The real window under a real X server (Xvfb), driven by xdotool like a
# person at the keyboard:
#
#   bash interop/gui.sh    (as root; or with xvfb, xdotool, dbus-daemon,
#                           python3-dbus and python3-gi installed)
#
# Facteur opens on a temporary profile (its MTA and POP3 server on free
# loopback ports, written in the profile's mta/options) on a private display.
# The suite waits for its main window (xdotool search --sync, under a time
# limit: the title names the Inbox once the folders are loaded), then quits
# it and expects exit status 0 and no Go panic:
#
#   1-3. without a D-Bus session: Ctrl+Q, SIGTERM, SIGINT;
#   4.   with a D-Bus session but no tray host: Ctrl+Q;
#   5-6. with a tray host (trayhost.py owns org.kde.StatusNotifierWatcher):
#        Facteur's icon registers with it, then Ctrl+Q, then SIGTERM;
#   7.   a message typed in the composer (Ctrl+N) and not yet autosaved is
#        in the Drafts folder after Ctrl+Q.
#
# Uses $FACTEUR_BIN when set, else builds bin/facteur into the temporary
# directory. Stops exactly what it started (Xvfb, dbus-daemon, the tray
# host, Facteur, by PID) and prints PASS/FAIL per check and
# "N passed, M failed".
# Packages: xvfb xdotool dbus-daemon python3-dbus python3-gi
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
PYTHON=${PYTHON:-python3}
KEEP=${KEEP:-} # KEEP=1 leaves the temporary directory for a post-mortem
WAIT=${GUI_WAIT:-90} # seconds a window may take to appear (the first GL start is slow)

log() { echo "interop/gui: $*"; }

work=""
# shellcheck source=interop/lib/common.bash
. "$repo/interop/lib/common.bash"

install_missing() {
	local need=()
	command -v Xvfb >/dev/null || need+=(xvfb)
	command -v xdotool >/dev/null || need+=(xdotool)
	command -v dbus-daemon >/dev/null || need+=(dbus-daemon)
	/usr/bin/python3 -c 'import dbus, gi' 2>/dev/null || need+=(python3-dbus python3-gi)
	# no service listens on a port here: '0000' matches none
	interop_install '0000' "${need[@]}"
}

stop_bus() {
	if [ -n "${bus_pid:-}" ]; then kill "$bus_pid" 2>/dev/null; fi
}
interop_traps stop_bus

install_missing
work=$(mktemp -d "${TMPDIR:-/tmp}/facteur-gui.XXXXXX")
facteur=${FACTEUR_BIN:-}
if [ -z "$facteur" ]; then
	bash scripts/deps.sh
	log "building facteur in $work"
	"$GO" build -tags migrated_fynedo -o "$work/bin/facteur" .
	facteur="$work/bin/facteur"
fi

# A private display: Xvfb picks a free number and writes it on fd 3.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
export DISPLAY=":$(cat "$work/display")"
unset DBUS_SESSION_BUS_ADDRESS
log "Xvfb on $DISPLAY"

n=0
# start_facteur: a fresh profile whose MTA listens on free ports, then
# Facteur on it; sets profile and app_pid.
start_facteur() {
	n=$((n + 1))
	profile="$work/profile-$n"
	mkdir -p "$profile/mta"
	printf 'smtp 127.0.0.1:%s\nsubmission 127.0.0.1:%s\npop3 127.0.0.1:%s\nimap 127.0.0.1:%s\n' \
		"$(interop_free_port 127.0.0.1)" "$(interop_free_port 127.0.0.1)" "$(interop_free_port 127.0.0.1)" \
		"$(interop_free_port 127.0.0.1)" >"$profile/mta/options"
	"$facteur" --profile "$profile" >"$profile.log" 2>&1 &
	app_pid=$!
	pids+=("$app_pid")
}

# main_window prints the id of Facteur's main window once its folders are
# loaded (the title names the Inbox), waiting at most $WAIT seconds.
main_window() {
	timeout "$WAIT" xdotool search --sync --all --onlyvisible --pid "$app_pid" --name '^Inbox.*Facteur$' | head -1
}

# press WINDOW KEYS: the keys typed into WINDOW, focused first (there is no
# window manager to activate it).
press() {
	xdotool windowfocus --sync "$1"
	xdotool key --clearmodifiers "$2"
}

# ended NAME: PASS when Facteur exits with status 0 within $WAIT seconds
# and printed no panic; its log otherwise.
ended() {
	local rc=0 deadline=$((SECONDS + WAIT))
	while kill -0 "$app_pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
	if kill -0 "$app_pid" 2>/dev/null; then
		fail "$1: still running after ${WAIT}s"
		kill -KILL "$app_pid"
		return
	fi
	wait "$app_pid" || rc=$?
	if [ "$rc" = 0 ] && ! grep -q '^panic:' "$profile.log"; then
		pass "$1"
	else
		fail "$1: exit status $rc"
		sed 's/^/    /' "$profile.log" | head -40
	fi
}

# quit_with HOW NAME: starts Facteur, waits for its window, quits it with
# HOW (ctrl+q, TERM or INT) and checks how it ended.
quit_with() {
	local win
	start_facteur
	win=$(main_window)
	if [ -z "$win" ]; then
		fail "$2: no window within ${WAIT}s"
		kill "$app_pid"
		return
	fi
	case $1 in
	ctrl+q) press "$win" ctrl+q ;;
	*) kill -"$1" "$app_pid" ;;
	esac
	ended "$2"
}

quit_with ctrl+q "no D-Bus session: Ctrl+Q exits 0"
quit_with TERM "no D-Bus session: SIGTERM exits 0"
quit_with INT "no D-Bus session: SIGINT exits 0"

# A session bus of our own.
bus_out=$(dbus-daemon --session --fork --print-address=1 --print-pid=1 --address="unix:path=$work/bus")
DBUS_SESSION_BUS_ADDRESS=$(sed -n 1p <<<"$bus_out")
bus_pid=$(sed -n 2p <<<"$bus_out")
export DBUS_SESSION_BUS_ADDRESS

quit_with ctrl+q "D-Bus session without a tray host: Ctrl+Q exits 0"

# A tray host: it owns the StatusNotifierWatcher name and writes down who
# registers an icon.
/usr/bin/python3 "$repo/interop/trayhost.py" "$work/tray" >"$work/trayhost.log" 2>&1 &
pids+=($!)
check "tray host ready" grep -q ready "$work/trayhost.log"
for how in ctrl+q TERM; do
	: >"$work/tray"
	start_facteur
	win=$(main_window)
	check "with a tray host: Facteur's icon registers" grep -q StatusNotifierItem "$work/tray"
	if [ -n "$win" ]; then
		case $how in
		ctrl+q) press "$win" ctrl+q ;;
		*) kill -"$how" "$app_pid" ;;
		esac
	fi
	ended "with a tray host: $how exits 0"
done

# A draft typed just before quitting is kept.
start_facteur
win=$(main_window)
if [ -n "$win" ]; then
	press "$win" ctrl+n
	composer=$(timeout "$WAIT" xdotool search --sync --all --onlyvisible --pid "$app_pid" --name '^New message' | head -1)
	xdotool windowfocus --sync "$composer"
	xdotool type --delay 20 "interop-draft@example.org"
	press "$win" ctrl+q
fi
ended "Ctrl+Q with a composer open exits 0"
check_seconds=0
check "the composer's text is in Drafts after the quit" \
	bash -c '"$1" --profile "$2" search --folder Drafts --json interop-draft | grep -q interop-draft' _ "$facteur" "$profile"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
