#!/usr/bin/env bash
# The output folder on real file systems that fail, beside the test seams of tests/switch.rs:
#   1. charts/ on a tmpfs of its own: moving files between it and the temporary folder fails
#      (EXDEV), so the switch is undone and the previous set stays exactly as it was;
#   2. an output folder on a tmpfs that fills up: the run fails with "No space left on device"
#      and the previous set stays exactly as it was.
# Mounting needs root: elsewhere the script says so and stops (the seams cover the same paths).
# Usage: .ci/filesystems.sh THEMESCOPE_BINARY
set -euo pipefail
bin=$(realpath "$1")
repo=$(cd "$(dirname "$0")/.." && pwd)

work=$(mktemp -d)
mounts=()
cleanup() {
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ] || ! mkdir -p "$work/probe" || ! mount -t tmpfs -o size=64k tmpfs "$work/probe" 2>/dev/null; then
  echo "mounting a tmpfs is not allowed here (needs root): the real file-system cases did not run"
  exit 0
fi
umount "$work/probe"

fail() {
  echo "FAILED: $*" >&2
  exit 1
}

# The files of the folder with their checksums, the lock file aside.
state() {
  (cd "$1" && find . -type f ! -name .themescope.lock -print0 | sort -z | xargs -0 sha256sum)
}

# run FOLDER ARGS...: a run of the essay into FOLDER; sets $code and $stderr.
run() {
  local out=$1
  shift
  code=0
  stderr=$("$bin" run "$repo/input" -o "$out" --quiet "$@" 2>&1 >/dev/null) || code=$?
}

# expect_intact FOLDER BEFORE WHAT: exit 1, the folder as it was, nothing hidden left.
expect_intact() {
  local out=$1 before=$2 what=$3
  [ "$code" = 1 ] || fail "$what: exit $code, not 1: $stderr"
  [ "$(state "$out")" = "$before" ] || fail "$what: the previous set changed"
  if find "$out" -maxdepth 1 -name '.themescope-*' ! -name .themescope.lock | grep -q .; then
    fail "$what: a temporary folder or commit record is left"
  fi
  echo "ok: $what"
  echo "    $stderr"
}

# 1. charts/ on a file system of its own.
out="$work/across"
run "$out" --charts svg
[ "$code" = 0 ] || fail "first run: $stderr"
mkdir "$work/charts-copy"
mv "$out"/charts/* "$work/charts-copy/"
mount -t tmpfs -o size=16m tmpfs "$out/charts"
mounts+=("$out/charts")
mv "$work"/charts-copy/* "$out/charts/"
before=$(state "$out")
run "$out" --charts none
expect_intact "$out" "$before" "charts/ on another file system, charts dropped (EXDEV moving them aside)"
[[ "$stderr" == *"the previous results were put back as they were"* ]] || fail "message: $stderr"
run "$out" --charts svg --segment sentence
expect_intact "$out" "$before" "charts/ on another file system, charts replaced"
umount "$out/charts"
mounts=()

# 2. A full disk.
full="$work/full"
mkdir "$full"
mount -t tmpfs -o size=400k tmpfs "$full"
mounts+=("$full")
run "$full/out" --charts none --hits none
[ "$code" = 0 ] || fail "a small set fits: $stderr"
before=$(state "$full/out")
code=0
stderr=$("$bin" run "$repo/tests/data/kjv/01_genesis.txt" -o "$full/out" --quiet --charts none 2>&1 >/dev/null) || code=$?
expect_intact "$full/out" "$before" "a full disk"
[[ "$stderr" == *"No space left on device"* ]] || fail "message: $stderr"
echo "real file systems: every case passed"
