#!/usr/bin/env bash
# Instructions and simulated cache misses of a documents-only run, counted by valgrind's
# callgrind: nearly the same numbers for the same binary and inputs whatever else the machine
# is doing, so two builds can be compared on a shared, uneven machine where wall times cannot.
# Nearly: the reader, worker and writer threads wait on each other, and how long a wait spins
# before it sleeps varies, so the same binary's count varies by up to about 1 % from run to
# run; smaller differences say nothing.
#
#   scripts/instructions.sh [--lexicon FILE] [--table [--rows N] [--group]] BINARY [BINARY…]
#
# Runs each BINARY on the 66 KJV books (tests/data/kjv, 4.4 MB), or with --table on their
# first 20,000 verses as a table (--rows N: N rows, the verses over again after the last, each
# time with ids of their own; an id, the book's metadata, a group of 1,000 values and a date,
# as `scripts/bench.sh --table` makes its rows; --group adds `--group-by group --group-by
# date:month`), with `--hits none --tension none --segment none --charts none
# --jobs 1` (the settings of the bench's (a), on one thread; until 2026-12-02 without
# `--tension none`, so counts from before include writing tension.csv), and
# prints for each: instructions, simulated misses of a 32 KiB first-level data cache and of a
# 512 KiB last-level cache (the second level of the machines we measure on), and the same
# run on an empty input (what loading the lexicon and building the matcher cost). SHA-256 is
# left out of every count: valgrind runs it in software, where the processor has
# instructions for it. What a row costs, without the work done once per run (the lexicon, and
# with --group the groups' intervals and files at the end), is the difference between two
# --rows counts divided by the difference in rows (60000 and 180000: about four minutes a
# binary). Needs valgrind (apt-get install -y valgrind) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

lexicon=()
table=
rows=20000
rows_given=
group=()
bins=()
while [ $# -gt 0 ]; do
  case $1 in
    --lexicon) lexicon=(--lexicon "$(realpath "${2:?--lexicon needs a file}")"); shift ;;
    --table) table=1 ;;
    --rows) rows=${2:?--rows needs a number}; rows_given=1; shift
            [[ $rows =~ ^[1-9][0-9]*$ ]] || { echo "--rows needs a positive number" >&2; exit 1; } ;;
    --group) group=(--group-by group --group-by date:month) ;;
    -*) echo "usage: scripts/instructions.sh [--lexicon FILE] [--table [--rows N] [--group]] BINARY…" >&2; exit 1 ;;
    *) bins+=("$(realpath "$1")") ;;
  esac
  shift
done
[ "${#bins[@]}" -gt 0 ] || { echo "name at least one binary" >&2; exit 1; }
command -v valgrind > /dev/null || { echo "valgrind is needed (apt-get install -y valgrind)" >&2; exit 1; }
[ -z "${group[*]}" ] || [ -n "$table" ] || { echo "--group goes with --table" >&2; exit 1; }
[ -z "$rows_given" ] || [ -n "$table" ] || { echo "--rows goes with --table" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/empty"
echo "A word." > "$work/empty/a.txt"
input=tests/data/kjv
shown=$input
extra=()
if [ -n "$table" ]; then
  input="$work/verses.csv"
  shown="$rows rows of the verses of $shown as a table"
  extra=(--id-column id "${group[@]}")
  python3 - tests/data/kjv tests/data/kjv_books.csv "$input" "$rows" <<'PY'
import csv, datetime, os, sys
kjv, books, out, rows = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
meta = {r["document"]: r for r in csv.DictReader(open(books, encoding="utf-8"))}
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["id", "book", "testament", "genre", "group", "date", "text"])
    row, lap = 0, 1
    while True:
        for name in sorted(os.listdir(kjv)):
            m = meta[name]
            for i, line in enumerate(open(os.path.join(kjv, name), encoding="utf-8"), 1):
                if row == rows:
                    sys.exit()
                date = datetime.date(1900, 1, 1) + datetime.timedelta(days=row // 50)
                w.writerow([f"{lap}:{m['book']}:{i}", m["book"], m["testament"], m["genre"],
                            f"g{row % 1000:03d}", date.isoformat(), line.rstrip("\n")])
                row += 1
        lap += 1
PY
fi

# Instructions, first-level and last-level data misses of one run, SHA-256 left out.
count() {
  local out=$work/callgrind.out
  rm -rf "$work/o"
  valgrind --tool=callgrind --callgrind-out-file="$out" --cache-sim=yes \
    --D1=32768,8,64 --I1=32768,8,64 --LL=524288,8,64 \
    "$@" -o "$work/o" --quiet --hits none --tension none --segment none --charts none --jobs 1 \
    > /dev/null 2>&1 || true
  callgrind_annotate --show=Ir,D1mr,D1mw,DLmr,DLmw "$out" 2> /dev/null | python3 -c '
import re, sys
total, sha = [0] * 5, [0] * 5
for line in sys.stdin:
    line = re.sub(r"\([^)]*\)", "", line)
    cells = line.split()
    if len(cells) < 6 or not all(re.fullmatch(r"[\d,]+|\.", c) for c in cells[:5]):
        continue
    values = [int(c.replace(",", "")) if c != "." else 0 for c in cells[:5]]
    name = " ".join(cells[5:])
    if "PROGRAM TOTALS" in name:
        total = values
    elif "sha2::" in name:
        sha = [a + b for a, b in zip(sha, values)]
ir, d1r, d1w, llr, llw = (a - b for a, b in zip(total, sha))
print(f"{ir / 1e6:9.1f} M instructions {(d1r + d1w) / 1e6:7.2f} M D1 misses {(llr + llw) / 1e6:7.3f} M LL misses", end="")
'
}

echo "input: $shown${lexicon[*]:+; ${lexicon[*]}}${group[*]:+; ${group[*]}} (SHA-256 left out)"
for bin in "${bins[@]}"; do
  printf '%s\n  run:   ' "$bin"
  count "$bin" run "$input" "${lexicon[@]}" "${extra[@]}"
  printf '\n  empty: '
  count "$bin" run "$work/empty" "${lexicon[@]}"
  printf '\n'
done
