"""How fast wordspace reads and counts a corpus, next to gensim's and scikit-learn's readers.

Usage: python bench/corpus.py [--corpus ../shared/data/corpus/big.txt.gz]

Prints MB/s of plain text for: reading + tokenising (wordspace.Corpus), vocabulary building
(wordspace.Vocabulary.build), encoding to int32 ids, and, for reference, gensim's LineSentence +
Dictionary and scikit-learn's CountVectorizer vocabulary on the same file.  One core.
"""

import argparse
import gzip
import resource
import time
from pathlib import Path

from wordspace.corpus import Corpus
from wordspace.vocab import Vocabulary

DEFAULT = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "corpus" / "big.txt.gz"


def timed(label, megabytes, function):
    start = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - start
    print(f"{label:<44} {seconds:7.2f} s  {megabytes / seconds:7.1f} MB/s")
    return result, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(DEFAULT))
    parser.add_argument("--peers", action="store_true", help="also time gensim and scikit-learn")
    args = parser.parse_args()
    with gzip.open(args.corpus, "rb") if args.corpus.endswith(".gz") else open(args.corpus,
                                                                                  "rb") as f:
        megabytes = sum(len(block) for block in iter(lambda: f.read(1 << 20), b"")) / 1e6
    print(f"corpus {args.corpus}: {megabytes:.1f} MB of plain text")
    corpus = Corpus(args.corpus)
    (n_tokens, _), _ = timed("wordspace: read + tokenise", megabytes,
                             lambda: (sum(len(d) for d in corpus), None))
    vocab, _ = timed("wordspace: vocabulary (one pass)", megabytes,
                     lambda: Vocabulary.build(corpus, min_count=5))
    encoded, _ = timed("wordspace: encode to int32 ids", megabytes,
                       lambda: vocab.encode_corpus(corpus))
    print(f"  {n_tokens:,} tokens, vocabulary {len(vocab):,} (min_count 5), "
          f"{len(encoded.ids):,} ids kept")
    if args.peers:
        from gensim.corpora import Dictionary
        from gensim.models.word2vec import LineSentence
        from sklearn.feature_extraction.text import CountVectorizer

        timed("gensim: LineSentence + Dictionary", megabytes,
              lambda: Dictionary(LineSentence(args.corpus)))

        def lines():
            with gzip.open(args.corpus, "rt", encoding="utf-8") as handle:
                yield from handle

        timed("scikit-learn: CountVectorizer.fit", megabytes,
              lambda: CountVectorizer(min_df=1).fit(lines()))
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
