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
import os
from collections import defaultdict

import numpy as np
import scipy.sparse as sp

from . import _mapped, _store, _tokens
from ._bow_kernels import TF_CODES, count_units, renumber_rows, weight_rows
from ._progress import progress
from .corpus import GRANULARITIES, Corpus, as_corpus, make_stemmer
from .errors import (
    CorpusError,
    ModelFormatError,
    NotFittedError,
    ParameterError,
    check_choice,
    check_positive,
)
from .vocab import Vocabulary, cut, load_stopwords

__all__ = ["BagOfWords", "weight_counts", "count_matrix", "count_matrix_and_vocabulary",
           "parse_weighting", "TF_WEIGHTINGS", "IDF_KINDS",
           "GLOBAL_WEIGHTINGS", "idf_weights", "entropy_weights", "normalize_rows"]

logger = logging.getLogger(__name__)

TF_WEIGHTINGS = ("count", "binary", "tf", "log")
IDF_KINDS = ("smooth", "plain")
GLOBAL_WEIGHTINGS = ("idf", "entropy")
_CHUNK_TOKENS = 1 << 18


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


class _CountBuilder:
    """Builds one CSR count matrix unit by unit, in arrays that grow in place.

    Each chunk of tokens (already ids) is appended by a Numba kernel that sums repeated tokens of
    a unit as it goes (no COO stage, no sort).  The arrays grow by ``ndarray.resize``, which
    reallocates large blocks in place (``mremap``), so growing never holds two copies.
    :meth:`finish` renumbers the columns (dropping the ones left out), sorts each row and shrinks
    the arrays, again in place.

    Once the indices and values would take more than ``limit`` bytes (0: from the start), they
    *spill*: each chunk's are appended to two temporary files (removed at once, kept open) and
    only one chunk's stay in memory; :meth:`finish` maps the files and renumbers them block of
    rows by block of rows, releasing each block's pages (:mod:`wordspace._mapped`), so the
    resident memory does not grow with the corpus.  The matrix is the same.
    """

    def __init__(self, limit: float = float("inf"), cache_dir=None):
        self.indptr = np.zeros(1 << 12, np.int64)
        self.indices = np.empty(1 << 16, np.int32)
        self.data = np.empty(1 << 16, np.float32)
        self.last_row = np.full(1 << 12, -1, np.int64)
        self.slot = np.zeros(1 << 12, np.int64)
        self.n_rows = 0
        self.nnz = 0
        self.max_row = 0
        self.limit = limit
        self.cache_dir = cache_dir
        self.files = None                       # (indices file, values file) once spilled

    @staticmethod
    def _grow(array: np.ndarray, needed: int, fill=None) -> np.ndarray:
        if needed <= len(array):
            return array
        old = len(array)
        array.resize(max(needed, old + old // 2), refcheck=False)
        if fill is not None:
            array[old:] = fill
        return array

    def _spill(self, indices: np.ndarray, data: np.ndarray, ends: np.ndarray) -> None:
        if self.files is None:
            import tempfile

            self.files = tuple(tempfile.TemporaryFile(dir=self.cache_dir) for _ in range(3))
            logger.info("bag of words: the matrix goes to temporary files in %s",
                        self.cache_dir or tempfile.gettempdir())
        indices.tofile(self.files[0])
        data.tofile(self.files[1])
        ends.astype(np.int64, copy=False).tofile(self.files[2])

    def add(self, ids: np.ndarray, lengths: np.ndarray, n_columns: int) -> None:
        lengths = np.asarray(lengths, dtype=np.int64)
        self.last_row = self._grow(self.last_row, n_columns, fill=-1)
        self.slot = self._grow(self.slot, n_columns)
        if len(lengths):
            self.max_row = max(self.max_row, int(lengths.max()))
        if self.files is None:
            self.indptr = self._grow(self.indptr, self.n_rows + len(lengths) + 1)
            self.indices = self._grow(self.indices, self.nnz + len(ids))
            self.data = self._grow(self.data, self.nnz + len(ids))
            self.nnz = count_units(ids, lengths, self.n_rows, self.last_row, self.slot,
                                   self.indptr, self.indices, self.data, self.nnz)
            self.n_rows += len(lengths)
            if self.nnz * 8 > self.limit:
                self._spill(self.indices[:self.nnz], self.data[:self.nnz],
                            self.indptr[:self.n_rows + 1])
                self.indices = np.empty(len(ids), np.int32)
                self.data = np.empty(len(ids), np.float32)
                self.indptr = np.zeros(len(lengths) + 1, np.int64)
            return
        # spilled: count the chunk into buffers of its size, append them to the files
        self.indices = self._grow(self.indices, len(ids))
        self.data = self._grow(self.data, len(ids))
        self.indptr = self._grow(self.indptr, len(lengths) + 1)
        added = count_units(ids, lengths, self.n_rows, self.last_row, self.slot, self.indptr,
                            self.indices, self.data, 0, self.n_rows)
        ends = self.indptr[1:len(lengths) + 1]
        ends += self.nnz
        self._spill(self.indices[:added], self.data[:added], ends)
        self.nnz += added
        self.n_rows += len(lengths)

    def finish(self, mapping: np.ndarray, n_columns: int) -> sp.csr_matrix:
        """The matrix, column ``c`` becoming ``mapping[c]`` (-1: dropped); rows sorted."""
        del self.last_row, self.slot
        mapping = np.asarray(mapping, np.int32)
        if self.files is None:
            indptr = self.indptr
            indptr.resize(self.n_rows + 1, refcheck=False)
            nnz = renumber_rows(indptr, self.indices, self.data, mapping, max(self.max_row, 1))
            indices, data = self.indices, self.data
            indices.resize(nnz, refcheck=False)
            data.resize(nnz, refcheck=False)
            del self.indptr, self.indices, self.data
            if nnz < 2**31 and n_columns < 2**31:
                indptr = indptr.astype(np.int32)
        else:
            indptr, indices, data, nnz = self._finish_mapped(mapping, n_columns)
        matrix = sp.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, n_columns),
                               copy=False)
        matrix.has_sorted_indices = True
        matrix.has_canonical_format = True
        return matrix


    def _finish_mapped(self, mapping: np.ndarray, n_columns: int):
        """:meth:`finish` for spilled arrays: renumbered in place in the mapped files, block of
        rows by block of rows, each block's pages released after it."""
        del self.indptr, self.indices, self.data
        for handle in self.files:
            handle.flush()
        indices = _mapped.mapped_file(self.files[0], np.int32, self.nnz)
        data = _mapped.mapped_file(self.files[1], np.float32, self.nnz)
        indptr = _mapped.mapped_file(self.files[2], np.int64, self.n_rows + 1)
        self.files = None                        # the mappings keep the files open
        read = nnz = 0
        for r0, r1 in _mapped.RowBlocks(indptr, indices, data):
            end = int(indptr[r1])
            nnz = renumber_rows(indptr, indices, data, mapping, max(self.max_row, 1), r0, r1,
                                read, nnz)
            for array, stop in ((indices, end), (data, end), (indptr, r1)):
                _mapped.release(array, 0, stop)
            read = end
        if nnz < 2**31 and n_columns < 2**31:    # scipy wants int32 indptr with int32 indices
            narrow = _mapped.temporary_array((self.n_rows + 1,), np.int32, self.cache_dir)
            step = 1 << 22
            for start in range(0, self.n_rows + 1, step):
                narrow[start:start + step] = indptr[start:start + step]
                _mapped.release(narrow, start, start + step)
                _mapped.release(indptr, start, start + step)
            indptr = narrow
        return indptr, indices[:nnz], data[:nnz], nnz


