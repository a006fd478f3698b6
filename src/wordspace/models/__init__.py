"""The models: each turns a corpus into embeddings.

* :class:`~wordspace.models.lsa.LSA` -- the linear autoencoder solved by truncated SVD.
* :class:`~wordspace.models.autoencoder.LinearAutoencoder` -- the same model trained by SGD.
* :class:`~wordspace.models.word2vec.Word2Vec` -- masked-token prediction (CBOW, skip-gram).
* :class:`~wordspace.models.classifier.TextClassifier` -- the true task: a text classifier whose
  first layer is the embedding (from scratch, pre-trained, or jointly with the proxy task).

:func:`load` opens any saved model file and returns the right class.
"""

from __future__ import annotations

import importlib

from .. import _store
from ..errors import ModelFormatError

__all__ = ["load", "MODEL_KINDS", "TextClassifier"]

#: model kind stored in a file's header -> "module:Class" that loads it
MODEL_KINDS = {
    "embeddings": "wordspace.vectors:Embeddings",
    "lsa": "wordspace.models.lsa:LSA",
    "autoencoder": "wordspace.models.autoencoder:LinearAutoencoder",
    "word2vec": "wordspace.models.word2vec:Word2Vec",
    "classifier": "wordspace.models.classifier:TextClassifier",
}


def __getattr__(name: str):
    if name == "TextClassifier":  # lazily: importing the models compiles no kernels
        from .classifier import TextClassifier

        return TextClassifier
    raise AttributeError(f"module 'wordspace.models' has no attribute {name!r}")


def load(path, mmap: bool = True):
    """Load a saved wordspace model (or embeddings) file, whatever its kind."""
    header, _ = _store.load(path, mmap=True)
    kind = header.get("kind")
    if kind not in MODEL_KINDS:
        raise ModelFormatError(f"{path}: unknown model kind {kind!r}")
    module_name, class_name = MODEL_KINDS[kind].split(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls.load(path, mmap=mmap)
