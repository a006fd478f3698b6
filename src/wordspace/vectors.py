"""Trained embeddings: a token list plus one float32 vector per token, queried like gensim.

:class:`Embeddings` is what every model hands back and what evaluation and plotting consume.
It answers the questions people ask of word vectors -- :meth:`~Embeddings.most_similar`,
:meth:`~Embeddings.similarity`, :meth:`~Embeddings.analogy`, :meth:`~Embeddings.doesnt_match`,
:meth:`~Embeddings.nearest` -- with matrix products over unit-normalised vectors, which are
computed once and cached.

File formats
------------
*wordspace model files* (:mod:`wordspace._store`: a zip of ``.npy`` arrays and a JSON header).
**Convention for every model kind**: a model file stores its word vectors as the array
``"vectors"`` (float32, ``n_tokens x dim``, row ``i`` for token ``i``) and the token list as the
header key ``"tokens"`` (a JSON list of strings, most frequent first); an optional int64 array
``"counts"`` gives token frequencies.  :meth:`Embeddings.load` therefore reads the embeddings out
of *any* wordspace model file (LSA, autoencoder, word2vec or plain embeddings), memory-mapped.

*word2vec format*, text or binary, as written by the original C tool and by gensim's
``KeyedVectors.save_word2vec_format``: a header line ``"N DIM\\n"``, then one row per token,
either ``"token v1 v2 ... vDIM\\n"`` (text) or ``b"token "`` followed by ``DIM`` little-endian
float32 values (binary).  The C tool ends each binary row with ``"\\n"`` and gensim does not.
We write the newline (so files are byte-identical to the C tool's) and read both.
Text values are written as the shortest decimal that reads back to the same float32, which is
exactly what gensim writes, so our text files are byte-identical to gensim's.

Reading is strict; a bad file raises :class:`~wordspace.errors.ModelFormatError` naming the
problem and the row: a missing or empty file, a header that is not two integers, fewer or more
rows than the header announces (more are allowed with ``limit=``), a text row with too few or
too many values, a field that is not a number, a truncated binary row, a token that is not
valid UTF-8 (unless ``unicode_errors="replace"`` or ``"ignore"`` is given, as the C tool may
cut multi-byte characters), and NaN or infinite values, which would poison every cosine.  A
token that occurs twice keeps its first vector, as in gensim (a warning is logged).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from . import _store
from .errors import ModelFormatError, ParameterError, UnknownWordError, check_choice

__all__ = ["Embeddings", "load", "load_word2vec_format", "save_word2vec_format"]

logger = logging.getLogger(__name__)

#: added to the denominator of 3CosMul (Levy & Goldberg, 2014)
COSMUL_EPSILON = 1e-3
# the most vocabulary words scanned for "did you mean" suggestions
_SUGGESTION_POOL = 50_000


def _unit_rows(matrix: np.ndarray, chunk_rows: int = 65536) -> np.ndarray:
    """Rows of ``matrix`` divided by their L2 norm (norm 0 counts as 1), float32."""
    out = np.empty(matrix.shape, dtype=np.float32)
    for start in range(0, matrix.shape[0], chunk_rows):
        block = np.asarray(matrix[start:start + chunk_rows], dtype=np.float32)
        norms = np.linalg.norm(block, axis=1)
        norms[norms == 0] = 1.0
        np.divide(block, norms[:, None], out=out[start:start + chunk_rows])
    return out


class Embeddings:
    """Tokens and their vectors, with gensim-style similarity queries.

    Parameters
    ----------
    tokens : sequence of str
        The vocabulary, unique, in row order (most frequent first for models we train).
    vectors : array-like of shape (n_tokens, dim)
        One row per token.  Kept as given (no copy) when it already is float32, for instance a
        read-only memmap from :meth:`load`; converted to float32 otherwise.
    counts : array-like of int, optional
        Frequency of each token; saved with the embeddings.

    Attributes
    ----------
    tokens : list of str
    vectors : ndarray of shape (n_tokens, dim), float32
    counts : ndarray of int64 or None
    index : dict of str to int
        Row of each token.

    Raises
    ------
    ParameterError
        If tokens repeat, or their number differs from the number of rows.

    Notes
    -----
    The constructor does not scan ``vectors`` for NaN or infinite values (that would read a
    memory-mapped matrix from disk); the loaders do, and raise
    :class:`~wordspace.errors.ModelFormatError` on a file that holds any.

    Examples
    --------
    >>> emb = Embeddings(["king", "queen", "man", "woman", "apple"],
    ...                  [[1, 1, 0], [1, 0, 1], [0, 1, 0], [0, 0, 1], [-1, 0, 0]])
    >>> emb.dim, len(emb), "queen" in emb
    (3, 5, True)
    >>> emb.analogy("man", "king", "woman")[0][0]
    'queen'
    >>> round(emb.similarity("king", "queen"), 3)
    0.5
    >>> emb.doesnt_match(["king", "queen", "apple"])
    'apple'
    """

    def __init__(self, tokens: Sequence[str], vectors, counts=None):
        tokens = list(tokens)
        if isinstance(vectors, np.ndarray) and vectors.dtype == np.float32:
            matrix = vectors
        else:
            matrix = np.asarray(vectors, dtype=np.float32)
        if matrix.ndim == 1 and matrix.size == 0:
            matrix = matrix.reshape(0, 0)
        if matrix.ndim != 2:
            raise ParameterError(f"vectors must be a 2-d matrix, got shape {matrix.shape}")
        if len(tokens) != matrix.shape[0]:
            raise ParameterError(
                f"{len(tokens)} tokens but {matrix.shape[0]} vectors; need one row per token")
        index = {}
        for row, token in enumerate(tokens):
            if not isinstance(token, str):
                raise ParameterError(f"tokens must be strings, got {type(token).__name__} "
                                     f"at row {row}")
            if index.setdefault(token, row) != row:
                raise ParameterError(f"token {token!r} occurs twice (rows {index[token]} "
                                     f"and {row})")
        if counts is not None:
            counts = np.asarray(counts, dtype=np.int64)
            if counts.shape != (len(tokens),):
                raise ParameterError(f"counts must have one entry per token ({len(tokens)}), "
                                     f"got shape {counts.shape}")
        self.tokens = tokens
        self.vectors = matrix
        self.counts = counts
        self.index = index
        self._unit = None

    # -- the mapping protocol -------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, word) -> bool:
        return word in self.index

    def __iter__(self):
        return iter(self.tokens)

    def __getitem__(self, word) -> np.ndarray:
        return self.vectors[self.get_index(word)]

    def __repr__(self) -> str:
        return f"Embeddings({len(self)} tokens, dim={self.dim})"

    @property
    def dim(self) -> int:
        """Number of dimensions of each vector."""
        return int(self.vectors.shape[1])

    def get_index(self, word: str) -> int:
        """Row of ``word``; raises :class:`UnknownWordError` (a KeyError) if it is unknown."""
        try:
            return self.index[word]
        except (KeyError, TypeError):
            raise UnknownWordError(word, self.tokens[:_SUGGESTION_POOL]) from None

    @property
    def unit_vectors(self) -> np.ndarray:
        """The vectors scaled to unit length (zero vectors stay zero); computed once, float32."""
        if self._unit is None:
            self._unit = _unit_rows(self.vectors)
        return self._unit

    # -- queries --------------------------------------------------------------------------------
    def _query(self, items, sign: float, metric: str):
        """Turn words / vectors / (item, weight) pairs into weighted vectors and word rows."""
        if items is None:
            return [], [], []
        if isinstance(items, str | np.ndarray) and not (
                isinstance(items, np.ndarray) and items.ndim == 2):
            items = [items]
        vectors, weights, rows = [], [], []
        for item in items:
            weight = sign
            if isinstance(item, tuple) and len(item) == 2 and not isinstance(item[1], str):
                item, weight = item
            if isinstance(item, str):
                row = self.get_index(item)
                rows.append(row)
                vector = self.unit_vectors[row] if metric == "cosine" else self.vectors[row]
            else:
                vector = np.asarray(item, dtype=np.float32)
                if vector.shape != (self.dim,):
                    raise ParameterError(f"query vector must have shape ({self.dim},), "
                                         f"got {vector.shape}")
                if metric == "cosine":
                    norm = np.linalg.norm(vector)
                    vector = vector / norm if norm > 0 else vector
            vectors.append(vector)
            weights.append(float(weight))
        return vectors, weights, rows

    def most_similar(self, positive=(), negative=(), topn: int | None = 10,
                     metric: str = "cosine", restrict_vocab: int | None = None):
        """Tokens nearest to the weighted mean of the ``positive`` minus ``negative`` items.

        As gensim's ``KeyedVectors.most_similar``: items are words, vectors, or
        ``(item, weight)`` pairs; with ``metric="cosine"`` each is unit-normalised first, the
        weighted mean is normalised and scored by cosine against every token; with
        ``metric="dot"`` raw vectors are summed and scored by dot product.  Query words are
        excluded from the results.

        Parameters
        ----------
        positive, negative : str, ndarray, or list of them
        topn : int or None
            Number of results; ``None`` returns the score of every (searched) token as an array.
        metric : {"cosine", "dot"}
        restrict_vocab : int, optional
            Search only the first ``restrict_vocab`` tokens.

        Returns
        -------
        list of (str, float)
            Best first.

        Examples
        --------
        >>> emb = Embeddings(["a", "b", "c"], [[1, 0], [0.9, 0.1], [0, 1]])
        >>> [word for word, score in emb.most_similar("a", topn=2)]
        ['b', 'c']
        """
        check_choice("metric", metric, ("cosine", "dot"))
        pos_vectors, pos_weights, pos_rows = self._query(positive, 1.0, metric)
        neg_vectors, neg_weights, neg_rows = self._query(negative, -1.0, metric)
        vectors = pos_vectors + neg_vectors
        weights = np.asarray(pos_weights + neg_weights, dtype=np.float32)
        if not vectors:
            raise ParameterError("most_similar needs at least one positive or negative item")
        query = (weights[:, None] * np.stack(vectors)).sum(axis=0)
        matrix = self.unit_vectors if metric == "cosine" else self.vectors
        if metric == "cosine":
            query /= np.abs(weights).sum()
            norm = np.linalg.norm(query)
            if norm > 0:
                query /= norm
        end = len(self) if restrict_vocab is None else min(int(restrict_vocab), len(self))
        scores = np.asarray(matrix[:end] @ query.astype(np.float32))
        if topn is None:
            return scores
        return self._top(scores, set(pos_rows + neg_rows), topn)

    def _top(self, scores: np.ndarray, exclude: set, topn: int):
        if topn < 1 or scores.size == 0:
            return []
        k = min(topn + len(exclude), scores.size)
        best = np.argpartition(-scores, k - 1)[:k] if k < scores.size else np.arange(scores.size)
        best = best[np.argsort(-scores[best], kind="stable")]
        result = [(self.tokens[i], float(scores[i])) for i in best if i not in exclude]
        return result[:topn]

    def similarity(self, word1: str, word2: str) -> float:
        """Cosine similarity of two words (0 if either vector is zero)."""
        unit = self.unit_vectors
        return float(unit[self.get_index(word1)] @ unit[self.get_index(word2)])

    def analogy(self, a: str, b: str, c: str, method: str = "3cosadd", topn: int = 1,
                restrict_vocab: int | None = None):
        """Solve "``a`` is to ``b`` as ``c`` is to ?" (``man : king :: woman : ?``).

        ``"3cosadd"`` maximises ``cos(x, b) - cos(x, a) + cos(x, c)`` (the vector offset of
        Mikolov et al. 2013); ``"3cosmul"`` maximises ``cos'(x, b) cos'(x, c) / (cos'(x, a) +
        0.001)`` with cosines shifted to ``[0, 1]`` as ``cos' = (cos + 1) / 2`` (Levy & Goldberg
        2014).  The three query words are never answers.

        Returns
        -------
        list of (str, float)
            The ``topn`` best answers with their scores.
        """
        check_choice("method", method, ("3cosadd", "3cosmul"))
        if method == "3cosadd":
            return self.most_similar(positive=[b, c], negative=[a], topn=topn,
                                     restrict_vocab=restrict_vocab)
        rows = [self.get_index(w) for w in (a, b, c)]
        end = len(self) if restrict_vocab is None else min(int(restrict_vocab), len(self))
        unit = self.unit_vectors
        cosines = (unit[:end] @ unit[rows].T + 1.0) / 2.0
        scores = cosines[:, 1] * cosines[:, 2] / (cosines[:, 0] + COSMUL_EPSILON)
        return self._top(scores, set(rows), topn)

    def doesnt_match(self, words: Iterable[str]) -> str:
        """The word furthest from the mean of ``words`` (unknown words are ignored, as gensim)."""
        words = list(words)
        known = [w for w in words if w in self.index]
        if len(known) < len(words):
            logger.warning("ignoring unknown words: %s", [w for w in words if w not in self.index])
        if not known:
            raise ParameterError("doesnt_match needs at least one known word")
        unit = self.unit_vectors[[self.index[w] for w in known]]
        mean = unit.mean(axis=0)
        norm = np.linalg.norm(mean)
        if norm > 0:
            mean /= norm
        return known[int(np.argmin(unit @ mean))]

    def nearest(self, vectors, topn: int = 10, restrict_vocab: int | None = None):
        """Tokens nearest (by cosine) to one vector, or to each row of a matrix.

        Returns a list of ``(token, score)`` for one vector, a list of such lists for a matrix.
        """
        queries = np.asarray(vectors, dtype=np.float32)
        single = queries.ndim == 1
        queries = np.atleast_2d(queries)
        if queries.shape[1] != self.dim:
            raise ParameterError(f"vectors must have {self.dim} columns, got {queries.shape[1]}")
        end = len(self) if restrict_vocab is None else min(int(restrict_vocab), len(self))
        scores = _unit_rows(queries) @ self.unit_vectors[:end].T
        results = [self._top(row, set(), topn) for row in scores]
        return results[0] if single else results

    # -- persistence ----------------------------------------------------------------------------
    def save(self, path) -> None:
        """Write a wordspace model file of kind ``"embeddings"`` (atomically)."""
        arrays = {"vectors": np.asarray(self.vectors, dtype=np.float32)}
        if self.counts is not None:
            arrays["counts"] = self.counts
        _store.save(path, "embeddings", arrays, tokens=self.tokens)

    @classmethod
    def load(cls, path, mmap: bool = True) -> Embeddings:
        """Read the embeddings out of any wordspace model file (memory-mapped when ``mmap``).

        Raises
        ------
        ModelFormatError
            If the file is not a wordspace model, holds no ``"vectors"``/``"tokens"``, or a
            vector holds NaN or infinite values.
        """
        header, arrays = _store.load(path, mmap=mmap)
        if "vectors" not in arrays or "tokens" not in header:
            raise ModelFormatError(f"{path}: model of kind {header.get('kind')!r} has no word "
                                   "vectors (needs array 'vectors' and header 'tokens')")
        vectors = arrays["vectors"]
        if vectors.ndim != 2 or vectors.dtype != np.float32:
            raise ModelFormatError(f"{path}: 'vectors' must be a 2-d float32 array, got "
                                   f"{vectors.dtype} of shape {vectors.shape}")
        for start in range(0, vectors.shape[0], 65536):  # a linear scan of the mapped file
            if not np.isfinite(vectors[start:start + 65536]).all():
                bad = np.flatnonzero(~np.isfinite(vectors[start:start + 65536]).all(axis=1))
                raise ModelFormatError(f"{path}: the vector of row {start + int(bad[0]) + 1} "
                                       "holds NaN or infinite values")
        try:
            return cls(header["tokens"], vectors, counts=arrays.get("counts"))
        except ParameterError as error:
            raise ModelFormatError(f"{path}: {error}") from None

    def save_word2vec_format(self, path, binary: bool = False) -> None:
        """Write the word2vec text or binary format; see :func:`save_word2vec_format`."""
        save_word2vec_format(self, path, binary=binary)

    @classmethod
    def load_word2vec_format(cls, path, binary: bool | None = None, limit: int | None = None,
                             unicode_errors: str = "strict") -> Embeddings:
        """Read a word2vec text or binary file; see :func:`load_word2vec_format`."""
        return load_word2vec_format(path, binary=binary, limit=limit,
                                    unicode_errors=unicode_errors)


# -- word2vec format ------------------------------------------------------------------------------
def save_word2vec_format(embeddings: Embeddings, path, binary: bool = False) -> None:
    """Write ``embeddings`` in the word2vec C tool's text or binary format, atomically.

    Raises
    ------
    ParameterError
        If a token contains whitespace (it could not be read back).

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "v.txt")
    >>> save_word2vec_format(Embeddings(["a", "b"], [[0.5, -1], [0.1, 2]]), path)
    >>> print(open(path).read(), end="")
    2 2
    a 0.5 -1.0
    b 0.1 2.0
    >>> load_word2vec_format(path)["b"]
    array([0.1, 2. ], dtype=float32)
    """
    for token in embeddings.tokens:
        if not token or any(ch.isspace() for ch in token):
            raise ParameterError(f"token {token!r} is empty or contains whitespace; the word2vec "
                                 "format cannot store it")
    vectors = embeddings.vectors
    with _store.atomic_write(path) as out:
        out.write(f"{len(embeddings)} {embeddings.dim}\n".encode())
        lines = []
        for start in range(0, len(embeddings), 4096):
            block = np.asarray(vectors[start:start + 4096], dtype="<f4")
            tokens = embeddings.tokens[start:start + 4096]
            if binary:
                for token, row in zip(tokens, block, strict=True):
                    lines.append(token.encode() + b" " + row.tobytes() + b"\n")
            else:
                for token, row in zip(tokens, block, strict=True):
                    lines.append(f"{token} {' '.join(map(str, row))}\n".encode())
            out.write(b"".join(lines))
            lines.clear()


def _read_header(path: Path, buf) -> tuple[int, int, int]:
    newline = bytes(buf[:4096]).find(b"\n")
    if newline < 0:
        raise ModelFormatError(f"{path}: no header line; expected 'COUNT DIM' on the first line")
    text = bytes(buf[:newline]).decode("latin-1").strip()
    fields = text.split()
    if len(fields) != 2 or not all(f.isdigit() for f in fields):
        raise ModelFormatError(f"{path}: the header must be two integers 'COUNT DIM', "
                               f"got {text[:60]!r}")
    count, dim = int(fields[0]), int(fields[1])
    if dim < 1:
        raise ModelFormatError(f"{path}: the header announces dimension {dim}; need at least 1")
    return count, dim, newline + 1


def _looks_like_text(buf, start: int, dim: int) -> bool:
    end = bytes(buf[start:start + 64 * (dim + 2) + 1024]).find(b"\n")
    line = bytes(buf[start:start + end]) if end >= 0 else bytes(buf[start:])
    fields = line.split()
    if len(fields) == dim + 1:
        try:
            [float(f) for f in fields[1:]]
            return True
        except ValueError:
            pass
    # not a valid text row: binary if the bytes after the token are not printable text
    # (a binary float32 is printable by chance with probability about 0.37 ** 4 per value)
    space = line.find(b" ")
    if space > 0 and len(line) - space - 1 == 4 * dim:
        return False  # not a text row, and exactly one binary row's bytes up to the newline
    window = line[space + 1:space + 1 + 4 * dim] if space >= 0 else line
    return all(32 <= byte < 127 or byte in (9, 13) for byte in window)


def load_word2vec_format(path, binary: bool | None = None, limit: int | None = None,
                         unicode_errors: str = "strict") -> Embeddings:
    """Read a word2vec-format file (C tool or gensim), text or binary.

    Parameters
    ----------
    path : str or Path
    binary : bool, optional
        The format; detected from the first row when ``None``.
    limit : int, optional
        Read only the first ``limit`` rows (the most frequent words, in files from the C tool).
    unicode_errors : {"strict", "replace", "ignore"}
        How to decode tokens that are not valid UTF-8.  ``"strict"`` raises
        :class:`ModelFormatError`.

    Raises
    ------
    ModelFormatError
        If the file is missing, empty, or malformed; see the module docstring.
    """
    from . import _format_kernels as kernels

    check_choice("unicode_errors", unicode_errors, ("strict", "replace", "ignore"))
    path = Path(path)
    if not path.exists():
        raise ModelFormatError(f"vectors file {path} does not exist")
    if path.is_dir():
        raise ModelFormatError(f"{path} is a folder, not a vectors file")
    if path.stat().st_size == 0:
        raise ModelFormatError(f"vectors file {path} is empty")
    buf = np.memmap(path, dtype=np.uint8, mode="r")
    try:
        count, dim, start = _read_header(path, buf)
        n_rows = count if limit is None else min(count, max(int(limit), 0))
        guessed = binary is None
        if guessed:
            binary = n_rows > 0 and not _looks_like_text(buf, start, dim)
        # the first row can fool the guess (a float32 whose bytes are printable or hold a
        # newline): a file that reads whole in the other format is in that format
        first_error = None
        for attempt in (0, 1) if guessed else (0,):
            try:
                bounds = np.zeros((n_rows, 2), dtype=np.int64)
                vectors = np.empty((n_rows, dim), dtype=np.float32)
                if binary:
                    status, row, detail = kernels.parse_binary(buf, start, n_rows, dim, bounds,
                                                               vectors.view(np.uint8))
                    if sys.byteorder == "big":  # pragma: no cover
                        vectors = vectors.byteswap().view(vectors.dtype.newbyteorder())
                else:
                    status, row, detail = kernels.parse_text(buf, start, n_rows, dim, bounds,
                                                             vectors, kernels._POW10)
                if status != kernels.OK:
                    line = row + 2  # 1-based, after the header
                    where = f"{path}, row {row + 1} (line {line})" if not binary else \
                        f"{path}, row {row + 1}"
                    messages = {
                        kernels.E_EOF: f"{path}: the header announces {count} rows but the file "
                                       f"ends in row {row + 1}, after {row} whole rows"
                                       + (" (truncated?)" if binary else ""),
                        kernels.E_FEW_VALUES: f"{where}: {detail} values, the header says {dim}",
                        kernels.E_MANY_VALUES: f"{where}: more than the {dim} values the header "
                                               "says",
                        kernels.E_BAD_NUMBER: f"{where}: value {detail + 1} is not a number",
                        kernels.E_NOT_FINITE: f"{where}: value {detail + 1} is NaN or infinite",
                        kernels.E_EMPTY_TOKEN: f"{where}: the row has no token",
                    }
                    raise ModelFormatError(messages[status])
                if limit is None:
                    # the body must end where the header says: more rows mean a wrong header
                    if binary:
                        end = int(detail) if n_rows else start
                    elif n_rows:
                        newline = bytes(buf[bounds[-1, 1]:bounds[-1, 1] + 64 * (dim + 2) + 1024]
                                        ).find(b"\n")
                        end = int(bounds[-1, 1]) + newline + 1 if newline >= 0 else len(buf)
                    else:
                        end = start
                    if bytes(buf[end:end + 65536]).strip():
                        raise ModelFormatError(f"{path}: the header announces {count} rows but the "
                                               "file holds more; fix the header's row count")
                if binary:
                    bad = ~np.isfinite(vectors)
                    if bad.any():
                        row = int(np.flatnonzero(bad.any(axis=1))[0])
                        raise ModelFormatError(f"{path}, row {row + 1}: NaN or infinite value")
            except ModelFormatError as error:
                if not guessed:
                    raise
                if attempt and first_error is not None:
                    raise first_error from None  # what the likelier format found wrong
                first_error = error
                binary = not binary
                continue
            break
        raw = bytes(buf[bounds[0, 0]:bounds[-1, 1]]) if n_rows else b""
        offset = int(bounds[0, 0]) if n_rows else 0
        tokens = []
        for row, (begin, end) in enumerate(bounds.tolist()):
            try:
                tokens.append(raw[begin - offset:end - offset].decode("utf-8", unicode_errors))
            except UnicodeDecodeError:
                raise ModelFormatError(
                    f"{path}, row {row + 1}: the token is not valid UTF-8 (pass "
                    "unicode_errors='replace' to read it anyway)") from None
    finally:
        del buf
    index: dict[str, int] = {}
    keep = [index.setdefault(token, row) == row for row, token in enumerate(tokens)]
    if len(index) < len(tokens):
        logger.warning("%s: %d duplicate tokens; keeping the first vector of each", path,
                       len(tokens) - len(index))
        keep = np.flatnonzero(keep)
        tokens = [tokens[i] for i in keep]
        vectors = vectors[keep]
    return Embeddings(tokens, vectors)


def load(path, mmap: bool = True) -> Embeddings:
    """Open embeddings from a wordspace model file of any kind or a word2vec text/binary file."""
    path = Path(path)
    if not path.exists():
        raise ModelFormatError(f"file {path} does not exist")
    if _store.is_model_file(path):
        return Embeddings.load(path, mmap=mmap)
    if path.suffix.lower() in (".ws", ".zip") or _store.looks_like_zip(path):
        _store.load(path, mmap=mmap)  # raises a ModelFormatError that names the problem
        raise ModelFormatError(f"{path} is not a wordspace model file")  # pragma: no cover
    return load_word2vec_format(path)