class _SurfaceColumns(dict):
    """surface token -> column of a stemmed vocabulary (-1: stopword, number or unknown stem)."""

    def __init__(self, vocabulary: Vocabulary, stem, stop, keep_numbers: bool):
        super().__init__()
        self._index, self._stem, self._stop = vocabulary.index, stem, stop
        self._keep_numbers = keep_numbers

    def __missing__(self, token: str) -> int:
        if token in self._stop or (not self._keep_numbers and token.isdigit()):
            column = -1
        else:
            column = self._index.get(self._stem([token])[0], -1)
        self[token] = column
        return column


def _chunks(corpus, chunk_tokens: int, desc: str):
    """``(tokens, unit lengths)`` chunks of about ``chunk_tokens`` tokens, with a progress bar."""
    bar = progress(desc=desc, unit=" tokens", unit_scale=True)
    buffer: list[str] = []
    lengths: list[int] = []
    for tokens in corpus:
        buffer += tokens
        lengths.append(len(tokens))
        if len(buffer) >= chunk_tokens:
            bar.update(len(buffer))
            yield buffer, lengths
            buffer, lengths = [], []
    if lengths:
        bar.update(len(buffer))
        yield buffer, lengths
    bar.close()


def _builder(cache_dir) -> _CountBuilder:
    """A count builder that spills to files in ``cache_dir`` from the start, or without one
    when the matrix outgrows :data:`wordspace._mapped.MEMMAP_FRACTION` of the free memory."""
    if cache_dir is not None:
        return _CountBuilder(0, cache_dir)
    return _CountBuilder(_mapped.MEMMAP_FRACTION * _mapped.available_memory())


