#!/usr/bin/env bash
# Installs what Facteur's build and tests need on a Debian/Ubuntu machine: a C
# compiler and the X11/OpenGL headers for Fyne's cgo build. As root it runs
# apt-get, with sudo when available; elsewhere it prints the exact command and
# stops. On other systems it says what to install and stops.
#
#   bash scripts/deps.sh [windows]
#
# windows: also Wine and the mingw-w64 compiler, for make windows and make
# test-windows, in the same apt-get run (CI installs everything at once).
set -euo pipefail

packages=(gcc pkg-config libgl1-mesa-dev xorg-dev)
case "${1:-}" in
"") ;;
windows) packages+=(wine wine64 gcc-mingw-w64-x86-64) ;;
*)
	echo "deps: unknown group $1 (windows)" >&2
	exit 2
	;;
esac

go_ok() {
	local go_bin
	go_bin=$(command -v go || true)
	[ -n "$go_bin" ] || go_bin=/usr/local/go/bin/go
	if ! [ -x "$go_bin" ]; then
		echo "deps: Go is not installed. Install Go 1.26 or newer from the Go website, then run make again." >&2
		return 1
	fi
}

missing() {
	local p
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
	done
}

main() {
	go_ok
	if ! command -v dpkg-query >/dev/null 2>&1; then
		if [ "$(uname -s)" = Linux ] && ! pkg-config --exists gl x11 xcursor xrandr xinerama xi 2>/dev/null; then
			echo "deps: not a Debian/Ubuntu system: install a C compiler and the X11/OpenGL development headers (see https://docs.fyne.io/started/)" >&2
			exit 1
		fi
		exit 0
	fi
	local need
	need=$(missing | tr '\n' ' ')
	[ -n "${need// /}" ] || exit 0
	# -o DPkg::Lock::Timeout: wait for another apt (a fresh machine's daily
	# upgrade) rather than fail.
	local apt="apt-get -o DPkg::Lock::Timeout=600"
	local cmd="$apt update && DEBIAN_FRONTEND=noninteractive $apt install -y --no-install-recommends $need"
	if [ "$(id -u)" = 0 ]; then
		echo "deps: installing $need"
		sh -c "$cmd"
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		echo "deps: installing $need (sudo)"
		sudo sh -c "$cmd"
	else
		echo "deps: missing system packages: $need" >&2
		echo "deps: run as root:  $cmd" >&2
		exit 1
	fi
}

main "$@"
