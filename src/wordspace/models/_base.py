"""What every wordspace model shares: scikit-learn's estimator contract and the ``wv`` attribute.

Each model inherits :class:`sklearn.base.BaseEstimator`, so ``get_params``, ``set_params``,
:func:`sklearn.base.clone` and the ``repr`` come from scikit-learn and read the parameters off
``__init__``'s signature; "fitted" is checked with :func:`sklearn.utils.validation.check_is_fitted`
and reported as our :class:`~wordspace.errors.NotFittedError` (which the command line prints as
one line).  ``wv`` is the model's word vectors as :class:`~wordspace.vectors.Embeddings` (gensim's
name, the same on every model), built once per fit or load and then reused, so a loop of
``model.wv.most_similar(...)`` pays for the token index and the unit vectors once.

Examples
--------
>>> from sklearn.base import clone
>>> from wordspace.models.lsa import LSA
>>> lsa = LSA(n_components=2, min_count=1)
>>> lsa
LSA(min_count=1, n_components=2)
>>> clone(lsa).set_params(seed=3).get_params()["seed"]
3
>>> lsa.wv
Traceback (most recent call last):
...
wordspace.errors.NotFittedError: this LSA model is not fitted yet; call fit(corpus) first
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import types
from pathlib import Path

import numpy as np


class _DeferredModule(types.ModuleType):
    """A placeholder in ``sys.modules`` that imports the real module on the first use of one of
    its attributes, then behaves as it (its names copied in, the rest forwarded).

    The standard library's ``importlib.util.LazyLoader`` does not help here: the ``import``
    statement itself reads ``__spec__`` of a module already in ``sys.modules``, which loads it.
    This placeholder has ``__spec__`` None (as a plain module does), so ``import x`` of it
    loads nothing until an attribute is read.
    """

    def __getattr__(self, name):
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        real = importlib.import_module(self.__name__)
        self.__dict__.update(real.__dict__)
        return getattr(real, name)


@contextlib.contextmanager
def _deferred(name: str):
    """While the block runs, ``import name`` binds a :class:`_DeferredModule` (unless the module
    is loaded); afterwards ``sys.modules`` keeps no trace of it, so any later import (the user's
    too) is the ordinary one."""
    placeholder = None
    if name not in sys.modules:
        placeholder = sys.modules[name] = _DeferredModule(name)
    try:
        yield
    finally:
        if placeholder is not None and sys.modules.get(name) is placeholder:
            del sys.modules[name]


# scikit-learn's base imports scipy.stats (sklearn.utils.fixes) and uses it only inside
# functions, reaching it through the ``scipy`` package (which imports it then); executing it at
# import costs about 0.5 s and 42 MB resident in every process (measured: sklearn.base after
# numpy, scipy.sparse and Numba, 55 -> 21 MB and 0.7 -> 0.3 s)
with _deferred("scipy.stats"):
    from sklearn.base import BaseEstimator
    from sklearn.exceptions import NotFittedError as _SklearnNotFittedError
    from sklearn.utils.validation import check_is_fitted

from .. import _store  # noqa: E402
from ..errors import ModelFormatError, NotFittedError, ParameterError  # noqa: E402

__all__ = ["WordspaceEstimator"]

_DURATION_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}


def _checkpoint_interval(checkpoint, every) -> tuple[int | None, float | None]:
    """``(units, seconds)`` between checkpoints (one of them None), or ``(None, None)``; the
    units are the model's (word2vec: tokens; the autoencoder: epochs).

    >>> _checkpoint_interval("run.ckpt", 1000), _checkpoint_interval("run.ckpt", "2m")
    ((1000, None), (None, 120.0))
    """
    if checkpoint is None:
        if every is not None:
            raise ParameterError("checkpoint_every needs checkpoint=<file>")
        return None, None
    folder = Path(checkpoint).resolve().parent
    if not str(checkpoint) or Path(checkpoint).is_dir() or not folder.is_dir():
        raise ParameterError(f"cannot write checkpoint {checkpoint!r}: not a file name in an "
                             "existing folder")
    every = "10m" if every is None else every
    if isinstance(every, int | np.integer) and not isinstance(every, bool) and every > 0:
        return int(every), None
    if isinstance(every, str) and every[-1:] in _DURATION_UNITS:
        try:
            seconds = float(every[:-1]) * _DURATION_UNITS[every[-1]]
        except ValueError:
            seconds = -1.0
        if seconds > 0:
            return None, seconds
    raise ParameterError(f"checkpoint_every must be a number of tokens or a duration like '90s', "
                         f"'10m', '1h'; got {every!r}")


class WordspaceEstimator(BaseEstimator):
    """Base class of the models: scikit-learn's contract plus a cached ``wv``.

    A subclass names what fitting learns in ``_fitted_attributes`` (checked by
    :meth:`_check_fitted`) and builds its word vectors in ``_make_wv``; ``_wv_key`` returns the
    learned objects the vectors depend on, so that a refit, a load or more training (anything
    that replaces them or bumps a counter) builds them again.
    """

    #: attributes that exist once the model is fitted
    _fitted_attributes: tuple[str, ...] = ()

    def set_params(self, **params):
        """Set constructor parameters by name; an unknown name raises
        :class:`~wordspace.errors.ParameterError`.  Returns ``self``."""
        valid = self._get_param_names()
        for name in params:
            if name not in valid:
                raise ParameterError(f"{type(self).__name__} has no parameter {name!r}; it has "
                                     f"{', '.join(valid)}")
        return super().set_params(**params)

    @classmethod
    def _stored_meaning(cls, header: dict) -> dict:
        """The parameters of a saved model or checkpoint's ``header``, as this version reads them
        (a model whose parameters changed meaning between versions overrides this)."""
        return dict(header["params"])

    @classmethod
    def _read_checkpoint(cls, path, name: str) -> tuple:
        """``(model, header, arrays)`` of the checkpoint of ``name`` (``"word2vec"``, ...) at
        ``path``: a model made with the stored parameters (those this class still has)."""
        header, arrays = _store.load(path, mmap=False)
        if header.get("kind") != f"{name}-checkpoint":
            article = "an" if name[0] in "aeiou" else "a"
            raise ModelFormatError(f"{path} is not {article} {name} checkpoint (it holds a "
                                   f"{header.get('kind')!r})")
        try:
            model = cls(**{k: v for k, v in cls._stored_meaning(header).items()
                           if k in cls._get_param_names()})
        except (KeyError, TypeError, ParameterError) as error:
            raise ModelFormatError(f"{path}: incomplete {name} checkpoint ({error})") from None
        return model, header, arrays

    def _check_fitted(self) -> None:
        try:
            check_is_fitted(self, list(self._fitted_attributes) or None)
        except _SklearnNotFittedError:
            raise NotFittedError(f"this {type(self).__name__} model is not fitted yet; call "
                                 "fit(corpus) first") from None

    def _wv_key(self) -> tuple:
        return tuple(getattr(self, name) for name in self._fitted_attributes)

    def _make_wv(self):  # pragma: no cover -- every model defines it
        raise NotImplementedError

    @property
    def wv(self):
        """The word vectors, :class:`~wordspace.vectors.Embeddings` (built once per fit/load)."""
        self._check_fitted()
        key = self._wv_key()
        cached = self.__dict__.get("_wv_cache")
        if cached is None or len(cached[0]) != len(key) or any(
                old is not new and not (isinstance(old, int | str) and old == new)
                for old, new in zip(cached[0], key, strict=True)):
            cached = (key, self._make_wv())
            self.__dict__["_wv_cache"] = cached
        return cached[1]