def count_matrix(corpus, vocabulary: Vocabulary, chunk_tokens: int = _CHUNK_TOKENS, *,
                 stemmer=None, stopwords=None, keep_numbers: bool = True,
                 cache_dir=None) -> sp.csr_matrix:
    """The raw count matrix (CSR, float32, units x vocabulary) of ``corpus``, in one pass.

    Out-of-vocabulary tokens are dropped; a unit with none left is an all-zero row, so rows keep
    the corpus's positions.  With ``stemmer`` the vocabulary holds stems: each distinct surface
    token is stemmed once (stopwords and, unless ``keep_numbers``, numbers are dropped by their
    surface form, as when the vocabulary was cut).  A large matrix (or any, with ``cache_dir``)
    lies in temporary memory-mapped files (:class:`_CountBuilder`).

    >>> vocab = Vocabulary(["a", "b"])
    >>> count_matrix(["a b a z", "z"], vocab).toarray().tolist()
    [[2.0, 1.0], [0.0, 0.0]]
    """
    corpus = as_corpus(corpus)
    stem = make_stemmer(stemmer)
    if stem is not None:
        corpus = corpus.without_stemming()
        lookup = _SurfaceColumns(vocabulary, stem, load_stopwords(stopwords),
                                 keep_numbers).__getitem__
    else:
        index = vocabulary.index
        lookup = lambda token: index.get(token, -1)  # noqa: E731
    counter = _tokens.counter_for(corpus)
    builder = _builder(cache_dir)
    if counter is not None:
        # ids of first sight in the corpus; finish() maps them to the vocabulary's columns
        for ids, lengths in counter.chunks(corpus.texts(), "encoding", chunk_tokens * 4):
            builder.add(ids, lengths, counter.n_types)
        mapping = np.fromiter(map(lookup, counter.tokens()), np.int32, counter.n_types)
        return builder.finish(mapping, len(vocabulary))
    for buffer, lengths in _chunks(corpus, chunk_tokens, "encoding"):
        ids = np.fromiter(map(lookup, buffer), dtype=np.int32, count=len(buffer))
        builder.add(ids, lengths, len(vocabulary))
    return builder.finish(np.arange(len(vocabulary), dtype=np.int32), len(vocabulary))


