"""CBOW-negative: exact against shared negatives, in one process, time per kept token.

``Word2Vec(shared_negatives=True)`` lets ``NEGATIVE_GROUP`` kept centres, ``NEGATIVE_SPACING``
centres apart, share one draw of negatives; this script times the exact mode and the shared one
at several of these settings (``--groups GxS,...``),
alternating them round after round (so a slow period of the machine hits all alike), and prints
the median time per kept token (kept: the tokens the decide phase keeps, counted as in
``word2vec_roofline.py``), each mode's ratio to the exact one, and the last epoch's mean loss.

Usage::

    python bench/word2vec_cbow_shared.py --max-lines 60000 --groups 8x1,8x16 --repeat 5
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from word2vec_roofline import DEFAULT, decide_phase  # noqa: E402

from wordspace import Vocabulary, Word2Vec  # noqa: E402
from wordspace.models import word2vec as module  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(DEFAULT))
    parser.add_argument("--max-lines", type=int, default=60000)
    parser.add_argument("--groups", default="8x1,8x16",
                        help="GxS,...: G centres, S apart, per draw (G alone: S = 1)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings = dict(vector_size=100, window=5, negative=5, sample=1e-3, min_count=5,
                    epochs=args.epochs, seed=1, workers=args.workers, alpha=0.025)

    with gzip.open(args.corpus, "rt", encoding="utf-8") as f:
        lines = [line.split() for _, line in zip(range(args.max_lines), f, strict=False)]
    vocab, encoded = Vocabulary.build_encoded(lines, min_count=5)
    _, kept, _ = decide_phase(vocab, encoded, settings["window"], settings["sample"])
    print(f"corpus: first {args.max_lines} lines, {len(encoded.ids):,} tokens, {kept:,} kept "
          f"per epoch; {args.workers} worker(s), {args.epochs} epoch(s); "
          f"load {os.getloadavg()}", flush=True)

    modes = [("exact", False, (1, 1))]
    for spec in args.groups.split(","):
        group, _, spacing = spec.partition("x")
        modes.append((f"G={group} S={spacing or 1}", True, (int(group), int(spacing or 1))))
    for _, shared, group in modes:  # compile or load every kernel first
        module.NEGATIVE_GROUP, module.NEGATIVE_SPACING = group
        Word2Vec(**{**settings, "workers": 1, "epochs": 1}, shared_negatives=shared).fit(
            lines[:200])
    times = {name: [] for name, _, _ in modes}
    losses = {}
    for round_ in range(args.repeat):
        for name, shared, group in modes:
            module.NEGATIVE_GROUP, module.NEGATIVE_SPACING = group
            model = Word2Vec(**settings, shared_negatives=shared).fit(lines)
            times[name].append(model.training_seconds_ / (kept * args.epochs) * 1e9)
            losses[name] = model.loss_history_[-1]
        print(f"round {round_ + 1}: " + ", ".join(f"{name} {times[name][-1]:.0f} ns"
                                                  for name, _, _ in modes), flush=True)
    exact = statistics.median(times["exact"])
    print(f"\nmedian ns per kept token ({args.repeat} rounds), ratio to exact, last loss; "
          f"load {os.getloadavg()}")
    for name, _, _ in modes:
        median = statistics.median(times[name])
        print(f"  {name:14} {median:7.1f} ns  {median / exact:5.3f}x  loss {losses[name]:.4f}")


if __name__ == "__main__":
    main()
