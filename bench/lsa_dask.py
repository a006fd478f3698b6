"""LSA on a Dask cluster against the local fit on the same data: captured energy and subspace.

The first ``--max-lines`` lines of big.txt (one bag per line, tf-idf, English stopwords,
``min_count=2``) are fitted with ``LSA(n_components=k)`` locally and with ``client=`` on a
``LocalCluster(n_workers=2, threads_per_worker=1)``, the corpus cut into partitions of
``--partition-chars`` characters.  Printed: captured energy of both, their difference (the goal
is under 1e-3), the largest relative difference of the singular values, the smallest cosine
between matching components, and the wall times (a 2-core machine: the times show the overhead
of the scheduler, not a speed-up).  Usage::

    python bench/lsa_dask.py --max-lines 40000 > bench/results/lsa_dask.txt
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data"
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    import logging

    from dask.distributed import Client, LocalCluster

    import wordspace.models._distributed as D
    from wordspace.models.lsa import LSA

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DATA / "corpus" / "big.txt.gz")
    parser.add_argument("--max-lines", type=int, default=40_000)
    parser.add_argument("--k", type=int, default=100)
    parser.add_argument("--partition-chars", type=int, default=2_000_000)
    args = parser.parse_args()
    logging.getLogger("distributed").setLevel(logging.ERROR)
    D.PARTITION_CHARS = args.partition_chars
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "corpus.txt")
        with gzip.open(args.corpus, "rt", encoding="utf-8") as src, open(path, "w") as dst:
            for number, line in enumerate(src):
                if number >= args.max_lines:
                    break
                dst.write(line)
        print(f"corpus: first {args.max_lines} lines of {args.corpus.name}, k={args.k}, "
              f"partitions of {args.partition_chars:,} characters; load "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        tick = time.perf_counter()
        local = LSA(n_components=args.k).fit(path)
        local_seconds = time.perf_counter() - tick
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                          dashboard_address=":0") as cluster, Client(cluster) as client:
            tick = time.perf_counter()
            remote = LSA(n_components=args.k).fit(path, client=client)
            remote_seconds = time.perf_counter() - tick
    shape = (len(local.document_vectors_), len(local.vocabulary_))
    cosines = np.abs(np.sum(local.components_ * remote.components_, axis=1))
    print(f"matrix {shape[0]:,} x {shape[1]:,}; Dask: {remote.n_partitions_} partitions")
    print(f"captured energy  local {local.explained_energy_:.8f}  dask "
          f"{remote.explained_energy_:.8f}  difference "
          f"{abs(local.explained_energy_ - remote.explained_energy_):.2e}")
    print(f"singular values: largest relative difference "
          f"{np.max(np.abs(local.singular_values_ / remote.singular_values_ - 1)):.2e}")
    print(f"components: smallest |cosine| local vs dask {cosines.min():.6f}")
    print(f"wall seconds  local {local_seconds:.1f}  dask {remote_seconds:.1f}")
    print(f"load at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
