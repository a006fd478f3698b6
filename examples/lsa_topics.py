"""LSA on real text: topics of 20 Newsgroups, k-NN and k-means on its document vectors, and the
Lee document-similarity benchmark.

    python examples/lsa_topics.py              # needs ../shared/data (see its MANIFEST.md)
    python examples/lsa_topics.py --k 100 200 300

1. Lee et al. (2005): train on the 300 background documents, embed the 50 test documents, and
   correlate the cosines of their codes with the averaged human ratings (1,225 pairs).  gensim
   reports its LSI at r > 0.6; we run our own tokeniser, and also gensim's stemming preprocessor
   (as its own test does) when gensim is installed.
2. 20 Newsgroups (bydate): fit LSA on the training posts, encode train and test with
   ``transform`` (the encoder ``u = V x``), then a cosine k-NN classifier (fit on train, scored
   on test) and k-means with 20 clusters on the test codes (adjusted mutual information with the
   groups).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from wordspace.corpus import Corpus
from wordspace.models.lsa import LSA

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1)


def lee(k: int, weighting: str, tokenizer=None) -> float:
    from scipy.stats import pearsonr

    folder = DATA / "eval" / "lee"
    options = dict(encoding="latin-1", tokenizer=tokenizer)
    model = LSA(k, weighting=weighting, min_count=1, seed=0).fit(
        Corpus(folder / "lee_background.cor", **options))
    codes = unit(model.transform(Corpus(folder / "lee.cor", **options)))
    ratings = np.loadtxt(folder / "similarities0-1.txt")
    upper = np.triu_indices(len(ratings), 1)
    return float(pearsonr((codes @ codes.T)[upper], ratings[upper])[0])


def newsgroups(k: int, weighting: str) -> dict:
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_mutual_info_score
    from sklearn.neighbors import KNeighborsClassifier

    from wordspace.datasets import read_tsv

    posts = read_tsv(DATA / "docs" / "20ng_bydate.tsv.gz", text=("subject", "body"))
    train, test = posts.subset("train"), posts.subset("test")
    start = time.perf_counter()
    model = LSA(k, weighting=weighting, min_count=2, seed=0).fit(train.texts)
    seconds = time.perf_counter() - start
    train_codes, test_codes = model.transform(train.texts), model.transform(test.texts)
    knn = KNeighborsClassifier(n_neighbors=10, metric="cosine").fit(train_codes, train.labels)
    accuracy = knn.score(test_codes, test.labels)
    clusters = KMeans(20, n_init=5, random_state=0).fit_predict(unit(test_codes))
    ami = adjusted_mutual_info_score(test.labels, clusters)
    return {"model": model, "seconds": seconds, "knn": accuracy, "ami": ami}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, nargs="+", default=[100, 200, 300])
    parser.add_argument("--weighting", default="log-idf")
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"shared data not found at {DATA}")

    print("Lee document similarity (Pearson r, human ratings vs cosine of LSA codes)")
    try:
        from gensim.parsing.preprocessing import preprocess_string
    except ImportError:
        preprocess_string = None
    for weighting in ("tfidf", "log-idf", "log-entropy"):
        row = [f"k={k}: {lee(k, weighting):.3f}" for k in (50, 100, 150, 200)]
        print(f"  {weighting:12s} wordspace tokens   " + "  ".join(row))
        if preprocess_string is not None:
            row = [f"k={k}: {lee(k, weighting, preprocess_string):.3f}"
                   for k in (50, 100, 150, 200)]
            print(f"  {weighting:12s} gensim stemming    " + "  ".join(row))

    print(f"\n20 Newsgroups, weighting={args.weighting}: fit on train, score on test")
    for k in args.k:
        result = newsgroups(k, args.weighting)
        print(f"  k={k:4d}  fit {result['seconds']:5.1f} s  energy "
              f"{result['model'].explained_energy_:.3f}  10-NN accuracy {result['knn']:.3f}  "
              f"k-means AMI {result['ami']:.3f}")
    print("\nTopics of the last model (strongest components, signed top words):")
    for i, words in enumerate(result["model"].topics(topn=8)[:8]):
        print(f"  {i}: " + " ".join(f"{'-' if x < 0 else '+'}{w}" for w, x in words))


if __name__ == "__main__":
    main()
