"""A word map of the Brown corpus: word2vec vectors of a few word families, projected to 2-D.

Trains :class:`wordspace.Word2Vec` (skip-gram) on the Brown corpus that ships with the package,
then draws the words of six families -- days, numbers, kin, colours, units of time, government --
each in its own colour, by PCA and by t-SNE, plus the lecture's arrows for a handful of words.
A model that has learnt something puts each family in its own region of the picture.

Run from the repository root (about a minute on two cores)::

    python examples/word_map.py                 # -> examples/out/word_map_pca.png, ...
    python examples/word_map.py --epochs 5      # quicker, fuzzier
    python examples/word_map.py --reuse         # redraw with the model saved last time
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from wordspace import Corpus
from wordspace.models.word2vec import Word2Vec
from wordspace.plot import arrows, word_map

GROUPS = {
    "days": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    "numbers": ["two", "three", "four", "five", "six", "seven", "eight", "ten"],
    "kin": ["father", "mother", "son", "daughter", "brother", "sister", "wife", "husband"],
    "colours": ["red", "blue", "green", "white", "black", "yellow", "brown", "gray"],
    "time": ["year", "month", "week", "day", "hour", "minute", "years", "months"],
    "government": ["president", "congress", "senate", "government", "committee", "governor",
                   "legislature", "administration"],
}
ARROW_WORDS = ["man", "woman", "king", "queen", "boy", "girl", "father", "mother"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=Path(__file__).parent / "out", type=Path)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true",
                        help="Load the model saved by an earlier run instead of training.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args.out.mkdir(parents=True, exist_ok=True)

    saved = args.out / "brown_word2vec.ws"
    if args.reuse and saved.exists():
        model = Word2Vec.load(saved)
        print(f"loaded {saved}")
    else:
        start = time.perf_counter()
        model = Word2Vec(vector_size=args.dim, window=5, architecture="skipgram", min_count=5,
                         epochs=args.epochs, seed=args.seed).fit(Corpus("brown"))
        print(f"trained word2vec on Brown: {len(model.wv)} tokens x {args.dim} dimensions, "
              f"{args.epochs} epochs, {time.perf_counter() - start:.1f} s")
        model.save(saved)
    for word in ("monday", "father", "red"):
        neighbours = ", ".join(t for t, _ in model.wv.most_similar(word, topn=5))
        print(f"  {word}: {neighbours}")

    title = f"Brown corpus, word2vec skip-gram ({args.dim} dims)"
    word_map(model.wv, groups=GROUPS, skip_unknown=True, title=f"{title}, PCA",
             path=args.out / "word_map_pca.png", figsize=(10, 8))
    word_map(model.wv, groups=GROUPS, skip_unknown=True, method="tsne", seed=args.seed,
             title=f"{title}, t-SNE", path=args.out / "word_map_tsne.png", figsize=(10, 8))
    arrows(model.wv, ARROW_WORDS, skip_unknown=True, title=f"{title}: words as arrows",
           path=args.out / "arrows.png")


if __name__ == "__main__":
    main()