def count_matrix_and_vocabulary(corpus, min_count: int = 1, max_size: int | None = None,
                                stopwords=None, chunk_tokens: int = _CHUNK_TOKENS, *,
                                stemmer=None, keep_numbers: bool = True, cache_dir=None
                                ) -> tuple[sp.csr_matrix, Vocabulary]:
    """Count the vocabulary and build the count matrix in the *same* single pass.

    Every token gets a provisional id the first time it is seen and goes straight into the count
    matrix (:class:`_CountBuilder`).  With the default tokeniser the text is tokenised and the
    ids found in compiled code (:mod:`wordspace._tokens`: the same tokens, ids and counts);
    with any other, by the tokeniser and a dict.  Afterwards the vocabulary is cut by
    :func:`wordspace.vocab.cut` (stopwords, numbers, ``min_count``, ``max_size``; ids by
    decreasing count, ties alphabetical) and the columns are renumbered in place.  With
    ``stemmer`` the *distinct* tokens are stemmed after the pass (stopwords and numbers judged
    by their surface form), the columns of one stem merged, and each stem shown by its most
    frequent surface form (:attr:`Vocabulary.surface_forms`).

    Returns
    -------
    counts : csr_matrix (units, len(vocabulary)), float32
    vocabulary : Vocabulary
        Without a stemmer, the same as ``Vocabulary.build(corpus, min_count, max_size,
        stopwords=stopwords)`` (with ``keep_numbers``).
    """
    check_positive("min_count", min_count, integer=True)
    if max_size is not None:
        check_positive("max_size", max_size, integer=True)
    check_positive("chunk_tokens", chunk_tokens, integer=True)
    corpus = as_corpus(corpus)
    stem = make_stemmer(stemmer)
    if stem is not None:
        corpus = corpus.without_stemming()
    stop = load_stopwords(stopwords)
    builder = _builder(cache_dir)
    counter = _tokens.counter_for(corpus)
    if counter is not None:               # tokenised and counted in compiled code
        for ids, lengths in counter.chunks(corpus.texts(), "counting and building the matrix",
                                           chunk_tokens * 4):
            builder.add(ids, lengths, counter.n_types)
        tokens, counts = counter.tokens(), counter.counts
        n_raw = int(counts.sum())
        del counter
    else:
        tokens, counts, n_raw = _count_with_tokenizer(corpus, builder, chunk_tokens)
    n_units = builder.n_rows
    if stem is None:
        kept = cut(tokens, counts, name=corpus.name, n_raw=n_raw, stopwords=stop,
                   min_count=min_count, max_size=max_size, keep_numbers=keep_numbers)
        mapping = np.full(len(tokens), -1, np.int32)
        mapping[kept] = np.arange(len(kept), dtype=np.int32)
        vocabulary = Vocabulary([tokens[i] for i in kept], counts[kept], n_raw_tokens=n_raw,
                                n_documents=n_units)
    else:
        mapping, vocabulary = _stem_columns(tokens, counts, stem, corpus.name, n_raw, n_units,
                                            stop, min_count, max_size, keep_numbers)
    logger.info("vocabulary: %d tokens kept of %d distinct, %d tokens in %d units",
                len(vocabulary), len(tokens), n_raw, n_units)
    matrix = builder.finish(mapping, len(vocabulary))
    del builder, tokens, counts, mapping
    _mapped.trim_heap()                   # the free pages the counting left in the C heap
    return matrix, vocabulary


def _count_with_tokenizer(corpus, builder: _CountBuilder, chunk_tokens: int):
    """The corpus's own tokeniser into ``builder``: ``(distinct tokens, their counts, number of
    tokens)``, ids in order of first sight (a ``defaultdict`` whose factory is its own length,
    called from C inside ``np.fromiter``)."""
    provisional: defaultdict = defaultdict()
    provisional.default_factory = provisional.__len__
    lookup = provisional.__getitem__
    counts = np.zeros(0, np.int64)
    n_raw = 0
    for buffer, lengths in _chunks(corpus, chunk_tokens, "counting and building the matrix"):
        ids = np.fromiter(map(lookup, buffer), dtype=np.int32, count=len(buffer))
        n_types = len(provisional)
        builder.add(ids, lengths, n_types)
        grown = np.bincount(ids, minlength=n_types)
        grown[:len(counts)] += counts
        counts = grown
        n_raw += len(buffer)
    return list(provisional), counts, n_raw   # insertion order = provisional id order


