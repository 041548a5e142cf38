#!/usr/bin/env bash
# Checks a submission the way CI does: clones the repository's committed HEAD
# (or REV) into a temporary directory and runs .ci/run there, so that a file
# left uncommitted, or a step that only a warm machine has done, fails here
# first. With COLD=1 the Go build cache is empty too (GOCACHE in the
# temporary directory), for the time of a cold first build. The directory is
# removed after, unless KEEP=1.
#
#   make ci-fresh                     (or: bash scripts/ci-fresh.sh [REV])
set -euo pipefail
cd "$(dirname "$0")/.."
rev=$(git rev-parse --verify "${1:-HEAD}^{commit}")
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
	echo "ci-fresh: uncommitted changes are not checked, only $rev" >&2
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/facteur-ci-fresh.XXXXXX")
cleanup() {
	if [ -n "${KEEP:-}" ]; then
		echo "ci-fresh: kept $dir"
	else
		rm -rf "$dir"
	fi
}
trap cleanup EXIT

git clone -q --no-local --no-checkout "$PWD" "$dir/facteur"
git -C "$dir/facteur" checkout -q --detach "$rev"
if [ -n "${COLD:-}" ]; then
	export GOCACHE=$dir/gocache
fi
echo "ci-fresh: .ci/run in a clone of $(git log -1 --format='%h %s' "$rev") in $dir/facteur${COLD:+, Go build cache empty}"
cd "$dir/facteur"
.ci/run
