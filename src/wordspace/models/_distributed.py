"""LSA and word2vec on a Dask cluster.

LSA: the tf-idf matrix in row blocks on the workers, a distributed SVD
----------------------------------------------------------------------

``LSA(...).fit(corpus, client=client)`` (a :class:`dask.distributed.Client`) runs here. The
corpus is cut into partitions of about :data:`PARTITION_CHARS` characters, which the workers
read themselves (the cluster must see the same paths; a worker also detects the encodings, so
the client reads none of the text, only ``Corpus(path)``'s binary sniff): byte ranges of its
plain-text files (:class:`FileRange`), each read by one worker; a compressed or UTF-16/32 file
(:class:`FileStream`) is streamed whole by every worker, which keeps the same ranges of its
decompressed text, range ``i`` on worker ``i`` modulo their number, so each document is read
into exactly one partition. In-memory documents (and blank-line separated files) are read by
the client and sent once. From then on the matrix ``A`` exists only as row blocks ``A_p`` held
by the workers (with a stemmer, the workers count surface tokens and the client stems the
distinct ones, as the local fit does):

1. each worker tokenises its partition and counts it (:func:`wordspace.bow.
   count_matrix_and_vocabulary`, its own provisional columns); the token counts are summed on
   the client (a vocabulary-sized reduce) and the vocabulary cut exactly as a local fit cuts it;
2. each worker renumbers its block's columns to the global vocabulary; the document frequencies
   (or, for the entropy weighting, the column totals and then the ``p log p`` sums) are reduced
   first, pairwise on the workers, and every worker then weights its block with the global idf
   and normalises its rows;
3. the randomized SVD of :func:`wordspace.models.linalg.randomized_svd` runs with the same random
   start, each product distributed: ``A @ Omega`` block by block (``Y_p = A_p Omega``, left on
   the workers), ``A.T @ Q`` as a pairwise sum of ``A_p.T Q_p`` (a ``d x l`` dense block), and the
   tall ``n x l`` bases orthonormalised by Cholesky QR on the summed ``l x l`` Gram matrices.

What reaches the client: the vocabulary counts, vectors of length ``d``, ``d x l`` and ``l x l``
dense blocks, and at the end the document codes (``n x k``, the ``document_vectors_`` of a local
fit).  ``A`` itself is never gathered.

word2vec: data-parallel training with periodic averaging of the changed rows
----------------------------------------------------------------------------
``Word2Vec(...).fit(corpus, client=client)`` runs :func:`fit_word2vec`.  The client deals
partitions (ranges of the files, as above) to the workers in turn; each worker reads,
counts and encodes its partitions
(provisional ids), the counts are reduced pairwise on the workers into the vocabulary (cut
exactly as a local fit cuts it, so the sampling tables are the same), and each worker renumbers
its partitions into one shard of the encoded corpus that stays in its memory. Training is in
rounds: every worker trains a copy of the current vectors on the next piece of its shard
(:data:`ROUND_TOKENS` divided by the number of workers, so a round trains about as many tokens
with any number of workers: a worker's copy misses the others' updates of that many tokens; one
thread, the local kernels, the learning rate of the global progress), sends back only the rows
it changed, and the changes are combined (:func:`_combine_rows`): the mean of the workers'
versions (Spark MLlib's rule, which averages once per epoch) moves a row all workers change by
the mean of their steps, so quality fell as workers were added; the sum of the changes
overshoots on the frequent rows and diverged with 4 workers. The default divides the sum by
``1 + (w - 1) * s``, where ``s`` measures how aligned the ``w`` workers' changes of the row are
(their mean pairwise inner product over their mean squared norm): ``w`` equal changes are one
step taken ``w`` times and give the mean, independent ones add up (measured in the README).

The vectors are sent to every worker at each round (two ``V x dim`` float32 matrices), so a
round costs that broadcast plus the changed rows coming back; a vocabulary of a million words
at 300 dimensions would want workers that keep their replica and receive only the averaged rows.
"""

from __future__ import annotations

import codecs
import io
import logging
import os
from collections import Counter
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from ..bow import BagOfWords, _stem_columns, count_matrix_and_vocabulary, idf_weights
from ..corpus import Corpus, as_corpus, make_stemmer, open_text
from ..errors import CorpusError, ParameterError
from ..vocab import Vocabulary, _select, load_stopwords
from . import linalg

__all__ = ["fit_lsa", "partitions", "tree_sum"]

logger = logging.getLogger(__name__)

#: characters of raw text per partition sent to a worker
PARTITION_CHARS = 8_000_000


def _check_client(client):
    try:
        from dask.distributed import Client
    except ImportError:  # pragma: no cover -- the extra is not installed
        raise ParameterError("client= needs dask.distributed: pip install "
                             "'wordspace[distributed]'") from None
    if not isinstance(client, Client):
        raise ParameterError(f"client must be a dask.distributed.Client, got "
                             f"{type(client).__name__}")
    return client


