"""Peak resident memory of word2vec and LSA on big.txt and on 4 concatenated copies of it.

Each run is its own subprocess; it reports its peak resident set (``VmHWM`` of
``/proc/self/status``: anonymous plus file-backed pages, so pages of a memory-mapped corpus count
while they are mapped, and so do the pages of shared libraries such as Numba's LLVM) and, in
the column ``anon MB``, the peak of its anonymous pages alone (``RssAnon`` sampled every 10 ms:
the heap, the arrays, the interpreter's objects).  Runs:

* ``w2v``: wordspace ``Word2Vec`` (CBOW, negative sampling, 100 dimensions, window 5,
  ``min_count=5``, 2 workers) on the 1x and 4x files, with its defaults (the encoded corpus stays
  in memory unless it would take more than 64 MB or 1/8 of the available memory);
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
import threading
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


def rss_anon_mb() -> float:
    """``RssAnon`` of this process in MB: the resident pages that are no file's."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024 / 1e6
    return float("nan")


class AnonPeak(threading.Thread):
    """The largest ``RssAnon`` seen, sampled every 10 ms (the kernel keeps no peak of it)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = rss_anon_mb()

    def run(self):
        while True:
            self.peak = max(self.peak, rss_anon_mb())
            time.sleep(0.01)


class Stages:
    """Resident memory after each stage of a run, and the peak within it (``--stages``).

    ``mark(name)`` records ``VmHWM`` (the peak since the previous mark), ``VmRSS``, ``RssAnon``
    and ``RssFile``, then resets ``VmHWM`` to the current resident set (``/proc/self/clear_refs``
    5), so the run's peak is the largest stage peak.
    """

    def __init__(self):
        self.rows = []

    @staticmethod
    def status() -> dict:
        with open("/proc/self/status") as status:
            return {k: int(v.split()[0]) * 1024 / 1e6 for k, v in
                    (line.split(":", 1) for line in status)
                    if k in ("VmHWM", "VmRSS", "RssAnon", "RssFile")}

    def mark(self, name: str) -> None:
        s = self.status()
        self.rows.append([name, s["VmHWM"], s["VmRSS"], s["RssAnon"], s["RssFile"]])
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")

    def wrap(self, owner, attribute: str, name: str) -> None:
        """Mark ``name`` each time ``owner.attribute`` (a function or method) returns."""
        original = owner.__dict__[attribute]
        function = original.__func__ if isinstance(original, classmethod) else original

        def marked(*args, **kwargs):
            result = function(*args, **kwargs)
            self.mark(name)
            return result

        setattr(owner, attribute, classmethod(marked) if isinstance(original, classmethod)
                else marked)


def child(kind: str, path: str, workers: int, min_count_scale: int = 1,
          stages: Stages | None = None) -> dict:
    anon = AnonPeak()
    anon.start()
    start = time.perf_counter()
    settings = {**SETTINGS, "min_count": SETTINGS["min_count"] * min_count_scale}
    mark = stages.mark if stages else (lambda name: None)
    if kind == "gensim":
        import logging

        from gensim.models import Word2Vec as GensimWord2Vec

        mark("import gensim")
        logging.getLogger("gensim").setLevel(logging.ERROR)
        model = GensimWord2Vec(sg=0, hs=0, workers=workers, seed=1, **settings)
        model.build_vocab(corpus_file=path)   # what Word2Vec(corpus_file=path) does
        mark("build_vocab")
        model.train(corpus_file=path, total_examples=model.corpus_count,
                    total_words=model.corpus_total_words, epochs=model.epochs)
        mark("train")
        shape = model.wv.vectors.shape
    else:
        sys.path.insert(0, str(ROOT / "src"))
        if kind.startswith("w2v"):
            from wordspace.models.word2vec import Word2Vec

            mark("import wordspace word2vec")
            if stages:
                from wordspace import vocab
                from wordspace.models import word2vec

                stages.wrap(vocab.Vocabulary, "build_encoded", "count and encode")
                stages.wrap(word2vec, "_trim", "malloc_trim")
                stages.wrap(word2vec.Word2Vec, "_init_weights", "input vectors")
                stages.wrap(word2vec.Word2Vec, "_tables", "numba, tables")
                stages.wrap(word2vec, "release_library", "kernel loaded, LLVM released")

            cache = {"cache_dir": str(Path(path).parent)} if kind == "w2v-map" else {}
            model = Word2Vec(**settings, workers=workers, seed=1, **cache).fit(path)
            mark("training")
            shape = model.input_vectors_.shape
        else:
            from wordspace.models.lsa import LSA

            cache = {"cache_dir": str(Path(path).parent)} if kind == "lsa-map" else {}
            model = LSA(n_components=100, min_count=2 * min_count_scale, **cache).fit(path)
            shape = model.components_.shape
    peak = max([peak_rss_mb()] + [row[1] for row in (stages.rows if stages else [])])
    return {"seconds": time.perf_counter() - start, "peak_rss_mb": peak,
            "peak_anon_mb": max(anon.peak, rss_anon_mb()), "shape": list(shape),
            "stages": stages.rows if stages else []}


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
    parser.add_argument("--stages", action="store_true",
                        help="word2vec and gensim runs: print the resident memory after each "
                             "stage (imports, counting, setup, training) and the peak within it")
    parser.add_argument("--min-count-scale", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        stages = Stages() if args.stages else None
        if stages:
            stages.mark("start")
        print(json.dumps(child(args.child, args.path, args.workers, args.min_count_scale,
                               stages)))
        return
    print(f"peak RSS (VmHWM, MB), each run its own process; word2vec {json.dumps(SETTINGS)} "
          f"(1 epoch), {args.workers} workers; load at start "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    header = (f"{'run':8} {'corpus':8} {'MB on disk':>10} {'peak RSS MB':>11} "
              f"{'anon MB':>8} {'seconds':>8} {'vocabulary x dim':>17}")
    print(header)
    print("-" * len(header), flush=True)
    results = {}
    for run in args.runs.split(","):
        kind, copies = run.split(":")
        path = prepare(args.corpus, args.folder, int(copies))
        command = [sys.executable, __file__, "--child", kind, "--path", str(path),
                   "--workers", str(args.workers),
                   "--min-count-scale", str(int(copies) if args.same_vocab else 1)]
        command += ["--stages"] if args.stages else []
        output = subprocess.run(command, capture_output=True, text=True,
                                env={**os.environ, "WORDSPACE_PROGRESS": "0"})
        if output.returncode:
            print(f"{run} failed:\n{output.stderr[-3000:]}", flush=True)
            continue
        r = json.loads(output.stdout.strip().splitlines()[-1])
        results[(kind, int(copies))] = r
        print(f"{kind:8} {copies + 'x':8} {path.stat().st_size / 1e6:>10.0f} "
              f"{r['peak_rss_mb']:>11.0f} {r['peak_anon_mb']:>8.0f} {r['seconds']:>8.1f} "
              f"{' x '.join(map(str, r['shape'])):>17}", flush=True)
        for name, stage_peak, rss, anon, file in r["stages"]:
            print(f"    {name:30} peak {stage_peak:4.0f}  after: RSS {rss:4.0f} = anon {anon:4.0f}"
                  f" + file {file:4.0f}", flush=True)
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
