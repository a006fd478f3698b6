"""Benchmark: analogy and word-pair evaluation, and word2vec-format reading, against gensim.

Runs on ONE core (BLAS threads pinned to 1 before numpy is imported) and times ours and gensim's
on the same vectors in the same process, so the ratio is meaningful on a busy machine.

Vectors: ``--vectors FILE`` (any word2vec text/binary file), or by default a gensim word2vec
trained on the first ``--lines`` lines of ``shared/data/corpus/big.txt.gz`` (cached in /tmp).

    python bench/evaluate.py                      # Google analogies over 30,000 words + formats
    python bench/evaluate.py --vectors GoogleNews-vectors-negative300.bin --restrict-vocab 30000
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def train_vectors(lines: int, path: Path, stride: int = 3) -> None:
    """Train on every ``stride``-th line (the corpus's sources follow each other)."""
    from gensim.models import Word2Vec

    with gzip.open(DATA / "corpus" / "big.txt.gz", "rt") as text:
        sentences = []
        for number, line in enumerate(text):
            if number % stride or number // stride >= lines:
                continue
            words = line.split()
            sentences.extend(words[i:i + 1000] for i in range(0, len(words), 1000))
    start = time.perf_counter()
    model = Word2Vec(sentences, vector_size=100, min_count=5, workers=2, epochs=1, seed=1)
    print(f"trained gensim word2vec on {len(sentences)} chunks: {len(model.wv)} words "
          f"in {time.perf_counter() - start:.1f} s")
    model.wv.save_word2vec_format(str(path), binary=True)


def timed(function, repeat: int = 1):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", type=Path)
    parser.add_argument("--lines", type=int, default=80_000)
    parser.add_argument("--restrict-vocab", type=int, default=30_000)
    parser.add_argument("--skip-gensim-analogies", action="store_true")
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    args = parser.parse_args()

    from gensim.models import KeyedVectors

    from wordspace import evaluate
    from wordspace.vectors import Embeddings, load_word2vec_format

    vectors_path = args.vectors
    if vectors_path is None:
        vectors_path = Path(tempfile.gettempdir()) / f"wordspace_bench_s3_{args.lines}.bin"
        if not vectors_path.exists():
            train_vectors(args.lines, vectors_path)
    load_word2vec_format(vectors_path, limit=10)  # compile the parsers outside the timing
    print(f"load average: {os.getloadavg()}")
    figures: dict = {"vectors": str(vectors_path), "load_average": os.getloadavg()}

    # -- reading the word2vec formats --
    seconds_ours, emb = timed(lambda: load_word2vec_format(vectors_path))
    seconds_gensim, kv = timed(lambda: KeyedVectors.load_word2vec_format(str(vectors_path),
                                                                         binary=True))
    assert np.array_equal(emb.vectors, kv.vectors)
    print(f"binary read, {len(emb)} x {emb.dim}: ours {seconds_ours:.2f} s "
          f"({len(emb) / seconds_ours:,.0f} rows/s), gensim {seconds_gensim:.2f} s")
    figures["binary_read"] = {"rows": len(emb), "ours_s": seconds_ours,
                              "gensim_s": seconds_gensim}
    with tempfile.TemporaryDirectory() as folder:
        text_path = Path(folder) / "vectors.txt"
        emb.save_word2vec_format(text_path)
        seconds_ours, text_emb = timed(lambda: load_word2vec_format(text_path))
        seconds_gensim, text_kv = timed(lambda: KeyedVectors.load_word2vec_format(
            str(text_path), binary=False))
        assert np.array_equal(text_emb.vectors, emb.vectors)
        assert np.array_equal(text_kv.vectors, emb.vectors)
    print(f"text read, {len(emb)} x {emb.dim}: ours {seconds_ours:.2f} s "
          f"({len(emb) / seconds_ours:,.0f} rows/s), gensim {seconds_gensim:.2f} s "
          f"({len(emb) / seconds_gensim:,.0f} rows/s)")
    figures["text_read"] = {"rows": len(emb), "ours_s": seconds_ours,
                            "gensim_s": seconds_gensim}

    # -- word pairs --
    for name in ("ws353_all", "simlex999"):
        path = DATA / "eval" / f"{name}.tsv"
        seconds_ours, ours = timed(lambda: evaluate.word_pairs(emb, path), repeat=3)  # noqa: B023
        seconds_gensim, theirs = timed(lambda: kv.evaluate_word_pairs(str(path),  # noqa: B023
                                                                      restrict_vocab=len(kv)))
        print(f"{name}: Spearman ours {ours.spearman:.6f} gensim {theirs[1][0]:.6f}; "
              f"ours {seconds_ours * 1000:.1f} ms, gensim {seconds_gensim * 1000:.1f} ms")
        figures[name] = {"spearman_ours": ours.spearman, "spearman_gensim": theirs[1][0],
                         "ours_s": seconds_ours, "gensim_s": seconds_gensim}

    # -- analogies --
    questions = DATA / "eval" / "questions-words.txt"
    restrict = args.restrict_vocab
    emb.unit_vectors  # noqa: B018  (normalise outside the timing, as gensim's fill_norms)
    seconds_ours, ours = timed(lambda: evaluate.analogies(emb, questions,
                                                          restrict_vocab=restrict), repeat=2)
    seconds_cosmul, cosmul = timed(lambda: evaluate.analogies(
        emb, questions, restrict_vocab=restrict, method="3cosmul"))
    print(f"analogies over {restrict} words: {ours.n_questions} questions asked, "
          f"{ours.n_skipped} skipped; 3CosAdd accuracy {ours.accuracy:.4f} in "
          f"{seconds_ours:.2f} s; 3CosMul accuracy {cosmul.accuracy:.4f} in "
          f"{seconds_cosmul:.2f} s")
    figures["analogies"] = {"restrict_vocab": restrict, "n_questions": ours.n_questions,
                            "accuracy_ours": ours.accuracy, "ours_s": seconds_ours,
                            "cosmul_accuracy": cosmul.accuracy, "cosmul_s": seconds_cosmul}
    if not args.skip_gensim_analogies:
        kv.fill_norms()
        seconds_gensim, (score, sections) = timed(lambda: kv.evaluate_word_analogies(
            str(questions), restrict_vocab=restrict))
        correct = len(sections[-1]["correct"])
        print(f"gensim: accuracy {score:.4f} ({correct} correct) in {seconds_gensim:.2f} s; "
              f"identical: {score == ours.accuracy and correct == ours.n_correct}; "
              f"ours is {seconds_gensim / seconds_ours:.0f}x faster")
        figures["analogies"].update(accuracy_gensim=score, gensim_s=seconds_gensim)

    # -- the full Google set: every question asked (synthetic vectors, all words known) --
    words = list(dict.fromkeys(word.lower() for line in questions.read_text().splitlines()
                               if not line.startswith(":") for word in line.split()))
    tokens = words + [f"filler{i}" for i in range(restrict - len(words))]
    for dim in (100, 300):
        rng = np.random.default_rng(0)
        synthetic = Embeddings(tokens, rng.normal(size=(len(tokens), dim)).astype(np.float32))
        synthetic.unit_vectors  # noqa: B018
        seconds_ours, ours = timed(lambda: evaluate.analogies(
            synthetic, questions, restrict_vocab=restrict), repeat=2)  # noqa: B023
        line = (f"full Google set, {ours.n_questions} questions over {restrict} words, dim "
                f"{dim}: ours {seconds_ours:.2f} s")
        figures[f"full_google_dim{dim}"] = {"n_questions": ours.n_questions,
                                            "ours_s": seconds_ours}
        if not args.skip_gensim_analogies:
            synthetic_kv = KeyedVectors(dim)
            synthetic_kv.add_vectors(tokens, synthetic.vectors)
            synthetic_kv.fill_norms()
            seconds_gensim, (score, _) = timed(
                lambda: synthetic_kv.evaluate_word_analogies(  # noqa: B023
                    str(questions), restrict_vocab=restrict))
            line += (f", gensim {seconds_gensim:.2f} s ({seconds_gensim / seconds_ours:.0f}x);"
                     f" same accuracy: {score == ours.accuracy}")
            figures[f"full_google_dim{dim}"]["gensim_s"] = seconds_gensim
        print(line)
    print(f"load average: {os.getloadavg()}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