def partitions(corpus: Corpus, max_chars: int | None = None, layout: list | None = None):
    """The corpus in partitions of about ``max_chars`` characters, and the options to read each
    as a :class:`Corpus` on a worker.

    With ``separator="line"``, a file is read by the workers themselves (the cluster must see
    the same path): a plain file in an encoding where a newline is the byte ``\\n`` as
    :class:`FileRange` byte ranges, each read by one worker; a compressed file, or one in UTF-16
    or UTF-32, as one :class:`FileStream` that every worker streams whole, keeping its share of
    the ranges.  Otherwise (in-memory documents, blank-line separated files) a partition is a
    list of the raw documents read here (strings, or token lists as given) that the client
    sends.  ``layout``: the files' encodings and sizes (:func:`_file_layout`), found here when
    not given.
    """
    max_chars = PARTITION_CHARS if max_chars is None else max_chars
    options = {**corpus._source_options, "granularity": corpus.granularity,
               "window": corpus.window, "stride": corpus.stride}
    ranges = _file_ranges(corpus, max_chars, layout)
    if ranges is not None:
        for item in ranges:
            yield item, options
        return
    source = corpus._file_documents() if corpus._files is not None else corpus._iter_source()
    part: list = []
    size = 0
    for document in source:
        part.append(document)
        size += len(document) if isinstance(document, str) else sum(map(len, document))
        if size >= max_chars:
            yield part, options
            part, size = [], 0
    if part:
        yield part, options


@dataclass(frozen=True)
class FileRange:
    """The lines of ``path`` that begin in bytes ``[start, end)``, read in ``encoding``."""

    path: str
    start: int
    end: int
    encoding: str


@dataclass(frozen=True)
class FileStream:
    """A file the workers stream whole: the ranges ``share``, ``share + shares``, ... of its
    text, range ``i`` holding the lines that begin in units ``[i * size, (i + 1) * size)``.

    The units are bytes of the decompressed file (so the ranges are the :class:`FileRange`\\ s
    of the same file uncompressed), or characters for UTF-16 and UTF-32.
    """

    path: str
    size: int
    encoding: str
    share: int = 0
    shares: int = 1


def _compressed(path) -> bool:
    return str(path).lower().endswith((".gz", ".bz2", ".xz", ".lzma"))


def _file_layout(paths: list[str], requested: str) -> list[tuple[str, int]]:
    """``(encoding, size in bytes)`` of each file: run on a worker, so that the client opens
    none of them.  The encoding of a compressed file is that of its decompressed text."""
    from ..corpus import _ENCODING_SNIFF_BYTES, _head, detect_encoding

    layout = []
    for path in paths:
        head = _head(path, _ENCODING_SNIFF_BYTES)
        layout.append((detect_encoding(head, requested,
                                       complete=len(head) < _ENCODING_SNIFF_BYTES),
                       os.path.getsize(path)))
    return layout


def _file_ranges(corpus: Corpus, size: int, layout: list | None = None) -> list | None:
    """The partitions of the corpus's files: byte ranges of about ``size`` bytes of a plain
    file, one :class:`FileStream` of a compressed or UTF-16/32 file; None where the workers
    cannot read them (in-memory documents, blank-line separated documents).  ``layout`` is
    :func:`_file_layout` of the files (computed here when not given)."""
    from ..corpus import FALLBACK_ENCODING, _wide

    if corpus._files is None or corpus.separator != "line":
        return None
    if layout is None:
        layout = _file_layout([str(p) for p in corpus._files], corpus.encoding)
    ranges = []
    for path, (encoding, total) in zip(corpus._files, layout, strict=True):
        if encoding == FALLBACK_ENCODING and corpus.encoding == "auto":
            logger.warning("%s is not UTF-8 text: reading it as %s (Latin-1); pass "
                           "encoding= (--encoding) to choose", path, FALLBACK_ENCODING)
        if _compressed(path) or _wide(encoding):
            ranges.append(FileStream(str(path), size, encoding))
            continue
        ranges += [FileRange(str(path), start, min(total, start + size), encoding)
                   for start in range(0, total, size)]
    return ranges


def _range_documents(data, index: int, encoding: str, path: str, options: dict) -> list[str]:
    """The documents of a range's text (``bytes`` in ``encoding``, or ``str``), as the local
    reader cuts them."""
    if isinstance(data, bytes):
        if index and codecs.lookup(encoding).name == "utf-8-sig":
            encoding = "utf-8"                         # the mark is at the file's start only
        try:
            data = data.decode(encoding, options.get("errors", "replace"))
        except UnicodeDecodeError as error:
            raise CorpusError(f"{path}: invalid {encoding} ({error.reason}); pass another "
                              "encoding=, or errors='replace' to read it anyway") from None
    reader = Corpus([], **{**options, "encoding": encoding})
    return list(reader._split_documents(io.StringIO(data, newline=None), path))


def _read_range(item: FileRange, options: dict) -> list[str]:
    """On a worker: the documents of a :class:`FileRange`, as the local reader cuts them."""
    with open(item.path, "rb") as handle:
        if item.start:
            handle.seek(item.start - 1)
            handle.readline()          # the line holding byte start - 1 is the range before's
        begin = handle.tell()
        data = b""
        if begin < item.end:
            data = handle.read(item.end - begin)
            if not data.endswith(b"\n"):
                data += handle.readline()          # the last line, to its end
    return _range_documents(data, begin, item.encoding, item.path, options)


