#!/usr/bin/env bash
# End-to-end benchmark of the release binary against `wc -w` on the same files.
#
#   scripts/bench.sh [SIZE_MB] [--single] [--lexicon FILE] [--table [--group]]
#
# Builds a corpus by repeating tests/data/kjv (the 66 KJV books) up to SIZE_MB megabytes
# (default 200) in over 1,000 files, or with --single as one file of that size, then times:
#   (a) document-level results only: --hits none --tension none --segment none --charts none
#       (no file of a row per hit, tension sentence or segment)
#   (b) the default run without charts: --charts none
#   (c) --jobs 1 against --jobs 2 (on the settings of (a)), and for scale two --jobs 1 runs side
#       by side: what the machine's two cores give two independent processes
# For each it prints wall time, MB/s, tokens/s, peak RSS (from /usr/bin/time -v) and the ratio
# of its throughput to `LC_ALL=C.UTF-8 wc -w`, measured in the same run on the same files.
# Each command runs ${REPEAT:-5} times, the commands taking turns, and the fastest run counts (as
# hyperfine's "min": on a shared machine the slower runs measure the neighbours); peak RSS is the
# largest of the runs.
# The output folder is removed before each run, outside the timing: removing the previous
# run's 800 MB of CSV files is not analysis.
# The corpus is built under ${BENCH_DIR:-/tmp/themescope-bench} and reused when it exists.
# BIN=path/to/themescope times that binary instead of building this checkout.
# --lexicon FILE passes the lexicon to every themescope run (scripts/gen-lexicon.sh writes one
# of the shape real dictionaries have); without it, the built-in lexicon.
# --table builds instead one CSV table of SIZE_MB: every KJV verse a row, with an id and its
# book's metadata from tests/data/kjv_books.csv, a group and a date (about 185 bytes a row), and
# times `themescope run TABLE.csv --id-column id`; `wc -w` reads the same CSV file.
# It also writes the same rows as JSON Lines compressed with zstd (the `zstd` command is needed:
# apt-get install -y zstd) and times (d), the settings of (a) on TABLE.jsonl.zst, its ratio
# still against `wc -w` on the uncompressed CSV. Each row also has a `group` (1,000 values, g000
# to g999 in turn) and a `date` (one day per 50 rows from 1900-01-01); --group adds (e), the
# settings of (a) with `--group-by group --group-by date:month`, taking turns with the others,
# and prints what grouping costs: (e) against (a), their fastest runs and their median runs,
# and their processor time (user + system, then user alone) round by round: the geometric mean
# of the rounds' ratios with its standard error (the two ran minutes apart at most, so a slow
# spell falls on both; the steadiest figures, and the ones to quote with REPEAT of 10 or more;
# user time leaves out the kernel's copying of the output, the same work in both runs whose
# time swings with the page cache's state, see scripts/compare.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

size_mb=200
single=
table=
group=
lexicon=
while [ $# -gt 0 ]; do
  case $1 in
    --single) single=--single ;;
    --table) table=--table ;;
    --group) group=--group ;;
    --lexicon) lexicon=${2:?--lexicon needs a file}; shift ;;
    --lexicon=*) lexicon=${1#--lexicon=} ;;
    [0-9]*) size_mb=$1 ;;
    *) echo "usage: scripts/bench.sh [SIZE_MB] [--single] [--lexicon FILE] [--table [--group]]" >&2; exit 1 ;;
  esac
  shift
