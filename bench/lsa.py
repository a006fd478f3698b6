"""LSA side by side: wordspace vs scikit-learn (TfidfVectorizer + TruncatedSVD) vs gensim LsiModel.

Each method runs end to end (read and tokenise the text, weight, decompose) in its own child
process, so its wall time and peak resident memory (``ru_maxrss``) are its own; the baseline RSS
of a child after its imports is printed too.  All three use the same tokeniser
(``wordspace.corpus.tokenize``), the same English stopwords and drop tokens seen in fewer than 2
units (gensim: ``no_below=2`` documents; scikit-learn: ``min_df=2``; wordspace: ``min_count=2``
occurrences).  scikit-learn's TruncatedSVD runs with the same ``k`` and ``n_iter`` (and its default
10 oversamples, as ours); gensim's LsiModel with its defaults (one pass, 2 power iterations).

Captured energy is measured on one matrix for all: wordspace's tf-idf matrix ``X`` of the corpus;
each method's components are mapped onto its columns by token and the share of ``||X||_F^2`` in
their span is reported (``captured_energy``), next to each method's share of its own matrix.

    python bench/lsa.py                      # 20 Newsgroups (all 18,846 texts) and big.txt
    python bench/lsa.py --corpus 20ng --k 300
    python bench/lsa.py --stages             # where wordspace's time and memory go, stage by stage
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
METHODS = ("wordspace", "wordspace-1t", "sklearn", "gensim")


def rss_mb() -> float:
    """Peak resident memory of this process so far (VmHWM; unlike ru_maxrss, not inherited from
    the parent across fork + exec)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def texts(corpus: str):
    """A fresh iterator over the raw texts (one per unit)."""
    if corpus == "20ng":
        from wordspace.datasets import read_tsv

        yield from read_tsv(DATA / "docs" / "20ng_bydate.tsv.gz", text=("subject", "body")).texts
    else:
        import gzip

        with gzip.open(DATA / "corpus" / "big.txt.gz", "rt", encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield line


def wordspace_corpus(corpus: str):
    from wordspace.corpus import Corpus

    if corpus == "20ng":
        from wordspace.datasets import read_tsv

        return Corpus(read_tsv(DATA / "docs" / "20ng_bydate.tsv.gz",
                               text=("subject", "body")).texts)
    return Corpus(DATA / "corpus" / "big.txt.gz", granularity="paragraph")


def run_child(method: str, corpus: str, k: int, n_iter: int, out: str) -> dict:
    from wordspace.corpus import tokenize
    from wordspace.vocab import load_stopwords

    base = rss_mb()
    stop = load_stopwords("english")
    start = time.perf_counter()
    if method.startswith("wordspace"):
        from wordspace.models.lsa import LSA

        model = LSA(k, weighting="tfidf", min_count=2, n_iter=n_iter, seed=0,
                    keep_numbers=True).fit(wordspace_corpus(corpus))
        seconds = time.perf_counter() - start
        tokens, components = model.vocabulary_.tokens, model.components_
        own = model.explained_energy_
        shape = (model.document_vectors_.shape[0], len(tokens))
    elif method == "sklearn":
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None,
                                     stop_words=sorted(stop), min_df=2, dtype=np.float32)
        X = vectorizer.fit_transform(texts(corpus))
        svd = TruncatedSVD(k, algorithm="randomized", n_iter=n_iter, random_state=0).fit(X)
        seconds = time.perf_counter() - start
        tokens, components = list(vectorizer.get_feature_names_out()), svd.components_
        data = X.data.astype(np.float64)
        own = float((svd.singular_values_ ** 2).sum() / (data @ data))
        shape = X.shape
    else:
        from gensim.corpora import Dictionary
        from gensim.models import LsiModel, TfidfModel

        class Stream:
            def __iter__(self):
                for text in texts(corpus):
                    yield [t for t in tokenize(text) if t not in stop]

        dictionary = Dictionary(Stream())
        dictionary.filter_extremes(no_below=2, no_above=1.0, keep_n=None)

        class Bows:
            def __iter__(self):
                for doc in Stream():
                    yield dictionary.doc2bow(doc)

        tfidf = TfidfModel(dictionary=dictionary)
        lsi = LsiModel(tfidf[Bows()], id2word=dictionary, num_topics=k)
        seconds = time.perf_counter() - start
        tokens = [dictionary[i] for i in range(len(dictionary))]
        components = lsi.projection.u.T
        own = float("nan")
        shape = (dictionary.num_docs, len(dictionary))
    np.save(out, np.asarray(components, dtype=np.float32))
    with open(out + ".tokens", "w", encoding="utf-8") as handle:
        handle.write("\n".join(tokens))
    import numba

    threads = numba.get_num_threads() if method.startswith("wordspace") else 1
    return {"method": method, "seconds": seconds, "peak_rss_mb": rss_mb(), "base_rss_mb": base,
            "own_energy": own, "shape": list(shape), "threads": threads}