def _line_ranges(read, size: int, newline, keep):
    """``(i, text)`` for the ranges ``i`` of a stream for which ``keep(i)``: range ``i`` holds
    the lines that begin in units ``[i * size, (i + 1) * size)`` of what ``read(n)`` returns
    (``bytes`` or ``str``; ``newline`` of the same type), the last to its end, as
    :func:`_read_range` cuts a file.  Every range is read; only the kept ones are copied.

    >>> text = "ab\\ncdefgh\\ni\\n\\nj"
    >>> sorted(_line_ranges(io.StringIO(text).read, 3, "\\n", lambda i: True))
    [(0, 'ab\\n'), (1, 'cdefgh\\n'), (2, ''), (3, 'i\\n'), (4, '\\nj')]
    >>> sorted(_line_ranges(io.StringIO(text).read, 3, "\\n", lambda i: i % 2 == 1))
    [(1, 'cdefgh\\n'), (3, 'i\\n')]
    """
    def exactly(n):
        chunk = read(n)
        while chunk and len(chunk) < n:
            more = read(n - len(chunk))
            if not more:
                break
            chunk += more
        return chunk

    open_index, pieces = None, []       # the range whose last line runs on, and its text
    index = 0
    while True:
        chunk = exactly(size)
        if not chunk:
            break
        start = 0
        if open_index is not None:      # the open line ends in this chunk, or runs through it
            end = chunk.find(newline)
            if end < 0:
                if keep(open_index):
                    pieces.append(chunk)
                if keep(index):
                    yield index, chunk[:0]             # no line begins in this range
                index += 1
                continue
            start = end + 1
            if keep(open_index):
                pieces.append(chunk[:start])
                yield open_index, chunk[:0].join(pieces)
            open_index, pieces = None, []
        rest = chunk[start:]
        if rest and not rest.endswith(newline):
            open_index = index
            if keep(index):
                pieces = [rest]
        elif keep(index):
            yield index, rest
        index += 1
    if open_index is not None and keep(open_index):
        yield open_index, pieces[0][:0].join(pieces)


def _stream_ranges(item: FileStream, options: dict, process=None, args=()) -> list:
    """On a worker: ``(i, documents)`` of this worker's share of the ranges of a
    :class:`FileStream` (the file streamed whole), or ``(i, process(documents, options,
    *args))``."""
    import lzma
    import zlib

    from ..corpus import _open_binary, _wide

    encoding = item.encoding
    errors = options.get("errors", "replace")
    wide = _wide(encoding)
    results = []
    try:
        with (open_text(item.path, encoding, errors) if wide else
              _open_binary(item.path)) as handle:
            for index, data in _line_ranges(handle.read, item.size, "\n" if wide else b"\n",
                                            lambda i: i % item.shares == item.share):
                documents = _range_documents(data, index, encoding, item.path, options)
                results.append((index, documents if process is None else
                                process(documents, options, *args)))
    except UnicodeDecodeError as error:
        raise CorpusError(f"{item.path}: invalid {encoding} ({error.reason}); pass another "
                          "encoding=, or errors='replace' to read it anyway") from None
    except (OSError, EOFError, lzma.LZMAError, zlib.error) as error:
        raise CorpusError(f"cannot read {item.path}: {error}") from None
    return results


def _range_indices(results) -> list[int]:
    return [index for index, _ in results]


def _result_at(results, position: int):
    return results[position][1]


def _processed_parts(client, corpus: Corpus, max_chars: int, workers: list, process,
                     *args) -> list:
    """``(worker, future of process(documents, options, *args))`` for each partition of the
    corpus, in the corpus's order, the partitions dealt to ``workers`` in turn (the ranges of a
    :class:`FileStream`: range ``i`` to worker ``i`` modulo their number)."""
    layout = None
    if corpus._files is not None and corpus.separator == "line":
        layout = client.submit(_file_layout, [str(p) for p in corpus._files], corpus.encoding,
                               workers=workers[:1], pure=False).result()
    parts = []
    number = 0
    for part, options in partitions(corpus, max_chars, layout):
        if isinstance(part, FileStream):
            shares = [(worker, client.submit(
                _stream_ranges, FileStream(part.path, part.size, part.encoding, k,
                                           len(workers)),
                options, process, args, workers=[worker], pure=False))
                for k, worker in enumerate(workers)]
            parts.append(shares)
            continue
        where = workers[number % len(workers)]
        number += 1
        if isinstance(part, FileRange):
            documents = client.submit(_read_range, part, options, workers=[where], pure=False)
        else:
            documents = client.scatter([part], workers=[where])[0]
        parts.append((where, client.submit(process, documents, options, *args,
                                           workers=[where], pure=False)))
    result = []
    for part in parts:     # the ranges of each stream, in order
        if isinstance(part, tuple):
            result.append(part)
            continue
        indices = client.gather([client.submit(_range_indices, f, pure=False)
                                 for _, f in part])
        ordered = sorted((index, position, k) for k, share in enumerate(indices)
                         for position, index in enumerate(share))
        result += [(part[k][0], client.submit(_result_at, part[k][1], position,
                                              workers=[part[k][0]], pure=False))
                   for _, position, k in ordered]
    return result