def _stem_columns(tokens, counts, stem, name, n_raw, n_units, stop, min_count, max_size,
                  keep_numbers):
    """Columns of surface tokens -> columns of stems, and the stemmed vocabulary."""
    usable = np.ones(len(tokens), dtype=bool)
    if stop:
        usable[[i for i, t in enumerate(tokens) if t in stop]] = False
    if not keep_numbers:
        usable[[i for i, t in enumerate(tokens) if t.isdigit()]] = False
    if n_raw and not usable.any():
        raise CorpusError(f"every token of corpus {name} is a stopword or a number; pass other "
                          "stopwords or none")
    surface = np.flatnonzero(usable)
    stems = stem([tokens[i] for i in surface])
    stem_ids: defaultdict = defaultdict()
    stem_ids.default_factory = stem_ids.__len__
    group = np.fromiter(map(stem_ids.__getitem__, stems), dtype=np.int64, count=len(stems))
    distinct = list(stem_ids)
    stem_counts = np.bincount(group, weights=counts[surface], minlength=len(distinct)
                              ).astype(np.int64)
    kept = cut(distinct, stem_counts, name=name, n_raw=n_raw, min_count=min_count,
               max_size=max_size)
    column_of_stem = np.full(len(distinct), -1, np.int32)
    column_of_stem[kept] = np.arange(len(kept), dtype=np.int32)
    mapping = np.full(len(tokens), -1, np.int32)
    mapping[surface] = column_of_stem[group]
    # the most frequent surface form of each kept stem (ties: the first seen)
    order = np.lexsort((-counts[surface], column_of_stem[group]))
    columns = column_of_stem[group][order]
    first = order[np.flatnonzero((columns >= 0) & np.r_[True, columns[1:] != columns[:-1]])]
    forms = [tokens[surface[i]] for i in first]
    vocabulary = Vocabulary([distinct[i] for i in kept], stem_counts[kept], n_raw_tokens=n_raw,
                            n_documents=n_units, surface_forms=forms)
    return mapping, vocabulary


