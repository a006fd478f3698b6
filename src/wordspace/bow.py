"""Sparse bags of words: the weighted document-term matrix of a corpus, built chunk by chunk.

Each unit of the corpus (a document, paragraph or window, as its granularity says) becomes one row
of a CSR matrix of float32 with one column per vocabulary token.  The matrix is built in one
streaming pass: tokens are turned into int32 ids in C (``np.fromiter(map(dict.get, ...))``), and
each chunk of about a million tokens becomes a CSR block with vectorised numpy (row ids by
``np.repeat``, duplicates summed by scipy's COO-to-CSR conversion); the blocks are stacked at the
end.  There is no Python loop per token and no dense row.  Memory: about 8 bytes per nonzero
(float32 value + int32 column), far less than the text.

Weighting
---------
``weighting`` names the term-frequency part, optionally followed by ``-idf``:

=========  ====================================================
``count``  raw count ``c`` of the token in the unit
``binary`` 1 where the token occurs
``tf``     relative frequency ``c / (in-vocabulary length of the unit)``
``log``    ``1 + ln c`` (sublinear tf)
=========  ====================================================

``"tfidf"`` is short for ``"count-idf"``, and the hyphen may be left out (``"logidf"``).  With
``-idf`` each column is multiplied by the inverse
document frequency, ``idf="smooth"``: ``ln((1 + n) / (1 + df)) + 1`` (scikit-learn's default) or
``idf="plain"``: ``ln(n / df) + 1``.  With ``-entropy`` it is multiplied by the entropy weight
``1 + sum_i p_ij ln p_ij / ln n`` with ``p_ij = c_ij / sum_i c_ij`` (Dumais 1991; ``log-entropy``
is the classic LSA weighting, and gensim's ``LogEntropyModel``): 1 for a token concentrated in one
unit, 0 for one spread evenly over all.  ``normalize=True`` scales each row to unit L2 norm last.
These are exactly scikit-learn's ``TfidfVectorizer`` conventions (``sublinear_tf`` is ``log``),
so on the same vocabulary both give the same matrix.

Examples
--------
>>> bow = BagOfWords(weighting="count", normalize=False, min_count=1)
>>> X = bow.fit_transform(["the cat sat on the mat", "the dog sat"])
>>> bow.vocabulary_.tokens
['the', 'sat', 'cat', 'dog', 'mat', 'on']
>>> X.toarray().astype(int).tolist()
[[2, 1, 1, 0, 1, 1], [1, 1, 0, 1, 0, 0]]
>>> BagOfWords(weighting="binary-idf", idf="plain", normalize=False).fit(
...     ["the cat sat on the mat", "the dog sat"]).idf_.round(3).tolist()
[1.0, 1.0, 1.693, 1.693, 1.693, 1.693]
"""

from __future__ import annotations

import logging
from collections import defaultdict

import numpy as np
import scipy.sparse as sp

from ._progress import progress
from .corpus import as_corpus
from .errors import CorpusError, NotFittedError, ParameterError, check_choice, check_positive
from .vocab import Vocabulary, load_stopwords

__all__ = ["BagOfWords", "count_matrix", "count_matrix_and_vocabulary", "parse_weighting",
           "TF_WEIGHTINGS", "IDF_KINDS",
           "GLOBAL_WEIGHTINGS", "idf_weights", "entropy_weights", "normalize_rows"]

logger = logging.getLogger(__name__)

TF_WEIGHTINGS = ("count", "binary", "tf", "log")
IDF_KINDS = ("smooth", "plain")
GLOBAL_WEIGHTINGS = ("idf", "entropy")
_CHUNK_TOKENS = 1 << 20


