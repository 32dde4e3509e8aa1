#!/usr/bin/env bash
# Byte-for-byte comparison of two themescope binaries' complete output (every CSV file, the
# charts and the report; manifest.json records the output folder and timings, so it is
# compared as text with those lines masked).
#
#   scripts/same-output.sh OLD_BINARY NEW_BINARY [TABLE.csv]
#
# Runs both on: input/ (the essay); the 66 KJV books (tests/data/kjv) in every --segment mode;
# the KJV as one 4 MB file read in 256 KiB blocks (paragraph and parts:20 segments); the Psalms
# with CRLF and with lone CR line ends, in 16 KiB blocks; the inaugural addresses as CSV, as
# JSON Lines compressed with zstd (when the zstd command is there) and with the KJV books and
# their metadata; the KJV's verses as a table with duplicate ids; and TABLE.csv when given
# (the table of scripts/bench.sh --table, with --id-column id), documents only and by
# default, and grouped (the inaugural addresses, the KJV books and TABLE.csv). Prints one
# line per case and exits 1 at the first difference.
set -euo pipefail
cd "$(dirname "$0")/.."
old=$(realpath "$1")
new=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat tests/data/kjv/*.txt > "$work/kjv.txt"
mkdir -p "$work/crlf" "$work/cr"
sed 's/$/\r/' tests/data/kjv/19_psalms.txt > "$work/crlf/psalms.txt"
tr '\n' '\r' < tests/data/kjv/19_psalms.txt > "$work/cr/psalms.txt"

compare() {
  local name=$1
  shift
  rm -rf "$work/old" "$work/new"
  "$old" run "$@" -o "$work/old" --quiet
  "$new" run "$@" -o "$work/new" --quiet
  for side in old new; do
    # The arguments name the binary and the output folder; timings differ from run to run;
    # binaries from before 2026-12-01 write no `"tension": true` setting (the default).
    sed -e "s|$work/$side|OUT|g" -e "s|\"$old\"|\"BIN\"|" -e "s|\"$new\"|\"BIN\"|" -e 's/"\(load\|total\)_seconds": .*/"\1_seconds": T/' \
      -e '/^    "tension": true,$/d' \
      "$work/$side/manifest.json" > "$work/$side.manifest"
    rm "$work/$side/manifest.json"
  done
  if diff -r "$work/old" "$work/new" > "$work/diff" && cmp -s "$work/old.manifest" "$work/new.manifest"; then
    echo "same: $name ($(find "$work/new" -type f | wc -l) files)"
  else
    echo "DIFFERENT: $name" >&2
    head -20 "$work/diff" >&2
    diff "$work/old.manifest" "$work/new.manifest" | head -10 >&2 || true
    exit 1
  fi
}

compare "input/" input
for mode in paragraph sentence lines:40 words:500 parts:20 none; do
  compare "KJV, --segment $mode" tests/data/kjv --segment "$mode"
done
compare "KJV as one file, blocks" "$work/kjv.txt" --block-size 262144
compare "KJV as one file, blocks, parts:20, 1 job" "$work/kjv.txt" --segment parts:20 --jobs 1
compare "Psalms with CRLF and with lone CR line ends, blocks, lines:7" "$work/crlf" "$work/cr" --block-size 16384 --segment lines:7
compare "KJV, --hits none --charts none --excel" tests/data/kjv --hits none --charts none --excel

inaugural=tests/data/inaugural/inaugural.csv
compare "inaugural addresses, CSV" "$inaugural" --id-column id
compare "inaugural addresses, CSV, --zeros drop, --segment sentence" "$inaugural" --id-column id --zeros drop --segment sentence
compare "inaugural addresses by party and decade, clustered by president" "$inaugural" --id-column id --group-by party --group-by date:decade --cluster-by president
compare "inaugural addresses by party+decade and years:20, clustered by document" "$inaugural" --id-column id --group-by party+date:decade --group-by date:years:20 --segment none
compare "KJV books by testament and genre" tests/data/kjv --metadata tests/data/kjv_books.csv --group-by testament --group-by genre+testament --charts none
compare "inaugural addresses as rows without ids, beside the KJV books with --metadata" "$inaugural" tests/data/kjv --metadata tests/data/kjv_books.csv --text-column text
python3 - "$inaugural" "$work/inaugural.jsonl" "$work/verses.csv" tests/data/kjv <<'PY'
import csv, json, os, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as out:
    for row in csv.DictReader(f):
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
# The KJV's verses, each book's first ten twice over: ids given before get ~2.
with open(sys.argv[3], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["id", "book", "text"])
    for name in sorted(os.listdir(sys.argv[4])):
        lines = open(os.path.join(sys.argv[4], name), encoding="utf-8").read().splitlines()
        for i, line in enumerate(lines[:10] + lines, 1):
            w.writerow([f"{name}:{i if i <= 10 else i - 10}", name, line])
PY
if command -v zstd > /dev/null; then
  zstd -q -f "$work/inaugural.jsonl" -o "$work/inaugural.jsonl.zst"
  compare "inaugural addresses, JSON Lines, zstd" "$work/inaugural.jsonl.zst" --id-column id
else
  compare "inaugural addresses, JSON Lines" "$work/inaugural.jsonl" --id-column id
  echo "(no zstd command: the .jsonl.zst case was left out; apt-get install -y zstd)"
fi
compare "KJV verses as a table, duplicate ids" "$work/verses.csv" --id-column id
if [ -n "${3:-}" ]; then
  compare "$3, documents only" "$3" --id-column id --hits none --segment none --charts none
  compare "$3, default" "$3" --id-column id --charts none
  compare "$3, documents only, by group and date:month" "$3" --id-column id --hits none --segment none --charts none --group-by group --group-by date:month
fi
