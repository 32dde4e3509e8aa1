#!/usr/bin/env bash
# A Dask LocalCluster of two worker processes runs the shards of a themescope run as tasks
# (scale/dask/shards.py), then the merge; the merged result must be byte for byte one run's
# (the manifest aside). Makes a virtual environment with dask[distributed] from PyPI when there
# is none (idempotent: a second run reuses it).
#
#   .ci/dask.sh [THEMESCOPE_BINARY]     (default: target/debug/themescope)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-target/debug/themescope}")
[ -x "$bin" ] || { echo "no themescope binary at $bin: build it first" >&2; exit 1; }
venv=${DASK_VENV:-/tmp/themescope-dask-venv}
if ! "$venv/bin/python" -c 'import dask.distributed' 2> /dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "dask[distributed]"
fi

work=$(mktemp -d /tmp/themescope-dask.XXXXXX)
trap 'rm -rf "$work" 2> /dev/null || true' EXIT
corpus="$work/corpus"
mkdir -p "$corpus"
cp tests/data/kjv/1[0-9]_*.txt "$corpus/"
"$bin" run "$corpus" -o "$work/whole" --quiet --charts svg --group-by folder
"$venv/bin/python" scale/dask/shards.py "$corpus" --shards 8 --parts "$work/parts" \
  --output "$work/merged" --themescope "$bin" --charts svg -- --group-by folder
diff -r -x manifest.json "$work/whole" "$work/merged"
echo "Dask: 8 shards as tasks on a LocalCluster of 2 processes, merged: byte for byte one run"