class BagOfWords:
    """Weighted bags of words as a sparse matrix, scikit-learn style (``fit`` / ``transform``).

    The one vectoriser of the bag-of-words models: :class:`~wordspace.models.lsa.LSA` and
    :class:`~wordspace.models.autoencoder.LinearAutoencoder` build theirs from their parameters
    of the same names (:attr:`PARAMS`) and save and load it with :meth:`state` and
    :meth:`from_state`.

    Parameters
    ----------
    vocabulary : Vocabulary, optional
        Columns of the matrix.  Without it, ``fit`` builds one from the corpus (in the same
        single pass as the matrix) with ``min_count``, ``max_size``, ``stopwords``,
        ``keep_numbers`` and ``stemmer``.
    weighting : str
        ``count``, ``binary``, ``tf`` or ``log``, optionally with ``-idf``; ``tfidf`` means
        ``count-idf`` (see the module docstring).
    idf : {"smooth", "plain"}
        The idf formula, when the weighting has one.
    normalize : bool
        Scale every row to unit L2 norm (after weighting).
    min_count, max_size, stopwords
        Vocabulary cut, when no ``vocabulary`` is given (see :func:`wordspace.vocab.cut`).
    keep_numbers : bool
        Keep tokens made only of digits (``"2026"``, ``"000"``) in the vocabulary; by default
        they are dropped (``"3d"`` or ``"1990s"`` stay).
    stemmer : str, optional
        Snowball stemmer (``"english"``...; see :func:`wordspace.corpus.make_stemmer`): one
        column per stem, named by its most frequent surface form in ``vocabulary_.labels``.
        Stopwords and numbers are judged by the surface form.
    granularity, window, stride
        The unit that becomes one row, when the input is not already a :class:`Corpus` at the
        wanted granularity (see :mod:`wordspace.corpus`); ``None`` keeps the corpus's own.
    chunk_tokens : int
        Tokens read between two appends to the matrix.
    cache_dir : path, optional
        Build the matrix in temporary memory-mapped files in this folder (removed at once),
        so resident memory does not grow with the corpus; without it, that happens only when
        the matrix outgrows :data:`wordspace._mapped.MEMMAP_FRACTION` of the available memory.

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
    >>> BagOfWords(stemmer="english", stopwords="english").fit(
    ...     ["the runners ran", "a runner running", "runners run"]).vocabulary_.labels
    ['runners', 'running', 'ran']
    """

    #: The vectoriser's hyper-parameters that a model re-exposes under the same names.
    PARAMS = ("weighting", "idf", "normalize", "stopwords", "min_count", "max_size",
              "keep_numbers", "stemmer", "granularity", "window", "stride")

    def __init__(self, vocabulary: Vocabulary | None = None, weighting: str = "tfidf",
                 idf: str = "smooth", normalize: bool = True, min_count: int = 1,
                 max_size: int | None = None, stopwords=None, chunk_tokens: int = _CHUNK_TOKENS,
                 keep_numbers: bool = False, stemmer: str | None = None,
                 granularity: str | None = None, window: int | None = None,
                 stride: int | None = None, cache_dir=None):
        self.vocabulary = vocabulary
        self.weighting = weighting
        self.idf = idf
        self.normalize = normalize
        self.min_count = min_count
        self.max_size = max_size
        self.stopwords = stopwords
        self.chunk_tokens = chunk_tokens
        self.keep_numbers = keep_numbers
        self.stemmer = stemmer
        self.granularity = granularity
        self.window = window
        self.stride = stride
        self.cache_dir = cache_dir

    def get_params(self, deep: bool = True) -> dict:
        """The hyper-parameters, as passed to ``__init__``."""
        return {name: getattr(self, name) for name in ("vocabulary", "chunk_tokens", "cache_dir",
                                                    *self.PARAMS)}

    def _check_params(self) -> tuple[str, bool]:
        tf, global_weight = parse_weighting(self.weighting)
        check_choice("idf", self.idf, IDF_KINDS)
        check_positive("chunk_tokens", self.chunk_tokens, integer=True)
        check_positive("min_count", self.min_count, integer=True)
        if self.max_size is not None:
            check_positive("max_size", self.max_size, integer=True)
        if self.granularity is not None:
            check_choice("granularity", self.granularity, GRANULARITIES)
        for name in ("normalize", "keep_numbers"):
            if not isinstance(getattr(self, name), bool | np.bool_):
                raise ParameterError(f"{name} must be True or False, got {getattr(self, name)!r}")
        make_stemmer(self.stemmer)
        if self.cache_dir is not None and not os.path.isdir(self.cache_dir):
            raise ParameterError(f"cache_dir {self.cache_dir} is not a folder")
        if self.vocabulary is not None and not isinstance(self.vocabulary, Vocabulary):
            raise ParameterError("vocabulary must be a wordspace Vocabulary, got "
                                 f"{type(self.vocabulary).__name__}")
        return tf, global_weight

    def corpus(self, documents) -> Corpus:
        """``documents`` as a :class:`Corpus` read at this vectoriser's granularity."""
        if self.granularity is None:
            return as_corpus(documents)
        return as_corpus(documents, granularity=self.granularity, window=self.window,
                         stride=self.stride)

    # -- fitting ------------------------------------------------------------------------------
    def fit(self, corpus) -> BagOfWords:
        """Learn the vocabulary (unless given) and the document frequencies of ``corpus``."""
        self.fit_counts(corpus)
        return self

    def fit_counts(self, corpus) -> sp.csr_matrix:
        """Fit on ``corpus`` and return its raw count matrix (one pass over the text)."""
        self._check_params()
        corpus = self.corpus(corpus)
        if self.vocabulary is None:
            counts, vocabulary = count_matrix_and_vocabulary(
                corpus, self.min_count, self.max_size, self.stopwords, self.chunk_tokens,
                stemmer=self.stemmer, keep_numbers=self.keep_numbers, cache_dir=self.cache_dir)
        else:
            vocabulary = self.vocabulary
            counts = count_matrix(corpus, vocabulary, self.chunk_tokens, stemmer=self.stemmer,
                                  stopwords=self.stopwords, keep_numbers=self.keep_numbers,
                                  cache_dir=self.cache_dir)
        self._fit_from_counts(counts, vocabulary)
        return counts

    def fit_transform(self, corpus) -> sp.csr_matrix:
        """Fit on ``corpus`` and return its weighted matrix, reading the text once."""
        return self.weight(self.fit_counts(corpus), copy=False)

    def _fit_from_counts(self, counts: sp.csr_matrix, vocabulary: Vocabulary) -> None:
        _, global_weight = self._check_params()
        self.vocabulary_ = vocabulary
        self.n_documents_ = counts.shape[0]
        self.document_frequency_ = _column_sums(counts)
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
        return count_matrix(self.corpus(documents), self.vocabulary_, self.chunk_tokens,
                            stemmer=self.stemmer, stopwords=self.stopwords,
                            keep_numbers=self.keep_numbers)

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
        return weight_counts(counts, self.idf_, tf=tf, normalize=self.normalize, copy=copy)

    # -- persistence --------------------------------------------------------------------------
    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """``(header, arrays)``: what :meth:`from_state` needs, for a model file.

        The header holds the parameters (stopwords as a sorted list unless a name), the
        number of units and, with a stemmer, the stems (``tokens`` of the file are the surface
        forms); the arrays are ``counts``, ``idf`` and ``document_frequency``.
        """
        self._fitted()
        params = {name: getattr(self, name) for name in self.PARAMS}
        if not isinstance(params["stopwords"], str | type(None) | bool):
            params["stopwords"] = sorted(params["stopwords"])
        vocabulary = self.vocabulary_
        header = {"params": params, "n_documents": int(self.n_documents_),
                  "n_raw_tokens": vocabulary.n_raw_tokens}
        if vocabulary.surface_forms is not None:
            header["stems"] = list(vocabulary.tokens)
        arrays = {"counts": vocabulary.counts, "idf": np.asarray(self.idf_, dtype=np.float64),
                  "document_frequency": self.document_frequency_}
        return header, arrays

    @classmethod
    def from_state(cls, header: dict, arrays: dict, tokens: list[str]) -> BagOfWords:
        """The fitted vectoriser that :meth:`state` described (``tokens``: the file's tokens)."""
        params = {name: header["params"][name] for name in cls.PARAMS
                  if name in header["params"]}
        stems = header.get("stems")
        vocabulary = Vocabulary(stems if stems is not None else tokens, arrays["counts"],
                                n_raw_tokens=header.get("n_raw_tokens", 0),
                                n_documents=header.get("n_documents", 0),
                                surface_forms=tokens if stems is not None else None)
        bow = cls(vocabulary, **params)
        bow.vocabulary_ = vocabulary
        bow.idf_ = arrays["idf"]
        bow.document_frequency_ = arrays["document_frequency"]
        bow.n_documents_ = header.get("n_documents", 0)
        return bow

    def save(self, path) -> None:
        """Write the fitted vectoriser to a wordspace model file (kind ``"bow"``)."""
        header, arrays = self.state()
        _store.save(path, "bow", arrays, tokens=self.vocabulary_.labels, **header)

    @classmethod
    def load(cls, path, mmap: bool = True) -> BagOfWords:
        """Read a vectoriser written by :meth:`save`."""
        header, arrays = _store.load(path, mmap=mmap)
        if header.get("kind") != "bow":
            raise ModelFormatError(f"{path} holds a {header.get('kind')!r} model, not a "
                                   "bag-of-words vectoriser")
        try:
            return cls.from_state(header, arrays, header["tokens"])
        except (KeyError, TypeError) as error:
            raise ModelFormatError(f"{path}: incomplete vectoriser file ({error})") from None


