"""Tokenising and counting in one compiled pass: the fast path of the bag-of-words models.

:class:`TokenCounter` turns chunks of raw text into token ids with the Numba kernel of
:mod:`wordspace._token_kernels`, giving exactly the tokens of
:func:`wordspace.corpus.make_tokenizer` (same regex semantics, lowercasing by ``str.lower``,
inner characters), with ids in order of first sight and a count per distinct token.  Python
touches each chunk a few times in C (join, lower, encode) and never each token; the strings of
the distinct tokens are made once, at the end.

The table of character classes comes from the regex itself: every code point that
``[^\\W_]`` matches is a word character, so the kernel and the regex cannot disagree.  The full
table (1.1 M code points) is built on the first chunk that is not ASCII.

:func:`counter_for` says whether a corpus can take this path (the default tokeniser, files or
in-memory strings, document or paragraph units); anything else goes through the tokeniser.

>>> counter = TokenCounter()
>>> ids, lengths = counter.add(["Don't stop -- the Cafe, the CAFÉ!", "x--y"])
>>> counter.tokens(), ids.tolist(), lengths.tolist()
(["don't", 'stop', 'the', 'cafe', 'café', 'x', 'y'], [0, 1, 2, 3, 2, 4, 5, 6], [6, 2])
>>> counter.counts.tolist()
[1, 1, 2, 1, 1, 1, 1]
"""

from __future__ import annotations

import re

import numpy as np

from ._mapped import trim_heap
from ._progress import progress
from ._token_kernels import BREAK, INNER, WORD, count_tokens

__all__ = ["TokenCounter", "counter_for", "word_table"]

#: characters at which ``str.splitlines`` cuts a line
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_N_CODE_POINTS = 0x110000
_word_table: np.ndarray | None = None
#: characters of text read per chunk
CHUNK_CHARS = 1 << 20


