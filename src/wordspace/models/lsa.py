"""Latent semantic analysis: the linear autoencoder of bags of words, solved by a truncated SVD.

A unit of text (document, paragraph or window) is a weighted bag of tokens ``x`` in ``R^d``.  The
linear autoencoder with ``k << d`` hidden units reconstructs it as ``x_hat = W V x``: the encoder
``V`` (``k x d``) gives the code ``u = V x``, the decoder ``W`` (``d x k``) maps it back.  Over all
units (the rows of ``X``, ``n x d``) the squared error ``||X - X V^T W^T||_F^2`` is smallest when
``V`` spans the top-``k`` right singular subspace of ``X`` (Eckart-Young), and with orthonormal
rows the optimal weights are *tied*: ``W = V^T = V^+``, and each is the other's best response
(:func:`~wordspace.models.linalg.best_decoder_for`,
:func:`~wordspace.models.linalg.best_encoder_for`).
That solution is LSA: stopwords removed, tf-idf weighting, and -- unlike PCA -- no mean
subtraction, so ``X`` stays sparse.  Only the plane is unique: any invertible ``A`` gives the
equally good pair ``(W A^{-1}, A V)``; the SVD picks the orthonormal basis ordered by energy.

Memory and big corpora
----------------------
``fit`` reads the corpus once, chunk by chunk, into a CSR matrix of float32 (about 8 bytes per
nonzero plus 4 per row; no dense ``d``-wide row ever exists; see :mod:`wordspace.bow`), then runs
a randomized subspace iteration (:func:`~wordspace.models.linalg.randomized_svd`): each power
step is one pass over blocks of rows computing ``X^T (X C)`` in a Numba kernel, so besides the
matrix it holds two dense ``d x (k + 10)`` blocks and, at the end, the document vectors
``X V^T`` (``n x k``); with fewer units than tokens (``n < d``) it iterates on ``X X^T``
instead, over a copy of ``X^T``, with two ``n x (k + 10)`` blocks.  When the matrix outgrows
1/8 of the available memory, or always with ``cache_dir=``, the matrix and the document
vectors lie in temporary memory-mapped files whose pages leave the resident set block by block
(:mod:`wordspace._mapped`), so the resident memory does not grow with the number of units; the
result is the same.  Measured by
``bench/lsa.py`` on ``big.txt`` at paragraph granularity (251,267 units x 138,484 tokens, 23 M
tokens of text, k = 100): 6.9 s and a peak of 460 MB for the whole fit on a quiet 2-core
machine, against 24.1 s and 609 MB for scikit-learn's ``TfidfVectorizer`` + ``TruncatedSVD`` in
the same run.
``algorithm="arpack"`` uses :func:`scipy.sparse.linalg.svds` instead (exact to tolerance,
slower for large ``k``, in memory).

Word vectors
------------
The word vectors are the columns of ``V`` (rows of ``V^T``, one per token) scaled by the singular
values by default (``vector_scaling="singular"``): then their dot products are the rank-``k``
approximation of the term-term matrix ``X^T X``, the usual LSA term space.  ``"sqrt"`` scales by
``s**0.5`` and ``"none"`` keeps the orthonormal ``V^T`` rows.

Examples
--------
>>> docs = ["cats purr and cats meow", "a cat purrs", "kittens meow and purr",
...         "stocks fell as markets slid", "markets rallied and stocks rose", "bond markets slid"]
>>> lsa = LSA(n_components=2, min_count=1, seed=0).fit(docs)
>>> lsa.components_.shape, round(lsa.explained_energy_, 3) <= 1.0
((2, 13), True)
>>> codes = lsa.transform(["purr meow", "stocks markets"])
>>> codes.shape
(2, 2)
"""

from __future__ import annotations

import logging

import numpy as np
import scipy.sparse as sp

from .. import _mapped, _store
from ..bow import BagOfWords
from ..errors import ModelFormatError, ParameterError, check_choice, check_positive
from . import linalg
from ._base import WordspaceEstimator

__all__ = ["LSA"]

logger = logging.getLogger(__name__)

ALGORITHMS = ("randomized", "arpack")
VECTOR_SCALINGS = {"singular": 1.0, "sqrt": 0.5, "none": 0.0}


_kernels_loaded = False


