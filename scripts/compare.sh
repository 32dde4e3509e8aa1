#!/usr/bin/env bash
# Paired timing of two themescope binaries on the same run: which is faster, and by how much,
# on a shared machine whose speed drifts by ±20 % from minute to minute.
#
#   scripts/compare.sh [-n PAIRS] OLD_BINARY NEW_BINARY INPUT [RUN OPTIONS…]
#
# Runs `BINARY run INPUT -o TMP RUN OPTIONS…` PAIRS times (default 40) for each binary, the two
# taking turns (old then new, then new then old, …), so that a slow spell falls on both alike,
# and prints the ratio new/old of each pair's CPU time (user + system): their median and their
# geometric mean with its standard error. A change smaller than two standard errors is not told
# apart from the machine's noise (40 pairs of one-second runs: about ±2 %). CPU time, not wall
# time: it is what a change of the code changes, and what --jobs 2 turns into wall time when
# both cores are busy. Callgrind (scripts/instructions.sh) counts instructions exactly, but not
# what the processor does with them (a prefetch, memory stalls); this measures that.
# Example, documents only on one thread with a lexicon, FOLDER holding some 40 MB of text (ten
# of the bench corpus's copies of the KJV, say) so that a run takes about a second:
#   scripts/compare.sh OLD NEW FOLDER --jobs 1 --hits none --tension none --segment none \
#     --charts none --lexicon FILE
# OLD_OPTIONS and NEW_OPTIONS (split at spaces) are added to the runs of the old or the new binary
# only, so that two settings of one build can be compared; what grouping costs, say:
#   NEW_OPTIONS="--group-by group --group-by date:month" scripts/compare.sh BIN BIN TABLE.csv \
#     --id-column id --hits none --tension none --segment none --charts none
set -euo pipefail
pairs=40
if [ "${1:-}" = "-n" ]; then
  pairs=${2:?-n needs a number}
  shift 2
fi
[ $# -ge 3 ] || { echo "usage: scripts/compare.sh [-n PAIRS] OLD NEW INPUT [RUN OPTIONS…]" >&2; exit 1; }
old=$(realpath "$1")
new=$(realpath "$2")
input=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

read -r -a old_options <<< "${OLD_OPTIONS:-}"
read -r -a new_options <<< "${NEW_OPTIONS:-}"

# CPU seconds (user + system) of one run of binary $1 with options $2….
cpu() {
  rm -rf "$work/out"
  /usr/bin/time -f "%U %S" -o "$work/time" "$1" run "$input" -o "$work/out" --quiet "${@:2}" \
    > /dev/null 2> "$work/err" || { cat "$work/err" >&2; exit 1; }
  awk '{ print $1 + $2 }' "$work/time"
}

ratios=()
for pair in $(seq "$pairs"); do
  if [ $((pair % 2)) -eq 1 ]; then
    a=$(cpu "$old" "$@" "${old_options[@]}")
    b=$(cpu "$new" "$@" "${new_options[@]}")
  else
    b=$(cpu "$new" "$@" "${new_options[@]}")
    a=$(cpu "$old" "$@" "${old_options[@]}")
  fi
  if awk -v a="$a" -v b="$b" 'BEGIN { exit !(a < 0.1 || b < 0.1) }'; then
    echo "runs of ${a}s and ${b}s are too short to time (/usr/bin/time counts hundredths of a second): give an INPUT that takes a second or more" >&2
    exit 1
  fi
  ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f", b / a }')")
  echo "pair $pair: old ${a}s new ${b}s" >&2
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '
  { r[NR] = $1; l = log($1); s += l; ss += l * l }
  END {
    m = s / NR; sd = sqrt(ss / NR - m * m)
    printf "CPU time new/old over %d pairs: median %.3f, geometric mean %.3f (±%.3f standard error)\n",
      NR, r[int((NR + 1) / 2)], exp(m), exp(m) * sd / sqrt(NR)
  }'