def word_table(size: int = _N_CODE_POINTS) -> np.ndarray:
    """``WORD`` for each of the first ``size`` code points that ``[^\\W_]`` matches, else 0."""
    global _word_table
    if size > 256 and _word_table is not None:
        return _word_table
    table = np.zeros(size, np.uint8)
    # every code point in one string, made in C (no million one-character objects)
    text = np.arange(size, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
    for match in re.finditer(r"[^\W_]+", text):
        table[match.start():match.end()] = WORD
    if size == _N_CODE_POINTS:
        _word_table = table
    return table


class TokenCounter:
    """Distinct tokens -> ids (order of first sight) and counts, filled chunk by chunk.

    Parameters
    ----------
    lowercase, inner
        As :func:`wordspace.corpus.make_tokenizer`.
    paragraphs : bool
        Each line of a document is a unit (lines without tokens are left out), as a corpus
        read at ``granularity="paragraph"`` gives them; else each document is one.
    """

    def __init__(self, lowercase: bool = True, inner: str = "'\u2019-",
                 paragraphs: bool = False):
        self.lowercase = lowercase
        self.inner = inner
        self.paragraphs = paragraphs
        self._small = self._classes(word_table(256))
        self._full: np.ndarray | None = None
        self.slots = np.full(1 << 12, -1, np.int32)
        self.hashes = np.empty(1 << 11, np.uint64)
        self.offsets = np.empty(1 << 11, np.int64)
        self.sizes = np.empty(1 << 11, np.int64)
        self.pool = np.empty(1 << 14, np.uint32)
        self._counts = np.empty(1 << 11, np.int64)
        self.n_types = 0
        self.pool_used = 0

    def _classes(self, words: np.ndarray) -> np.ndarray:
        classes = words.copy()
        for char in self.inner:
            if ord(char) < len(classes):
                classes[ord(char)] |= INNER
        if self.paragraphs:
            for char in LINE_BREAKS:
                if ord(char) < len(classes):
                    classes[ord(char)] |= BREAK
        return classes

    @property
    def counts(self) -> np.ndarray:
        """Occurrences of each distinct token so far, by id."""
        return self._counts[:self.n_types]

    def add(self, documents: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Tokenise ``documents``: the ids (int32) of all their tokens and the number of tokens
        of each unit (int64)."""
        return self._count(*self._encode(documents))

    def _encode(self, documents: list[str]):
        """``(codes, starts, ends, classes)``: the code points of the documents joined by
        spaces (lowercased), where each document starts and ends in them, and the table of
        character classes for them (Python's string methods; no state of the counter)."""
        lengths = np.fromiter(map(len, documents), np.int64, len(documents))
        joined = " ".join(documents)             # a space never belongs to a token
        if self.lowercase:
            lowered = joined.lower()
            if len(lowered) != len(joined):      # a character lowercased into two ("İ")
                documents = [document.lower() for document in documents]
                lowered = " ".join(documents)
                lengths = np.fromiter(map(len, documents), np.int64, len(documents))
            joined = lowered
        ends = np.cumsum(lengths + 1) - 1
        starts = ends - lengths
        if joined.isascii():
            codes = np.frombuffer(joined.encode("ascii"), np.uint8)
            classes = self._small
        else:
            codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), np.uint32)
            if self._full is None:
                self._full = self._classes(word_table())
            classes = self._full
        return codes, starts, ends, classes

    def _count(self, codes, starts, ends, classes) -> tuple[np.ndarray, np.ndarray]:
        """The kernel over one encoded chunk: ids and unit lengths; the table grows."""
        ids = np.empty(len(codes) // 2 + 1, np.int32)
        units = np.empty(len(starts) + 16, np.int64)
        (self.slots, self.hashes, self.offsets, self.sizes, self.pool, self._counts,
         self.n_types, self.pool_used, n_ids, n_units, units) = count_tokens(
            codes, starts, ends, classes, self.paragraphs, self.slots, self.hashes,
            self.offsets, self.sizes, self.pool, self._counts, self.n_types, self.pool_used,
            ids, units)
        return ids[:n_ids], units[:n_units]

    def tokens(self) -> list[str]:
        """The distinct tokens, by id."""
        text = self.pool[:self.pool_used].astype("<u4").tobytes().decode("utf-32-le",
                                                                         "surrogatepass")
        offsets = self.offsets[:self.n_types].tolist()
        ends = (self.offsets[:self.n_types] + self.sizes[:self.n_types]).tolist()
        return list(map(text.__getitem__, map(slice, offsets, ends)))

    def chunks(self, texts, desc: str, chunk_chars: int = CHUNK_CHARS,
               threads: int | None = None):
        """``(ids, unit lengths)`` of the texts, chunk of about ``chunk_chars`` characters by
        chunk, with a progress bar.

        With ``threads`` > 1 (default: Numba's number of threads) the kernel counts each chunk
        on a second thread while this one reads and encodes the next and the caller takes the
        previous: the chunks are still counted one after another, in order, so the ids,
        counts and units are the same.  :attr:`n_types` may then already include tokens of
        the chunk after the one yielded (an upper bound of its ids).
        """
        import numba

        threads = numba.get_num_threads() if threads is None else threads
        bar = progress(desc=desc, unit=" tokens", unit_scale=True)
        try:
            if threads < 2:
                for documents in _batches(texts, chunk_chars):
                    ids, lengths = self.add(documents)
                    del documents
                    bar.update(len(ids))
                    yield ids, lengths
                    del ids, lengths
                    trim_heap()                 # the chunk's copies leave no resident holes
                return
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(1) as executor:
                pending = None
                for documents in _batches(texts, chunk_chars):
                    encoded = self._encode(documents)
                    del documents
                    done = pending.result() if pending is not None else None
                    pending = executor.submit(self._count, *encoded)
                    del encoded
                    if done is not None:
                        bar.update(len(done[0]))
                        yield done
                        del done
                        trim_heap()
                if pending is not None:
                    done = pending.result()
                    bar.update(len(done[0]))
                    yield done
                    del done, pending
                    trim_heap()
        finally:
            bar.close()


def _batches(texts, chunk_chars: int):
    """Lists of texts of about ``chunk_chars`` characters."""
    buffer: list[str] = []
    size = 0
    for text in texts:
        buffer.append(text)
        size += len(text)
        if size >= chunk_chars:
            yield buffer
            buffer, size = [], 0
    if buffer:
        yield buffer


def counter_for(corpus) -> TokenCounter | None:
    """A :class:`TokenCounter` giving exactly the units and tokens of ``corpus`` (a
    :class:`~wordspace.corpus.Corpus`), or None when it needs its own tokeniser (a custom one,
    a stemmer, tokens given as lists, windows, a one-shot iterator)."""
    options = corpus._source_options
    if options["tokenizer"] is not None or options["stemmer"] is not None:
        return None
    if corpus.granularity not in ("document", "paragraph"):
        return None
    if corpus._files is None:
        documents = corpus._documents
        if not isinstance(documents, list | tuple) or not all(
                isinstance(document, str) for document in documents):
            return None
    return TokenCounter(options["lowercase"], options["inner"],
                        paragraphs=corpus.granularity == "paragraph")