def _send(client, value, broadcast: bool = False):
    """One future holding ``value`` (``scatter`` would split a list or a dict into many)."""
    return client.scatter([value], broadcast=broadcast)[0]


def tree_sum(client, futures: list):
    """The sum of the futures' values, added pairwise on the workers; a future."""
    futures = list(futures)
    if not futures:
        raise ValueError("nothing to sum")
    while len(futures) > 1:
        paired = [client.submit(_add, a, b, pure=False)
                  for a, b in zip(futures[::2], futures[1::2], strict=False)]
        if len(futures) % 2:
            paired.append(futures[-1])
        futures = paired
    return futures[0]


# -- functions run on the workers -------------------------------------------------------------
def _add(a, b):
    return a + b


def _count_partition(part, options, stopwords, keep_numbers=False):
    """``(count block over local columns, local tokens, their counts, raw tokens)``."""
    corpus = Corpus(part, **options)
    try:
        counts, vocabulary = count_matrix_and_vocabulary(corpus, 1, None, stopwords,
                                                         keep_numbers=keep_numbers)
    except CorpusError:  # a partition of empty units (or only stopwords)
        n_units = sum(1 for _ in corpus)
        return sp.csr_matrix((n_units, 0), dtype=np.float32), [], np.zeros(0, np.int64), 0
    return counts, vocabulary.tokens, vocabulary.counts, vocabulary.n_raw_tokens


def _token_counts(counted):
    _, tokens, counts, n_raw = counted
    return Counter(dict(zip(tokens, counts.tolist(), strict=True))), n_raw, \
        counted[0].shape[0]


def _global_block(counted, index: dict, n_columns: int) -> sp.csr_matrix:
    """The partition's count block with its columns renumbered to the global vocabulary
    (surface tokens of one stem summed into its column)."""
    block, tokens, _, _ = counted
    mapping = np.fromiter((index.get(t, -1) for t in tokens), np.int64, len(tokens))
    columns = mapping[block.indices]
    present = columns >= 0
    kept_before = np.zeros(len(present) + 1, np.int64)
    np.cumsum(present, out=kept_before[1:])
    result = sp.csr_matrix((block.data[present], columns[present].astype(np.int32),
                            kept_before[block.indptr]), shape=(block.shape[0], n_columns))
    result.sum_duplicates()
    return result


def _document_frequency(block: sp.csr_matrix) -> np.ndarray:
    return np.bincount(block.indices, minlength=block.shape[1]).astype(np.int64)


def _column_totals(block: sp.csr_matrix) -> np.ndarray:
    return np.bincount(block.indices, weights=block.data.astype(np.float64),
                       minlength=block.shape[1])


def _plogp(block: sp.csr_matrix, totals: np.ndarray) -> np.ndarray:
    shares = block.data.astype(np.float64) / totals[block.indices]
    plogp = shares * np.log(np.where(shares > 0, shares, 1.0))
    return np.bincount(block.indices, weights=plogp, minlength=block.shape[1])


def _weight(block: sp.csr_matrix, bow: BagOfWords) -> sp.csr_matrix:
    return bow.weight(block)


def _energy(block: sp.csr_matrix) -> float:
    return float(np.dot(block.data.astype(np.float64), block.data.astype(np.float64)))


def _times(block: sp.csr_matrix, dense: np.ndarray) -> np.ndarray:
    return np.asarray(block @ dense, dtype=dense.dtype)


def _times_t(block: sp.csr_matrix, dense: np.ndarray) -> np.ndarray:
    return np.asarray(block.T @ dense, dtype=dense.dtype)


def _gram(dense: np.ndarray) -> np.ndarray:
    return np.asarray(dense.T @ dense, dtype=np.float64)


def _right(dense: np.ndarray, small: np.ndarray) -> np.ndarray:
    return dense @ small.astype(dense.dtype)


# -- the client's side ------------------------------------------------------------------------
def _orthonormalize(client, blocks: list, rounds: int = 2) -> list:
    """Cholesky QR of a tall matrix held as row blocks (futures): an orthonormal basis, as
    blocks.  A rank-deficient block gets a small diagonal shift and one more round."""
    for round_ in range(rounds + 1):
        gram = tree_sum(client, [client.submit(_gram, b, pure=False) for b in blocks]).result()
        shift = 0.0
        try:
            factor = scipy.linalg.cholesky(gram, lower=False)
        except (np.linalg.LinAlgError, scipy.linalg.LinAlgError):
            shift = 1e-7 * max(np.trace(gram), 1e-30)
            factor = scipy.linalg.cholesky(gram + shift * np.eye(len(gram)), lower=False)
        inverse = scipy.linalg.solve_triangular(factor, np.eye(len(factor)), lower=False)
        inverse_future = _send(client, inverse, broadcast=True)
        blocks = [client.submit(_right, b, inverse_future, pure=False) for b in blocks]
        if round_ + 1 >= rounds and not shift:
            break
    return blocks


