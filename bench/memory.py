"""Peak resident memory of word2vec and LSA on big.txt and on 4 concatenated copies of it.

Each run is its own subprocess; it reports its peak resident set (``VmHWM`` of
``/proc/self/status``: anonymous plus file-backed pages, so pages of a memory-mapped corpus count
while they are mapped).  Runs:

* ``w2v``: wordspace ``Word2Vec`` (CBOW, negative sampling, 100 dimensions, window 5,
  ``min_count=5``, 2 workers) on the 1x and 4x files, with its defaults (the encoded corpus stays
  in memory unless it would take more than 1/8 of the available memory);
* ``w2v-map``: the same with ``cache_dir=`` (the encoded corpus always memory-mapped, pages
  behind the training position dropped from the resident set) -- what the default does on a
  corpus too large for memory;
* ``gensim``: gensim's ``Word2Vec(corpus_file=...)`` with the same settings, 1x only (the peer);
* ``lsa``: wordspace ``LSA(n_components=100)``, one bag per line, on the 1x and 4x files, with
  its defaults (the matrix in memory unless it would outgrow 1/8 of the available memory);
* ``lsa-map``: the same with ``cache_dir=`` (the matrix and the document vectors always in
  memory-mapped temporary files read in blocks whose pages leave the resident set) -- what the
  default does on a corpus too large for memory.

Word2vec runs ONE epoch (the peak is reached in the first epoch; more epochs only cost time).
The corpus files are written under ``--folder`` (default ``/tmp/wordspace-memory``), never in the
repository.  Run it under the benchmark lock::

    flock /tmp/bench.lock python bench/memory.py > bench/results/memory.txt
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data"
SETTINGS = dict(vector_size=100, window=5, negative=5, sample=1e-3, min_count=5, epochs=1)


def peak_rss_mb() -> float:
    """``VmHWM`` of this process in MB (1e6 bytes)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError("no VmHWM in /proc/self/status")


def child(kind: str, path: str, workers: int, min_count_scale: int = 1) -> dict:
    start = time.perf_counter()
    settings = {**SETTINGS, "min_count": SETTINGS["min_count"] * min_count_scale}
    if kind == "gensim":
        import logging

        from gensim.models import Word2Vec as GensimWord2Vec

        logging.getLogger("gensim").setLevel(logging.ERROR)
        model = GensimWord2Vec(corpus_file=path, sg=0, hs=0, workers=workers, seed=1,
                               **settings)
        shape = model.wv.vectors.shape
    else:
        sys.path.insert(0, str(ROOT / "src"))
        if kind.startswith("w2v"):
            from wordspace.models.word2vec import Word2Vec

            cache = {"cache_dir": str(Path(path).parent)} if kind == "w2v-map" else {}
            model = Word2Vec(**settings, workers=workers, seed=1, **cache).fit(path)
            shape = model.input_vectors_.shape
        else:
            from wordspace.models.lsa import LSA

            cache = {"cache_dir": str(Path(path).parent)} if kind == "lsa-map" else {}
            model = LSA(n_components=100, min_count=2 * min_count_scale, **cache).fit(path)
            shape = model.components_.shape
    return {"seconds": time.perf_counter() - start, "peak_rss_mb": peak_rss_mb(),
            "shape": list(shape)}


def prepare(corpus: Path, folder: Path, copies: int) -> Path:
    """``folder/big-{copies}x.txt``: the corpus, uncompressed, ``copies`` times (kept if there)."""
    folder.mkdir(parents=True, exist_ok=True)
    one = folder / "big-1x.txt"
    if not one.exists():
        with gzip.open(corpus, "rb") as src, open(str(one) + ".part", "wb") as dst:
            while block := src.read(1 << 24):
                dst.write(block)
        os.replace(str(one) + ".part", one)
    path = folder / f"big-{copies}x.txt"
    if not path.exists():
        with open(str(path) + ".part", "wb") as dst:
            for _ in range(copies):
                with open(one, "rb") as src:
                    while block := src.read(1 << 24):
                        dst.write(block)
        os.replace(str(path) + ".part", path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DATA / "corpus" / "big.txt.gz")
    parser.add_argument("--folder", type=Path, default=Path("/tmp/wordspace-memory"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", default="w2v:1,w2v:4,w2v-map:1,w2v-map:4,gensim:1,lsa:1,lsa:4,"
                        "lsa-map:1,lsa-map:4",
                        help="comma-separated KIND:COPIES, KIND one of w2v, w2v-map, gensim, lsa, "
                             "lsa-map")
    parser.add_argument("--same-vocab", action="store_true",
                        help="scale min_count with the number of copies, so that every run keeps "
                             "the vocabulary of the 1x run: 4 copies of a text make a token seen "
                             "once a token seen 4 times, and a fixed min_count then keeps more "
                             "words (a larger model, not a larger corpus)")
    parser.add_argument("--min-count-scale", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.path, args.workers, args.min_count_scale)))
        return
    print(f"peak RSS (VmHWM, MB), each run its own process; word2vec {json.dumps(SETTINGS)} "
          f"(1 epoch), {args.workers} workers; load at start "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    header = (f"{'run':8} {'corpus':8} {'MB on disk':>10} {'peak RSS MB':>11} {'seconds':>8} "
              f"{'vocabulary x dim':>17}")
    print(header)
    print("-" * len(header), flush=True)
    results = {}
    for run in args.runs.split(","):
        kind, copies = run.split(":")
        path = prepare(args.corpus, args.folder, int(copies))
        command = [sys.executable, __file__, "--child", kind, "--path", str(path),
                   "--workers", str(args.workers),
                   "--min-count-scale", str(int(copies) if args.same_vocab else 1)]
        output = subprocess.run(command, capture_output=True, text=True,
                                env={**os.environ, "WORDSPACE_PROGRESS": "0"})
        if output.returncode:
            print(f"{run} failed:\n{output.stderr[-3000:]}", flush=True)
            continue
        r = json.loads(output.stdout.strip().splitlines()[-1])
        results[(kind, int(copies))] = r
        print(f"{kind:8} {copies + 'x':8} {path.stat().st_size / 1e6:>10.0f} "
              f"{r['peak_rss_mb']:>11.0f} {r['seconds']:>8.1f} "
              f"{' x '.join(map(str, r['shape'])):>17}", flush=True)
    for kind in ("w2v", "w2v-map", "lsa", "lsa-map"):
        if (kind, 1) in results and (kind, 4) in results:
            ratio = results[(kind, 4)]["peak_rss_mb"] / results[(kind, 1)]["peak_rss_mb"]
            print(f"{kind}: RSS 4x / 1x = {ratio:.3f}")
    for kind in ("w2v", "w2v-map"):
        if (kind, 1) in results and ("gensim", 1) in results:
            ratio = results[(kind, 1)]["peak_rss_mb"] / results[("gensim", 1)]["peak_rss_mb"]
            print(f"{kind} 1x RSS / gensim corpus_file 1x RSS = {ratio:.3f}")
    print(f"load at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
