"""The linear autoencoder trained by gradient descent -- and how it arrives where the SVD does.

A bag of tokens ``x`` (a row of the weighted document-term matrix ``X``, ``n x d``, the same
matrices as :class:`~wordspace.models.lsa.LSA` builds) goes through a bottleneck of ``k`` hidden
units: the *encoder* ``V`` (``k x d``) gives the code ``u = V x`` and the *decoder* ``W``
(``d x k``) the reconstruction ``x_hat = W u``.  Training minimises the mean squared
reconstruction error over the bags,

.. math::  L(W, V) = \\frac{1}{n} \\sum_i \\lVert W V x_i - x_i \\rVert^2 ,

by mini-batch gradient descent (plain SGD, momentum or Adam, with a decaying rate).  The
bottleneck is what makes it learn: with ``k < d`` the best it can do is keep the ``k``-dimensional
plane that holds most of the data's energy.  That plane is the top-``k`` right singular subspace of
``X`` (Eckart-Young), so the autoencoder "can be solved by SGD or linear algebra": gradient descent
finds the plane LSA computes directly (Baldi & Hornik, 1989; the loss has no other local minima,
only saddle points).  :func:`subspace_angles` and :func:`relative_excess_error` measure how close it
got.  With ``center=True`` the mean bag is subtracted first, and the plane is PCA's instead.

Sparse all the way
------------------
A batch ``B`` (``b x d``, sparse) is never made dense ``d`` wide.  With ``H = B V^T`` (codes),
``P = B W`` and ``G = W^T W`` (``k x k``)::

    loss  = ||B||^2 - 2 <P, H> + <H G, H>           (||x||^2 - 2 x.(W V x) + ||W V x||^2)
    dL/dW = 2 (W H^T H - B^T H)
    dL/dV = 2 (H G - P)^T B

so every product with the data is sparse-times-dense (``B @ .`` and ``B^T @ .``), ``O(nnz k)``, and
the rest is ``O(d k^2)``.  The mean ``mu`` of ``center=True`` enters as a rank-one correction
(``B - 1 mu^T`` is never formed).  Tied weights (``tied=True``, the default) use one matrix,
``V = W^T``.

Examples
--------
>>> import numpy as np
>>> from wordspace.models.linalg import randomized_svd
>>> rng = np.random.default_rng(0)
>>> X = (rng.standard_normal((300, 3)) * [4, 3, 2]) @ rng.standard_normal((3, 12))
>>> X += 0.05 * rng.standard_normal((300, 12))
>>> ae = LinearAutoencoder(2, seed=0).fit(X)
>>> _, _, Vt = randomized_svd(X, 2, dtype=np.float64)
>>> bool(subspace_angles(ae.components_.T, Vt.T, degrees=True).max() < 1.0)
True
"""

from __future__ import annotations

import logging
import math
import numbers
import time

import numpy as np
import scipy.sparse as sp

from .. import _store
from .._progress import progress
from ..errors import (
    CorpusError,
    ModelFormatError,
    NotFittedError,
    ParameterError,
    TrainingError,
    check_choice,
    check_positive,
)
from . import linalg
from ._base import WordspaceEstimator, _checkpoint_interval

__all__ = ["LinearAutoencoder", "subspace_angles", "relative_excess_error"]

logger = logging.getLogger(__name__)

OPTIMIZERS = ("sgd", "momentum", "adam")
#: default learning rate of each optimizer (see the class docstring for its unit)
DEFAULT_LEARNING_RATES = {"sgd": 0.5, "momentum": 0.05, "adam": 0.3}
#: gradient steps that ``epochs=None`` aims at
DEFAULT_STEPS = 300
#: the rate decays linearly from ``learning_rate`` to this fraction of it over training
FINAL_RATE_FRACTION = 1e-3
#: ... after rising linearly from 0 over this fraction of the steps (no overshoot at the start)
WARMUP_FRACTION = 0.02
_ADAM_BETAS = (0.9, 0.999)
_ADAM_EPSILON = 1e-12
_MOMENTUM = 0.9
_LOSS_CHUNK_ROWS = 8192


# ------------------------------------------------------------------------------- helpers ----
def subspace_angles(A, B, degrees: bool = True) -> np.ndarray:
    """Principal angles between the spans of the *columns* of ``A`` and ``B``, largest first.

    A thin wrapper of :func:`wordspace.models.linalg.subspace_angles` (which wraps
    :func:`scipy.linalg.subspace_angles`) that answers in degrees by default.  Pass an encoder
    ``V`` (``k x d``) as ``V.T``.

    >>> import numpy as np
    >>> subspace_angles(np.eye(3)[:, :2], np.eye(3)[:, [1, 0]]).round(9).tolist()
    [0.0, 0.0]
    """
    return linalg.subspace_angles(A, B, degrees=degrees)


