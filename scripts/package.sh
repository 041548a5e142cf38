#!/usr/bin/env bash
# Packages Facteur with the fyne tool: scripts/package.sh [linux|windows].
# fyne package rewrites FyneApp.toml (the Build number, its own layout,
# without our comments): the tracked file is put back as it was, whatever
# happens, so that packaging leaves the source tree clean.
# windows: cross-compiled with mingw (x86_64-w64-mingw32-gcc), makes
# Facteur.exe, the .exe with the icon and version resource.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
os=${1:-linux}

# The fyne tool, built for this machine (never for the target system);
# FYNE names another program in its place (package_script_test.go).
if [ -z "${FYNE:-}" ]; then
	GOBIN=$PWD/bin/tools GOOS= GOARCH= CGO_ENABLED= $GO install fyne.io/tools/cmd/fyne@v1.7.4
	FYNE=$PWD/bin/tools/fyne
fi

saved=$(mktemp "${TMPDIR:-/tmp}/facteur-fyneapp.XXXXXX")
cp -p FyneApp.toml "$saved"
trap 'cp -p "$saved" FyneApp.toml; rm -f "$saved"' EXIT

case $os in
linux)
	$FYNE package --tags migrated_fynedo --release
	;;
windows)
	command -v x86_64-w64-mingw32-gcc >/dev/null || {
		echo "package: x86_64-w64-mingw32-gcc is missing (Debian: apt-get install gcc-mingw-w64-x86-64)" >&2
		exit 1
	}
	# fyne builds for the host; the mingw compiler and GOOS make it Windows'.
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
		$FYNE package -os windows --tags migrated_fynedo --release
	;;
*)
	echo "package: unknown system $os (linux or windows)" >&2
	exit 2
	;;
esac
