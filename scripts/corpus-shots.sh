#!/usr/bin/env bash
# corpus-shots.sh renders pages of the HTML corpus
# (internal/htmldoc/testdata/corpus) in the reader, as the README shows
# them: each page becomes the HTML body of a message imported alone into a
# fresh profile, and `facteur screenshot --view reader-html` renders it.
#
#   bash scripts/corpus-shots.sh [FACTEUR_BINARY]
#
# writes docs/corpus-*.png. Needs a built facteur (default: ./facteur).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-./facteur}
corpus=internal/htmldoc/testdata/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shot PAGE FROM SUBJECT SIZE OUT renders one page.
shot() {
	local page=$1 from=$2 subject=$3 size=$4 out=$5
	local eml=$tmp/$page.eml prof=$tmp/profile-$page
	{
		printf 'From: %s\r\nTo: marc@machin.com\r\nSubject: %s\r\n' "$from" "$subject"
		printf 'Date: Thu, 26 Nov 2026 07:00:00 +0100\r\nMessage-ID: <%s@corpus.example>\r\n' "$page"
		printf 'MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n'
		printf 'Content-Transfer-Encoding: 8bit\r\n\r\n'
		cat "$corpus/$page.html"
	} >"$eml"
	mkdir "$prof"
	"$bin" --profile "$prof" import --folder INBOX "$eml" >/dev/null
	"$bin" --profile "$prof" screenshot --view reader-html --size "$size" --out "$out"
	echo "$out"
}

shot 12-gmail-reply-nested-quotes 'Dana Miller <dana@example.edu>' 'Re: USRP X310 not transmitting' 900x1000 docs/corpus-gmail-quotes.png
shot 29-postmark-receipt 'Receipts <receipts@example.com>' 'Your receipt' 900x1000 docs/corpus-receipt.png
shot 15-gmail-persian-signature-rtl 'A list member <member@example.org>' 'Right-to-left signature' 900x600 docs/corpus-rtl.png
