"""The vocabulary: token counts in one streaming pass, ids by frequency, sampling tables, encoding.

Ids are ordered by decreasing count, ties broken alphabetically, so the same corpus always gives
the same ids.  Counting is one pass with bounded memory: with ``max_vocab_size`` the counter is
pruned (the rarest tokens dropped, with a rising threshold, as in word2vec and gensim) whenever it
grows past that size.

Encoding turns a corpus into int32 id arrays, chunk by chunk; out-of-vocabulary tokens are
dropped.  The token-to-id lookup runs inside ``np.fromiter(map(...))``, in C, not in a Python loop.

Examples
--------
>>> vocab = Vocabulary.build(["the cat sat on the mat", "the dog sat"], min_count=1)
>>> vocab.tokens[:3], vocab.counts[:3].tolist()
(['the', 'sat', 'cat'], [3, 2, 1])
>>> vocab.encode("the dog ate the cat".split()).tolist()
[0, 3, 0, 2]
"""

from __future__ import annotations

import logging
import os
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from itertools import accumulate, repeat
from pathlib import Path

import numpy as np

from ._progress import progress
from .corpus import as_corpus
from .errors import CorpusError, ParameterError, UnknownWordError, check_positive

__all__ = ["Vocabulary", "EncodedCorpus", "load_stopwords", "cut"]

logger = logging.getLogger(__name__)


def _nothing_kept(name, min_count: int, n_raw: int, n_stopped: int) -> str:
    """Why a vocabulary came out empty, and what to change."""
    if n_stopped == n_raw:
        return (f"every token of corpus {name} is a stopword ({n_raw} tokens); use another "
                "stopword list or none")
    stopped = f", {n_stopped} of them stopwords" if n_stopped else ""
    return (f"no token of corpus {name} occurs {min_count} times or more (it has {n_raw} tokens"
            f"{stopped}); lower min_count")


def load_stopwords(stopwords) -> frozenset[str]:
    """A stopword set from ``None``, ``"english"`` (built in), a file path, or an iterable.

    >>> "the" in load_stopwords("english"), len(load_stopwords(None))
    (True, 0)
    """
    if stopwords is None or stopwords is False:
        return frozenset()
    if isinstance(stopwords, str | os.PathLike):
        if str(stopwords) == "english":
            text = (resources.files("wordspace") / "data" / "stopwords_en.txt").read_text("utf-8")
        else:
            path = Path(stopwords)
            if not path.is_file():
                raise ParameterError(f"stopwords must be 'english', a list or a file; "
                                     f"{path} does not exist")
            raw = path.read_bytes()
            if b"\x00" in raw[:8192]:
                raise ParameterError(f"stopwords file {path} looks like a binary file, not one "
                                     "word a line")
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise ParameterError(f"stopwords file {path} is not UTF-8 text (byte "
                                     f"{error.start}); expected one word a line") from None
        words = {w.strip().lower() for w in text.splitlines()
                 if w.strip() and not w.startswith("#")}
        return frozenset(words | {w.replace("'", "\u2019") for w in words if "'" in w})
    return frozenset(stopwords)


class _ProvisionalIds(dict):
    """token -> id in order of first sight; a new token gets the next id on lookup."""

    def __missing__(self, token):
        value = self[token] = len(self)
        return value