def weight_counts(counts: sp.csr_matrix, weights: np.ndarray, tf: str = "count",
                  normalize: bool = True, copy: bool = True) -> sp.csr_matrix:
    """Weighted bags from a block of raw counts: ``tf(c) * weights[token]``, rows to unit norm.

    A function of the counts and the global weights only (``weights`` from
    :func:`idf_weights` of the *corpus-wide* document frequencies, or :func:`entropy_weights`),
    so a corpus counted in partitions is weighted block by block and the blocks stacked give the
    matrix of the whole.  ``copy=False`` weights a float32 CSR ``counts`` in place.

    >>> counts = sp.csr_matrix(np.array([[2.0, 1.0], [0.0, 3.0]], np.float32))
    >>> weight_counts(counts, np.array([1.0, 2.0]), normalize=False).toarray().tolist()
    [[2.0, 2.0], [0.0, 6.0]]
    """
    if tf not in TF_CODES:
        raise ParameterError(f"tf must be one of {', '.join(TF_CODES)}, got {tf!r}")
    weights = np.asarray(weights, dtype=np.float64)
    if not copy and isinstance(counts, sp.csr_matrix) and counts.dtype == np.float32 and \
            _mapped.is_mapped(counts.data):
        # a mapped matrix from the builder (canonical, no zeros): in place, block by block
        for r0, r1 in _mapped.RowBlocks(counts.indptr, counts.indices, counts.data):
            weight_rows(counts.indptr[r0:r1 + 1], counts.indices, counts.data, weights,
                        TF_CODES[tf], bool(normalize))
        return counts
    matrix = sp.csr_matrix(counts, dtype=np.float32, copy=copy)
    if not matrix.has_canonical_format:
        matrix.sum_duplicates()
    matrix.eliminate_zeros()
    weight_rows(matrix.indptr, matrix.indices, matrix.data, weights, TF_CODES[tf],
                bool(normalize))
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
    totals = _column_sums(counts, weighted=True)
    plogp_sums = np.zeros(n_tokens)
    for indices, data in _nonzero_blocks(counts):
        shares = data.astype(np.float64) / totals[indices]
        plogp = np.zeros_like(shares)
        np.multiply(shares, np.log(shares, where=shares > 0, out=np.zeros_like(shares)),
                    out=plogp)
        plogp_sums += np.bincount(indices, weights=plogp, minlength=n_tokens)
    return 1.0 + plogp_sums / np.log(n_units)