def _randomized_svd(client, blocks: list, shape: tuple, n_components: int, n_oversamples: int,
                    n_iter: int, seed):
    n, d = shape
    rng = np.random.default_rng(seed)
    width = min(n_components + n_oversamples, n, d)

    def times(dense: np.ndarray) -> list:
        dense_future = _send(client, dense.astype(np.float32), broadcast=True)
        return [client.submit(_times, b, dense_future, pure=False) for b in blocks]

    def times_t(basis: list) -> np.ndarray:
        parts = [client.submit(_times_t, b, q, pure=False) for b, q in zip(blocks, basis,
                                                                           strict=True)]
        return tree_sum(client, parts).result()

    sample = rng.standard_normal((d, width), dtype=np.float32)
    basis = _orthonormalize(client, times(sample))
    for _ in range(n_iter):
        cobasis = linalg.orthonormalize(times_t(basis), 1)
        basis = _orthonormalize(client, times(cobasis))
    projected_t = times_t(basis)
    cobasis = linalg.orthonormalize(projected_t)
    small = np.asarray(cobasis.T @ projected_t, dtype=np.float64)
    U_small, s, W_t = np.linalg.svd(small.T, full_matrices=False)
    Vt = np.ascontiguousarray((cobasis @ W_t[:n_components].T.astype(cobasis.dtype)).T)
    left = _send(client, U_small[:, :n_components], broadcast=True)
    U = np.concatenate(client.gather([client.submit(_right, q, left, pure=False)
                                      for q in basis]))
    U, Vt = linalg.svd_flip(U.astype(np.float64), Vt)
    return U, s[:n_components], Vt


def fit_lsa(model, corpus, client):
    """Fit ``model`` (an :class:`~wordspace.models.lsa.LSA`) on the cluster of ``client``."""

    model._check_params()
    client = _check_client(client)
    if model.algorithm != "randomized":
        raise ParameterError("client= runs the randomized SVD; algorithm='arpack' is local only")
    bow = model._vectorizer()
    _, global_weight = bow._check_params()
    corpus = bow.corpus(corpus)
    stem = make_stemmer(model.stemmer)
    if stem is not None:   # the workers count surface tokens; the client stems the distinct ones
        corpus = corpus.without_stemming()
    stop = load_stopwords(model.stopwords)
    workers = sorted(client.scheduler_info()["workers"])
    if not workers:
        raise ParameterError("the Dask cluster has no workers")
    counted = [future for _, future in _processed_parts(
        client, corpus, PARTITION_CHARS, workers, _count_partition, stop, model.keep_numbers)]
    if not counted:
        raise CorpusError(f"corpus {corpus.name} contains no tokens")
    total = Counter()
    n_raw = n_units = 0
    for future in counted:   # the vocabulary reduce: token counts of each partition, summed
        part_counts, part_raw, part_units = client.submit(_token_counts, future,
                                                          pure=False).result()
        total.update(part_counts)
        n_raw += part_raw
        n_units += part_units
    if stem is None:
        items = _select(total, corpus.name, n_raw, stop, model.min_count, model.max_size)
        vocabulary = Vocabulary([t for t, _ in items], [c for _, c in items],
                                n_raw_tokens=n_raw, n_documents=n_units)
        index = vocabulary.index
    else:   # surface token -> column of its stem, the stems cut as the local fit cuts them
        tokens = list(total)
        mapping, vocabulary = _stem_columns(
            tokens, np.fromiter(total.values(), np.int64, len(tokens)), stem, corpus.name,
            n_raw, n_units, stop, model.min_count, model.max_size, model.keep_numbers)
        index = {tokens[i]: int(mapping[i]) for i in np.flatnonzero(mapping >= 0).tolist()}
    del total
    index_future = _send(client, index, broadcast=True)
    counts = [client.submit(_global_block, c, index_future, len(vocabulary), pure=False)
              for c in counted]
    del counted
    bow.vocabulary_ = vocabulary
    bow.n_documents_ = n_units
    bow.document_frequency_ = tree_sum(
        client, [client.submit(_document_frequency, c, pure=False) for c in counts]).result()
    if global_weight == "entropy":
        totals = tree_sum(client, [client.submit(_column_totals, c, pure=False)
                                   for c in counts]).result()
        totals_future = _send(client, totals, broadcast=True)
        plogp = tree_sum(client, [client.submit(_plogp, c, totals_future, pure=False)
                                  for c in counts]).result()
        bow.idf_ = np.ones(len(vocabulary)) if n_units < 2 else 1.0 + plogp / np.log(n_units)
    else:
        bow.idf_ = idf_weights(bow.document_frequency_, n_units,
                               model.idf if global_weight == "idf" else None)
    bow_future = _send(client, bow, broadcast=True)
    blocks = [client.submit(_weight, c, bow_future, pure=False) for c in counts]
    del counts
    shape = (n_units, len(vocabulary))
    k = model.n_components
    if k > min(shape):
        raise ParameterError(f"n_components={k} is too large: the corpus gives a {shape[0]} x "
                             f"{shape[1]} matrix, so at most {min(shape)} components "
                             "(randomized SVD)")
    energy = sum(client.gather([client.submit(_energy, b, pure=False) for b in blocks]))
    logger.info("LSA on %d partitions: %d units x %d tokens", len(blocks), *shape)
    U, s, Vt = _randomized_svd(client, blocks, shape, k, model.n_oversamples, model.n_iter,
                               model.seed)
    model.components_ = np.ascontiguousarray(Vt, dtype=np.float32)
    model.singular_values_ = np.asarray(s, dtype=np.float64)
    model.document_vectors_ = (U * s).astype(np.float32)
    model.total_energy_ = energy
    model.explained_energy_ratio_ = model.singular_values_ ** 2 / energy if energy else \
        np.zeros(k)
    model.explained_energy_ = float(model.explained_energy_ratio_.sum())
    model.bow_ = bow
    model.vocabulary_ = vocabulary
    model.idf_ = bow.idf_
    model.n_partitions_ = len(blocks)
    return model


