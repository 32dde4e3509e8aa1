#!/usr/bin/env bash
# Byte-for-byte comparison of two themescope binaries' complete output (every CSV file, the
# charts and the report; manifest.json records arguments and timings, so only its files list,
# counts and warnings are compared).
#
#   scripts/same-output.sh OLD_BINARY NEW_BINARY
#
# Runs both on: input/ (the essay); the 66 KJV books (tests/data/kjv) in every --segment mode;
# the KJV as one 4 MB file read in 256 KiB blocks (paragraph and parts:20 segments); the Psalms
# with CRLF and with lone CR line ends, in 16 KiB blocks. Prints one
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
    python3 - "$work/$side/manifest.json" > "$work/$side.manifest" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for key in ("files", "counts", "warnings", "skipped", "inputs"):
    print(key, json.dumps(m[key], sort_keys=True))
PY
    rm "$work/$side/manifest.json"
  done
  if diff -r "$work/old" "$work/new" > "$work/diff" && cmp -s "$work/old.manifest" "$work/new.manifest"; then
    echo "same: $name ($(find "$work/new" -type f | wc -l) files)"
  else
    echo "DIFFERENT: $name" >&2
    head -20 "$work/diff" >&2
    diff "$work/old.manifest" "$work/new.manifest" | head -5 >&2 || true
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
