"""wordspace: vector-space embeddings of words and documents, learned from raw text.

The pipeline, left to right::

    corpus  ->  vocab  ->  bow  ->  models (LSA, LinearAutoencoder, Word2Vec)  ->  vectors
                                                                     -> evaluate, plot -> cli

Names are imported lazily, so ``import wordspace`` is fast and does not compile any kernels.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    "Corpus": "wordspace.corpus",
    "tokenize": "wordspace.corpus",
    "Vocabulary": "wordspace.vocab",
    "Embeddings": "wordspace.vectors",
    "load_word2vec_format": "wordspace.vectors",
    "LSA": "wordspace.models.lsa",
    "LinearAutoencoder": "wordspace.models.autoencoder",
    "Word2Vec": "wordspace.models.word2vec",
    "TextClassifier": "wordspace.models.classifier",
    "load": "wordspace.models",
    "WordspaceError": "wordspace.errors",
    "UnknownWordError": "wordspace.errors",
}
_SUBMODULES = {"corpus", "vocab", "bow", "models", "vectors", "evaluate", "plot", "datasets",
               "errors", "cli", "explore"}

__all__ = sorted(_LAZY) + sorted(_SUBMODULES)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"wordspace.{name}")
    raise AttributeError(f"module 'wordspace' has no attribute {name!r}")


def __dir__():
    return __all__