# -- word2vec ---------------------------------------------------------------------------------
#: tokens trained between two combines of the changed rows by all workers together: each trains
#: ``ROUND_TOKENS / workers`` of its shard in a round, so what a worker's copy misses of the
#: others' updates is bounded whatever the number of workers (README: 4 workers lost 3 points of
#: analogies at 262,144 tokens per worker, 1.5 at 65,536, 0.7 at 16,384)
ROUND_TOKENS = 1 << 16
#: how the workers' versions of a changed row are combined: "mean", "sum" (of the changes),
#: "aligned" or "damped" (the sum divided by ``1 + (writers - 1) * s``, ``s`` from how aligned the
#: changes are, or from how many updates the row got: see :func:`_combine_rows`)
COMBINE = "aligned"
#: ``kappa`` of the saturation ``1 - exp(-kappa * alpha * n)`` of a row updated ``n`` times in a
#: round (a step's share of the way to the row's optimum; with rounds of ROUND_TOKENS at 4
#: workers, of 0.02, 0.05, 0.1, 0.2 and 0.4, 0.1 gave the best analogy scores on 100,000 lines of
#: big.txt, 5 epochs: README)
SATURATION = 0.1
#: characters of text per partition of a word2vec corpus (partitions are dealt to the workers
#: in turn, so small ones balance the shards)
W2V_PARTITION_CHARS = 2_000_000


def _encode_partition(part, options):
    """``(local tokens, their counts, encoded partition with local ids)``; empty on no tokens."""
    corpus = Corpus(part, **options)
    try:
        vocab, encoded = Vocabulary.build_encoded(corpus, 1)
    except CorpusError:
        from ..vocab import EncodedCorpus

        return [], np.zeros(0, np.int64), EncodedCorpus(np.zeros(0, np.int32),
                                                        np.zeros(1, np.int64))
    return vocab.tokens, vocab.counts, encoded


def _partition_counter(encoded_part) -> Counter:
    tokens, counts, _ = encoded_part
    return Counter(dict(zip(tokens, counts.tolist(), strict=True)))


def _partition_sizes(encoded_part) -> tuple[int, int]:
    return encoded_part[2].n_raw_tokens, encoded_part[2].n_documents


def _global_shard(parts, index: dict):
    """This worker's partitions, concatenated and renumbered to the global vocabulary."""
    from ..vocab import EncodedCorpus

    ids, offsets, n_ids = [], [np.zeros(1, np.int64)], 0
    for tokens, _, encoded in parts:
        mapping = np.fromiter((index.get(t, -1) for t in tokens), np.int32, len(tokens))
        mapped = mapping[encoded.ids] if len(tokens) else np.zeros(0, np.int32)
        kept = mapped >= 0
        before = np.zeros(len(mapped) + 1, np.int64)
        np.cumsum(kept, out=before[1:])
        ids.append(mapped[kept])
        offsets.append(before[encoded.offsets[1:]] + n_ids)
        n_ids += int(kept.sum())
    return EncodedCorpus(np.concatenate(ids) if ids else np.zeros(0, np.int32),
                         np.concatenate(offsets))


def _shard_size(shard) -> int:
    return len(shard.ids)