def cut(tokens: list[str], counts: np.ndarray, *, name, n_raw: int, stopwords=(),
        min_count: int = 1, max_size: int | None = None, keep_numbers: bool = True
        ) -> np.ndarray:
    """The vocabulary cut, the one place it is made: which of ``tokens`` stay, in id order.

    A token stays unless it is a stopword, a pure number (all digits, when not
    ``keep_numbers``) or seen fewer than ``min_count`` times; the survivors are ordered by count
    descending, ties alphabetical, and the first ``max_size`` kept.

    Parameters
    ----------
    tokens : list of str
        Distinct tokens in any order.
    counts : array of int
        Count of each token.
    name : str
        The corpus, for the error messages.
    n_raw : int
        Tokens read from the corpus, for the error messages.

    Returns
    -------
    array of int64
        Positions in ``tokens`` of the kept tokens, in id order.

    Raises
    ------
    CorpusError
        If the corpus had no tokens or nothing survives.

    >>> cut(["b", "a", "the", "7", "c"], np.array([3, 3, 9, 5, 1]), name="x", n_raw=21,
    ...     stopwords={"the"}, min_count=2, keep_numbers=False).tolist()
    [1, 0]
    """
    if n_raw == 0:
        raise CorpusError(f"corpus {name} contains no tokens")
    counts = np.asarray(counts, dtype=np.int64)
    keep = counts >= min_count
    candidates = np.flatnonzero(keep)
    dropped = np.zeros(len(tokens), dtype=bool)
    if stopwords:
        dropped[[i for i in candidates if tokens[i] in stopwords]] = True
    if not keep_numbers:
        dropped[[i for i in candidates if tokens[i].isdigit()]] = True
    keep &= ~dropped
    kept = np.flatnonzero(keep)
    if len(kept) == 0:
        n_stopped = int(sum(int(c) for t, c in zip(tokens, counts, strict=True)
                            if t in stopwords)) if stopwords else 0
        raise CorpusError(_nothing_kept(name, min_count, n_raw, n_stopped))
    kept_tokens = np.array([tokens[i] for i in kept], dtype=object)
    order = np.lexsort((kept_tokens, -counts[kept]))   # count descending, then token
    if max_size is not None:
        order = order[:max_size]
    return kept[order]


def _select(counter: dict, name: str, n_raw: int, stop, min_count: int,
            max_size: int | None, keep_numbers: bool = True) -> list[tuple[str, int]]:
    """The kept ``(token, count)`` pairs of a counter, by count descending then token (see
    :func:`cut`)."""
    if n_raw == 0:
        raise CorpusError(f"corpus {name} contains no tokens")
    tokens = list(counter)
    counts = np.fromiter(counter.values(), dtype=np.int64, count=len(tokens))
    kept = cut(tokens, counts, name=name, n_raw=n_raw, stopwords=stop, min_count=min_count,
               max_size=max_size, keep_numbers=keep_numbers)
    return [(tokens[i], int(counts[i])) for i in kept]


def _pack(tokens: list[str]) -> tuple[str, list[int]]:
    """The tokens as one string and the end of each in it (see :func:`_unpack`).

    Counting leaves the few tokens that are kept scattered among the millions of small objects
    made while reading, in the allocator's 1 MB arenas; an arena goes back to the system only
    when all of it is free, so 76k kept tokens of big.txt held 56 arenas (59 MB, 19 MB of it in
    use).  Packed into one string, the originals can be freed with everything else, and
    :func:`_unpack` makes new ones, side by side in few arenas.

    >>> _unpack(*_pack(["a", "", "bc"]))
    ['a', '', 'bc']
    """
    ends = list(accumulate(map(len, tokens)))
    return "".join(tokens), ends


def _unpack(text: str, ends: list[int]) -> list[str]:
    """The tokens packed by :func:`_pack`: new string objects."""
    return [text[start:end] for start, end in zip([0, *ends], ends, strict=False)]


def _prune(counter: Counter, keep: int, stop) -> Counter:
    """The ``keep`` most frequent tokens of ``counter`` that are not stopwords (ties by token).

    >>> _prune(Counter("aaabbc"), 2, frozenset()) == Counter("aaabb")
    True
    """
    for word in stop:
        counter.pop(word, None)
    if len(counter) <= keep:
        return counter
    tokens = list(counter)
    counts = np.fromiter(counter.values(), np.int64, len(tokens))
    # the keep-th largest count; everything above it stays, ties at it go alphabetically
    threshold = np.partition(counts, len(counts) - keep)[len(counts) - keep]
    above = [tokens[i] for i in np.flatnonzero(counts > threshold)]
    at = sorted(tokens[i] for i in np.flatnonzero(counts == threshold))
    return Counter({t: counter[t] for t in above + at[:keep - len(above)]})


