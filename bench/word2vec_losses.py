"""Exact softmax against its approximations: how well each predicts the masked token.

Usage: python bench/word2vec_losses.py [--lines 20000] [--vocab 2000] [--dim 50] [--epochs 3]

Trains CBOW word2vec on the first ``--lines`` lines of big.txt (90 % for training, the last 10 %
held out) with a vocabulary of at most ``--vocab`` tokens, once per output layer -- the exact
softmax, negative sampling, hierarchical softmax -- tied and untied where that is defined, and
several masks per window.  On the held-out text each model predicts every ``--stride``-th token
from its full window (no subsampling): top-1 and top-10 accuracy and the mean log-likelihood of the
true token, in nats (hierarchical softmax: the tree's own normalised probability; the others: the
softmax over z . u_y, the distribution that negative sampling approximates).  A unigram model
is the floor.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import time
from pathlib import Path

import numpy as np

from wordspace import Vocabulary, Word2Vec
from wordspace._vocab_kernels import build_huffman
from wordspace.models import _w2v_softmax as M

DEFAULT = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "corpus" / "big.txt.gz"


def held_out_scores(model, encoded, window, stride, limit):
    tree = build_huffman(model.vocabulary_.counts) if model.loss == "hierarchical" else None
    return M.masked_log_probabilities(encoded.ids, encoded.offsets, model.input_vectors_,
                                      model.output_vectors_, window, tree, bool(model.cbow_mean),
                                      stride, limit)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(DEFAULT))
    parser.add_argument("--lines", type=int, default=20000)
    parser.add_argument("--vocab", type=int, default=2000)
    parser.add_argument("--dim", type=int, default=50)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--stride", type=int, default=7)
    parser.add_argument("--limit", type=int, default=20000, help="held-out positions scored")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    with gzip.open(args.corpus, "rt", encoding="utf-8") as handle:
        lines = list(itertools.islice(handle, args.lines))
    cut = int(len(lines) * 0.9)
    train, test = lines[:cut], lines[cut:]
    counts = Vocabulary.build(train).counts
    min_count = int(counts[args.vocab - 1]) + 1 if len(counts) >= args.vocab else 1
    print(f"{len(train)} training lines, {len(test)} held out; min_count {min_count} keeps "
          f"{int((counts >= min_count).sum())} tokens; dim {args.dim}, window {args.window}, "
          f"{args.epochs} epochs, {args.workers} workers")

    settings = [("softmax", False, 1), ("softmax", True, 1), ("negative", False, 1),
                ("negative", True, 1), ("hierarchical", False, 1), ("softmax", False, 2),
                ("negative", False, 2)]
    header = (f"{'loss':<13}{'weights':<8}{'masks':>5}{'train s':>9}{'top-1':>8}{'top-10':>8}"
              f"{'loglik':>9}{'perplexity':>11}")
    rows = []
    floor = None
    for loss, tied, masks in settings:
        model = Word2Vec(vector_size=args.dim, window=args.window, loss=loss, tied=tied,
                         masks=masks, min_count=min_count, epochs=args.epochs, sample=0,
                         workers=args.workers, seed=1)
        start = time.perf_counter()
        model.fit(train)
        seconds = time.perf_counter() - start
        encoded = model.vocabulary_.encode_corpus(test)
        log_probs, ranks = held_out_scores(model, encoded, args.window, args.stride, args.limit)
        if floor is None:
            frequencies = model.vocabulary_.frequencies
            truth = np.concatenate([encoded.document(i)[::1] for i in
                                    range(encoded.n_documents)])
            floor = (float(np.mean(truth == 0)), float(np.mean(np.log(frequencies[truth]))),
                     float(np.mean(truth < 10)))
        rows.append(f"{loss:<13}{'tied' if tied else 'untied':<8}{masks:>5}{seconds:>9.1f}"
                    f"{np.mean(ranks == 0):>8.3f}{np.mean(ranks < 10):>8.3f}"
                    f"{np.mean(log_probs):>9.3f}{np.exp(-np.mean(log_probs)):>11.1f}")
        print(rows[-1], flush=True)
    print()
    print(header)
    print("\n".join(rows))
    print(f"{'unigram':<13}{'':<8}{'':>5}{'':>9}{floor[0]:>8.3f}{floor[2]:>8.3f}{floor[1]:>9.3f}"
          f"{np.exp(-floor[1]):>11.1f}")
    print(f"held-out positions scored: {len(ranks)}")


if __name__ == "__main__":
    main()