def _error_of(model_or_error, X) -> float:
    if isinstance(model_or_error, numbers.Real):
        return float(model_or_error)
    if X is None:
        raise ParameterError("pass X to compare fitted models (or pass two errors)")
    return float(model_or_error.reconstruction_error(X))


def relative_excess_error(model, optimum, X=None) -> float:
    """How much worse ``model`` reconstructs ``X`` than ``optimum``: ``err / err_opt - 1``.

    Parameters
    ----------
    model, optimum : fitted model or float
        Anything with a ``reconstruction_error(X)`` method (a :class:`LinearAutoencoder`, an
        :class:`~wordspace.models.lsa.LSA`), or an error already computed.
    X : matrix, optional
        The data both are measured on (needed unless both are numbers).

    Returns
    -------
    float
        ``0.01`` means 1 % above the optimum; ``0.0`` when both errors are zero.

    >>> relative_excess_error(101.0, 100.0)
    0.01
    """
    error = _error_of(model, X)
    best = _error_of(optimum, X)
    if best <= 0.0:
        return 0.0 if error <= 0.0 else math.inf
    return round(error / best - 1.0, 15)


def _as_matrix(X):
    """A CSR float32 matrix, or a C-contiguous float64 array, from what the user gave."""
    if sp.issparse(X):
        X = sp.csr_matrix(X, dtype=np.float32)
        X.sum_duplicates()
        return X
    X = np.asarray(X)
    if X.ndim != 2 or not np.issubdtype(X.dtype, np.number):
        raise ParameterError(f"X must be a 2-d numeric matrix, got shape {X.shape}")
    return np.ascontiguousarray(X, dtype=np.float64)


def _row_norms_squared(X) -> np.ndarray:
    if sp.issparse(X):
        squared = X.copy()
        squared.data = squared.data.astype(np.float64) ** 2
        return np.asarray(squared.sum(axis=1), dtype=np.float64).ravel()
    return np.einsum("ij,ij->i", X, X)


def _column_mean(X) -> np.ndarray:
    return np.asarray(X.mean(axis=0), dtype=np.float64).ravel()


def _largest_eigenvalue(X, mean, n_iter: int = 30, seed: int = 0) -> float:
    """``lambda_max`` of ``X_c^T X_c / n`` by power iteration (``X_c`` centred if ``mean``)."""
    n, d = X.shape
    vector = np.random.default_rng(seed).standard_normal(d)
    value = 0.0
    for _ in range(n_iter):
        vector /= np.linalg.norm(vector) or 1.0
        image = np.asarray(X @ vector).ravel()
        if mean is not None:
            image -= mean @ vector
        back = np.asarray(X.T @ image).ravel()
        if mean is not None:
            back -= mean * image.sum()
        value = float(vector @ back) / n
        vector = back
    return max(value, np.finfo(np.float64).tiny)


