"""word2vec on a Dask cluster against the single-machine run: quality for 1, 2 and 4 workers.

The first ``--max-lines`` lines of big.txt are trained with the same settings (CBOW, negative
sampling, 100 dimensions, window 5, ``min_count=5``, ``--epochs``) by

* ``local``: ``Word2Vec(workers=1).fit(path)``, the single-machine run (one thread, so the
  Dask runs below, one thread per worker, see the same arithmetic per token);
* ``aligned-N`` / ``damped-N`` / ``mean-N`` / ``sum-N``: ``Word2Vec(...).fit(path,
  client=client)`` on a ``LocalCluster(n_workers=N, threads_per_worker=1)``: one shard per
  worker, every ``ROUND_TOKENS`` tokens (all workers together) the changed rows are combined:
  the sum of the changes damped by how aligned the workers' changes of the row are
  (``aligned``, the default), or by each row's saturation estimated from its updates
  (``damped``; ``damped:KAPPA`` another constant), the mean of the workers' versions (``mean``,
  Spark MLlib's rule) or the sum of their changes (``sum``): see ``_combine_rows`` in
  ``wordspace.models._distributed``.

Scores: Google analogies (restrict_vocab=30000), WordSim-353 and SimLex-999 Spearman, with
gensim's evaluators.  On a 2-core machine the 4-worker cluster shares two cores, so its speed
says nothing; the scores are the point.  Usage::

    python bench/word2vec_dask.py --max-lines 100000 > bench/results/word2vec_dask.txt
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

SETTINGS = dict(vector_size=100, window=5, negative=5, sample=1e-3, min_count=5,
                architecture="cbow", loss="negative", seed=1)


def main() -> None:
    import logging

    from dask.distributed import Client, LocalCluster
    from word2vec import evaluate, to_keyed_vectors

    import wordspace.models._distributed as D
    from wordspace.models.word2vec import Word2Vec

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DATA / "corpus" / "big.txt.gz")
    parser.add_argument("--max-lines", type=int, default=100_000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--combine", default=None,
                        help="comma-separated, of: aligned (the default), mean (of the changed "
                             "rows), sum (of changes), damped, damped:KAPPA (another "
                             "saturation constant)")
    parser.add_argument("--round-tokens", default=None,
                        help="comma-separated tokens trained by all workers together between "
                             "two combines (default: ROUND_TOKENS of "
                             "wordspace.models._distributed)")
    parser.add_argument("--seed", type=int, default=SETTINGS["seed"])
    parser.add_argument("--no-local", action="store_true", help="skip the single-machine run")
    parser.add_argument("--processes", action="store_true",
                        help="workers in their own processes (default: threads of this one)")
    args = parser.parse_args()
    logging.getLogger("distributed").setLevel(logging.ERROR)
    settings = {**SETTINGS, "epochs": args.epochs, "seed": args.seed}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "corpus.txt")
        n_tokens = 0
        with gzip.open(args.corpus, "rt", encoding="utf-8") as src, open(path, "w") as dst:
            for number, line in enumerate(src):
                if number >= args.max_lines:
                    break
                dst.write(line)
                n_tokens += len(line.split())
        print(f"corpus: first {args.max_lines} lines of {args.corpus.name} ({n_tokens:,} "
              f"whitespace tokens); settings {settings}; combining every {D.ROUND_TOKENS:,} "
              f"tokens (all workers); LocalCluster threads_per_worker=1, processes="
              f"{args.processes}, on {os.cpu_count()} cores; load "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        header = (f"{'run':14} {'shards':>6} {'train s':>8} {'analogy':>7} {'WS353':>6} "
                  f"{'SimLex':>6} {'loss':>6}")
        print(header)
        print("-" * len(header), flush=True)

        def report(name, model, shards, seconds):
            scores = evaluate(to_keyed_vectors(model.vocabulary_.tokens, model.input_vectors_))
            print(f"{name:14} {shards:>6} {seconds:>8.1f} {scores['analogy']:>7.3f} "
                  f"{scores['ws353']:>6.3f} {scores['simlex']:>6.3f} "
                  f"{model.loss_history_[-1]:>6.3f}", flush=True)

        if not args.no_local:
            tick = time.perf_counter()
            model = Word2Vec(**settings, workers=1).fit(path)
            report("local", model, 1, time.perf_counter() - tick)
        everies = [int(x) for x in args.round_tokens.split(",")] if args.round_tokens \
            else [D.ROUND_TOKENS]
        combines = args.combine.split(",") if args.combine else [D.COMBINE]
    for combine, every in [(c, e) for c in combines for e in everies]:
            D.COMBINE, _, kappa = combine.partition(":")
            D.ROUND_TOKENS = every
            if kappa:
                D.SATURATION = float(kappa)
            for n_workers in map(int, args.workers.split(",")):
                with LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                  processes=args.processes, dashboard_address=":0") as cluster, \
                        Client(cluster) as client:
                    tick = time.perf_counter()
                    model = Word2Vec(**settings).fit(path, client=client)
                    name = f"{combine}-{n_workers}" if len(everies) == 1 else \
                        f"{combine}-{n_workers}@{every // 1024}k"
                    report(name, model, model.n_shards_,
                           time.perf_counter() - tick)
    print(f"load at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