def _load_kernels() -> None:
    """Load every Numba kernel a fit runs (from Numba's cache, or compiled), on tiny inputs.

    Loading a kernel needs LLVM, whose pages (about 44 MB resident) are released before the
    corpus is read (:func:`wordspace._mapped.release_library`); a kernel first loaded after
    that would fault them back in.  Covered: tokenising an ASCII and a non-ASCII chunk,
    building, renumbering and weighting the matrix, and the randomized SVD of a wide and of a
    tall matrix.  Once per process.
    """
    global _kernels_loaded
    if _kernels_loaded:
        return
    from .._tokens import TokenCounter

    counter = TokenCounter()
    counter.add(["a b a"])
    counter.add(["\u00e9t\u00e9 b"])
    bags = BagOfWords(stopwords=None, min_count=1).fit_transform(
        ["ant bee cat", "bee cat dog eel", "cat dog eel fox gnu", "ant fox"])
    linalg.randomized_svd(bags, 1, n_oversamples=1, n_iter=1)                # n < d
    linalg.randomized_svd(sp.csr_matrix(bags.T), 1, n_oversamples=1, n_iter=1)   # n > d
    _kernels_loaded = True


class LSA(WordspaceEstimator):
    """Latent semantic analysis: the tied-weight linear autoencoder solved by a truncated SVD.

    Parameters
    ----------
    n_components : int
        ``k``, the number of hidden units (topics, dimensions).
    weighting : str
        Term weighting of the bags (see :mod:`wordspace.bow`): ``"tfidf"`` (default),
        ``"log-idf"`` (sublinear tf), ``"log-entropy"``, ``"count"``, ``"binary"``, ``"tf"``,
        ``"log"``...
    idf : {"smooth", "plain"}
        The idf formula, when the weighting has one.
    normalize : bool
        Scale each bag to unit L2 norm before the SVD (default True).
    stopwords : "english", None/False, a path or an iterable
        Tokens left out of the vocabulary.
    min_count : int
        Drop tokens seen fewer times in the corpus.
    max_size : int, optional
        Keep at most this many tokens (the most frequent).
    granularity : {"document", "paragraph", "window"}, optional
        The unit that becomes one bag; by default the corpus's own (``"document"`` for paths and
        in-memory documents).  ``window`` and ``stride`` go with ``"window"``.
    algorithm : {"randomized", "arpack"}
    n_iter : int
        Power iterations of the randomized SVD (scikit-learn's ``TruncatedSVD`` default is 5).
    n_oversamples : int
        Extra random vectors of the randomized SVD.
    vector_scaling : {"singular", "sqrt", "none"}
        How :attr:`wv` scales the columns of ``V`` (see the module docstring).
    seed : int
        Seed of the random start; the same seed gives the same model.
    keep_numbers : bool
        Keep tokens made only of digits (dropped by default: ``"000"`` or ``"1993"`` make
        topics of their own on news text).
    stemmer : str, optional
        A Snowball stemmer (``"english"``...): one column per stem, shown as its most frequent
        surface form in :meth:`topics` and :attr:`word_vectors`.
    cache_dir : path, optional
        Keep the matrix and the document vectors in temporary memory-mapped files in this
        folder (removed at once; the mappings hold the data), read in blocks of rows whose
        pages leave the resident set after use, so memory stays flat in the corpus size.
        Without it that happens only when the matrix outgrows
        :data:`wordspace._mapped.MEMMAP_FRACTION` of the available memory (in the system's
        temporary folder).  The result is the same either way.

    The vocabulary and weighting parameters (``weighting`` ... ``stride``, ``keep_numbers``,
    ``stemmer``) are those of :class:`~wordspace.bow.BagOfWords` (its ``PARAMS``), the
    vectoriser the model builds, fits, saves and loads as :attr:`bow_`.

    Attributes
    ----------
    vocabulary_ : Vocabulary
    components_ : array (k, d), float32
        The encoder ``V``: orthonormal rows, the top right singular vectors.
    singular_values_ : array (k,), float64, descending
    explained_energy_ : float
        Share of ``||X||_F^2`` the ``k`` components capture: ``sum(s**2) / ||X||_F^2``.
    explained_energy_ratio_ : array (k,)
        That share per component.
    idf_ : array (d,)
        The global weight of each token: idf, entropy weight, or ones.
    document_vectors_ : array (n, k), float32
        Codes of the training units, ``U diag(s) = X V^T``.
    bow_ : BagOfWords
        The fitted weighting, to turn new text into bags ``x``.

    Notes
    -----
    The decoder is ``W = V^T`` (:attr:`decoder_`); :meth:`transform` is the encoder ``u = V x``
    and :meth:`inverse_transform` the decoder ``x_hat = W u``.

    References
    ----------
    Deerwester, Dumais, Furnas, Landauer & Harshman (1990), Indexing by latent semantic analysis.
    Halko, Martinsson & Tropp (2011), Finding structure with randomness.
    """

    def __init__(self, n_components: int = 100, *, weighting: str = "tfidf", idf: str = "smooth",
                 normalize: bool = True, stopwords="english", min_count: int = 2,
                 max_size: int | None = None, granularity: str | None = None,
                 window: int | None = None, stride: int | None = None,
                 algorithm: str = "randomized", n_iter: int = 5, n_oversamples: int = 10,
                 vector_scaling: str = "singular", seed: int = 0, keep_numbers: bool = False,
                 stemmer: str | None = None, cache_dir=None):
        self.n_components = n_components
        self.weighting = weighting
        self.idf = idf
        self.normalize = normalize
        self.stopwords = stopwords
        self.min_count = min_count
        self.max_size = max_size
        self.granularity = granularity
        self.window = window
        self.stride = stride
        self.algorithm = algorithm
        self.n_iter = n_iter
        self.n_oversamples = n_oversamples
        self.vector_scaling = vector_scaling
        self.seed = seed
        self.keep_numbers = keep_numbers
        self.stemmer = stemmer
        self.cache_dir = cache_dir

    # -- parameters: get_params, set_params, clone and repr from BaseEstimator ---------------
    _fitted_attributes = ("components_", "vocabulary_")

    def _vectorizer(self) -> BagOfWords:
        """The (unfitted) bag-of-words vectoriser these parameters describe."""
        return BagOfWords(**{name: getattr(self, name) for name in BagOfWords.PARAMS},
                          cache_dir=self.cache_dir)

    def _check_params(self) -> None:
        check_positive("n_components", self.n_components, integer=True)
        self._vectorizer()._check_params()
        check_choice("algorithm", self.algorithm, ALGORITHMS)
        check_positive("n_iter", self.n_iter, integer=True, allow_zero=True)
        check_positive("n_oversamples", self.n_oversamples, integer=True, allow_zero=True)
        check_choice("vector_scaling", self.vector_scaling, tuple(VECTOR_SCALINGS))
        if not isinstance(self.seed, int | np.integer) or isinstance(self.seed, bool):
            raise ParameterError(f"seed must be an integer, got {self.seed!r}")

    # -- fitting ------------------------------------------------------------------------------
    def fit(self, corpus, y=None, *, client=None) -> LSA:
        """Learn the vocabulary, the weighting and the top-``k`` singular subspace of ``corpus``.

        Parameters
        ----------
        corpus : anything :class:`~wordspace.corpus.Corpus` accepts
        y : ignored
            For scikit-learn's ``fit(X, y)``.
        client : dask.distributed.Client, optional
            Fit on that Dask cluster: the matrix is built and kept in row blocks on the
            workers and the randomized SVD runs as distributed products (see
            :mod:`wordspace.models._distributed`; needs ``wordspace[distributed]``).

        Returns
        -------
        self

        Raises
        ------
        ParameterError
            For a bad hyper-parameter, or ``n_components`` too large for the corpus.
        CorpusError
            If the corpus is empty or unreadable.
        """
        if client is not None:
            from ._distributed import fit_lsa

            return fit_lsa(self, corpus, client)
        self._check_params()
        # every kernel loaded now, LLVM's file pages (about 44 MB resident) then released:
        # they are needed again only if a kernel is compiled
        _load_kernels()
        _mapped.release_library("libllvmlite")
        bow = self._vectorizer()
        matrix = bow.fit_transform(corpus)
        logger.info("LSA: %d units x %d tokens, %d nonzeros (%.1f MB)", *matrix.shape,
                    matrix.nnz, (matrix.data.nbytes + matrix.indices.nbytes
                                 + matrix.indptr.nbytes) / 1e6)
        self._fit_matrix(matrix)
        self.bow_ = bow
        self.vocabulary_ = bow.vocabulary_
        self.idf_ = bow.idf_
        return self

    def _fit_matrix(self, matrix: sp.csr_matrix) -> None:
        n, d = matrix.shape
        k = self.n_components
        limit = min(n, d) - (1 if self.algorithm == "arpack" else 0)
        if k > limit:
            raise ParameterError(f"n_components={k} is too large: the corpus gives a {n} x {d} "
                                 f"matrix, so at most {limit} components "
                                 f"({self.algorithm} SVD)")
        if self.algorithm == "randomized":
            out = None                               # U diag(s), maybe in a mapped file
            if _mapped.is_mapped(matrix.data) or self.cache_dir is not None or \
                    n * k * 4 > _mapped.MEMMAP_FRACTION * _mapped.available_memory():
                out = _mapped.temporary_array((n, k), np.float32, self.cache_dir)
            U, s, Vt = linalg.randomized_svd(matrix, k, n_oversamples=self.n_oversamples,
                                             n_iter=self.n_iter, seed=self.seed,
                                             u_scaled=True, u_out=out)
        else:
            from scipy.sparse.linalg import svds

            rng = np.random.default_rng(self.seed)
            start = rng.standard_normal(min(n, d))
            U, s, Vt = svds(matrix.astype(np.float64), k=k, v0=start)
            order = np.argsort(s)[::-1]
            U, Vt = linalg.svd_flip(U[:, order], Vt[order])
            s = s[order]
            U *= s                                   # U diag(s)
        total = linalg.frobenius_norm_squared(matrix)
        self.components_ = np.ascontiguousarray(Vt, dtype=np.float32)
        self.singular_values_ = np.asarray(s, dtype=np.float64)
        self.document_vectors_ = U if U.dtype == np.float32 else U.astype(np.float32)
        self.total_energy_ = total
        self.explained_energy_ratio_ = self.singular_values_ ** 2 / total if total else \
            np.zeros(k)
        self.explained_energy_ = float(self.explained_energy_ratio_.sum())
        logger.info("LSA: %d components capture %.2f%% of the energy", k,
                    100 * self.explained_energy_)

    # -- the autoencoder ----------------------------------------------------------------------
    def _fitted(self) -> None:
        self._check_fitted()

    @property
    def encoder_(self) -> np.ndarray:
        """The encoder ``V`` (``k x d``), the same array as :attr:`components_`."""
        self._fitted()
        return self.components_

    @property
    def decoder_(self) -> np.ndarray:
        """The decoder ``W = V^T`` (``d x k``): tied weights, equal to ``V^+``."""
        self._fitted()
        return self.components_.T

    def bags(self, documents) -> sp.csr_matrix:
        """The weighted bags ``x`` (CSR, ``n x d``) of ``documents``, as ``fit`` weighted them.

        ``documents`` is a corpus (anything :class:`Corpus` accepts), read at the model's
        granularity; or a matrix with ``d`` columns, which is taken to be bags already and
        returned as CSR float32.
        """
        self._fitted()
        if sp.issparse(documents) or isinstance(documents, np.ndarray):
            d = self.components_.shape[1]
            if documents.ndim != 2 or documents.shape[1] != d:
                raise ParameterError(f"a matrix of bags needs {d} columns (the vocabulary), got "
                                     f"shape {documents.shape}")
            return sp.csr_matrix(documents, dtype=np.float32)
        return self.bow_.transform(documents)

    def transform(self, documents) -> np.ndarray:
        """Codes ``u = V x`` (``n x k``, float32) of new documents (a corpus or a matrix of bags).

        For the training corpus these equal :attr:`document_vectors_` (up to rounding).
        """
        return np.asarray(self.bags(documents) @ self.components_.T, dtype=np.float32)

    def fit_transform(self, corpus, y=None) -> np.ndarray:
        """``fit(corpus)`` and return the codes of its units (:attr:`document_vectors_`)."""
        return self.fit(corpus).document_vectors_

    def inverse_transform(self, codes) -> np.ndarray:
        """Reconstructions ``x_hat = W u`` (``n x d``, dense float32) of codes ``u``.

        Dense: use it on a few rows at a time.
        """
        self._fitted()
        codes = np.atleast_2d(np.asarray(codes, dtype=np.float32))
        if codes.shape[1] != self.components_.shape[0]:
            raise ParameterError(f"codes need {self.components_.shape[0]} columns, got "
                                 f"{codes.shape[1]}")
        return codes @ self.components_

    def reconstruction_error(self, documents, relative: bool = False) -> float:
        """Squared error ``||X - X V^T W^T||_F^2`` over the bags of ``documents``.

        With ``relative=True`` it is divided by ``||X||_F^2`` (so on the training corpus it is
        ``1 - explained_energy_``).  Computed without densifying ``X``.
        """
        matrix = self.bags(documents)
        V = self.components_.astype(np.float64)
        error = linalg.reconstruction_error(matrix, V.T, V)
        if relative:
            total = linalg.frobenius_norm_squared(matrix)
            return error / total if total else 0.0
        return error

    # -- vectors and topics -------------------------------------------------------------------
    def _word_vector_array(self) -> np.ndarray:
        power = VECTOR_SCALINGS[self.vector_scaling]
        scale = self.singular_values_ ** power if power else np.ones(len(self.singular_values_))
        return np.ascontiguousarray((self.components_.T * scale.astype(np.float32)),
                                    dtype=np.float32)

    def _make_wv(self):
        """Word embeddings (:attr:`wv`): one row per token, the columns of ``V`` scaled per
        ``vector_scaling``, as :class:`wordspace.vectors.Embeddings`."""
        from ..vectors import Embeddings

        vectors = getattr(self, "_saved_vectors", None)
        if vectors is None:
            vectors = self._word_vector_array()
        return Embeddings(self.vocabulary_.labels, vectors, counts=self.vocabulary_.counts)

    @property
    def word_vectors(self):
        """The same as :attr:`wv` (the name every model shares)."""
        return self.wv

    def topics(self, topn: int = 10) -> list[list[tuple[str, float]]]:
        """The ``topn`` tokens of largest weight in each component (largest absolute weight
        first, signed), strongest component first.  With a stemmer each stem is shown as its
        most frequent surface form.
        """
        self._fitted()
        check_positive("topn", topn, integer=True)
        tokens = self.vocabulary_.labels
        result = []
        for row in np.asarray(self.components_):
            top = np.argsort(-np.abs(row), kind="stable")[:topn]
            result.append([(tokens[i], float(row[i])) for i in top])
        return result

    # -- persistence --------------------------------------------------------------------------
    def save(self, path) -> None:
        """Write the model to ``path`` (a wordspace model file; memory-mappable, no pickle).

        The file holds ``vectors`` (the word vectors, ``d x k``) and a ``tokens`` header (the
        readable tokens: surface forms when stemmed) like every model file, so
        :meth:`wordspace.vectors.Embeddings.load` opens it too; the vectoriser's state
        (:meth:`BagOfWords.state`) and the codes of the training units go with it.
        """
        self._fitted()
        bow_header, bow_arrays = self.bow_.state()
        arrays = {
            "vectors": self._word_vector_array(),
            "components": self.components_,
            "singular_values": self.singular_values_,
            "explained_energy_ratio": self.explained_energy_ratio_,
            "document_vectors": self.document_vectors_,
            **bow_arrays,
        }
        params = self.get_params()
        params.pop("cache_dir", None)                # where this machine spilled, not a setting
        params.update(bow_header.pop("params"))
        _store.save(path, "lsa", arrays, tokens=self.vocabulary_.labels, params=params,
                    total_energy=self.total_energy_, explained_energy=self.explained_energy_,
                    **bow_header)

    @classmethod
    def load(cls, path, mmap: bool = True) -> LSA:
        """Read a model written by :meth:`save` (arrays memory-mapped when ``mmap``)."""
        header, arrays = _store.load(path, mmap=mmap)
        if header.get("kind") != "lsa":
            raise ModelFormatError(f"{path} holds a {header.get('kind')!r} model, not an LSA one")
        try:
            model = cls(**header["params"])
            tokens = header["tokens"]
            bow = BagOfWords.from_state(header, arrays, tokens)
            model.components_ = arrays["components"]
            model.singular_values_ = np.asarray(arrays["singular_values"], dtype=np.float64)
            model.explained_energy_ratio_ = np.asarray(arrays["explained_energy_ratio"])
            model.explained_energy_ = float(header["explained_energy"])
            model.total_energy_ = float(header["total_energy"])
            model._saved_vectors = arrays["vectors"]
            if "document_vectors" in arrays:           # files before 0.x lack them
                model.document_vectors_ = arrays["document_vectors"]
        except (KeyError, TypeError) as error:
            raise ModelFormatError(f"{path}: incomplete LSA model file ({error})") from None
        d, k = len(tokens), len(model.singular_values_)
        if model.components_.shape != (k, d) or model._saved_vectors.shape != (d, k):
            raise ModelFormatError(f"{path}: array shapes do not match {d} tokens x {k} "
                                   "components")
        if hasattr(model, "document_vectors_") and model.document_vectors_.shape[1:] != (k,):
            raise ModelFormatError(f"{path}: document vectors do not have {k} columns")
        model.bow_ = bow
        model.vocabulary_ = bow.vocabulary_
        model.idf_ = bow.idf_
        return model