done
kjv=tests/data/kjv
[ -d "$kjv" ] || { echo "the KJV corpus is expected at $kjv" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed (apt-get install -y time)" >&2; exit 1; }
if [ -n "$table" ] && ! command -v zstd > /dev/null; then
  echo "the zstd command is needed for the table's .jsonl.zst (apt-get install -y zstd)" >&2
  exit 1
fi

root=${BENCH_DIR:-/tmp/themescope-bench}
# (-table2: the table's rows gained their group and date columns.)
corpus="$root/corpus-${size_mb}mb${single:+-single}${table:+-table2}"
[ -z "$group" ] || [ -n "$table" ] || { echo "--group goes with --table" >&2; exit 1; }
out="$root/out"
target_bytes=$((size_mb * 1000 * 1000))

if [ -n "$table" ] && [ ! -d "$corpus" ]; then
  mkdir -p "$corpus.tmp"
  python3 - "$kjv" tests/data/kjv_books.csv "$corpus.tmp/kjv-verses.csv" "$target_bytes" <<'PY'
import csv, datetime, os, sys
kjv, books, out, target = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
meta = {r["document"]: r for r in csv.DictReader(open(books, encoding="utf-8"))}
verses = []
for name in sorted(os.listdir(kjv)):
    m = meta[name]
    with open(os.path.join(kjv, name), encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            verses.append((m["book"], i, m["testament"], m["genre"], line.rstrip("\n")))
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["id", "book", "testament", "genre", "group", "date", "text"])
    copy = 0
    row = 0
    start = datetime.date(1900, 1, 1)
    while f.tell() < target:
        copy += 1
        for book, i, testament, genre, text in verses:
            date = start + datetime.timedelta(days=row // 50)
            w.writerow([f"{copy}:{book}:{i}", book, testament, genre, f"g{row % 1000:03d}", date.isoformat(), text])
            row += 1
PY
  # The same rows as JSON Lines, compressed (beside the corpus: `wc -w` and the warm-up read
  # the CSV file only).
  python3 - "$corpus.tmp/kjv-verses.csv" "$corpus.tmp/kjv-verses.jsonl" <<'PY'
import csv, json, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as out:
    for row in csv.DictReader(f):
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
PY
  zstd -q --rm "$corpus.tmp/kjv-verses.jsonl" -o "$corpus.tmp/kjv-verses.jsonl.zst"
  mv "$corpus.tmp" "$corpus"
fi
if [ -n "$table" ] && [ ! -f "$corpus/kjv-verses.jsonl.zst" ]; then
  echo "$corpus has no kjv-verses.jsonl.zst (made by an older version of this script): remove it" >&2
  exit 1
fi
if [ ! -d "$corpus" ]; then
  mkdir -p "$corpus.tmp"
  if [ -n "$single" ]; then
    file="$corpus.tmp/kjv-repeated.txt"
    : > "$file"
    while [ "$(stat -c %s "$file")" -lt "$target_bytes" ]; do cat "$kjv"/*.txt >> "$file"; done
  else
    copy=0
    total=0
    while [ "$total" -lt "$target_bytes" ]; do
      copy=$((copy + 1))
      dir="$corpus.tmp/copy-$(printf %03d "$copy")"
      mkdir -p "$dir"
      cp "$kjv"/*.txt "$dir"/
      total=$((total + $(cat "$kjv"/*.txt | wc -c)))
    done
  fi
  mv "$corpus.tmp" "$corpus"
fi

# BIN=path times another build (an older one, to compare); by default the release build here.
if [ -n "${BIN:-}" ]; then
  bin=$BIN
else
  cargo build --release --quiet
  bin=target/release/themescope
fi
# The lexicon of every run: checked once here, since a run that fails is not timed apart.
lex_args=()
if [ -n "$lexicon" ]; then
  "$bin" lexicon check "$lexicon" > /dev/null || { echo "the lexicon $lexicon is not usable" >&2; exit 1; }
  lex_args=(--lexicon "$lexicon")
fi
# What is read: the documents, or the table.
pattern='*.txt'
input=$corpus
if [ -n "$table" ]; then
  pattern='*.csv'
  input="$corpus/kjv-verses.csv"
  lex_args+=(--id-column id)
fi
files=$(find "$corpus" -type f -name "$pattern" | wc -l)
bytes=$(find "$corpus" -type f -name "$pattern" -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
if [ -n "$table" ]; then
  rows=$(($(wc -l < "$input") - 1))
  zst_mb=$(awk -v b="$(stat -c %s "$corpus/kjv-verses.jsonl.zst")" 'BEGIN { printf "%.1f", b / 1e6 }')
  echo "corpus: $input ($rows rows, $mb MB; as .jsonl.zst $zst_mb MB)"
else
  echo "corpus: $corpus ($files files, $mb MB)"
fi
echo "lexicon: ${lexicon:-built-in}${group:+; (e) grouped by group (1,000 values) and date:month}"

# Seconds of wall time of a command (the page cache is warm: every command reads the same files).
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null 2>&1
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }'
}

repeat=${REPEAT:-5}
find "$corpus" -type f -name "$pattern" -print0 | xargs -0 cat > /dev/null   # warm the cache

# The commands take turns, round after round, each round starting with the next one (wc -w,
# (a), (b), (c); then (a), (b), (c), wc -w; …), so that a slow spell of this shared machine, or
# the disk still writing the last run's CSV, falls on all of them alike; before each run the
# disk is synced and the corpus read again, outside the timing. Each keeps its fastest run.
labels=("(a) documents only, --jobs 2" "(b) default without charts" "(c) documents only, --jobs 1")
args=("--hits none --tension none --segment none --charts none --jobs 2" "--charts none --jobs 2"
      "--hits none --tension none --segment none --charts none --jobs 1")
inputs=("$input" "$input" "$input")
if [ -n "$table" ]; then
  labels+=("(d) (a) on the .jsonl.zst")
  args+=("${args[0]}")
  inputs+=("$corpus/kjv-verses.jsonl.zst")
fi
if [ -n "$group" ]; then
  labels+=("(e) (a) grouped")
  args+=("${args[0]} --group-by group --group-by date:month")
  inputs+=("$input")
fi
runs=${#labels[@]}
best=("" "" "" "" "")
peak=(0 0 0 0 0)
# Every run's seconds and processor seconds, per command (for the grouping's cost).
times=("" "" "" "" "")
cpus=("" "" "" "" "")
users=("" "" "" "" "")
wc_s=
pair_s=
log=$(mktemp)
turns=$((runs + 2))
for round in $(seq "$repeat"); do
  for turn in $(seq 0 $((turns - 1))); do
    k=$(((round - 1 + turn) % turns - 1))   # -1 is wc -w, $runs the side-by-side runs
    rm -rf "$out" "$out-2"
    sync
    find "$corpus" -type f -name "$pattern" -print0 | xargs -0 cat > /dev/null
    if [ "$k" -lt 0 ]; then
      s=$(seconds bash -c "find '$corpus' -type f -name '$pattern' -print0 | LC_ALL=C.UTF-8 xargs -0 wc -w")
      wc_s=$(awk -v a="$s" -v b="$wc_s" 'BEGIN { print (b == "" || a < b) ? a : b }')
      continue
    fi
    if [ "$k" -eq "$runs" ]; then
      # What two cores of this machine give two independent processes: (c) twice at once.
      # (printf with no argument would still print '', an empty INPUT.)
      extra=
      [ "${#lex_args[@]}" -eq 0 ] || extra=$(printf '%q ' "${lex_args[@]}")
      s=$(seconds bash -c "'$bin' run '$input' -o '$out' --quiet ${args[2]} $extra &
        '$bin' run '$input' -o '$out-2' --quiet ${args[2]} $extra; wait")
      pair_s=$(awk -v a="$s" -v b="$pair_s" 'BEGIN { print (b == "" || a < b) ? a : b }')
      continue
    fi
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    /usr/bin/time -v "$bin" run "${inputs[$k]}" -o "$out" --quiet ${args[$k]} "${lex_args[@]}" 2> "$log" > /dev/null || true
    end=$(date +%s.%N)
    s=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')
    best[k]=$(awk -v a="$s" -v b="${best[k]}" 'BEGIN { print (b == "" || a < b) ? a : b }')
    times[k]+="$s "
    cpus[k]+="$(awk -F': ' '/User time|System time/ { c += $2 } END { printf "%.2f", c }' "$log") "
    users[k]+="$(awk -F': ' '/User time/ { printf "%.2f", $2 }' "$log") "
    r=$(awk '/Maximum resident set size/ { printf "%.0f", $6 / 1024 }' "$log")
    peak[k]=$((r > peak[k] ? r : peak[k]))
    tokens=$(grep -o '"tokens": [0-9]*' "$out/manifest.json" | head -1 | grep -o '[0-9]*$')
  done
done
rm -f "$log"
wc_mbs=$(awk -v b="$bytes" -v s="$wc_s" 'BEGIN { printf "%.1f", b / 1e6 / s }')
echo "wc -w: ${wc_s}s, $wc_mbs MB/s (each line: the fastest of $repeat runs)"
for k in $(seq 0 $((runs - 1))); do
  awk -v label="${labels[k]}" -v b="$bytes" -v s="${best[k]}" -v t="$tokens" -v r="${peak[k]}" \
    -v w="$wc_mbs" 'BEGIN {
    mbs = b / 1e6 / s
    printf "%-34s %7.2fs %7.1f MB/s %6.1fM tokens/s  peak RSS %5d MB  %.2f x wc -w\n", label, s, mbs, t / s / 1e6, r, mbs / w
  }'
done
awk -v one="${best[2]}" -v two="${best[0]}" 'BEGIN { printf "(c) speed-up of --jobs 2 over --jobs 1: %.2f x\n", one / two }'
awk -v one="${best[2]}" -v pair="$pair_s" 'BEGIN {
  printf "    for scale: two (c) runs side by side take %.2fs, so two cores give two independent\n", pair
  printf "    processes %.2f x the throughput of one here (the most --jobs 2 can gain)\n", 2 * one / pair
}'
if [ -n "$group" ]; then
  median() { tr ' ' '\n' <<< "$1" | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
  e=$((runs - 1))
  awk -v a="${best[0]}" -v e="${best[e]}" -v ma="$(median "${times[0]}")" -v me="$(median "${times[e]}")" \
    -v n="$repeat" 'BEGIN {
    printf "(e) grouping costs %+.1f %% of (a) (fastest runs: %.2fs against %.2fs),\n", (e / a - 1) * 100, e, a
    printf "    %+.1f %% by the medians of the %d runs (%.2fs against %.2fs)\n", (me / ma - 1) * 100, n, me, ma
  }'
  # Processor time, (e) over (a) round by round: user + system, then user alone.
  for kind in "processor time" "user time alone"; do
    case $kind in
      processor*) a_times=${cpus[0]} e_times=${cpus[e]} ;;
      *) a_times=${users[0]} e_times=${users[e]} ;;
    esac
    paste <(tr ' ' '\n' <<< "$a_times" | sed '/^$/d') <(tr ' ' '\n' <<< "$e_times" | sed '/^$/d') |
      awk -v kind="$kind" '$1 > 0 && $2 > 0 { l = log($2 / $1); s += l; ss += l * l; n++ }
        END {
          if (n == 0) exit
          m = s / n; se = n > 1 ? sqrt((ss / n - m * m) / (n - 1)) : 0
          printf "    %+.1f %% (±%.1f) in %s, the geometric mean of %d rounds\n", (exp(m) - 1) * 100, exp(m) * se * 100, kind, n
        }'
  done
fi
rm -rf "$out-2"