def _piece(shard, piece: int, n_pieces: int):
    """Documents ``piece`` of ``n_pieces`` contiguous pieces of about equal token counts."""
    from ..vocab import EncodedCorpus

    offsets = shard.offsets
    marks = np.searchsorted(offsets, [len(shard.ids) * piece // n_pieces,
                                      len(shard.ids) * (piece + 1) // n_pieces])
    first, last = int(marks[0]), int(marks[1])
    if piece + 1 == n_pieces:
        last = len(offsets) - 1
    return EncodedCorpus(shard.ids[offsets[first]:offsets[last]],
                         offsets[first:last + 1] - offsets[first])


def _updates_per_row(model, encoded) -> tuple[np.ndarray, np.ndarray | None]:
    """About how many updates each input row and each output row gets from ``encoded``.

    A kept token (after subsampling) is in the context of about ``window`` predictions; with
    negative sampling an output row is also drawn as a noise word ``negative`` times per
    prediction in proportion to the noise distribution.  None for the output rows of
    hierarchical softmax (tree nodes: counted as saturated).
    """
    vocab = model.vocabulary_
    kept = np.bincount(encoded.ids, minlength=len(vocab)).astype(np.float64)
    kept *= vocab.keep_probabilities(model.sample)
    inputs = kept * model.window
    if model.loss != "negative":
        return inputs, None
    predictions = kept.sum() * (model.window if model.architecture == "skipgram" else 1)
    outputs = kept + model.negative * predictions * vocab.noise_distribution(model.ns_exponent)
    return inputs, outputs


def _train_round(params: dict, vocabulary, weights, shard, piece: int, n_pieces: int,
                 alphas: tuple[float, float], seed: int):
    """Train a copy of the weights on one piece of this worker's shard; the changed rows (each
    with about how many updates it got in this round)."""
    from .word2vec import Word2Vec

    syn0, syn1 = weights
    encoded = _piece(shard, piece, n_pieces)
    if len(encoded.ids) == 0:
        return None
    model = Word2Vec(**{**params, "workers": 1, "epochs": 1, "alpha": alphas[0],
                        "min_alpha": alphas[1], "seed": seed, "callbacks": (),
                        "checkpoint": None, "checkpoint_every": None, "cache_dir": None})
    model.vocabulary_ = vocabulary
    model.input_vectors_ = syn0.copy()
    model.output_vectors_ = model.input_vectors_ if model.tied else syn1.copy()
    model.loss_history_, model.epochs_trained_ = [], 0
    model._train_epochs(encoded, 1)
    n_in, n_out = _updates_per_row(model, encoded)
    rows0 = np.flatnonzero((model.input_vectors_ != syn0).any(axis=1))
    changed = [(rows0, model.input_vectors_[rows0], n_in[rows0])]
    if not model.tied:
        rows1 = np.flatnonzero((model.output_vectors_ != syn1).any(axis=1))
        changed.append((rows1, model.output_vectors_[rows1],
                        None if n_out is None else n_out[rows1]))
    return changed, model.loss_history_[-1], len(encoded.ids)


def _combine_rows(matrix: np.ndarray, updates: list, alpha: float,
                  combine: str = "damped") -> None:
    """Combine the workers' versions of the changed rows into ``matrix`` (in place).

    Each row moves by the sum of the workers' changes divided by ``1 + (w - 1) * s``, where
    ``w`` workers changed it and ``s`` is their mean saturation ``1 - exp(-kappa * alpha * n)``
    (``n`` updates of the row in a worker's round; ``s = 1`` when unknown).  A row each worker
    touched a few times moves in the linear regime, where the changes add up as in sequential
    SGD (the sum); a row each worker moved near its optimum for the current others (the
    frequent words) would overshoot ``w`` times with the sum, and takes about the mean.
    ``combine="mean"`` (Spark MLlib's rule) and ``"sum"`` force ``s = 1`` and ``s = 0``.
    ``combine="aligned"`` takes ``s`` from the changes themselves: their mean pairwise inner
    product over their mean squared norm (clipped to [0, 1]), so ``w`` equal changes (one step
    taken ``w`` times) give the mean and orthogonal ones the sum.

    >>> matrix = np.ones((3, 1), np.float32)
    >>> updates = [(np.array([0, 1]), np.array([[3.0], [5.0]], np.float32), None),
    ...            (np.array([0]), np.array([[2.0]], np.float32), None)]
    >>> _combine_rows(matrix, updates, 0.05, "mean"); matrix.ravel().tolist()
    [2.5, 5.0, 1.0]
    >>> matrix[:] = 1; _combine_rows(matrix, updates, 0.05, "sum"); matrix.ravel().tolist()
    [4.0, 5.0, 1.0]
    >>> rare = [(rows, values, np.zeros(len(rows))) for rows, values, _ in updates]
    >>> matrix[:] = 1; _combine_rows(matrix, rare, 0.05); matrix.ravel().tolist()
    [4.0, 5.0, 1.0]
    >>> frequent = [(rows, values, np.full(len(rows), 1e9)) for rows, values, _ in updates]
    >>> matrix[:] = 1; _combine_rows(matrix, frequent, 0.05); matrix.ravel().tolist()
    [2.5, 5.0, 1.0]
    >>> matrix = np.zeros((2, 2), np.float32)
    >>> updates = [(np.array([0, 1]), np.array([[1.0, 0.0], [1.0, 0.0]], np.float32), None),
    ...            (np.array([0, 1]), np.array([[1.0, 0.0], [0.0, 1.0]], np.float32), None)]
    >>> _combine_rows(matrix, updates, 0.05, "aligned"); matrix.tolist()
    [[1.0, 0.0], [1.0, 1.0]]
    """
    if not updates:
        return
    delta = np.zeros_like(matrix)
    writers = np.zeros(len(matrix), np.int64)
    saturation = np.zeros(len(matrix), np.float64)
    for rows, values, n in updates:
        change = values - matrix[rows]
        delta[rows] += change
        writers[rows] += 1
        if combine == "mean" or (combine == "damped" and n is None):
            saturation[rows] += 1.0
        elif combine == "damped":
            saturation[rows] += -np.expm1(-SATURATION * alpha * np.asarray(n, np.float64))
        elif combine == "aligned":
            saturation[rows] += np.einsum("ij,ij->i", change, change, dtype=np.float64)
    changed = np.flatnonzero(writers)
    w = writers[changed]
    if combine == "aligned":    # sum over pairs j != k of <d_j, d_k>, over (w - 1) sum |d_k|^2
        squares = saturation[changed]
        total = np.einsum("ij,ij->i", delta[changed], delta[changed], dtype=np.float64)
        share = np.clip((total - squares) / np.maximum((w - 1) * squares, 1e-30), 0.0, 1.0)
    else:
        share = saturation[changed] / w
    weight = 1.0 / (1.0 + (w - 1) * share)
    matrix[changed] += delta[changed] * weight[:, None].astype(np.float32)


def fit_word2vec(model, corpus, client):
    """Fit ``model`` (a :class:`~wordspace.models.word2vec.Word2Vec`) on the cluster of
    ``client``: one shard of the corpus per worker, trained data-parallel, the changed rows of
    the shards' models combined every :data:`ROUND_TOKENS` tokens (all workers together)."""
    import time

    from .._progress import progress

    model._validate()
    client = _check_client(client)
    if model.masks > 1 or model.loss == "softmax":
        raise ParameterError("client= trains negative sampling or hierarchical softmax with "
                             "one mask")
    corpus = as_corpus(corpus)
    started = time.perf_counter()
    workers = sorted(client.scheduler_info()["workers"])
    if not workers:
        raise ParameterError("the Dask cluster has no workers")
    encoded_parts = _processed_parts(client, corpus, W2V_PARTITION_CHARS, workers,
                                     _encode_partition)
    if not encoded_parts:
        raise CorpusError(f"corpus {corpus.name} contains no tokens")
    # the vocabulary: token counts reduced pairwise on the workers
    total = tree_sum(client, [client.submit(_partition_counter, f, pure=False)
                              for _, f in encoded_parts]).result()
    sizes = client.gather([client.submit(_partition_sizes, f, pure=False)
                           for _, f in encoded_parts])
    n_raw, n_docs = sum(s[0] for s in sizes), sum(s[1] for s in sizes)
    items = _select(total, corpus.name, n_raw, frozenset(), model.min_count,
                    model.max_vocab_size)
    del total
    model.vocabulary_ = Vocabulary([t for t, _ in items], [c for _, c in items],
                                   n_raw_tokens=n_raw, n_documents=n_docs)
    index = _send(client, model.vocabulary_.index, broadcast=True)
    shards = []
    for worker in workers:
        mine = [f for where, f in encoded_parts if where == worker]
        if mine:
            shards.append((worker, client.submit(_global_shard, mine, index, workers=[worker],
                                                 pure=False)))
    del encoded_parts
    shard_sizes = client.gather([client.submit(_shard_size, f, pure=False) for _, f in shards])
    n_ids = sum(shard_sizes)
    if n_ids == 0:
        raise CorpusError("the corpus has no in-vocabulary tokens to train on")
    model._init_weights()
    model.loss_history_, model.epochs_trained_ = [], 0
    n_pieces = max(1, -(-max(shard_sizes) // max(1, ROUND_TOKENS // len(shards))))
    params = model._stored_params()
    vocabulary = _send(client, model.vocabulary_, broadcast=True)
    alpha0, alpha1 = model._initial_alpha(), float(model.min_alpha)
    planned = float(model.epochs * n_pieces)

    def alpha(step: float) -> float:
        return max(alpha1, alpha0 - (alpha0 - alpha1) * step / planned)

    bar = progress(total=model.epochs * n_pieces, desc="word2vec (dask)", unit=" rounds")
    training_seconds = 0.0
    try:
        for epoch in range(model.epochs):
            losses, counts = [], []
            for piece in range(n_pieces):
                tick = time.perf_counter()
                step = epoch * n_pieces + piece
                weights = _send(client, (model.input_vectors_, model.output_vectors_),
                                broadcast=True)
                futures = [client.submit(_train_round, params, vocabulary, weights, shard,
                                         piece, n_pieces, (alpha(step), alpha(step + 1)),
                                         model.seed * 1_000_003 + step * len(shards) + number,
                                         workers=[worker], pure=False)
                           for number, (worker, shard) in enumerate(shards)]
                results = [r for r in client.gather(futures) if r is not None]
                del weights
                _combine_rows(model.input_vectors_, [r[0][0] for r in results], alpha(step),
                              COMBINE)
                if not model.tied:
                    _combine_rows(model.output_vectors_, [r[0][1] for r in results],
                                  alpha(step), COMBINE)
                losses += [r[1] * r[2] for r in results]
                counts += [r[2] for r in results]
                training_seconds += time.perf_counter() - tick
                bar.update()
            model.loss_history_.append(float(np.sum(losses) / max(np.sum(counts), 1)))
            model.epochs_trained_ = epoch + 1
            for callback in model.callbacks or ():
                callback(model, epoch)
    finally:
        bar.close()
    model.training_seconds_ = training_seconds
    model.words_per_second_ = n_raw * model.epochs / training_seconds if training_seconds \
        else float("nan")
    model.n_shards_ = len(shards)
    logger.info("word2vec on %d Dask workers: %d rounds per epoch, fitted in %.1f s",
                len(shards), n_pieces, time.perf_counter() - started)
    return model
