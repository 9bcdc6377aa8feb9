#!/bin/sh
# Writes the .xlsx fixtures of this folder from the CSV sources beside them with Gnumeric's
# ssconvert, so that they are workbooks as a real spreadsheet program writes them (inline strings,
# its own styles and date formats). Run by hand when a source changes (needs the gnumeric
# package); the tests read the .xlsx files kept in the repository and never run this.
set -eu
cd "$(dirname "$0")"
export LC_ALL=C.UTF-8
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Two sheets: instructions first, the tracking table second, with their Uzbek Cyrillic names.
ssconvert --merge-to="$tmp/tracking.gnumeric" instructions-uz-cyrl.csv tracking-uz-cyrl.csv
zcat "$tmp/tracking.gnumeric" |
  sed -e 's/>instructions-uz-cyrl\.csv</>Йўриқнома</g' -e 's/>tracking-uz-cyrl\.csv</>Назорат</g' \
    >"$tmp/tracking-named.gnumeric"
ssconvert "$tmp/tracking-named.gnumeric" tracking-uz-cyrl.xlsx

# Dates as text: 31.12.2026 and 2027-03-31 stay text in the C locale, "до конца года" is no date.
# The sheet is named План.
ssconvert date-text-ru.csv "$tmp/date-text.gnumeric"
zcat "$tmp/date-text.gnumeric" | sed -e 's/>date-text-ru\.csv</>План</g' >"$tmp/date-text-named.gnumeric"
ssconvert "$tmp/date-text-named.gnumeric" date-text-ru.xlsx

# The header cell C1 (Muddat) merged with D1; the sheet is named Reja.
ssconvert merged-header.csv "$tmp/merged.gnumeric"
zcat "$tmp/merged.gnumeric" |
  sed -e 's/>merged-header\.csv</>Reja</g' -e 's#</gnm:Cells>#</gnm:Cells><gnm:MergedRegions><gnm:Merge>C1:D1</gnm:Merge></gnm:MergedRegions>#' \
    >"$tmp/merged-edited.gnumeric"
ssconvert "$tmp/merged-edited.gnumeric" merged-header.xlsx
