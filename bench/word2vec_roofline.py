"""Where word2vec's time goes, against what this machine can do (a roofline-style estimate).

Usage: python bench/word2vec_roofline.py [--max-lines 60000] [--workers 2] [--only cbow-hs]

1. **The machine**: float32 matrix-product throughput (numpy's BLAS, 1 and all threads), streaming
   memory bandwidth (a large array copy), and the cost of reading random rows of a
   vocabulary-sized matrix -- independent reads (the CPU overlaps them) and dependent reads
   (each address known only after the previous read: pure latency).
2. **The work per kept token**, counted on the corpus slice after subsampling and window
   shrinking: context size, flops and bytes of row traffic for CBOW-neg and skip-gram-neg.
3. **The time per kept token**, one thread, phase by phase: the decide phase alone (subsampling
   and window draws), then the whole kernel at the benchmark's settings, with one negative instead
   of five, and with 4 dimensions instead of 100 (what is left is the per-token and per-row
   overhead that does not scale with the dimension).  Then the full kernel on all threads.

The achieved flop rate and row traffic, divided by the machine's, say how far training is from
the limit and which limit it is closest to.
"""

from __future__ import annotations

import argparse
import gzip
import os
import time
from pathlib import Path

import numba
import numpy as np

from wordspace import Vocabulary, Word2Vec
from wordspace._vocab_kernels import build_huffman
from wordspace.models import _w2v_core as C
from wordspace.models.word2vec import BLOCK_TOKENS, _blocks, _segments

DEFAULT = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "corpus" / "big.txt.gz"


def best_of(function, repeat=3) -> float:
    times = []
    for _ in range(repeat):
        tick = time.perf_counter()
        function()
        times.append(time.perf_counter() - tick)
    return min(times)


@numba.njit(nogil=True, fastmath=True, cache=True)
def _independent_rows(matrix, rows):
    total = np.float32(0.0)
    for r in rows:
        for d in range(matrix.shape[1]):
            total += matrix[r, d]
    return total


@numba.njit(nogil=True, fastmath=True, cache=True)
def _dependent_rows(matrix, rows, n):
    # the next row index depends on the value just read: no two reads overlap
    total = np.float32(0.0)
    r = rows[0]
    for i in range(n):
        s = np.float32(0.0)
        for d in range(matrix.shape[1]):
            s += matrix[r, d]
        total += s
        r = rows[(i + 1 + (int(s) >> 30)) % rows.shape[0]]  # s < 100: the shift is always 0
    return total


