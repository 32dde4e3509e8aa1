"""Run a themescope analysis as N shards on a Dask cluster, then merge them.

    python scale/dask/shards.py --shards 16 --parts /shared/parts --output /shared/out \
        [--scheduler tcp://host:8786] [--themescope PATH] INPUT... [-- RUN OPTIONS...]

Each shard is one Dask task running `themescope run INPUT... --shard K/N -o PARTS/K` on
whichever worker takes it (every worker must see INPUT and PARTS: shared storage); when all
succeeded, `themescope merge` writes OUTPUT, byte for byte what one run over INPUT writes.
Without --scheduler, a LocalCluster of --workers processes runs the tasks (for a try on one
machine). The exit code is the merge's: 0, or 2 when a shard skipped a document.
"""

import argparse
import os
import subprocess
import sys

from dask.distributed import Client, LocalCluster


def shard(themescope, inputs, k, n, parts, options):
    """One shard: its partial result in PARTS/K. Raises when themescope fails."""
    out = os.path.join(parts, str(k))
    command = [themescope, "run", *inputs, "--shard", f"{k}/{n}", "-o", out, "--jobs", "1",
               "--quiet", *options]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"shard {k}/{n} exited {done.returncode}: {done.stderr.strip()}")
    return out


def main(argv):
    if "--" in argv:
        at = argv.index("--")
        argv, options = argv[:at], argv[at + 1:]
    else:
        options = []
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+", metavar="INPUT")
    parser.add_argument("--shards", type=int, required=True, metavar="N")
    parser.add_argument("--parts", required=True, help="folder for the partial results")
    parser.add_argument("--output", required=True, help="the merged result's folder")
    parser.add_argument("--scheduler", help="a Dask scheduler's address (default: a LocalCluster)")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    parser.add_argument("--themescope", default="themescope", help="the binary")
    parser.add_argument("--charts", default="png,svg", help="the merge's --charts")
    args = parser.parse_args(argv)
    themescope = os.path.abspath(args.themescope) if os.sep in args.themescope else args.themescope
    inputs = [os.path.abspath(i) for i in args.inputs]
    parts = os.path.abspath(args.parts)
    os.makedirs(parts, exist_ok=True)
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    with client:
        futures = [client.submit(shard, themescope, inputs, k, args.shards, parts, options,
                                 pure=False)
                   for k in range(args.shards)]
        written = client.gather(futures)
    merge = [themescope, "merge", *written, "-o", os.path.abspath(args.output), "--quiet",
             "--charts", args.charts]
    return subprocess.run(merge).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
