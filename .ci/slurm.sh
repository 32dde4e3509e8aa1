#!/usr/bin/env bash
# A one-node Slurm cluster runs the shards of a themescope run as a job array
# (scale/slurm/shards.sbatch) and the merge as a job that depends on it
# (scale/slurm/merge.sbatch); the merged result must be byte for byte one run's (the manifest
# aside). Installs Debian's slurm-wlm and munge when missing (as root), configures and starts
# munged, slurmctld and slurmd under a scratch folder, and stops them at the end, whatever
# happens. Idempotent: a second run reuses the installed packages.
#
#   .ci/slurm.sh [THEMESCOPE_BINARY]     (default: target/debug/themescope)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-target/debug/themescope}")
[ -x "$bin" ] || { echo "no themescope binary at $bin: build it first" >&2; exit 1; }

if ! command -v sbatch > /dev/null || ! command -v munged > /dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "slurm-wlm and munge are not installed and this is not root: skipping the Slurm check" >&2
    exit 0
  fi
  apt-get update -qq > /dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge > /dev/null
fi
if [ "$(id -u)" != 0 ]; then
  echo "starting Slurm's daemons needs root: skipping the Slurm check" >&2
  exit 0
fi

work=$(mktemp -d /tmp/themescope-slurm.XXXXXX)
host=$(hostname -s)
cleanup() {
  scontrol shutdown > /dev/null 2>&1 || true
  sleep 1
  [ -f "$work/munged.pid" ] && kill "$(cat "$work/munged.pid")" 2> /dev/null || true
  # The daemons write into the scratch folder as they stop (munged its seed file): wait until
  # none of those whose pid files are there runs (10 s at most), then remove it; a file written
  # during the removal gets a second try, and what is left in /tmp fails nothing.
  local pids
  pids=$(cat "$work"/*.pid 2> /dev/null || true)
  for _ in $(seq 100); do
    alive=
    for pid in $pids; do kill -0 "$pid" 2> /dev/null && alive=1; done
    [ -z "$alive" ] && break
    sleep 0.1
  done
  rm -rf "$work" 2> /dev/null || { sleep 1; rm -rf "$work"; } || true
}
trap cleanup EXIT

# munge: a key of its own, its socket in the scratch folder.
mkdir -p "$work/munge" "$work/spool/ctld" "$work/spool/d" "$work/parts"
chmod 700 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/socket" \
  --pid-file="$work/munged.pid" --log-file="$work/munge/log" --seed-file="$work/munge/seed"

cpus=$(nproc)
cat > "$work/slurm.conf" <<CONF
ClusterName=themescope-ci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/socket
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$work/spool/ctld
SlurmdSpoolDir=$work/spool/d
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$work/slurm.conf
slurmctld
slurmd
for _ in $(seq 60); do
  state=$(sinfo -h -o %T 2> /dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.5
done
[ "$state" = idle ] || { echo "the Slurm node did not come up ($state):" >&2; cat "$work"/*.log >&2; exit 1; }

# Four shards of five KJV books each way, and one run to compare with.
corpus="$work/corpus"
mkdir -p "$corpus"
cp tests/data/kjv/0[1-9]_*.txt "$corpus/"
options=(--charts svg --segment sentence)
"$bin" run "$corpus" -o "$work/whole" --quiet "${options[@]}"
cd "$work"
export THEMESCOPE=$bin
array=$(sbatch --parsable --array=0-3 "$OLDPWD/scale/slurm/shards.sbatch" "$corpus" "$work/parts" "${options[@]}")
sbatch --wait --dependency="afterok:$array" "$OLDPWD/scale/slurm/merge.sbatch" "$work/parts" "$work/merged" --charts svg > /dev/null
cd "$OLDPWD"
for k in 0 1 2 3; do
  [ -f "$work/parts/$k/state.json" ] || { echo "shard $k wrote no partial result" >&2; cat "$work"/themescope-*.out >&2; exit 1; }
done
diff -r -x manifest.json "$work/whole" "$work/merged"
echo "Slurm: 4 shards as a job array, merged by a dependent job: byte for byte one run"
