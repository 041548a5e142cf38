#!/usr/bin/env bash
# Checks that packaging leaves the source tree as it found it: git status
# before and after `scripts/package.sh OS` must be the same (fyne package
# rewrites FyneApp.toml; the package itself is ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
before=$(git status --porcelain)
bash scripts/package.sh "${1:-linux}"
after=$(git status --porcelain)
if [ "$before" != "$after" ]; then
	echo "test-package: packaging changed the tree:" >&2
	diff <(echo "$before") <(echo "$after") >&2 || true
	exit 1
fi
echo "test-package: tree unchanged"