def parse_weighting(weighting: str) -> tuple[str, str | None]:
    """Split a weighting name into its tf part and its global part (``"idf"``, ``"entropy"``, None).

    >>> parse_weighting("tfidf"), parse_weighting("logidf"), parse_weighting("log-entropy")
    (('count', 'idf'), ('log', 'idf'), ('log', 'entropy'))
    >>> parse_weighting("binary")
    ('binary', None)
    """
    if not isinstance(weighting, str):
        raise ParameterError(f"weighting must be a string, got {weighting!r}")
    name = "count-idf" if weighting == "tfidf" else weighting
    for suffix in GLOBAL_WEIGHTINGS:
        if name.endswith(suffix) and not name.endswith("-" + suffix):
            name = name[:-len(suffix)] + "-" + suffix      # "logidf" -> "log-idf"
    tf, _, global_weight = name.partition("-")
    if tf not in TF_WEIGHTINGS or global_weight not in ("", *GLOBAL_WEIGHTINGS):
        choices = ", ".join(repr(w) for w in (*TF_WEIGHTINGS, "tfidf",
                                               *(w + "-idf" for w in TF_WEIGHTINGS),
                                               *(w + "-entropy" for w in TF_WEIGHTINGS)))
        raise ParameterError(f"weighting must be one of {choices}, got {weighting!r}")
    return tf, global_weight or None