def _nonzero_blocks(matrix: sp.csr_matrix):
    """``(indices, values)`` of a CSR matrix, block of rows by block of rows (the pages of a
    memory-mapped matrix released after each block)."""
    for r0, r1 in _mapped.RowBlocks(matrix.indptr, matrix.indices, matrix.data):
        a, b = matrix.indptr[r0], matrix.indptr[r1]
        yield matrix.indices[a:b], matrix.data[a:b]


def _column_sums(matrix: sp.csr_matrix, weighted: bool = False) -> np.ndarray:
    """Nonzeros per column (int64), or with ``weighted`` the sums of the values (float64)."""
    total = np.zeros(matrix.shape[1], np.float64 if weighted else np.int64)
    for indices, data in _nonzero_blocks(matrix):
        total += np.bincount(indices, weights=data if weighted else None,
                             minlength=matrix.shape[1]).astype(total.dtype, copy=False)
    return total


def _scale_rows(matrix: sp.csr_matrix, factors: np.ndarray) -> None:
    matrix.data *= np.repeat(factors.astype(np.float32), np.diff(matrix.indptr))


def normalize_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Scale the rows of a CSR matrix to unit L2 norm, in place (all-zero rows stay zero)."""
    squares = matrix.data.astype(np.float64) ** 2
    row_of = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    norms = np.sqrt(np.bincount(row_of, weights=squares, minlength=matrix.shape[0]))
    _scale_rows(matrix, np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0))
    return matrix