@dataclass
class EncodedCorpus:
    """A corpus as one int32 id array plus document boundaries.

    Document ``i`` is ``ids[offsets[i]:offsets[i + 1]]``.  ``ids`` may be a memory map of a cache
    file, so a corpus larger than memory can be walked epoch after epoch without re-reading text.
    """

    ids: np.ndarray
    offsets: np.ndarray
    n_raw_tokens: int = 0

    @property
    def n_documents(self) -> int:
        return len(self.offsets) - 1

    def __len__(self) -> int:
        return len(self.ids)

    def document(self, i: int) -> np.ndarray:
        return self.ids[self.offsets[i]:self.offsets[i + 1]]


class Vocabulary:
    """Tokens with their counts, ids ordered by frequency.

    Parameters
    ----------
    tokens : sequence of str
        Tokens, id order.
    counts : array of int, optional
        Count of each token (defaults to all ones).
    n_raw_tokens : int
        Tokens read from the corpus, in or out of the vocabulary.
    surface_forms : sequence of str, optional
        For a vocabulary of stems: the most frequent surface form of each, what
        :attr:`labels` shows.
    """

    def __init__(self, tokens: Iterable[str], counts=None, n_raw_tokens: int = 0,
                 n_documents: int = 0, surface_forms=None):
        self.tokens = list(tokens)
        self.surface_forms = None if surface_forms is None else list(surface_forms)
        if self.surface_forms is not None and len(self.surface_forms) != len(self.tokens):
            raise ParameterError("tokens and surface forms differ in length")
        self.counts = (np.ones(len(self.tokens), np.int64) if counts is None
                       else np.asarray(counts, dtype=np.int64))
        if len(self.counts) != len(self.tokens):
            raise ParameterError("tokens and counts differ in length")
        self.index = {token: i for i, token in enumerate(self.tokens)}
        if len(self.index) != len(self.tokens):
            raise ParameterError("vocabulary tokens are not unique")
        self.n_raw_tokens = int(n_raw_tokens)
        self.n_documents = int(n_documents)

    # -- building -----------------------------------------------------------------------------
    @classmethod
    def build(cls, corpus, min_count: int = 1, max_size: int | None = None,
              max_vocab_size: int | None = None, stopwords=None) -> Vocabulary:
        """Count the tokens of ``corpus`` in one pass and keep the frequent ones.

        Parameters
        ----------
        corpus : anything :class:`~wordspace.corpus.Corpus` accepts
        min_count : int
            Drop tokens seen fewer times.
        max_size : int, optional
            Keep at most this many tokens (the most frequent).
        max_vocab_size : int, optional
            Memory bound while counting, and a cap on the vocabulary: the counter never holds
            more than ``2 * max_vocab_size`` distinct tokens (when it reaches that, it keeps the
            ``max_vocab_size`` most frequent so far), and the vocabulary keeps at most
            ``max_vocab_size`` tokens.  So it comes out with exactly ``max_vocab_size`` tokens
            whenever the corpus has that many above ``min_count`` (the pruning of the C tool and
            gensim drops every token under a rising count instead, and ends with far fewer:
            gensim #2131, #3500).  Counts of tokens once pruned may be underestimates.
        stopwords : None, "english", path or iterable
            Tokens to leave out of the vocabulary.

        Raises
        ------
        CorpusError
            If the corpus holds no tokens at all, or none survive ``min_count``.
        """
        check_positive("min_count", min_count, integer=True)
        if max_size is not None:
            check_positive("max_size", max_size, integer=True)
        if max_vocab_size is not None:
            check_positive("max_vocab_size", max_vocab_size, integer=True)
        corpus = as_corpus(corpus)
        stop = load_stopwords(stopwords)
        counter: Counter = Counter()
        n_raw = n_docs = 0
        capacity = None if max_vocab_size is None else 2 * max_vocab_size
        bar = progress(desc="counting tokens", unit=" tokens", unit_scale=True)
        tokens: list[str] = []
        for tokens in corpus.documents():
            counter.update(tokens)
            n_raw += len(tokens)
            n_docs += 1
            if n_docs % 1024 == 0:
                bar.update(n_raw - bar.n)
            if capacity is not None and len(counter) > capacity:
                counter = _prune(counter, max_vocab_size, stop)
        bar.update(n_raw - bar.n)
        bar.close()
        if max_vocab_size is not None:
            max_size = min(max_size or max_vocab_size, max_vocab_size)
        items = _select(counter, corpus.name, n_raw, stop, min_count, max_size)
        packed = _pack([t for t, _ in items])
        counts = np.fromiter((c for _, c in items), dtype=np.int64, count=len(items))
        n_distinct = len(counter)
        del counter, items, tokens   # every distinct token: freed before the kept ones are made
        logger.info("vocabulary: %d tokens kept of %d distinct, %d tokens in %d documents",
                    len(counts), n_distinct, n_raw, n_docs)
        return cls(_unpack(*packed), counts, n_raw_tokens=n_raw, n_documents=n_docs)

    @classmethod
    def build_encoded(cls, corpus, min_count: int = 1, max_size: int | None = None,
                      stopwords=None, path=None,
                      chunk_tokens: int = 1 << 20) -> tuple[Vocabulary, EncodedCorpus]:
        """Count and encode in ONE pass over the text: ``(vocabulary, encoded corpus)``.

        The same result as :meth:`build` followed by :meth:`encode_corpus`, for half the reading
        and tokenising.  While counting, every unit is encoded with provisional ids (order of first
        appearance); once the counts are known, one vectorised remapping turns them into final ids
        and drops the tokens left out of the vocabulary.  With ``path`` the provisional and final
        ids are streamed to files (``path`` and ``path + ".tmp"``) and the result is memory-mapped.
        Counter pruning (``max_vocab_size``) is not available here: it would lose provisional ids.

        >>> vocab, encoded = Vocabulary.build_encoded(["b a c a", "c a d"], min_count=2)
        >>> vocab.tokens, encoded.ids.tolist(), encoded.offsets.tolist()
        (['a', 'c'], [0, 1, 0, 1, 0], [0, 3, 5])
        """
        check_positive("min_count", min_count, integer=True)
        if max_size is not None:
            check_positive("max_size", max_size, integer=True)
        corpus = as_corpus(corpus)
        stop = load_stopwords(stopwords)
        table = _ProvisionalIds()
        lookup = table.__getitem__
        counts = np.zeros(0, np.int64)
        lengths = array("q")   # 8 bytes a document (a list of ints takes 36)
        buffer: list[str] = []
        pieces: list[np.ndarray] = []
        provisional_path = None if path is None else str(path) + ".tmp"
        handle = open(provisional_path, "wb") if provisional_path else None
        bar = progress(desc="counting and encoding", unit=" tokens", unit_scale=True)

        def flush():
            nonlocal counts
            ids = np.fromiter(map(lookup, buffer), dtype=np.int32, count=len(buffer))
            chunk_counts = np.bincount(ids, minlength=len(table))
            chunk_counts[:len(counts)] += counts
            counts = chunk_counts
            if handle is not None:
                handle.write(ids.tobytes())
            else:
                pieces.append(ids)
            bar.update(len(buffer))
            buffer.clear()

        tokens: list[str] = []
        try:
            for tokens in corpus:
                buffer.extend(tokens)
                lengths.append(len(tokens))
                if len(buffer) >= chunk_tokens:
                    flush()
            if buffer:
                flush()
        finally:
            bar.close()
            if handle is not None:
                handle.close()
        lengths = np.frombuffer(lengths, np.int64) if len(lengths) else np.zeros(0, np.int64)
        n_raw = int(lengths.sum())
        # only the tokens frequent enough become a counter (not a copy of the whole table)
        frequent = np.flatnonzero(counts >= min_count)
        distinct = list(table)
        items = _select({distinct[i]: c for i, c in zip(frequent.tolist(),
                                                         counts[frequent].tolist(), strict=True)},
                        corpus.name, n_raw, stop, min_count, max_size)
        remap = np.full(len(table), -1, np.int32)
        remap[np.fromiter((lookup(t) for t, _ in items), np.int64, len(items))] = \
            np.arange(len(items), dtype=np.int32)
        packed = _pack([t for t, _ in items])
        kept_counts = [c for _, c in items]
        n_distinct = len(table)
        del distinct, items, tokens
        table.clear()   # the largest object left: every distinct token of the corpus
        vocab = cls(_unpack(*packed), kept_counts, n_raw_tokens=n_raw, n_documents=len(lengths))
        del packed
        raw_offsets = np.zeros(len(lengths) + 1, np.int64)
        np.cumsum(lengths, out=raw_offsets[1:])
        del lengths
        if handle is not None:
            # read back in small pieces (a map would keep every page resident until unmapped)
            provisional = open(provisional_path, "rb")
            step = 1 << 20
            chunks = (np.fromfile(provisional, np.int32, min(step, n_raw - start))
                      for start in range(0, n_raw, step))
            out = open(path, "wb")
        else:
            pieces.reverse()  # popped in order, so each provisional chunk is freed once mapped
            chunks = (pieces.pop() for _ in range(len(pieces)))
            ids = np.empty(int(vocab.counts.sum()), np.int32)
            out = None
        offsets = np.zeros(len(raw_offsets), np.int64)
        n_ids = start = 0
        try:
            for chunk in chunks:
                mapped = remap[chunk]
                known = mapped >= 0
                # offsets of the unit boundaries that fall inside this chunk
                lo, hi = np.searchsorted(raw_offsets, [start + 1, start + len(mapped) + 1])
                kept = np.cumsum(known, dtype=np.int64 if len(known) >> 31 else np.int32)
                offsets[lo:hi] = kept[raw_offsets[lo:hi] - start - 1]   # int64 from here on
                offsets[lo:hi] += n_ids
                if out is not None:
                    mapped[known].tofile(out)
                else:
                    ids[n_ids:n_ids + int(kept[-1])] = mapped[known]
                n_ids += int(kept[-1])
                start += len(mapped)
        finally:
            if out is not None:
                out.close()
                provisional.close()
        if out is not None:
            del chunks
            os.unlink(provisional_path)
            ids = (np.memmap(path, dtype=np.int32, mode="r", shape=(n_ids,)) if n_ids
                   else np.zeros(0, np.int32))
        logger.info("vocabulary: %d tokens kept of %d distinct; %d of %d tokens encoded",
                    len(vocab), n_distinct, len(ids), n_raw)
        return vocab, EncodedCorpus(ids, offsets, n_raw_tokens=n_raw)

    # -- lookup -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token) -> bool:
        return token in self.index

    def __getitem__(self, token: str) -> int:
        try:
            return self.index[token]
        except KeyError:
            raise UnknownWordError(token, self.tokens) from None

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} tokens, {int(self.counts.sum())} occurrences)"

    @property
    def labels(self) -> list[str]:
        """The tokens as shown to people: the surface forms of stems, else the tokens."""
        return self.tokens if self.surface_forms is None else self.surface_forms

    @property
    def total(self) -> int:
        """Occurrences of in-vocabulary tokens."""
        return int(self.counts.sum())

    @property
    def frequencies(self) -> np.ndarray:
        """Relative frequency of each token among in-vocabulary occurrences."""
        return self.counts / max(self.total, 1)

    def coverage(self) -> float:
        """Share of the corpus tokens that are in the vocabulary."""
        return self.total / self.n_raw_tokens if self.n_raw_tokens else float("nan")

    # -- sampling tables (the alias table and the Huffman tree: _vocab_kernels) ---------------
    def keep_probabilities(self, sample: float) -> np.ndarray:
        """Probability of keeping each token under word2vec's subsampling of frequent tokens.

        With ``t = sample * total``, a token of count ``c`` is kept with probability
        ``min(1, (sqrt(c / t) + 1) * t / c)`` -- the C tool's and gensim's formula.  ``sample=0``
        keeps everything.

        >>> [round(float(p), 4) for p in Vocabulary(["a", "b"], [1000, 1]).keep_probabilities(1e-3)]
        [0.0326, 1.0]
        """
        if sample < 0:
            raise ParameterError(f"sample must be >= 0, got {sample}")
        counts = self.counts.astype(np.float64)
        if sample == 0 or len(counts) == 0:
            return np.ones(len(counts), np.float32)
        threshold = sample * counts.sum()
        keep = (np.sqrt(counts / threshold) + 1.0) * threshold / np.maximum(counts, 1)
        return np.minimum(keep, 1.0).astype(np.float32)

    def noise_distribution(self, exponent: float = 0.75) -> np.ndarray:
        """The negative-sampling distribution: counts**exponent, normalised (float64)."""
        weights = self.counts.astype(np.float64) ** exponent
        return weights / weights.sum()

    # -- encoding -----------------------------------------------------------------------------
    def encode(self, tokens: Iterable[str], oov: int | None = None) -> np.ndarray:
        """Ids of ``tokens`` as int32; unknown tokens dropped (or replaced by ``oov``)."""
        if not isinstance(tokens, list | tuple):
            tokens = list(tokens)
        ids = np.fromiter(map(self.index.get, tokens, repeat(-1)), dtype=np.int32,
                          count=len(tokens))
        if oov is None:
            return ids[ids >= 0]
        ids[ids < 0] = oov
        return ids

    def encode_chunks(self, corpus, chunk_tokens: int = 1 << 20) -> Iterator[EncodedCorpus]:
        """Encode ``corpus`` unit by unit, yielding chunks of about ``chunk_tokens`` raw tokens.

        Each chunk is an :class:`EncodedCorpus` whose documents are the corpus's units (documents,
        paragraphs or windows, as the corpus's granularity says).  A unit whose tokens are all
        out of vocabulary stays, empty, so units keep their positions.
        """
        corpus = as_corpus(corpus)
        get = self.index.get
        bar = progress(desc="encoding", unit=" tokens", unit_scale=True)
        buffer: list[str] = []
        lengths: list[int] = []
        for tokens in corpus:
            buffer.extend(tokens)
            lengths.append(len(tokens))
            if len(buffer) >= chunk_tokens:
                bar.update(len(buffer))
                yield self._encode_buffer(buffer, lengths, get)
                buffer, lengths = [], []
        if lengths:
            bar.update(len(buffer))
            yield self._encode_buffer(buffer, lengths, get)
        bar.close()

    @staticmethod
    def _encode_buffer(buffer: list[str], lengths: list[int], get) -> EncodedCorpus:
        raw = np.fromiter(map(get, buffer, repeat(-1)), dtype=np.int32, count=len(buffer))
        known = raw >= 0
        raw_offsets = np.zeros(len(lengths) + 1, np.int64)
        np.cumsum(lengths, out=raw_offsets[1:])
        kept_before = np.zeros(len(raw) + 1, np.int64)
        np.cumsum(known, out=kept_before[1:])
        return EncodedCorpus(raw[known], kept_before[raw_offsets], n_raw_tokens=len(buffer))

    def encode_corpus(self, corpus, path=None, chunk_tokens: int = 1 << 20) -> EncodedCorpus:
        """Encode the whole corpus into one :class:`EncodedCorpus`.

        With ``path``, ids are streamed to that file (raw int32) and memory-mapped back, so memory
        holds only one chunk at a time; the document offsets stay in memory.
        """
        offsets = [np.zeros(1, np.int64)]
        pieces: list[np.ndarray] = []
        n_ids = n_raw = 0
        handle = open(path, "wb") if path is not None else None
        try:
            for chunk in self.encode_chunks(corpus, chunk_tokens):
                offsets.append(chunk.offsets[1:] + n_ids)
                n_ids += len(chunk.ids)
                n_raw += chunk.n_raw_tokens
                if handle is not None:
                    handle.write(chunk.ids.tobytes())
                else:
                    pieces.append(chunk.ids)
        finally:
            if handle is not None:
                handle.close()
        if handle is not None:
            ids = (np.memmap(path, dtype=np.int32, mode="r", shape=(n_ids,)) if n_ids
                   else np.zeros(0, np.int32))
        else:
            ids = np.concatenate(pieces) if pieces else np.zeros(0, np.int32)
        return EncodedCorpus(ids, np.concatenate(offsets), n_raw_tokens=n_raw)