def _reset_peak() -> None:
    """Reset VmHWM to the current RSS (Linux >= 4.0: ``5`` into ``/proc/self/clear_refs``)."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass


def _rss_now() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run_stages(corpus: str, k: int, n_iter: int) -> list[dict]:
    """wordspace's LSA pipeline stage by stage: seconds, peak RSS during the stage, RSS after.

    Reading and tokenising are timed by their own passes over the text (read only; read,
    tokenise and find the token ids, as the compiled path does it), so "count + CSR" is the
    one-pass build minus those two.  The products of the
    randomized SVD are timed by wrapping its kernels and ``orthonormalize``.
    """
    import numba

    from wordspace import bow as bow_module
    from wordspace.models import _linalg_kernels, linalg
    from wordspace.models.lsa import LSA

    rows: list[dict] = []

    def stage(name: str, seconds: float, peak: float) -> None:
        rows.append({"stage": name, "seconds": seconds, "peak_mb": peak, "rss_mb": _rss_now()})

    def timed(name: str, function, *args, **kwargs):
        _reset_peak()
        start = time.perf_counter()
        result = function(*args, **kwargs)
        stage(name, time.perf_counter() - start, rss_mb())
        return result

    # warm the Numba kernels on a tiny corpus so compile/cache loading is not in a stage
    LSA(2, min_count=1).fit(["cat dog fish bird", "dog fish bird cow", "fish bird cow cat"])
    rows.append({"stage": "imports + kernel warm-up", "seconds": float("nan"),
                 "peak_mb": rss_mb(), "rss_mb": _rss_now()})
    source = wordspace_corpus(corpus)

    def read_only():
        n = 0
        for text in source.texts():
            n += len(text)
        return n

    def read_tokenise():
        from wordspace._tokens import counter_for

        counter = counter_for(source)
        if counter is None:                    # the regex tokeniser
            return sum(len(tokens) for tokens in source)
        return sum(len(ids) for ids, _ in counter.chunks(source.texts(), "tokenise"))

    timed("read the text", read_only)
    timed("read + tokenise + token ids", read_tokenise)
    finish_seconds = [0.0]
    original_finish = bow_module._CountBuilder.finish

    def finish(self, *args):
        start = time.perf_counter()
        try:
            return original_finish(self, *args)
        finally:
            finish_seconds[0] += time.perf_counter() - start

    bow_module._CountBuilder.finish = finish
    model = LSA(k, weighting="tfidf", min_count=2, n_iter=n_iter, seed=0, keep_numbers=True)
    bow = model._vectorizer()
    counts = timed("read + tokenise + count + CSR (one pass)", bow.fit_counts, source)
    bow_module._CountBuilder.finish = original_finish
    rows[-1]["note"] = f"of which cut + renumber + sort rows: {finish_seconds[0]:.2f} s"
    matrix = timed("tf-idf weights + row norms (in place)", bow.weight, counts, copy=False)
    del counts
    clocks = {"power passes X^T (X C) or X (X^T C)": 0.0,
              "X @ Omega or X @ V (start / document vectors)": 0.0,
              "Vt = (X^T Q U_B S^-1)^T (rows side)": 0.0, "orthonormalize": 0.0}
    originals = (_linalg_kernels.csr_gram_times_dense, _linalg_kernels.csr_gram_rows_split,
                 _linalg_kernels._csr_dense, _linalg_kernels.csr_times_dense_transposed,
                 linalg.orthonormalize)

    def clock(name, function):
        def wrapped(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                clocks[name] += time.perf_counter() - start
        return wrapped

    _linalg_kernels.csr_gram_times_dense = clock("power passes X^T (X C) or X (X^T C)",
                                                 originals[0])
    _linalg_kernels.csr_gram_rows_split = clock("power passes X^T (X C) or X (X^T C)",
                                                originals[1])
    _linalg_kernels._csr_dense = clock("X @ Omega or X @ V (start / document vectors)",
                                       originals[2])
    _linalg_kernels.csr_times_dense_transposed = clock("Vt = (X^T Q U_B S^-1)^T (rows side)",
                                                       originals[3])
    linalg.orthonormalize = clock("orthonormalize", originals[4])
    timed("randomized SVD + document vectors", model._fit_matrix, matrix)
    (_linalg_kernels.csr_gram_times_dense, _linalg_kernels.csr_gram_rows_split,
     _linalg_kernels._csr_dense, _linalg_kernels.csr_times_dense_transposed,
     linalg.orthonormalize) = originals
    svd_total = rows[-1]["seconds"]
    megabytes = (matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes) / 2**20
    for name, seconds in clocks.items():
        rows.append({"stage": f"  of which {name}", "seconds": seconds, "peak_mb": float("nan"),
                     "rss_mb": float("nan")})
    rows.append({"stage": "  of which the rest (random start, eigenproblems, X^T, energy)",
                 "seconds": svd_total - sum(clocks.values()), "peak_mb": float("nan"),
                 "rss_mb": float("nan")})
    rows.append({"stage": "matrix", "seconds": float("nan"), "peak_mb": float("nan"),
                 "rss_mb": float("nan"),
                 "note": f"{matrix.shape[0]:,} x {matrix.shape[1]:,}, {matrix.nnz:,} nonzeros, "
                         f"{megabytes:.0f} MB (indptr {matrix.indptr.dtype}), "
                         f"Numba threads {numba.get_num_threads()}"})
    return rows


def print_stages(rows: list[dict]) -> None:
    print(f"{'stage':48s} {'seconds':>8s} {'peak MB':>8s} {'RSS after':>9s}")
    for row in rows:
        cells = [f"{row[key]:{width}.{digits}f}" if row[key] == row[key] else " " * width
                 for key, width, digits in (("seconds", 8, 2), ("peak_mb", 8, 0),
                                            ("rss_mb", 9, 0))]
        print(f"{row['stage']:48s} {' '.join(cells)}  {row.get('note', '')}")


def reference_energy(corpus: str, results: list[dict], files: dict) -> None:
    """Captured energy of each method's components on wordspace's tf-idf matrix."""
    from wordspace.bow import BagOfWords
    from wordspace.models.linalg import captured_energy

    bow = BagOfWords(weighting="tfidf", min_count=2, stopwords="english", keep_numbers=True)
    X = bow.fit_transform(wordspace_corpus(corpus))
    index = bow.vocabulary_.index
    for result in results:
        path = files[result["method"]]
        components = np.load(path)
        tokens = open(path + ".tokens", encoding="utf-8").read().split("\n")
        mapped = np.zeros((len(components), X.shape[1]), np.float64)
        columns = np.array([index.get(t, -1) for t in tokens])
        found = columns >= 0
        mapped[:, columns[found]] = components[:, found]
        result["energy"] = captured_energy(X, mapped)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=("20ng", "big", "both"), default="both")
    parser.add_argument("--k", type=int, default=100)
    parser.add_argument("--n-iter", type=int, default=5)
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--threads", default="1",
                        help="BLAS threads of every child (default 1: on a shared 2-core box "
                             "OpenBLAS threads spin against each other; 'default' leaves it)")
    parser.add_argument("--stages", action="store_true",
                        help="time wordspace's pipeline stage by stage (peak RSS per stage) "
                             "instead of the side-by-side run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "stages":
        print(json.dumps(run_stages(args.corpus, args.k, args.n_iter)))
        return
    if args.child:
        print(json.dumps(run_child(args.child, args.corpus, args.k, args.n_iter, args.out)))
        return
    if not DATA.is_dir():
        sys.exit(f"shared data not found at {DATA}")
    print(f"load average before: {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()}), "
          f"BLAS threads per child: {args.threads}; 'threads' below: Numba threads of our "
          "kernels (scikit-learn's and gensim's sparse products are single-threaded)")
    env = dict(os.environ)
    if args.threads != "default":
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = args.threads
    for corpus in (("20ng", "big") if args.corpus == "both" else (args.corpus,)):
        if args.stages:
            child = subprocess.run([sys.executable, __file__, "--child", "stages", "--corpus",
                                    corpus, "--k", str(args.k), "--n-iter", str(args.n_iter)],
                                   capture_output=True, text=True, env=env)
            if child.returncode:
                print(f"stages failed:\n{child.stderr[-3000:]}")
                continue
            print(f"\n== {corpus}: wordspace stage by stage, k={args.k}, n_iter={args.n_iter}")
            print_stages(json.loads(child.stdout.strip().splitlines()[-1]))
            continue
        results, files = [], {}
        folder = tempfile.mkdtemp(prefix="bench-lsa-")
        for method in args.methods.split(","):
            out = os.path.join(folder, method + ".npy")
            files[method] = out
            env = dict(os.environ)
            if args.threads != "default":
                for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
                    env[name] = args.threads
            if method == "wordspace-1t":             # our Numba kernels on one thread too
                env["NUMBA_NUM_THREADS"] = "1"
            child = subprocess.run([sys.executable, __file__, "--child", method, "--corpus", corpus,
                                    "--k", str(args.k), "--n-iter", str(args.n_iter),
                                    "--out", out], capture_output=True, text=True, env=env)
            if child.returncode:
                print(f"{method} failed:\n{child.stderr[-3000:]}")
                continue
            results.append(json.loads(child.stdout.strip().splitlines()[-1]))
        reference_energy(corpus, results, files)
        print(f"\n== {corpus}: k={args.k}, n_iter={args.n_iter}")
        print(f"{'method':13s} {'units x tokens':>18s} {'threads':>7s} {'seconds':>8s} "
              f"{'peak MB':>8s} {'base MB':>8s} {'energy':>8s} {'own':>8s}")
        for r in results:
            print(f"{r['method']:13s} {r['shape'][0]:>9,d} x {r['shape'][1]:<7,d}"
                  f"{r['threads']:7d} {r['seconds']:8.1f} {r['peak_rss_mb']:8.0f} "
                  f"{r['base_rss_mb']:8.0f} {r['energy']:8.4f} {r['own_energy']:8.4f}")
        ours = next((r for r in results if r["method"] == "wordspace"), None)
        for r in results:
            if ours and r is not ours:
                print(f"{r['method']}/wordspace: time x{r['seconds'] / ours['seconds']:.2f}, "
                      f"peak memory x{r['peak_rss_mb'] / ours['peak_rss_mb']:.2f}, "
                      f"energy {r['energy'] - ours['energy']:+.4f}")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
