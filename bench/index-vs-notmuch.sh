#!/usr/bin/env bash
# Indexing speed, side by side: Facteur and notmuch index the same generated
# Maildir in the same run on the same machine.
#
#   bash bench/index-vs-notmuch.sh            # 100,000 messages
#   N=20000 bash bench/index-vs-notmuch.sh    # a quicker run
#
# The corpus is deterministic (internal/corpus: mean size about 8 KB, threads,
# base64 attachments, RFC 2047 subjects, HTML parts). Facteur indexes it in place
# when it opens a profile whose index is missing (the same work as `notmuch new`:
# read every file, index headers and body text); then it re-scans the unchanged
# store, opens the first page of the folder and runs a full-text query.
# Installs notmuch with apt-get when it is missing (as root).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}

if ! command -v notmuch >/dev/null; then
	if [ "$(id -u)" = 0 ]; then
		apt-get install -y -qq notmuch >/dev/null
	else
		echo "bench: notmuch is missing: sudo apt-get install notmuch" >&2
		exit 1
	fi
fi

work=$(mktemp -d /tmp/facteur-bench.XXXXXX)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
echo "bench: $N messages in $work"

"$GO" build -tags migrated_fynedo -o "$work/facteur-bin" .
"$GO" run ./mailstore/internal/corpus/gencorpus -n "$N" -maildir "$work/facteur/mail/Local/Bench"
mkdir -p "$work/notmuch"
cp -r "$work/facteur/mail/Local/Bench" "$work/notmuch/mail"
bytes=$(du -sb "$work/notmuch/mail" | cut -f1)
echo "bench: corpus $((bytes / 1000000)) MB, mean $((bytes / N)) bytes/message"
sync

# seconds CMD...: runs CMD, prints its wall time in seconds (3 decimals).
seconds() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

cat >"$work/notmuch-config" <<CFG
[database]
path=$work/notmuch/mail
[new]
tags=unread;inbox;
[maildir]
synchronize_flags=true
CFG
export NOTMUCH_CONFIG="$work/notmuch-config"
t_notmuch=$(seconds notmuch new --quiet)
t_facteur=$(seconds "$work/facteur-bin" --profile "$work/facteur" rescan --quiet)
t_rescan=$(seconds "$work/facteur-bin" --profile "$work/facteur" rescan --quiet)
t_search=$(seconds "$work/facteur-bin" --profile "$work/facteur" search --limit 50 from:martin subject:budget)
t_nm_search=$(seconds notmuch search --limit=50 from:martin subject:budget)

rate() { awk -v n="$N" -v t="$1" 'BEGIN { printf "%.0f", n / t }'; }
echo
printf '%-44s %10s %12s\n' "" "seconds" "messages/s"
printf '%-44s %10s %12s\n' "notmuch new (index $N)" "$t_notmuch" "$(rate "$t_notmuch")"
printf '%-44s %10s %12s\n' "facteur (index $N, fresh profile)" "$t_facteur" "$(rate "$t_facteur")"
printf '%-44s %10s\n' "facteur rescan, unchanged store (process)" "$t_rescan"
printf '%-44s %10s\n' "facteur search (process, 50 results)" "$t_search"
printf '%-44s %10s\n' "notmuch search (process, 50 results)" "$t_nm_search"
echo "ratio facteur/notmuch indexing speed: $(awk -v a="$t_notmuch" -v b="$t_facteur" 'BEGIN { printf "%.2f", a / b }')x"