def machine(vocab_size: int, dim: int) -> dict:
    from threadpoolctl import threadpool_limits

    n = 2048
    a = np.random.default_rng(0).random((n, n), dtype=np.float32)
    result = {}
    for threads in (1, os.cpu_count() or 1):
        with threadpool_limits(threads):
            a @ a
            seconds = best_of(lambda: a @ a)
        result[f"sgemm_gflops_{threads}"] = 2 * n ** 3 / seconds / 1e9
    big = np.ones(100_000_000 // 4, np.float32)
    out = np.empty_like(big)
    seconds = best_of(lambda: np.copyto(out, big))
    result["copy_gbs"] = 2 * big.nbytes / seconds / 1e9  # read + write
    matrix = np.random.default_rng(1).random((vocab_size, dim), dtype=np.float32)
    rows = np.random.default_rng(2).integers(0, vocab_size, 2_000_000).astype(np.int32)
    _independent_rows(matrix, rows[:10])
    _dependent_rows(matrix, rows, 10)
    seconds = best_of(lambda: _independent_rows(matrix, rows))
    result["independent_rows_per_s"] = len(rows) / seconds
    seconds = best_of(lambda: _dependent_rows(matrix, rows, len(rows)))
    result["dependent_rows_per_s"] = len(rows) / seconds
    return result


@numba.njit(cache=True)
def _context_sizes(kept_window, kept_seg, n_seg):
    total = 0
    for s in range(n_seg):
        a, e = kept_seg[s], kept_seg[s + 1]
        for i in range(a, e):
            b = kept_window[i]
            total += min(e, i + b + 1) - max(a, i - b) - 1
    return total


def decide_phase(vocab, encoded, window, sample):
    """Seconds of the decide phase alone, kept tokens, and summed context sizes."""
    seg_offsets = _segments(encoded.offsets)
    edges = _blocks(seg_offsets, BLOCK_TOKENS)
    size = int(np.diff(seg_offsets[edges]).max()) + 1
    kept = np.empty(size, np.int32)
    kept_window = np.empty(size, np.int32)
    kept_seg = np.empty(size + 2, np.int64)
    keep = vocab.keep_probabilities(sample)
    counts = {"kept": 0, "context": 0}

    def walk(count: bool):
        state = C.seed_state(1, 0)
        for b in range(len(edges) - 1):
            s0, s1 = int(edges[b]), int(edges[b + 1])
            n = C.subsample_block(encoded.ids, seg_offsets, s0, s1, keep, window, True, state,
                                  kept, kept_window, kept_seg[: s1 - s0 + 1])
            if count:
                counts["kept"] += n
                counts["context"] += _context_sizes(kept_window, kept_seg, s1 - s0)

    walk(True)
    return best_of(lambda: walk(False)), counts["kept"], counts["context"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(DEFAULT))
    parser.add_argument("--max-lines", type=int, default=60000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", default="", help="run only the timings whose name starts so")
    args = parser.parse_args()
    dim, window, negative, sample = 100, 5, 5, 1e-3

    with gzip.open(args.corpus, "rt", encoding="utf-8") as f:
        lines = [line.split() for _, line in zip(range(args.max_lines), f, strict=False)]
    vocab, encoded = Vocabulary.build_encoded(lines, min_count=5)
    n_tokens = len(encoded.ids)
    print(f"corpus: first {args.max_lines} lines, {n_tokens:,} tokens in vocabulary, "
          f"{len(vocab):,} types; dim {dim}, window {window}, negative {negative}, "
          f"sample {sample}; load {os.getloadavg()[0]:.2f}")

    m = machine(len(vocab), dim)
    print("\nmachine")
    print(f"  sgemm float32: {m['sgemm_gflops_1']:.0f} GFlop/s on 1 thread, "
          f"{m[f'sgemm_gflops_{os.cpu_count() or 1}']:.0f} on {os.cpu_count()}")
    print(f"  memory copy: {m['copy_gbs']:.1f} GB/s")
    print(f"  random rows of a {len(vocab):,} x {dim} float32 matrix "
          f"({len(vocab) * dim * 4 / 1e6:.0f} MB), 1 thread: "
          f"{m['independent_rows_per_s'] / 1e6:.1f} M/s independent, "
          f"{m['dependent_rows_per_s'] / 1e6:.1f} M/s dependent")

    decide_seconds, kept, context = decide_phase(vocab, encoded, window, sample)
    c = context / kept
    print("\nwork per kept token")
    print(f"  kept after subsampling: {kept / n_tokens:.3f} of tokens; mean context {c:.2f} "
          "words (shrunk windows)")
    flops = {
        # context sum, (neg+1) dots and two axpys each, context update
        "cbow-neg": c * dim + (negative + 1) * 6 * dim + 2 * c * dim,
        # per context word: (neg+1) dots + two axpys, plus the input update
        "sg-neg": c * ((negative + 1) * 6 * dim + 2 * dim),
    }
    rows = {  # rows read and written back, 4 bytes per float
        "cbow-neg": 2 * (c + negative + 1),
        "sg-neg": 2 * c * (negative + 2),
        # HogBatch: each context row and each target row once per centre
        "sg-neg (shared negatives)": 2 * (c + negative + 1),
    }
    flops["sg-neg (shared negatives)"] = flops["sg-neg"]
    # hierarchical softmax: one dot and two axpys per node of the centre's path, mean length L
    kept_counts = vocab.counts * vocab.keep_probabilities(sample)
    path = float(kept_counts @ build_huffman(vocab.counts)[2] / kept_counts.sum())
    print(f"  mean Huffman path of a kept centre: {path:.2f} nodes")
    flops["cbow-hs"] = c * dim + path * 6 * dim + 2 * c * dim
    rows["cbow-hs"] = 2 * (c + path)
    for mode in flops:
        print(f"  {mode:26} {flops[mode] / 1e3:5.1f} kflop, {rows[mode]:5.1f} row reads+writes "
              f"= {rows[mode] * dim * 4 / 1e3:4.1f} KB")

    print("\ntime per kept token, 1 thread (ns)")
    print(f"  decide phase alone: {decide_seconds / kept * 1e9:.1f}")
    runs = [("cbow-neg", dict(architecture="cbow"), 1),
            ("cbow-neg, 1 negative", dict(architecture="cbow", negative=1), 1),
            ("cbow-neg, dim 4", dict(architecture="cbow", vector_size=4), 1),
            ("sg-neg (shared negatives)", dict(architecture="skipgram"), 1),
            ("sg-neg", dict(architecture="skipgram", shared_negatives=False), 1),
            ("cbow-hs", dict(loss="hierarchical"), 1),
            ("cbow-hs, dim 4", dict(loss="hierarchical", vector_size=4), 1),
            ("cbow-neg", dict(architecture="cbow"), args.workers),
            ("cbow-hs", dict(loss="hierarchical"), args.workers),
            ("sg-neg (shared negatives)", dict(architecture="skipgram"), args.workers)]
    for name, options, workers in [run for run in runs if run[0].startswith(args.only)]:
        settings = {**dict(vector_size=dim, window=window, negative=negative, sample=sample,
                           min_count=5, epochs=1, seed=1, workers=workers), **options}
        Word2Vec(**{**settings, "workers": 1}).fit(lines[:200])  # compile / load the cache
        seconds = min(Word2Vec(**settings).fit(lines).training_seconds_ for _ in range(2))
        ns = seconds / kept * 1e9
        mode = name.split(",")[0]
        line = f"  {name:28} {workers} thread{'s' if workers > 1 else ' '}: {ns:6.1f} ns"
        if options.get("vector_size", dim) == dim and options.get("negative", 5) == negative:
            gflops = flops[mode] * kept / seconds / 1e9
            peak = m[f"sgemm_gflops_{workers}"] if f"sgemm_gflops_{workers}" in m else \
                m["sgemm_gflops_1"] * workers
            row_rate = rows[mode] * kept / seconds
            line += (f" = {n_tokens / seconds / 1e6:.2f}M words/s; {gflops:.1f} GFlop/s "
                     f"({100 * gflops / peak:.0f} % of sgemm); {row_rate / 1e6:.0f} M rows/s "
                     f"({100 * row_rate / (m['independent_rows_per_s'] * workers):.0f} % of "
                     "independent random reads)")
        print(line, flush=True)


if __name__ == "__main__":
    main()
