"""Countries and their capitals: a word2vec analogy map (Mikolov et al., 2013, figure 2).

Trains :class:`wordspace.Word2Vec` on the end of ``big.txt.gz`` (news, Wikipedia and newsgroup
text, where capitals are mentioned; the first ~190,000 lines are novels), projects the vectors of
country and capital names by a PCA fitted on those words alone, and joins each country to its
capital.  If the model has learnt "capital of" as a direction, the lines run roughly parallel.
It also prints how many of the ``capital-common-countries`` analogies (athens greece baghdad ?)
the model answers, and draws the training loss.

Run from the repository root::

    python examples/analogy_map.py                      # last 40,000 lines, ~2-3 minutes
    python examples/analogy_map.py --max-lines 15000    # quicker, noisier
    python examples/analogy_map.py --epochs 5 --window 10   # better (25% of the capital
                                                            # analogies instead of 14%), ~5 min
"""

from __future__ import annotations

import argparse
import gzip
import logging
import time
from collections import deque
from pathlib import Path

from wordspace import Corpus
from wordspace.models.word2vec import Word2Vec
from wordspace.plot import analogy_map, loss_curve

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
PAIRS = [("china", "beijing"), ("japan", "tokyo"), ("russia", "moscow"), ("france", "paris"),
         ("germany", "berlin"), ("italy", "rome"), ("spain", "madrid"), ("greece", "athens"),
         ("egypt", "cairo"), ("iraq", "baghdad"), ("iran", "tehran"),
         ("afghanistan", "kabul"), ("pakistan", "islamabad"), ("britain", "london"),
         ("canada", "ottawa"), ("poland", "warsaw"), ("turkey", "ankara"),
         ("portugal", "lisbon"), ("australia", "canberra"), ("cuba", "havana")]


def capital_analogies(wv, questions: Path, restrict: int = 30000) -> tuple[int, int]:
    """Correct answers and answerable questions in the capital-common-countries section."""
    correct = total = 0
    section = None
    allowed = set(wv.tokens[:restrict])
    for line in questions.read_text().splitlines():
        if line.startswith(":"):
            section = line[1:].strip()
            continue
        if section != "capital-common-countries":
            continue
        a, b, c, d = line.lower().split()
        if not {a, b, c, d} <= allowed:
            continue
        total += 1
        answer = wv.analogy(a, b, c, topn=1)[0][0]
        correct += answer == d
    return correct, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DATA / "corpus" / "big.txt.gz")
    parser.add_argument("--max-lines", type=int, default=40000,
                        help="Train on the last N lines of the corpus.")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=Path(__file__).parent / "out", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.corpus.exists():
        raise SystemExit(f"{args.corpus} not found: pass --corpus big.txt.gz")

    with gzip.open(args.corpus, "rt", encoding="utf-8") as handle:
        lines = list(deque(handle, maxlen=args.max_lines))
    tail = args.out / "big_tail.txt"
    tail.write_text("".join(lines))
    start = time.perf_counter()
    model = Word2Vec(vector_size=args.dim, window=args.window, architecture="skipgram", min_count=5,
                     epochs=args.epochs, seed=args.seed).fit(Corpus(tail))
    tail.unlink()
    seconds = time.perf_counter() - start
    print(f"trained word2vec on the last {len(lines):,} lines of {args.corpus.name}: "
          f"{len(model.wv):,} tokens x {args.dim} dimensions in {seconds:.0f} s")
    questions = DATA / "eval" / "questions-words.txt"
    if questions.exists():
        correct, total = capital_analogies(model.wv, questions)
        print(f"capital-common-countries analogies: {correct}/{total} correct "
              f"({correct / max(total, 1):.1%})")
    analogy_map(model.wv, PAIRS, skip_unknown=True, figsize=(9, 7),
                title=f"Countries and capitals (word2vec skip-gram, last {len(lines):,} lines "
                      f"of big.txt), PCA of these words",
                path=args.out / "analogy_map.png")
    loss_curve(model, title="word2vec training loss", path=args.out / "word2vec_loss.png")


if __name__ == "__main__":
    main()
