#!/usr/bin/env bash
# Paired timing of two themescope binaries on the same run: which is faster, and by how much,
# on a shared machine whose speed drifts by ±20 % from minute to minute.
#
#   scripts/compare.sh [-n PAIRS] OLD_BINARY NEW_BINARY INPUT [RUN OPTIONS…]
#
# Runs `BINARY run INPUT -o TMP RUN OPTIONS…` PAIRS times (default 40) for each binary, the two
# taking turns (old then new, then new then old, …), so that a slow spell falls on both alike,
# and prints the ratio new/old of each pair's CPU time (user + system): their median and their
# geometric mean with its standard error; then the geometric means of the ratios of user time
# alone and of wall time. A change smaller than two standard errors is not told apart from the
# machine's noise (40 pairs of one-second runs: about ±2 %). CPU time, not wall time: it is what
# a change of the code changes, and what --jobs 2 turns into wall time when both cores are
# busy. User time leaves out the kernel's part, which is the same work for both when they write
# the same files but whose time swings with the page cache's state (copying a run's output into
# it took from 0.4 to 2.8 s of one run's 10 s on 2026-12-03): steadier, and a larger ratio for
# a change that only adds user time, such as grouping. Callgrind (scripts/instructions.sh)
# counts instructions exactly, but not what the processor does with them (a prefetch, memory
# stalls); this measures that.
# Example, documents only on one thread with a lexicon, FOLDER holding some 40 MB of text (ten
# of the bench corpus's copies of the KJV, say) so that a run takes about a second:
#   scripts/compare.sh OLD NEW FOLDER --jobs 1 --hits none --tension none --segment none \
#     --charts none --lexicon FILE
# OLD_OPTIONS and NEW_OPTIONS (split at spaces) are added to the runs of the old or the new binary
# only, so that two settings of one build can be compared; what grouping costs, say:
#   NEW_OPTIONS="--group-by group --group-by date:month" scripts/compare.sh BIN BIN TABLE.csv \
#     --id-column id --hits none --tension none --segment none --charts none
# With TOGETHER=1 the two runs of a pair start at the same moment, so that a slow spell falls on
# both at once rather than on both in turn: the CPU-time ratios then scatter less (grouping's
# cost on the bench table: ±0.6 % over 12 pairs and ±1.1 % over 16, two series that agree,
# where 30 pairs in turn gave ±1.5–1.7 % and series in turn an hour apart disagreed by more).
# Each run then shares the machine with the other until the faster ends: the same binary
# against itself measured -1.8 % (±0.7) over 4 pairs, two builds of the same code +1.5 %
# (±0.8) over 12 (2026-12-03), so differences under about 2 % are not told apart. Wall times
# of runs side by side are not those of a run alone, and are printed only for completeness.
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

run_options=("$@")

# Runs side $1 (old or new: its binary, with the run's options and its own) into an output
# folder of its own; its times go to "$work/time-$1", its messages to "$work/err-$1".
run_timed() {
  local binary=$new
  local -a own=("${new_options[@]}")
  if [ "$1" = old ]; then
    binary=$old
    own=("${old_options[@]}")
  fi
  rm -rf "$work/out-$1"
  /usr/bin/time -f "%U %S %e" -o "$work/time-$1" "$binary" run "$input" -o "$work/out-$1" \
    --quiet "${run_options[@]}" "${own[@]}" > /dev/null 2> "$work/err-$1"
}

# Stops the script with side $1's messages.
failed() {
  cat "$work/err-$1" >&2
  exit 1
}

# Seconds of one run of each side, in the order given ("old new" or "new old"), one after the
# other or, with TOGETHER=1, started at the same moment: old's CPU (user + system), user and
# wall, then new's, on one line.
measure() {
  local -A pid
  local side
  for side in "$@"; do
    if [ "${TOGETHER:-0}" = 1 ]; then
      run_timed "$side" &
      pid[$side]=$!
    else
      run_timed "$side" || failed "$side"
    fi
  done
  if [ "${TOGETHER:-0}" = 1 ]; then
    for side in old new; do
      wait "${pid[$side]}" || failed "$side"
    done
  fi
  awk '{ printf "%s %s %s ", $1 + $2, $1, $3 }' "$work/time-old"
  awk '{ print $1 + $2, $1, $3 }' "$work/time-new"
}

ratios=()
for pair in $(seq "$pairs"); do
  # (A command substitution, so that a run that fails stops the script.)
  if [ $((pair % 2)) -eq 1 ]; then both=$(measure old new); else both=$(measure new old); fi
  read -r a a_user a_wall b b_user b_wall <<< "$both"
  if awk -v a="$a" -v b="$b" 'BEGIN { exit !(a < 0.1 || b < 0.1) }'; then
    echo "runs of ${a}s and ${b}s are too short to time (/usr/bin/time counts hundredths of a second): give an INPUT that takes a second or more" >&2
    exit 1
  fi
  ratios+=("$(awk -v a="$a" -v b="$b" -v au="$a_user" -v bu="$b_user" -v aw="$a_wall" -v bw="$b_wall" \
    'BEGIN { printf "%.4f %.4f %.4f", b / a, bu / au, bw / aw }')")
  echo "pair $pair: old ${a}s new ${b}s (user ${a_user}s, ${b_user}s; wall ${a_wall}s, ${b_wall}s)" >&2
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '
  { r[NR] = $1; for (k = 1; k <= 3; k++) { l = log($k); s[k] += l; ss[k] += l * l } }
  END {
    for (k = 1; k <= 3; k++) {
      # The sample variance of the log ratios (n - 1), of one pair none.
      m[k] = s[k] / NR; v = NR > 1 ? (ss[k] - NR * m[k] * m[k]) / (NR - 1) : 0
      se[k] = exp(m[k]) * sqrt(v > 0 ? v : 0) / sqrt(NR)
    }
    printf "CPU time new/old over %d pairs: median %.3f, geometric mean %.3f (±%.3f standard error)\n",
      NR, r[int((NR + 1) / 2)], exp(m[1]), se[1]
    printf "user time alone: geometric mean %.3f (±%.3f); wall time: %.3f (±%.3f)\n",
      exp(m[2]), se[2], exp(m[3]), se[3]
  }'