def _block(ids: np.ndarray, lengths, n_columns: int) -> sp.csr_matrix:
    """A CSR block of counts from concatenated ids and the unit lengths (duplicates summed)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    rows = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)
    block = sp.csr_matrix((np.ones(len(ids), np.float32), (rows, ids)),
                          shape=(len(lengths), n_columns), dtype=np.float32)
    block.sum_duplicates()
    return block


def _stack(blocks: list[sp.csr_matrix], n_columns: int) -> sp.csr_matrix:
    """Stack CSR blocks (possibly narrower than ``n_columns``) into one CSR matrix, in place."""
    if not blocks:
        return sp.csr_matrix((0, n_columns), dtype=np.float32)
    n_rows = sum(b.shape[0] for b in blocks)
    nnz = sum(b.nnz for b in blocks)
    index_dtype = np.int32 if max(nnz, n_columns) < 2**31 else np.int64
    data = np.empty(nnz, np.float32)
    indices = np.empty(nnz, index_dtype)
    indptr = np.empty(n_rows + 1, index_dtype)
    indptr[0] = 0
    row = pos = 0
    while blocks:
        block = blocks.pop(0)                       # free each block once copied
        m, z = block.shape[0], block.nnz
        data[pos:pos + z] = block.data
        indices[pos:pos + z] = block.indices
        indptr[row + 1:row + m + 1] = block.indptr[1:] + pos
        row += m
        pos += z
    return sp.csr_matrix((data, indices, indptr), shape=(n_rows, n_columns))


def count_matrix(corpus, vocabulary: Vocabulary, chunk_tokens: int = _CHUNK_TOKENS
                 ) -> sp.csr_matrix:
    """The raw count matrix (CSR, float32, units x vocabulary) of ``corpus``, in one pass.

    Out-of-vocabulary tokens are dropped; a unit with none left is an all-zero row, so rows keep
    the corpus's positions.

    >>> vocab = Vocabulary(["a", "b"])
    >>> count_matrix(["a b a z", "z"], vocab).toarray().tolist()
    [[2.0, 1.0], [0.0, 0.0]]
    """
    blocks = []
    for chunk in vocabulary.encode_chunks(corpus, chunk_tokens):
        blocks.append(_block(chunk.ids, np.diff(chunk.offsets), len(vocabulary)))
    return _stack(blocks, len(vocabulary))


def count_matrix_and_vocabulary(corpus, min_count: int = 1, max_size: int | None = None,
                                stopwords=None, chunk_tokens: int = _CHUNK_TOKENS
                                ) -> tuple[sp.csr_matrix, Vocabulary]:
    """Count the vocabulary and build the count matrix in the *same* single pass.

    Every token gets a provisional id the first time it is seen (a ``defaultdict`` whose factory
    is its own length, called from C inside ``np.fromiter``); afterwards the vocabulary is cut
    exactly as :meth:`Vocabulary.build` cuts it (stopwords, ``min_count``, ``max_size``; ids by
    decreasing count, ties alphabetical) and the columns are renumbered with one vectorised
    gather.  This reads and tokenises the text once instead of twice.

    Returns
    -------
    counts : csr_matrix (units, len(vocabulary)), float32
    vocabulary : Vocabulary
        The same as ``Vocabulary.build(corpus, min_count, max_size, stopwords=stopwords)``.
    """
    check_positive("min_count", min_count, integer=True)
    if max_size is not None:
        check_positive("max_size", max_size, integer=True)
    check_positive("chunk_tokens", chunk_tokens, integer=True)
    corpus = as_corpus(corpus)
    stop = load_stopwords(stopwords)
    provisional: defaultdict = defaultdict()
    provisional.default_factory = provisional.__len__
    lookup = provisional.__getitem__
    blocks: list[sp.csr_matrix] = []
    counts = np.zeros(0, np.int64)
    buffer: list[str] = []
    lengths: list[int] = []
    n_raw = 0
    bar = progress(desc="counting and building the matrix", unit=" tokens", unit_scale=True)

    def flush():
        nonlocal counts
        ids = np.fromiter(map(lookup, buffer), dtype=np.int32, count=len(buffer))
        n_types = len(provisional)
        blocks.append(_block(ids, lengths, n_types))
        grown = np.bincount(ids, minlength=n_types)
        grown[:len(counts)] += counts
        counts = grown
        bar.update(len(buffer))

    for tokens in corpus:
        buffer.extend(tokens)
        lengths.append(len(tokens))
        if len(buffer) >= chunk_tokens:
            n_raw += len(buffer)
            flush()
            buffer, lengths = [], []
    if lengths:
        n_raw += len(buffer)
        flush()
    bar.close()
    n_units = sum(b.shape[0] for b in blocks)
    if n_raw == 0:
        raise CorpusError(f"corpus {corpus.name} contains no tokens")
    tokens = list(provisional)            # insertion order = provisional id order
    provisional.clear()                   # free the dict; the token list stays
    keep = counts >= min_count
    if stop:
        is_stop = np.fromiter((t in stop for t in tokens), dtype=bool, count=len(tokens))
        keep &= ~is_stop
    kept = np.flatnonzero(keep)
    if len(kept) == 0:
        if stop and np.any(counts >= min_count):
            raise CorpusError(f"every token of corpus {corpus.name} that occurs {min_count} "
                              "times or more is a stopword; pass other stopwords or none")
        raise CorpusError(f"no token of corpus {corpus.name} occurs {min_count} times or more "
                          f"(it has {n_raw} tokens); lower min_count")
    kept_tokens = np.array([tokens[i] for i in kept], dtype=object)
    order = np.lexsort((kept_tokens, -counts[kept]))  # by count descending, then token
    if max_size is not None:
        order = order[:max_size]
    kept = kept[order]
    vocabulary = Vocabulary([tokens[i] for i in kept], counts[kept], n_raw_tokens=n_raw,
                            n_documents=n_units)
    logger.info("vocabulary: %d tokens kept of %d distinct, %d tokens in %d units",
                len(vocabulary), len(tokens), n_raw, n_units)
    matrix = _stack(blocks, len(tokens))
    return _renumber_columns(matrix, kept, len(tokens)), vocabulary


def _renumber_columns(matrix: sp.csr_matrix, kept: np.ndarray, n_old: int) -> sp.csr_matrix:
    """Keep columns ``kept`` (old ids) of ``matrix``, column ``kept[j]`` becoming ``j``."""
    mapping = np.full(n_old, -1, dtype=matrix.indices.dtype)
    mapping[kept] = np.arange(len(kept), dtype=mapping.dtype)
    new_indices = mapping[matrix.indices]
    present = new_indices >= 0
    kept_before = np.zeros(len(present) + 1, dtype=np.int64)
    np.cumsum(present, out=kept_before[1:])
    indptr = kept_before[matrix.indptr].astype(matrix.indptr.dtype)
    result = sp.csr_matrix((matrix.data[present], new_indices[present], indptr),
                           shape=(matrix.shape[0], len(kept)))
    result.has_sorted_indices = False
    return result


class BagOfWords:
    """Weighted bags of words as a sparse matrix, scikit-learn style (``fit`` / ``transform``).

    Parameters
    ----------
    vocabulary : Vocabulary, optional
        Columns of the matrix.  Without it, ``fit`` builds one from the corpus (in the same
        single pass as the matrix) with ``min_count``, ``max_size`` and ``stopwords``.
    weighting : str
        ``count``, ``binary``, ``tf`` or ``log``, optionally with ``-idf``; ``tfidf`` means
        ``count-idf`` (see the module docstring).
    idf : {"smooth", "plain"}
        The idf formula, when the weighting has one.
    normalize : bool
        Scale every row to unit L2 norm (after weighting).
    min_count, max_size, stopwords
        Vocabulary cut, when no ``vocabulary`` is given (see :meth:`Vocabulary.build`).

    Attributes
    ----------
    vocabulary_ : Vocabulary
    document_frequency_ : array of int64, (d,)
        Number of units containing each token, in the fitted corpus.
    n_documents_ : int
        Number of units in the fitted corpus.
    idf_ : array of float64, (d,)
        The global weight of each token: its idf, its entropy weight, or ones.

    Examples
    --------
    >>> bow = BagOfWords(weighting="log-idf").fit(["a a b", "b c", "c c c d"])
    >>> X = bow.transform(["a b b", "zzz"])
    >>> X.shape, bow.vocabulary_.tokens
    ((2, 4), ['c', 'a', 'b', 'd'])
    >>> np.round(np.linalg.norm(X.toarray(), axis=1), 6).tolist()   # unit rows; empty stays 0
    [1.0, 0.0]
    """

    def __init__(self, vocabulary: Vocabulary | None = None, weighting: str = "tfidf",
                 idf: str = "smooth", normalize: bool = True, min_count: int = 1,
                 max_size: int | None = None, stopwords=None, chunk_tokens: int = _CHUNK_TOKENS):
        self.vocabulary = vocabulary
        self.weighting = weighting
        self.idf = idf
        self.normalize = normalize
        self.min_count = min_count
        self.max_size = max_size
        self.stopwords = stopwords
        self.chunk_tokens = chunk_tokens

    def _check_params(self) -> tuple[str, bool]:
        tf, global_weight = parse_weighting(self.weighting)
        check_choice("idf", self.idf, IDF_KINDS)
        check_positive("chunk_tokens", self.chunk_tokens, integer=True)
        if self.vocabulary is not None and not isinstance(self.vocabulary, Vocabulary):
            raise ParameterError("vocabulary must be a wordspace Vocabulary, got "
                                 f"{type(self.vocabulary).__name__}")
        return tf, global_weight

    # -- fitting ------------------------------------------------------------------------------
    def fit(self, corpus) -> BagOfWords:
        """Learn the vocabulary (unless given) and the document frequencies of ``corpus``."""
        self.fit_counts(corpus)
        return self

    def fit_counts(self, corpus) -> sp.csr_matrix:
        """Fit on ``corpus`` and return its raw count matrix (one pass over the text)."""
        self._check_params()
        if self.vocabulary is None:
            counts, vocabulary = count_matrix_and_vocabulary(
                corpus, self.min_count, self.max_size, self.stopwords, self.chunk_tokens)
        else:
            vocabulary = self.vocabulary
            counts = count_matrix(corpus, vocabulary, self.chunk_tokens)
        self._fit_from_counts(counts, vocabulary)
        return counts

    def fit_transform(self, corpus) -> sp.csr_matrix:
        """Fit on ``corpus`` and return its weighted matrix, reading the text once."""
        return self.weight(self.fit_counts(corpus), copy=False)

    def _fit_from_counts(self, counts: sp.csr_matrix, vocabulary: Vocabulary) -> None:
        _, global_weight = self._check_params()
        self.vocabulary_ = vocabulary
        self.n_documents_ = counts.shape[0]
        self.document_frequency_ = np.bincount(counts.indices, minlength=counts.shape[1]
                                               ).astype(np.int64)
        if global_weight == "entropy":
            self.idf_ = entropy_weights(counts)
        else:
            self.idf_ = idf_weights(self.document_frequency_, self.n_documents_,
                                    self.idf if global_weight == "idf" else None)

    # -- transforming -------------------------------------------------------------------------
    def _fitted(self) -> None:
        if not hasattr(self, "idf_"):
            raise NotFittedError("this BagOfWords is not fitted yet; call fit(corpus) first")

    def counts(self, documents) -> sp.csr_matrix:
        """Raw count matrix of ``documents`` (a corpus) over the fitted vocabulary."""
        self._fitted()
        return count_matrix(documents, self.vocabulary_, self.chunk_tokens)

    def transform(self, documents) -> sp.csr_matrix:
        """The weighted matrix of ``documents``: a corpus, or a count matrix over the vocabulary."""
        self._fitted()
        if sp.issparse(documents) or isinstance(documents, np.ndarray):
            if documents.ndim != 2 or documents.shape[1] != len(self.vocabulary_):
                raise ParameterError(f"a count matrix needs {len(self.vocabulary_)} columns, "
                                     f"got shape {documents.shape}")
            return self.weight(sp.csr_matrix(documents, dtype=np.float32))
        return self.weight(self.counts(documents), copy=False)

    def weight(self, counts: sp.csr_matrix, copy: bool = True) -> sp.csr_matrix:
        """Apply the tf weighting, the fitted idf and the row normalisation to a count matrix."""
        self._fitted()
        tf, _ = self._check_params()
        matrix = counts.astype(np.float32, copy=copy)
        if not matrix.has_canonical_format:
            matrix.sum_duplicates()
        matrix.eliminate_zeros()
        if tf == "binary":
            matrix.data[:] = 1.0
        elif tf == "log":
            np.log(matrix.data, out=matrix.data)
            matrix.data += 1.0
        elif tf == "tf":
            lengths = np.asarray(matrix.sum(axis=1)).ravel()
            _scale_rows(matrix, np.divide(1.0, lengths, out=np.zeros_like(lengths),
                                          where=lengths > 0))
        matrix.data *= self.idf_[matrix.indices]
        if self.normalize:
            normalize_rows(matrix)
        return matrix


def idf_weights(document_frequency: np.ndarray, n_documents: int, kind: str | None
                ) -> np.ndarray:
    """Inverse document frequencies (float64): ``smooth``, ``plain``, or ones for ``None``.

    A token with ``df = 0`` (possible with a given vocabulary) gets the idf of ``df = 1`` under
    ``plain``, so nothing is infinite.

    >>> idf_weights(np.array([1, 2]), 2, "smooth").round(4).tolist()
    [1.4055, 1.0]
    """
    df = np.asarray(document_frequency, dtype=np.float64)
    if kind is None:
        return np.ones(len(df))
    if kind == "smooth":
        return np.log((1.0 + n_documents) / (1.0 + df)) + 1.0
    return np.log(max(n_documents, 1) / np.maximum(df, 1.0)) + 1.0


def entropy_weights(counts: sp.csr_matrix) -> np.ndarray:
    """Entropy global weights ``1 + sum_i p_ij ln p_ij / ln n`` of a raw count matrix (float64).

    ``p_ij`` is the share of token ``j``'s occurrences that fall in unit ``i``.  A token absent
    from the matrix, or a matrix of one unit, gets weight 1.

    >>> entropy_weights(sp.csr_matrix([[2.0, 1.0], [0.0, 1.0]])).round(6).tolist()
    [1.0, 0.0]
    """
    counts = sp.csr_matrix(counts)
    n_units, n_tokens = counts.shape
    if n_units < 2:
        return np.ones(n_tokens)
    data = counts.data.astype(np.float64)
    totals = np.bincount(counts.indices, weights=data, minlength=n_tokens)
    shares = data / totals[counts.indices]
    plogp = np.zeros_like(shares)
    np.multiply(shares, np.log(shares, where=shares > 0, out=np.zeros_like(shares)), out=plogp)
    return 1.0 + np.bincount(counts.indices, weights=plogp, minlength=n_tokens) / np.log(n_units)


def _scale_rows(matrix: sp.csr_matrix, factors: np.ndarray) -> None:
    matrix.data *= np.repeat(factors.astype(np.float32), np.diff(matrix.indptr))


def normalize_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Scale the rows of a CSR matrix to unit L2 norm, in place (all-zero rows stay zero)."""
    squares = matrix.data.astype(np.float64) ** 2
    row_of = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    norms = np.sqrt(np.bincount(row_of, weights=squares, minlength=matrix.shape[0]))
    _scale_rows(matrix, np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0))
    return matrix