# --------------------------------------------------------------------------------- model ----
class LinearAutoencoder(WordspaceEstimator):
    """A linear autoencoder ``x -> W V x`` trained by mini-batch gradient descent.

    Parameters
    ----------
    n_components : int
        Hidden units ``k``: the dimension of the codes and of the word vectors.
    tied : bool
        One weight matrix for both layers (``V = W^T``); otherwise encoder and decoder are
        learned separately (and training ends with ``V`` close to ``W^+``).
    weighting : str
        Weighting of the bag-of-words matrix built from a corpus (see :mod:`wordspace.bow`).
    optimizer : {"sgd", "momentum", "adam"}
        The update rule.  ``"adam"`` (the default) converges fastest and needs no tuning.
    learning_rate : float, optional
        Peak rate: it rises linearly over the first 2 % of the steps, then decays linearly to
        ``1e-3`` of itself by the last batch.  Units make
        the defaults independent of the data: for Adam it is the step of one weight relative to
        the size ``1 / sqrt(d)`` of a weight of a unit column; for SGD and momentum it is a
        fraction of ``1 / lambda_max``, the largest stable step (``lambda_max``, the top
        eigenvalue of ``X^T X / n``, is estimated by a few power iterations).  Defaults: 0.3
        (Adam), 0.05 (momentum), 0.5 (SGD).
    batch_size : int
        Bags per gradient step.  Each step costs ``O(d k^2)`` for the dense weights whatever
        the batch, so small batches buy noise, not speed; a collection of at most
        ``batch_size`` bags is trained by full-batch steps, whose loss is exact.
    epochs : int, optional
        Passes over the data; by default as many as make about 300 gradient steps (at least
        2), which brings the error within a fraction of a percent of the SVD optimum on text.
    weight_decay : float
        L2 penalty ``weight_decay * (||W||^2 + ||V||^2)`` added to the loss (not to
        :attr:`loss_history_`).
    center : bool
        Subtract the mean bag first.  Without it (the default, as LSA) the model finds the top
        singular subspace of ``X`` itself, whose first direction is mostly the mean bag; with it,
        the top principal subspace of the centred data -- PCA's.
    seed : int
        Seed of the initial weights and of the batch order; the same seed gives the same model.
    idf, normalize, stopwords, min_count, max_size, granularity, window, stride
        How a corpus becomes bags, exactly as for :class:`~wordspace.models.lsa.LSA` (same
        defaults, so both see the same matrix): the idf formula, unit-length rows, stopwords
        left out (``"english"``, a file, a list, or None), rarer tokens dropped, a cap on the
        vocabulary, and the unit that becomes one bag (by default the corpus's own;
        ``"document"``, ``"paragraph"``, or ``"window"``: ``window`` tokens every ``stride``).
    keep_numbers, stemmer
        Keep pure-digit tokens (dropped by default); stem with a Snowball stemmer.  These and
        the parameters above are :class:`~wordspace.bow.BagOfWords`'s ``PARAMS``: the model
        builds that vectoriser from them and saves and loads it as ``bow_``.
    checkpoint : path, optional
        File to which training writes a resumable checkpoint after an epoch (atomically: the
        previous one is replaced whole): the weights, the optimizer's moments, the step, the
        random state of the batch order and the loss history.  :meth:`resume` continues from
        it, bit-identical to an uninterrupted run.
    checkpoint_every : int or str, optional
        How often: a number of epochs (``5``), or a duration ``"90s"``, ``"10m"``, ``"1h"``
        (default ``"10m"``), checked at the end of each epoch; the last epoch is always saved.

    Attributes
    ----------
    components_ : ndarray of shape (k, d), float32
        The encoder ``V``: codes are ``u = V x``.
    decoder_ : ndarray of shape (d, k), float32
        The decoder ``W`` (``components_.T`` when tied).
    mean_ : ndarray of shape (d,) or None
        The mean bag, subtracted before encoding when ``center=True``.
    loss_history_ : ndarray of float64
        The exact mean squared reconstruction error over all bags, after each epoch (computed
        in an extra pass over the data with the weights of that moment, not a running average
        of batch losses); ``loss_history_[0]`` is before training.
    vocabulary_ : Vocabulary or None
        The vocabulary, when fitted on a corpus.
    n_samples_ : int
        The number of bags trained on.
    training_time_ : float
        Seconds spent in :meth:`fit`.

    Notes
    -----
    The loss surface of a linear autoencoder has a single minimum up to an invertible change of
    basis of the codes, reached by the top-``k`` singular subspace; its other critical points are
    saddles (Baldi & Hornik, 1989).  Gradient descent therefore ends in the SVD's plane, at a
    speed set by the gap between the ``k``-th and ``k+1``-th singular values: on real text the
    last directions converge slowly but cost little error.

    References
    ----------
    P. Baldi and K. Hornik, "Neural networks and principal component analysis: learning from
    examples without local minima", Neural Networks 2 (1989).

    Examples
    --------
    >>> ae = LinearAutoencoder(n_components=2, epochs=30, min_count=1, stopwords=None)
    >>> docs = ["cat dog pet", "dog pet cat", "stock bond market", "bond market stock"] * 5
    >>> codes = ae.fit(docs).transform(docs)
    >>> codes.shape, len(ae.loss_history_)
    ((20, 2), 31)
    """

    def __init__(self, n_components: int = 100, *, tied: bool = True, weighting: str = "tfidf",
                 optimizer: str = "adam", learning_rate: float | None = None,
                 batch_size: int = 1024, epochs: int | None = None, weight_decay: float = 0.0,
                 center: bool = False, seed: int = 0, idf: str = "smooth",
                 normalize: bool = True, stopwords="english", min_count: int = 2,
                 max_size: int | None = None, granularity: str | None = None,
                 window: int | None = None, stride: int | None = None,
                 keep_numbers: bool = False, stemmer: str | None = None, checkpoint=None,
                 checkpoint_every=None):
        self.n_components = n_components
        self.tied = tied
        self.weighting = weighting
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.weight_decay = weight_decay
        self.center = center
        self.seed = seed
        self.idf = idf
        self.normalize = normalize
        self.stopwords = stopwords
        self.min_count = min_count
        self.max_size = max_size
        self.granularity = granularity
        self.window = window
        self.stride = stride
        self.keep_numbers = keep_numbers
        self.stemmer = stemmer
        self.checkpoint = checkpoint
        self.checkpoint_every = checkpoint_every

    # -- parameters: get_params, set_params, clone and repr from BaseEstimator ---------------
    _fitted_attributes = ("components_",)

    def _check_params(self) -> None:
        check_positive("n_components", self.n_components, integer=True)
        check_positive("batch_size", self.batch_size, integer=True)
        if self.epochs is not None:
            check_positive("epochs", self.epochs, integer=True)
        check_positive("weight_decay", self.weight_decay, allow_zero=True)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        if self.learning_rate is not None:
            check_positive("learning_rate", self.learning_rate)
        if not isinstance(self.seed, numbers.Integral) or isinstance(self.seed, bool):
            raise ParameterError(f"seed must be an integer, got {self.seed!r}")
        _checkpoint_interval(self.checkpoint, self.checkpoint_every)

    # -- data ---------------------------------------------------------------------------------
    def _bags(self, corpus):
        """Fit the vectoriser on a corpus and return its weighted bag-of-words matrix."""
        from ..bow import BagOfWords

        bow = BagOfWords(**{name: getattr(self, name) for name in BagOfWords.PARAMS})
        X = bow.fit_transform(corpus)
        self.bow_ = bow
        self.vocabulary_ = bow.vocabulary_
        return X

    def bags(self, documents):
        """The bags ``x`` of ``documents``: a corpus (weighted as in ``fit``) or a matrix."""
        self._check_fitted()
        d = self.components_.shape[1]
        if sp.issparse(documents) or isinstance(documents, np.ndarray):
            X = _as_matrix(documents)
        elif getattr(self, "bow_", None) is not None:
            X = _as_matrix(self.bow_.transform(documents))
        else:
            raise ParameterError("this model was fitted on a matrix; pass a matrix of bags, "
                                 "not documents")
        if X.shape[1] != d:
            raise ParameterError(f"a matrix of bags needs {d} columns (the vocabulary), got "
                                 f"shape {X.shape}")
        return X

    # -- training -----------------------------------------------------------------------------
    def fit(self, data, y=None, *, _keep_vectoriser: bool = False) -> LinearAutoencoder:
        """Learn the encoder and decoder from a corpus or a matrix of bags.

        Parameters
        ----------
        data : corpus or matrix
            A corpus (anything :class:`~wordspace.corpus.Corpus` accepts; it becomes a weighted
            bag-of-words matrix as for LSA), or a scipy sparse / numpy matrix whose rows are bags.
        y : ignored

        Returns
        -------
        self
        """
        self._check_params()
        start = time.perf_counter()
        if sp.issparse(data) or isinstance(data, np.ndarray):
            X = _as_matrix(data)
            if not _keep_vectoriser:
                self.bow_ = self.vocabulary_ = None
        else:
            X = _as_matrix(self._bags(data))
        n, d = X.shape
        k = self.n_components
        if k > min(n, d):
            raise ParameterError(f"n_components={k} is more than the data allows ({n} bags "
                                 f"x {d} tokens)")
        self.n_samples_ = n
        self._started, self._time_before = start, 0.0
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            self._train(X)  # a diverging run is reported by _check_finite, not by warnings
        self.training_time_ = time.perf_counter() - start
        logger.info("linear autoencoder: %d bags x %d tokens -> %d units, %d epochs, loss "
                    "%.6g -> %.6g, %.1f s", n, d, k, self.n_epochs_, self.loss_history_[0],
                    self.loss_history_[-1], self.training_time_)
        return self

    def _train(self, X, resume: dict | None = None) -> None:
        """Train on the bags ``X``; ``resume``: the state recorded by a checkpoint."""
        n, d = X.shape
        rng = np.random.default_rng(self.seed)
        dtype = self._dtype(X)
        mean = _column_mean(X).astype(dtype) if self.center else None
        norms = _row_norms_squared(X)

        rate = self.learning_rate
        if rate is None:
            rate = DEFAULT_LEARNING_RATES[self.optimizer]
        if self.optimizer == "adam":
            rate = rate / math.sqrt(d)
        else:
            rate = rate / _largest_eigenvalue(X, mean, seed=self.seed)
        n_params = 1 if self.tied else 2
        n_slots = {"adam": 2, "momentum": 1, "sgd": 0}[self.optimizer]
        if resume is None:
            decoder = self._initial_weights(X, mean, rng)
            encoder = decoder if self.tied else self._initial_weights(X, mean, rng)
            params = [decoder] if self.tied else [decoder, encoder]
            # the optimizer's state: Adam's first and second moments, or momentum's velocity
            slots = [[np.zeros_like(p) for p in params] for _ in range(n_slots)]
            step = first_epoch = 0
            history = None
        else:
            params = [np.array(resume["param"][i], dtype) for i in range(n_params)]
            slots = [[np.array(resume["slot"][j][i], dtype) for i in range(n_params)]
                     for j in range(n_slots)]
            decoder = params[0]
            encoder = decoder if self.tied else params[1]
            rng.bit_generator.state = resume["rng"]
            step, first_epoch = int(resume["step"]), int(resume["epoch"])
            history = [float(x) for x in resume["history"]]
        batch = min(self.batch_size, n)
        steps_per_epoch = -(-n // batch)
        epochs = self.epochs or max(2, -(-DEFAULT_STEPS // steps_per_epoch))
        self.n_epochs_ = epochs
        total_steps = steps_per_epoch * epochs
        warmup = max(1.0, WARMUP_FRACTION * total_steps)
        # one batch per epoch: the loss of each step is the exact loss over the data before it,
        # so no separate pass is needed; otherwise a pass after each epoch measures it
        full_batch = steps_per_epoch == 1
        if history is None:
            history = [] if full_batch else [self._exact_loss(X, norms, encoder, decoder, mean)]
        every_epochs, every_seconds = _checkpoint_interval(self.checkpoint,
                                                           self.checkpoint_every)
        last_checkpoint = [first_epoch, time.monotonic()]
        beta1, beta2 = _ADAM_BETAS
        bar = progress(total=epochs, initial=first_epoch, desc="autoencoder", unit=" epochs")
        for epoch in range(first_epoch, epochs):
            shuffled = X if full_batch else X[rng.permutation(n)]
            for begin in range(0, n, batch):
                rows = shuffled[begin:begin + batch]
                grads, loss = self._gradients(rows, encoder, decoder, mean,
                                              norms if full_batch else None)
                if full_batch:
                    history.append(loss / n)
                if self.weight_decay:
                    for grad, param in zip(grads, params, strict=True):
                        grad += (2.0 * self.weight_decay * (2 if self.tied else 1)) * param
                step_rate = rate * (1.0 - (1.0 - FINAL_RATE_FRACTION) * step / total_steps)
                step_rate *= min(1.0, (step + 1) / warmup)
                step += 1
                for i, (grad, param) in enumerate(zip(grads, params, strict=True)):
                    if self.optimizer == "adam":
                        first, second = slots[0][i], slots[1][i]
                        first *= beta1
                        first += (1 - beta1) * grad
                        second *= beta2
                        second += (1 - beta2) * grad * grad
                        corrected = step_rate * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
                        param -= corrected * first / (np.sqrt(second) + _ADAM_EPSILON)
                    elif self.optimizer == "momentum":
                        velocity = slots[0][i]
                        velocity *= _MOMENTUM
                        velocity -= step_rate * grad
                        param += velocity
                    else:
                        param -= step_rate * grad
            if not full_batch:
                history.append(self._exact_loss(X, norms, encoder, decoder, mean))
            self._check_finite(history[-1], params, bar)
            bar.update()
            bar.set_postfix(loss=f"{history[-1]:.5g}")
            if self.checkpoint is not None and (
                    epoch + 1 == epochs
                    or (every_epochs is not None
                        and epoch + 1 - last_checkpoint[0] >= every_epochs)
                    or (every_seconds is not None
                        and time.monotonic() - last_checkpoint[1] >= every_seconds)):
                self._save_checkpoint(params, slots, dict(
                    epoch=epoch + 1, epochs=epochs, step=step, history=history, n=n, d=d,
                    rng=rng.bit_generator.state,
                    training_time=self._time_before + time.perf_counter() - self._started))
                last_checkpoint[:] = [epoch + 1, time.monotonic()]
        bar.close()
        if full_batch:
            history.append(self._exact_loss(X, norms, encoder, decoder, mean))
        self._check_finite(history[-1], params, bar)
        self.components_ = np.ascontiguousarray(encoder.T, dtype=np.float32)
        self.decoder_ = np.ascontiguousarray(decoder, dtype=np.float32)
        self.mean_ = mean
        self.loss_history_ = np.asarray(history, dtype=np.float64)

    def _save_checkpoint(self, params, slots, run: dict) -> None:
        """Write the training state to ``checkpoint`` (atomically: whole or not at all)."""
        arrays = {f"param{i}": p for i, p in enumerate(params)}
        arrays.update({f"slot{j}_{i}": p for j, group in enumerate(slots)
                       for i, p in enumerate(group)})
        _store.save(self.checkpoint, "autoencoder-checkpoint", arrays,
                    params=self._stored_params(), run=run)
        logger.info("autoencoder: checkpoint %s after epoch %d", self.checkpoint, run["epoch"])

    def _stored_params(self) -> dict:
        params = self.get_params()
        if not isinstance(params["stopwords"], str | type(None) | bool):
            params["stopwords"] = sorted(params["stopwords"])
        if params["checkpoint"] is not None:
            params["checkpoint"] = str(params["checkpoint"])
        return params

    @classmethod
    def resume(cls, path, data) -> LinearAutoencoder:
        """Continue the training recorded in checkpoint ``path`` on ``data`` (the corpus or
        matrix of the interrupted run) to its end; the checkpoint is kept up to date as before.

        Returns
        -------
        LinearAutoencoder
            The trained model, bit-identical to what the uninterrupted ``fit`` returns (with
            the same BLAS threads).

        Raises
        ------
        ModelFormatError
            If ``path`` is not an autoencoder checkpoint.
        CorpusError
            If ``data`` does not have the checkpoint's shape (bags x tokens).
        """
        model, header, arrays = cls._read_checkpoint(path, "autoencoder")
        try:
            run = dict(header["run"])
            n_params = 1 if model.tied else 2
            n_slots = {"adam": 2, "momentum": 1}.get(model.optimizer, 0)
            run["param"] = [arrays[f"param{i}"] for i in range(n_params)]
            run["slot"] = [[arrays[f"slot{j}_{i}"] for i in range(n_params)]
                           for j in range(n_slots)]
            n, d = int(run["n"]), int(run["d"])
            if "state" not in run["rng"]:
                raise KeyError("rng")
        except (KeyError, TypeError, ParameterError) as error:
            raise ModelFormatError(f"{path}: incomplete autoencoder checkpoint ({error})") \
                from None
        model.checkpoint = str(path)
        model._check_params()
        model._started = time.perf_counter()
        model._time_before = float(run.get("training_time", 0.0))
        if sp.issparse(data) or isinstance(data, np.ndarray):
            X = _as_matrix(data)
            model.bow_ = model.vocabulary_ = None
        else:
            X = _as_matrix(model._bags(data))
        if X.shape != (n, d):
            raise CorpusError(f"{getattr(data, 'name', 'the data')} is not the data of checkpoint "
                              f"{path}: {X.shape[0]} bags x {X.shape[1]} tokens, the "
                              f"checkpoint's had {n} x {d}")
        model.n_samples_ = n
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            model._train(X, resume=run)
        model.training_time_ = model._time_before + time.perf_counter() - model._started
        return model

    def _check_finite(self, loss: float, params, bar) -> None:
        """Stop with :class:`TrainingError` once the loss or the weights are not finite."""
        if math.isfinite(loss) and all(np.isfinite(p).all() for p in params):
            return
        bar.close()
        rate = self.learning_rate
        shown = (f"learning_rate={rate:g}" if rate is not None else
                 f"the default learning rate of {self.optimizer} "
                 f"({DEFAULT_LEARNING_RATES[self.optimizer]:g})")
        raise TrainingError(f"the autoencoder diverged (loss {loss:g}) with {shown}; lower the "
                            "learning rate (--alpha)")

    def _initial_weights(self, X, mean, rng) -> np.ndarray:
        """Orthonormal ``d x k`` weights spanning random mixtures of the (centred) bags.

        Gradients only ever move the weights within the row space of the data (directions no
        bag has are invisible to the loss), so starting there means nothing is left over from a
        random start in the rest of the ``d`` dimensions: an untied encoder can then become
        exactly ``W^+``.
        """
        mixing = rng.standard_normal((X.shape[0], self.n_components))
        if sp.issparse(X):
            mixing = mixing.astype(np.float32)
        mixtures = self._transpose_product(X, mixing, mean)
        return np.linalg.qr(np.asarray(mixtures, dtype=np.float64))[0].astype(self._dtype(X))

    @staticmethod
    def _dtype(X):
        """Weights in float32 for sparse (float32) bags, float64 for dense arrays."""
        return np.float32 if sp.issparse(X) else np.float64

    def _gradients(self, rows, encoder, decoder, mean, norms=None):
        """Gradients of the batch's mean loss and, given the rows' squared norms, its sum.

        Returns ``([dW], loss)`` (tied) or ``([dW, dV^T], loss)``, each gradient ``d x k``;
        ``loss`` is None without ``norms``.
        """
        b = rows.shape[0]
        codes = np.asarray(rows @ encoder)                     # H = B V^T (b x k)
        if mean is not None:
            codes -= mean @ encoder
        gram = decoder.T @ decoder                             # G = W^T W
        coded_gram = codes @ gram                              # H G
        if self.tied:
            projected = codes
        else:
            projected = np.asarray(rows @ decoder)             # P = B W
            if mean is not None:
                projected -= mean @ decoder
        loss = None
        if norms is not None:
            # ||x||^2 - 2 x.(W V x) + (Vx)^T G (Vx), summed in float64
            centred_norms = norms
            if mean is not None:
                centred_norms = (norms - 2.0 * np.asarray(rows @ mean, np.float64).ravel()
                                 + float(mean @ mean))
            loss = float(centred_norms.sum()
                         - 2.0 * np.einsum("ij,ij->", projected, codes, dtype=np.float64)
                         + np.einsum("ij,ij->", coded_gram, codes, dtype=np.float64))
        if self.tied:
            # dL/dW = 2 [W H^T H + B^T (H G - 2 H)]  (decoder and encoder roles summed)
            coded_gram -= 2.0 * codes
            back = self._transpose_product(rows, coded_gram, mean)
            grad = decoder @ (codes.T @ codes)
            grad += back
            grad *= 2.0 / b
            return [grad], loss
        residual = coded_gram - projected                      # H G - P
        back = self._transpose_product(rows, np.hstack([codes, residual]), mean)
        k = codes.shape[1]
        grad_decoder = decoder @ (codes.T @ codes)
        grad_decoder -= back[:, :k]
        grad_decoder *= 2.0 / b
        grad_encoder = back[:, k:]
        grad_encoder *= 2.0 / b
        return [grad_decoder, grad_encoder], loss

    @staticmethod
    def _transpose_product(rows, dense, mean) -> np.ndarray:
        """``(B - 1 mu^T)^T dense`` without forming the centred batch."""
        product = np.asarray(rows.T @ dense)
        if mean is not None:
            product -= np.outer(mean, dense.sum(axis=0))
        return product

    @staticmethod
    def _exact_loss(X, norms, encoder, decoder, mean) -> float:
        """Mean of ``||x - mu - W V (x - mu)||^2`` over all rows, in float64, chunk by chunk."""
        n = X.shape[0]
        tied = encoder is decoder
        encoder = encoder.astype(np.float64, copy=False)
        decoder = encoder if tied else decoder.astype(np.float64, copy=False)
        if mean is not None:
            mean = mean.astype(np.float64, copy=False)
        gram = decoder.T @ decoder
        total = 0.0
        mean_sq = 0.0
        if mean is not None:
            mean_sq = float(mean @ mean)
            mean_enc, mean_dec = mean @ encoder, mean @ decoder
        for begin in range(0, n, _LOSS_CHUNK_ROWS):
            rows = X[begin:begin + _LOSS_CHUNK_ROWS]
            codes = np.asarray(rows @ encoder, dtype=np.float64)
            projected = codes if tied else np.asarray(rows @ decoder, dtype=np.float64)
            chunk_norms = norms[begin:begin + _LOSS_CHUNK_ROWS]
            if mean is not None:
                chunk_norms = chunk_norms - 2.0 * np.asarray(rows @ mean).ravel() + mean_sq
                codes = codes - mean_enc
                projected = codes if tied else projected - mean_dec
            total += (chunk_norms.sum() - 2.0 * np.einsum("ij,ij->", projected, codes)
                      + np.einsum("ij,ij->", codes @ gram, codes))
        return max(total, 0.0) / n

    # -- using the model ----------------------------------------------------------------------
    def transform(self, data) -> np.ndarray:
        """Codes ``u = V (x - mu)`` of bags (a matrix) or documents (if fitted on a corpus)."""
        X = self.bags(data)
        codes = np.asarray(X @ self.components_.T.astype(np.float64), dtype=np.float64)
        if self.mean_ is not None:
            codes -= self.mean_ @ self.components_.T.astype(np.float64)
        return codes.astype(np.float32)

    def fit_transform(self, data, y=None) -> np.ndarray:
        """:meth:`fit`, then :meth:`transform` of the same data."""
        if sp.issparse(data) or isinstance(data, np.ndarray):
            return self.fit(data).transform(data)
        X = self._bags(data)              # read the corpus once: fit and encode the same bags
        self.fit(X, _keep_vectoriser=True)
        return self.transform(X)

    def inverse_transform(self, codes) -> np.ndarray:
        """Reconstructions ``W u (+ mu)`` of codes (dense, ``d`` wide: use on few rows)."""
        self._check_fitted()
        codes = np.asarray(codes, dtype=np.float64)
        if codes.ndim != 2 or codes.shape[1] != self.n_components_:
            raise ParameterError(f"codes must have shape (n, {self.n_components_}), got "
                                 f"{codes.shape}")
        reconstruction = codes @ self.decoder_.T.astype(np.float64)
        if self.mean_ is not None:
            reconstruction += self.mean_
        return reconstruction.astype(np.float32)

    @property
    def n_components_(self) -> int:
        self._check_fitted()
        return self.components_.shape[0]

    def reconstruction_error(self, data) -> float:
        """The squared Frobenius error ``||X - X_hat||^2`` summed over the bags of ``data``.

        ``X_hat = (X - mu) V^T W^T + mu`` (``mu = 0`` unless ``center``); computed sparsely.
        Divided by the number of bags it is the loss of :attr:`loss_history_`.
        """
        X = self.bags(data)
        encoder = self.components_.T.astype(np.float64)
        decoder = encoder if self.tied else self.decoder_.astype(np.float64)
        return self._exact_loss(X, _row_norms_squared(X), encoder, decoder,
                                self.mean_) * X.shape[0]

    def _wv_key(self) -> tuple:
        return (self.components_, self.vocabulary_)

    def _make_wv(self):
        """:class:`~wordspace.vectors.Embeddings` (:attr:`wv`): token ``i``'s vector is column
        ``i`` of ``V``, the code of a bag holding token ``i`` alone (before centring)."""
        from ..vectors import Embeddings

        if self.vocabulary_ is None:
            raise NotFittedError("word vectors need a vocabulary: fit on a corpus, not a matrix")
        return Embeddings(self.vocabulary_.labels, self.components_.T,
                          counts=self.vocabulary_.counts)

    @property
    def word_vectors(self):
        """The same as :attr:`wv` (the name every model shares)."""
        return self.wv

    # -- files --------------------------------------------------------------------------------
    def save(self, path) -> None:
        """Write the model to ``path`` (a wordspace model file of kind ``"autoencoder"``).

        Like every model file it holds the word vectors as ``vectors`` (``d x k``) and the
        tokens in the header (when fitted on a corpus), so
        :meth:`wordspace.vectors.Embeddings.load` opens it too; nothing is pickled.
        """
        self._check_fitted()
        arrays = {"components": self.components_, "loss_history": self.loss_history_}
        if not self.tied:
            arrays["decoder"] = self.decoder_
        if self.mean_ is not None:
            arrays["mean"] = self.mean_
        params = self._stored_params()
        bow = getattr(self, "bow_", None)
        header = {"params": params, "n_samples": self.n_samples_,
                  "n_epochs": getattr(self, "n_epochs_", None),
                  "training_time": getattr(self, "training_time_", None)}
        if self.vocabulary_ is not None:
            arrays["vectors"] = np.ascontiguousarray(self.components_.T)
            arrays["counts"] = self.vocabulary_.counts
            header["tokens"] = list(self.vocabulary_.labels)
            header["n_raw_tokens"] = self.vocabulary_.n_raw_tokens
        if bow is not None:
            bow_header, bow_arrays = bow.state()
            params.update(bow_header.pop("params"))
            header.update(bow_header)
            arrays.update(bow_arrays)
        _store.save(path, "autoencoder", arrays, **header)

    @classmethod
    def load(cls, path, mmap: bool = True) -> LinearAutoencoder:
        """Read a model written by :meth:`save` (arrays memory-mapped when ``mmap``)."""
        header, arrays = _store.load(path, mmap=mmap)
        if header.get("kind") != "autoencoder":
            raise ModelFormatError(f"{path} holds a {header.get('kind')!r} model, not an "
                                   "autoencoder")
        try:
            model = cls(**header["params"])
            model.components_ = arrays["components"]
            model.decoder_ = (model.components_.T if model.tied else arrays["decoder"])
            model.loss_history_ = np.asarray(arrays["loss_history"])
            model.mean_ = np.asarray(arrays["mean"]) if "mean" in arrays else None
            model.n_samples_ = header.get("n_samples")
            model.n_epochs_ = header.get("n_epochs")
            model.training_time_ = header.get("training_time")
            model.bow_ = model.vocabulary_ = None
            if "tokens" in header:
                from ..bow import BagOfWords
                from ..vocab import Vocabulary

                if "idf" in arrays:
                    model.bow_ = BagOfWords.from_state(header, arrays, header["tokens"])
                    model.vocabulary_ = model.bow_.vocabulary_
                else:
                    model.vocabulary_ = Vocabulary(header["tokens"], arrays["counts"],
                                                   n_raw_tokens=header.get("n_raw_tokens", 0),
                                                   n_documents=header.get("n_documents", 0))
        except (KeyError, TypeError) as error:
            raise ModelFormatError(f"{path}: incomplete autoencoder file ({error})") from None
        k, d = model.components_.shape
        if model.decoder_.shape != (d, k) or (model.vocabulary_ is not None
                                              and len(model.vocabulary_) != d):
            raise ModelFormatError(f"{path}: array shapes do not match {d} tokens x {k} "
                                   "components")
        return model
