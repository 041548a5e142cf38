#!/usr/bin/env bash
# The memory of the real window: Facteur on a profile whose Local INBOX
# holds N generated messages (100,000 by default; internal/corpus, as
# bench/index-vs-notmuch.sh) and, newest of all, an HTML newsletter (the
# Marketo newsletter of internal/htmldoc's corpus, 21 KB of nested layout
# tables); the folder is open, the newsletter selected and rendered, the
# local MTA running. Prints VmRSS (now) and VmHWM (peak) of the process from
# /proc/PID/status, and writes a screenshot of the window to check what was
# measured.
#
#   bash bench/gui-rss.sh                  (as root; or with xvfb, xdotool, imagemagick)
#   N=20000 bash bench/gui-rss.sh          a quicker run
#   SHOT=/tmp/rss.png bash bench/gui-rss.sh
#   KEEP=1 bash bench/gui-rss.sh, then PROFILE=DIR bash bench/gui-rss.sh
#                                          measures again on the kept profile
#                                          (DIR: the kept directory's profile)
#
# Uses $FACTEUR_BIN when set, else builds bin/facteur in the temporary
# directory. Stops exactly what it started (Xvfb, Facteur, by PID).
# Packages: xvfb xdotool imagemagick
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
PYTHON=${PYTHON:-python3}
N=${N:-100000}
WAIT=${GUI_WAIT:-180}
SHOT=${SHOT:-}
KEEP=${KEEP:-}

log() { echo "bench/gui-rss: $*"; }

work=""
# shellcheck source=interop/lib/common.bash
. "$repo/interop/lib/common.bash"
interop_traps

need=()
command -v Xvfb >/dev/null || need+=(xvfb)
command -v xdotool >/dev/null || need+=(xdotool)
command -v import >/dev/null || need+=(imagemagick)
interop_install '0000' "${need[@]}"

work=$(mktemp -d "${TMPDIR:-/tmp}/facteur-gui-rss.XXXXXX")
facteur=${FACTEUR_BIN:-}
if [ -z "$facteur" ]; then
	bash scripts/deps.sh
	"$GO" build -tags migrated_fynedo -o "$work/bin/facteur" .
	facteur="$work/bin/facteur"
fi

# make_newsletter adds the HTML newsletter, newest of all, and indexes.
make_newsletter() {
	{
		printf 'From: Xamarin <news@xamarin.example>\r\nTo: moi@localhost\r\n'
		printf 'Subject: The Xamarin newsletter (HTML, measured)\r\n'
		printf 'Date: Fri, 01 Jan 2100 09:00:00 +0000\r\nMessage-ID: <gui-rss@facteur.example>\r\n'
		printf 'MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n'
		sed 's/$/\r/' internal/htmldoc/testdata/corpus/04-marketo-newsletter-xamarin.html
	} >"$work/newsletter.eml"
	"$facteur" --profile "$profile" import --folder INBOX "$work/newsletter.eml" >/dev/null 2>&1
	"$facteur" --profile "$profile" rescan --quiet
}

profile=${PROFILE:-$work/profile}
inbox="$profile/mail/Local/INBOX"
if [ -z "${PROFILE:-}" ]; then
	log "generating $N messages into $inbox"
	"$GO" run ./mailstore/internal/corpus/gencorpus -n "$N" -maildir "$inbox"
	make_newsletter
fi
mkdir -p "$profile/mta"
printf 'smtp 127.0.0.1:%s\nsubmission 127.0.0.1:%s\npop3 127.0.0.1:%s\n' \
	"$(interop_free_port 127.0.0.1)" "$(interop_free_port 127.0.0.1)" "$(interop_free_port 127.0.0.1)" >"$profile/mta/options"

Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
export DISPLAY=":$(cat "$work/display")"
unset DBUS_SESSION_BUS_ADDRESS

"$facteur" --profile "$profile" >"$work/facteur.log" 2>&1 &
app_pid=$!
pids+=("$app_pid")
win=$(timeout "$WAIT" xdotool search --sync --all --onlyvisible --pid "$app_pid" --name '^Inbox.*Facteur$' | head -1)
if [ -z "$win" ]; then
	log "no window within ${WAIT}s"
	sed 's/^/    /' "$work/facteur.log" | tail -20
	exit 1
fi
# The newsletter is the newest message: the first row of the list, sorted
# by date, newest first; a click selects it (the list's first row is at
# about 440,140 in the window at its default size).
xdotool windowfocus --sync "$win"
xdotool mousemove --window "$win" 440 140 click 1
# Rendering and the MTA's start settle; the RSS is read once it no longer
# grows (three equal readings a second apart, at most a minute).
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$app_pid/status"; }
last=0 same=0
for _ in $(seq 60); do
	sleep 1
	now=$(rss)
	if [ "$now" = "$last" ]; then same=$((same + 1)); else same=0; fi
	last=$now
	[ "$same" -ge 3 ] && break
done
shot=${SHOT:-$work/window.png}
import -window root "$shot"
log "window: $shot"
awk -v n="$N" '/^VmRSS:|^VmHWM:|^RssAnon:|^RssFile:|^RssShmem:/ {printf "bench/gui-rss: %s %.0f MB (%d messages in the folder)\n", $1, $2 / 1024, n}' "/proc/$app_pid/status"
# Quit Facteur before the cleanup stops Xvfb: a window that loses its
# display ends without closing its index, and the next start would check it.
kill -TERM "$app_pid"
for _ in $(seq 300); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
