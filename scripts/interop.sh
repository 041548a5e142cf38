#!/usr/bin/env bash
# Runs the interop suites (tests against real peers: Dovecot, Postfix, swaks,
# dnsmasq, mutt) found in interop/*.sh. Each suite installs its peers, starts them
# on loopback high ports in a temporary directory, and stops exactly what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
suites=(interop/*.sh)
if [ ${#suites[@]} -eq 0 ]; then
	echo "interop: no suite yet"
	exit 0
fi
for s in "${suites[@]}"; do
	echo "interop: $s"
	bash "$s"
done
