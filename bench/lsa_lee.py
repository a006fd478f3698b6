"""Lee et al. (2005) document similarity for LSA option sets: the README's table.

Train on the 300 background documents, embed the 50 test documents with ``transform``, and
report Pearson's r between the cosines of their codes and the averaged human ratings (the 1,225
pairs above the diagonal), k = 200.  Quality only (no timing), so no benchmark lock is needed.

    python bench/lsa_lee.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.stats import pearsonr

from wordspace.corpus import Corpus
from wordspace.models.lsa import LSA

LEE = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "eval" / "lee"

#: (label, Corpus options, LSA options)
OPTION_SETS = [
    ("defaults (tfidf)", {}, {}),
    ("stemmer='english'", {}, {"stemmer": "english"}),
    ("log-entropy", {}, {"weighting": "log-entropy"}),
    ("log-entropy, stemmer", {}, {"weighting": "log-entropy", "stemmer": "english"}),
    ("split at ' and - (inner=''), stemmer", {"inner": ""}, {"stemmer": "english"}),
    ("inner='', stemmer, log-entropy", {"inner": ""},
     {"weighting": "log-entropy", "stemmer": "english"}),
    ("inner='', stemmer, log-entropy, numbers kept", {"inner": ""},
     {"weighting": "log-entropy", "stemmer": "english", "keep_numbers": True}),
]


def lee_r(corpus_options: dict, lsa_options: dict, algorithm: str, k: int = 200,
          tokenizer=None) -> float:
    options = {"encoding": "latin-1", "tokenizer": tokenizer, **corpus_options}
    model = LSA(k, min_count=1, algorithm=algorithm, seed=0, **lsa_options).fit(
        Corpus(LEE / "lee_background.cor", **options))
    codes = model.transform(Corpus(LEE / "lee.cor", **options))
    codes = codes / np.maximum(np.linalg.norm(codes, axis=1, keepdims=True), 1e-12)
    ratings = np.loadtxt(LEE / "similarities0-1.txt")
    upper = np.triu_indices(len(ratings), 1)
    return float(pearsonr((codes @ codes.T)[upper], ratings[upper])[0])


def main() -> None:
    if not LEE.is_dir():
        raise SystemExit(f"Lee data not found at {LEE}")
    print("| option set (k = 200, min_count = 1) | r, randomized SVD (seed 0) | r, ARPACK |")
    print("|---|---|---|")
    for label, corpus_options, lsa_options in OPTION_SETS:
        print(f"| {label} | {lee_r(corpus_options, lsa_options, 'randomized'):.3f} | "
              f"{lee_r(corpus_options, lsa_options, 'arpack'):.3f} |", flush=True)
    try:
        from gensim.parsing.preprocessing import preprocess_string
    except ImportError:
        return
    options = {"weighting": "log-entropy"}
    print(f"| gensim's preprocess_string as tokenizer, log-entropy | "
          f"{lee_r({}, options, 'randomized', tokenizer=preprocess_string):.3f} | "
          f"{lee_r({}, options, 'arpack', tokenizer=preprocess_string):.3f} |")


if __name__ == "__main__":
    main()
