"""word2vec: word vectors learned by predicting a masked token from its context.

A window of ``2k + 1`` tokens slides over each document; the centre token is masked and predicted
from the others.  **CBOW** averages (or sums) the context's input vectors into one hidden vector
and scores every candidate centre against it; **skip-gram** lets each context word predict the
centre on its own.  The prediction is trained with **negative sampling** (the true centre against
``negative`` noise tokens drawn from the unigram^0.75 distribution), **hierarchical softmax**
(binary decisions along the centre's path in a Huffman tree), or the exact softmax.  Which
combinations of settings exist, and which kernel trains each, is one table: :data:`MODES`.

The corpus is read once, counted and encoded into one ``int32`` array; every epoch after that is
a pure array walk in Numba kernels (:mod:`wordspace.models._w2v_kernels`).  Threads take
blocks of about 16k tokens in corpus order from one shared counter and update the shared matrices
without locks (Hogwild, as the C tool does), except the few hundred most written rows, of which
each thread keeps its own copy and merges it every 2,048 kept tokens.  Subsampling and window
shrinking are decided per block before any arithmetic.

Examples
--------
>>> docs = ["the cat sat on the mat", "the dog sat on the rug"] * 50
>>> model = Word2Vec(vector_size=8, window=2, min_count=1, epochs=2, workers=1).fit(docs)
>>> model.input_vectors_.shape, model.input_vectors_.dtype
((7, 8), dtype('float32'))
>>> len(model.loss_history_)
2
>>> model.wv.most_similar("cat", topn=1)[0][0] in model.vocabulary_
True
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from .. import _store
from .._mapped import (
    MEMMAP_FRACTION,
    available_memory,
    is_mapped,
    release,
    release_library,
    trim_heap,
)
from .._progress import progress
from ..corpus import as_corpus
from ..errors import (
    CorpusError,
    ModelFormatError,
    ParameterError,
    TrainingError,
    check_choice,
    check_positive,
)
from ..vocab import EncodedCorpus, Vocabulary
from ._base import WordspaceEstimator, _checkpoint_interval

__all__ = ["Word2Vec"]

logger = logging.getLogger(__name__)

ARCHITECTURES = ("cbow", "skipgram")
LOSSES = ("negative", "hierarchical", "softmax")
#: learning rate by architecture when ``alpha=None`` (measured: README, "Defaults")
DEFAULT_ALPHA = {"cbow": 0.05, "skipgram": 0.025}
#: longest run of tokens a window can see: longer documents are cut into segments this long
#: (gensim and the C tool cut at 10,000 and 1,000 tokens)
MAX_SEGMENT = 10_000
#: tokens per kernel call; the learning rate and the progress bar advance between calls
BLOCK_TOKENS = 16_384
#: rows of each matrix that every thread keeps a private copy of when several threads train
#: (the most frequent words', or the tree nodes nearest the root) ...
HOT_ROWS = 256
#: ... merged with the shared rows every this many kept tokens
SYNC_TOKENS = 2048
#: ... and at most one hot row per this many words of the vocabulary
VOCAB_PER_HOT_ROW = 64
#: the encoded corpus goes to a memory-mapped temporary file when it would take more than this
#: many bytes or than _mapped.MEMMAP_FRACTION of the available memory (always when
#: ``cache_dir`` is given): training reads it as fast (big.txt, CBOW, 2 workers, quiet, the
#: second of two alternations: 4.66M words/s mapped, 4.65M in memory) and the resident set
#: stays flat in the corpus size (1x big.txt: 238 MB instead of 341)
CORPUS_IN_MEMORY_BYTES = 64 << 20
#: pages of a memory-mapped corpus further than this many bytes behind the block being trained
#: are dropped from the process's resident set (they stay in the page cache; 32 MB kept 60 MB of
#: the corpus resident on 2 threads)
RESIDENT_BYTES = 1 << 20
#: documents per slice when the segments are computed
_SEGMENT_SLICE = 1 << 16
#: bytes of int32 ids per byte of text (23.1M tokens in big.txt's 124.6 MB) and per byte of
#: gzip-compressed text (a ratio of about 2.8 on English)
_IDS_PER_TEXT_BYTE = 0.75
_GZIP_RATIO = 2.8


def _encoded_bytes_estimate(corpus) -> int:
    """About how many bytes the encoded corpus will take (0 for text already in memory)."""
    total = 0.0
    for path in getattr(corpus, "_files", None) or ():
        try:
            size = os.path.getsize(path)
        except OSError:
            continue
        total += size * (_GZIP_RATIO if str(path).endswith((".gz", ".bz2", ".xz")) else 1.0)
    return int(total * _IDS_PER_TEXT_BYTE)


def _releasing(run, ids: np.ndarray):
    """``run`` (a block runner), dropping the pages of a memory-mapped ``ids`` that lie more
    than :data:`RESIDENT_BYTES` behind each block from the resident set, so the process's memory
    stays flat however large the corpus.  Other threads' older blocks may still be read: a
    dropped page is read back from the page cache, so this is always safe.
    """
    if not is_mapped(ids):
        return run
    keep = RESIDENT_BYTES // ids.itemsize
    released = [0]                       # items of ids before this are already released

    def run_releasing(state, ids, seg_offsets, s0, s1, alpha):
        result = run(state, ids, seg_offsets, s0, s1, alpha)
        behind = int(seg_offsets[s0]) - keep
        if behind < released[0]:  # a new epoch
            released[0] = 0
        if behind - released[0] >= keep:
            release(ids, released[0], behind)
            released[0] = behind
        return result

    return run_releasing


#: CBOW with shared negatives: kept centres that share one draw of negatives ...
NEGATIVE_GROUP = 8
#: ... this many kept centres apart, so that their windows do not overlap (1: consecutive
#: centres, whose hidden vectors are alike: on big.txt, 2 threads, 8 consecutive centres per
#: draw lost 0.028 analogies against the exact mode, 8 centres 16 apart 0.005; README)
NEGATIVE_SPACING = 16
#: version of the parameters in a saved model or checkpoint: 2 since ``shared_negatives=None``
#: (each architecture's own) became the default and ``True`` turned on CBOW's shared mode.  In a
#: file without it CBOW ignored ``shared_negatives``, so a CBOW model saved with ``True`` (the
#: default then) was trained, and goes on training, with the exact mode
PARAMS_VERSION = 2
#: a mean loss per prediction above this means training diverged (a healthy model's is a few nats:
#: the sigmoid saturates at a score of 6)
DIVERGED_LOSS = 100.0


def _mode_table() -> dict:
    """(architecture, loss, masks > 1, tied, shared_negatives) -> kernel of ``_w2v_kernels``.

    Every supported combination, and only those: ``Word2Vec`` refuses any other key.
    ``shared_negatives`` only matters for negative sampling with one mask (skip-gram: the
    centre's context words share a draw; CBOW: :data:`NEGATIVE_GROUP` centres
    :data:`NEGATIVE_SPACING` apart do); the output vectors of
    hierarchical softmax are tree nodes, so it cannot be tied; skip-gram predicts one token (the
    centre) from each context word, so it has one mask.
    """
    table = {}
    for tied in (False, True):
        for shared in (False, True):
            for multi in (False, True):
                table["cbow", "negative", multi, tied, shared] = "cbow_block" if multi else \
                    "cbow_shared_negative_block" if shared else "cbow_negative_block"
                table["cbow", "softmax", multi, tied, shared] = "cbow_block"
                if not tied:
                    table["cbow", "hierarchical", multi, tied, shared] = "cbow_block"
            table["skipgram", "negative", False, tied, shared] = \
                "skipgram_shared_block" if shared else "skipgram_block"
            table["skipgram", "softmax", False, tied, shared] = "skipgram_block"
            if not tied:
                table["skipgram", "hierarchical", False, tied, shared] = "skipgram_block"
    return table


#: every supported mode -> the name of its kernel in ``_w2v_kernels``
MODES = _mode_table()


def _segments(offsets: np.ndarray, max_len: int = MAX_SEGMENT) -> np.ndarray:
    """Segment offsets: documents, with empty ones dropped and long ones cut into pieces.

    Computed in slices of :data:`_SEGMENT_SLICE` documents into one preallocated array, so the
    temporaries stay small however many documents the corpus has (whole-corpus temporaries
    took 50 MB on 1M documents, kept by the allocator afterwards).
    """
    offsets = np.asarray(offsets, np.int64)
    n_docs = len(offsets) - 1
    if n_docs <= 0:
        return np.zeros(1, np.int64)
    pieces = np.empty(n_docs, np.int64)          # segments per document (0 when empty)
    for a in range(0, n_docs, _SEGMENT_SLICE):
        b = min(n_docs, a + _SEGMENT_SLICE)
        np.subtract(offsets[a + 1:b + 1], offsets[a:b], out=pieces[a:b])
        pieces[a:b] += max_len - 1
        pieces[a:b] //= max_len
    n_seg = int(pieces.sum())
    if not n_seg:
        return np.zeros(1, np.int64)
    seg = np.empty(n_seg + 1, np.int64)
    seg[-1] = offsets[-1]
    at = 0
    for a in range(0, n_docs, _SEGMENT_SLICE):
        b = min(n_docs, a + _SEGMENT_SLICE)
        counts = pieces[a:b]
        k = int(counts.sum())
        if k == b - a:                           # no empty document and no long one here
            seg[at:at + k] = offsets[a:b]
        elif k:
            within = np.arange(k, dtype=np.int64)
            within -= np.repeat(np.cumsum(counts) - counts, counts)
            within *= max_len
            within += np.repeat(offsets[a:b], counts)
            seg[at:at + k] = within
        at += k
    return seg


def _blocks(seg_offsets: np.ndarray, block_tokens: int) -> np.ndarray:
    """Indices into the segments where blocks of about ``block_tokens`` tokens begin (and end)."""
    n_seg = len(seg_offsets) - 1
    if n_seg <= 0:
        return np.zeros(1, np.int64)
    total = seg_offsets[-1] - seg_offsets[0]
    marks = seg_offsets[0] + np.arange(0, total, block_tokens, dtype=np.int64)
    edges = np.searchsorted(seg_offsets[:-1], marks, side="left")
    return np.unique(np.concatenate([[0], edges, [n_seg]])).astype(np.int64)


def _remove(path) -> None:
    """Remove a cache file and its provisional twin (a map of it stays valid on POSIX)."""
    if path is None:
        return
    for name in (path, path + ".tmp"):
        try:
            os.unlink(name)
        except FileNotFoundError:
            pass
        except OSError:  # pragma: no cover -- Windows keeps mapped files
            logger.warning("could not remove the cache file %s", name)


def _all_finite(matrix: np.ndarray) -> bool:
    """Whether every entry of a float32 ``matrix`` is finite, without a temporary of its size.

    The float64 sum is finite exactly when every entry is (a float32 is below 3.5e38, so no sum
    of fewer than 1e270 of them overflows), and numpy sums through small buffers, where
    ``np.isfinite(matrix).all()`` made a boolean copy of each matrix (7.6 MB on big.txt).

    >>> _all_finite(np.ones((3, 2), np.float32)), _all_finite(np.array([1, np.nan], np.float32))
    (True, False)
    """
    return bool(np.isfinite(np.sum(matrix, dtype=np.float64)))


def _private(shape, dtype) -> np.ndarray:
    """A zeroed work buffer for one thread, padded by 128 bytes on each side.

    Small buffers of two threads allocated one after the other would otherwise share cache
    lines, and every write of one thread (the random state is written at every draw) would
    evict the line from the other core: false sharing, which halved CBOW's speed on 2 threads.
    """
    dtype = np.dtype(dtype)
    pad = -(-128 // dtype.itemsize)
    size = int(np.prod(shape))
    return np.zeros(size + 2 * pad, dtype)[pad:pad + size].reshape(shape)


class Word2Vec(WordspaceEstimator):
    """Word embeddings by masked-token prediction: CBOW or skip-gram (Mikolov et al. 2013).

    Parameters
    ----------
    vector_size : int
        Dimension of the vectors.
    window : int
        Context radius ``k``: tokens ``i-k .. i+k`` except ``i`` (never across documents).
    architecture : {"cbow", "skipgram"}
        CBOW: the context's mean (or sum) predicts the centre.  Skip-gram: each context word
        predicts the centre (the C tool's and gensim's pairing).
    loss : {"negative", "hierarchical", "softmax"}
        Negative sampling, hierarchical softmax over a Huffman tree, or the exact softmax.
    negative : int
        Noise tokens per prediction (negative sampling).
    ns_exponent : float
        Exponent of the unigram noise distribution.
    sample : float
        Subsampling threshold of frequent tokens (0 keeps all).
    min_count : int
        Drop tokens seen fewer times.
    max_vocab_size : int, optional
        Memory bound while counting (see :meth:`Vocabulary.build`).
    epochs : int
        Passes over the corpus.
    alpha : float, optional
        Initial learning rate (default: 0.05 for CBOW, 0.025 for skip-gram, chosen by
        measurement: see the README's "Defaults").
    min_alpha : float
        The learning rate decays linearly from ``alpha`` to ``min_alpha`` over all tokens of all
        epochs.
    cbow_mean : bool
        CBOW hidden vector = mean of the context vectors (else their sum).
    tied : bool
        One matrix both embeds the context and scores the prediction (output vectors = input
        vectors, initialised small and random); negative sampling only, as the inner nodes of
        a Huffman tree are not words.  ``False`` is Mikolov's model: separate output vectors
        initialised to zero.
    masks : int
        Masked tokens per window (1: the classic model).
    shared_negatives : bool, optional
        Negative sampling with one mask: share draws of negatives.  ``None`` (the default) is
        each architecture's own choice: ``True`` for skip-gram, ``False`` for CBOW.
        Skip-gram: all context words of one centre share one draw of negatives, so each step
        is a small dense matrix product (HogBatch, Ji et al. 2016).  On the 23M-token
        benchmark corpus it trains 2.4x faster than the exact mode with the same or better
        scores (analogies 0.414 vs 0.423, WordSim-353 0.598 vs 0.576, SimLex 0.333 vs 0.327);
        ``False`` draws negatives per pair exactly as gensim does.  CBOW: ``True`` lets
        :data:`NEGATIVE_GROUP` (8) kept centres, :data:`NEGATIVE_SPACING` (16) centres apart,
        share one draw, so the negatives' rows stay in cache between them: faster (most on
        several threads), slightly lower scores (README, "CBOW with shared negatives");
        ``False`` draws per centre as gensim does.  Models saved before this option applied
        to CBOW keep their exact mode when loaded.
    workers : int, optional
        Training threads (default: the number of CPU cores).
    seed : int
        Seed of the initial vectors and of every random draw; with ``workers=1`` training is
        bit-for-bit repeatable.
    shrink_windows : bool
        Draw each position's radius uniformly in ``1..window`` (as the C tool does).
    cache_dir : path, optional
        Folder for a temporary memory-mapped copy of the encoded corpus (always used when
        given).  Without it, the system's temporary folder is used when the encoded corpus would
        take more than :data:`CORPUS_IN_MEMORY_BYTES` (64 MB, 16M tokens) or
        :data:`wordspace._mapped.MEMMAP_FRACTION` of the available memory.  The
        file is removed as soon as it is mapped (even if training fails), and pages behind the
        training position leave the resident set, so memory stays flat in the corpus size.
    callbacks : sequence of callables, optional
        Each is called as ``callback(model, epoch)`` after every epoch.
    checkpoint : path, optional
        File to which training writes a resumable checkpoint (atomically, the previous one is
        replaced whole): the vectors, the position in the corpus, the random states, the
        learning-rate schedule and the loss so far.  :meth:`resume` continues from it; with
        ``workers=1`` the result is bit-identical to an uninterrupted run.
    checkpoint_every : int or str, optional
        How often: a number of corpus tokens (``50_000_000``), or a duration ``"90s"``,
        ``"10m"``, ``"1h"`` (default ``"10m"``).  Threads meet at a checkpoint, so each costs
        the wait for the slowest block plus writing the vectors.

    Attributes
    ----------
    vocabulary_ : Vocabulary
    input_vectors_ : ndarray of shape (n_tokens, vector_size), float32
        The word vectors (``syn0``).
    output_vectors_ : ndarray, float32
        Output vectors (``syn1neg``: one per token; ``syn1``: one per inner tree node), the very
        same array as ``input_vectors_`` when ``tied``.
    loss_history_ : list of float
        Mean loss per prediction of each epoch (negative log-likelihood of the objective being
        optimised), summed in float64, so it does not depend on the number of workers.
    epochs_trained_ : int
    words_per_second_ : float
        Corpus tokens per second of the last training run.

    References
    ----------
    Mikolov et al., "Efficient Estimation of Word Representations in Vector Space" (2013);
    "Distributed Representations of Words and Phrases and their Compositionality" (2013).
    Ji et al., "Parallelizing Word2Vec in Shared and Distributed Memory" (2016).
    """

    def __init__(self, vector_size: int = 100, window: int = 5, architecture: str = "cbow",
                 loss: str = "negative", negative: int = 5, ns_exponent: float = 0.75,
                 sample: float = 1e-3, min_count: int = 5, max_vocab_size: int | None = None,
                 epochs: int = 5, alpha: float | None = None, min_alpha: float = 0.0001,
                 cbow_mean: bool = True, tied: bool = False, masks: int = 1,
                 shared_negatives: bool | None = None, workers: int | None = None, seed: int = 1,
                 shrink_windows: bool = True, cache_dir=None, callbacks=(), checkpoint=None,
                 checkpoint_every=None):
        self.vector_size = vector_size
        self.window = window
        self.architecture = architecture
        self.loss = loss
        self.negative = negative
        self.ns_exponent = ns_exponent
        self.sample = sample
        self.min_count = min_count
        self.max_vocab_size = max_vocab_size
        self.epochs = epochs
        self.alpha = alpha
        self.min_alpha = min_alpha
        self.cbow_mean = cbow_mean
        self.tied = tied
        self.masks = masks
        self.shared_negatives = shared_negatives
        self.workers = workers
        self.seed = seed
        self.shrink_windows = shrink_windows
        self.cache_dir = cache_dir
        self.callbacks = callbacks
        self.checkpoint = checkpoint
        self.checkpoint_every = checkpoint_every

    # -- scikit-learn plumbing: get_params, set_params, clone and repr from BaseEstimator -------
    _fitted_attributes = ("vocabulary_", "input_vectors_", "epochs_trained_")

    def _validate(self) -> None:
        check_positive("vector_size", self.vector_size, integer=True)
        check_positive("window", self.window, integer=True)
        check_choice("architecture", self.architecture, ARCHITECTURES)
        check_choice("loss", self.loss, LOSSES)
        check_positive("negative", self.negative, integer=True,
                       allow_zero=self.loss != "negative")
        if not isinstance(self.ns_exponent, int | float) or isinstance(self.ns_exponent, bool) \
                or not np.isfinite(self.ns_exponent):
            raise ParameterError(f"ns_exponent must be a finite number, got {self.ns_exponent!r}")
        check_positive("sample", self.sample, allow_zero=True)
        check_positive("min_count", self.min_count, integer=True)
        if self.max_vocab_size is not None:
            check_positive("max_vocab_size", self.max_vocab_size, integer=True)
        check_positive("epochs", self.epochs, integer=True)
        if self.alpha is not None:
            check_positive("alpha", self.alpha)
        check_positive("min_alpha", self.min_alpha, allow_zero=True)
        if self.min_alpha > self._initial_alpha():
            raise ParameterError(f"min_alpha ({self.min_alpha}) must not exceed alpha "
                                 f"({self._initial_alpha()})")
        check_positive("masks", self.masks, integer=True)
        if self.masks >= 2 * self.window + 1:
            raise ParameterError(f"masks ({self.masks}) must be smaller than the window's "
                                 f"{2 * self.window + 1} tokens")
        if self.workers is not None:
            check_positive("workers", self.workers, integer=True)
        if not isinstance(self.seed, int | np.integer) or isinstance(self.seed, bool):
            raise ParameterError(f"seed must be an integer, got {self.seed!r}")
        for name in ("cbow_mean", "tied", "shared_negatives", "shrink_windows"):
            value = getattr(self, name)
            if not (isinstance(value, bool | np.bool_) or
                    name == "shared_negatives" and value is None):
                raise ParameterError(f"{name} must be True or False"
                                     f"{' (or None)' if name == 'shared_negatives' else ''}, "
                                     f"got {value!r}")
        self._kernel_name()
        if self.cache_dir is not None and not Path(self.cache_dir).is_dir():
            raise ParameterError(f"cache_dir {self.cache_dir} is not a folder")
        if not all(callable(c) for c in (self.callbacks or ())):
            raise ParameterError("callbacks must be callables f(model, epoch)")
        _checkpoint_interval(self.checkpoint, self.checkpoint_every)

    def _mode(self) -> tuple:
        shared = self.architecture == "skipgram" if self.shared_negatives is None \
            else bool(self.shared_negatives)
        return self.architecture, self.loss, self.masks > 1, bool(self.tied), shared

    def _initial_alpha(self) -> float:
        """``alpha``, or the architecture's default learning rate when it is None."""
        if self.alpha is not None:
            return float(self.alpha)
        return DEFAULT_ALPHA.get(self.architecture, DEFAULT_ALPHA["cbow"])

    def _kernel_name(self) -> str:
        """The kernel of this mode (see :data:`MODES`); ParameterError when there is none."""
        name = MODES.get(self._mode())
        if name is not None:
            return name
        if self.tied and self.loss == "hierarchical":
            raise ParameterError("tied=True needs loss='negative' or 'softmax': the output "
                                 "vectors of hierarchical softmax belong to tree nodes, not words")
        if self.architecture == "skipgram" and self.masks > 1:
            raise ParameterError(f"masks={self.masks} needs architecture='cbow': skip-gram "
                                 "predicts one token, the centre, from each context word")
        raise ParameterError(  # pragma: no cover -- every refused key is named above
            "no kernel for architecture={!r}, loss={!r}, masks={}, tied={}, "
            "shared_negatives={}".format(*self._mode()))

    # -- fitting ------------------------------------------------------------------------------
    def fit(self, corpus, y=None, *, client=None) -> Word2Vec:
        """Build the vocabulary of ``corpus``, encode it once, and train for ``epochs`` epochs.

        Parameters
        ----------
        corpus : path, Corpus, list of str or list of token lists
            Anything :func:`wordspace.corpus.as_corpus` accepts.
        y : ignored
            For scikit-learn's ``fit(X, y)``.
        client : dask.distributed.Client, optional
            Train data-parallel on that Dask cluster: one shard of the corpus per worker, the
            changed rows of the workers' models averaged at regular intervals (see
            :mod:`wordspace.models._distributed`; needs ``wordspace[distributed]``).

        Returns
        -------
        self

        Raises
        ------
        ParameterError
            On a nonsense parameter.
        CorpusError
            If the corpus is empty or no token survives ``min_count``.
        """
        if client is not None:
            from ._distributed import fit_word2vec

            return fit_word2vec(self, corpus, client)
        self._validate()
        corpus = as_corpus(corpus)
        started = time.perf_counter()
        path = self._cache_path(_encoded_bytes_estimate(corpus))
        try:
            if self.max_vocab_size is None and corpus.granularity == "document":
                # 256k tokens per chunk: the chunk's token strings (about 55 bytes each) are
                # the largest transient of counting
                self.vocabulary_, self._encoded = Vocabulary.build_encoded(
                    corpus, self.min_count, path=path, chunk_tokens=1 << 18)
            else:
                self.vocabulary_ = Vocabulary.build(corpus, min_count=self.min_count,
                                                    max_vocab_size=self.max_vocab_size)
                self._encoded = self.vocabulary_.encode_corpus(corpus, path=path)
        finally:
            _remove(path)
        trim_heap()  # the temporaries of encoding and setup (see _mapped.trim_heap)
        if len(self._encoded.ids) == 0:
            raise CorpusError("the corpus has no in-vocabulary tokens to train on")
        self._load_kernel(self._encoded.ids)
        self._init_weights()
        self.loss_history_ = []
        self.epochs_trained_ = 0
        self._train_epochs(self._encoded, self.epochs)
        logger.info("word2vec: fitted in %.1f s (%.0f words/s while training)",
                    time.perf_counter() - started, self.words_per_second_)
        return self

    def train(self, corpus=None, epochs: int | None = None) -> Word2Vec:
        """Continue training a fitted model for ``epochs`` more epochs (default: ``epochs``).

        ``corpus=None`` trains again on the corpus given to :meth:`fit`; another corpus is
        encoded with the existing vocabulary (tokens outside it are skipped).  The learning rate
        decays again from ``alpha`` to ``min_alpha`` over this run.
        """
        self._check_fitted()
        self._validate()
        epochs = self.epochs if epochs is None else check_positive("epochs", epochs, integer=True)
        if corpus is None:
            encoded = getattr(self, "_encoded", None)
            if encoded is None:
                raise ParameterError("this model was loaded from a file; pass the corpus to "
                                     "train on")
        else:
            encoded = self._encode(as_corpus(corpus))
            if len(encoded.ids) == 0:
                raise CorpusError("the corpus has no in-vocabulary tokens to train on")
        if not self.input_vectors_.flags.writeable:
            self.input_vectors_ = np.array(self.input_vectors_)
            self.output_vectors_ = (self.input_vectors_ if self.tied
                                    else np.array(self.output_vectors_))
        self._train_epochs(encoded, epochs)
        return self

    def _cache_path(self, estimate: int) -> str | None:
        """A fresh temporary file for the encoded corpus, or None to keep it in memory."""
        if self.cache_dir is None and \
                estimate <= min(CORPUS_IN_MEMORY_BYTES, MEMMAP_FRACTION * available_memory()):
            return None
        try:
            handle, path = tempfile.mkstemp(prefix="wordspace-w2v-", suffix=".int32",
                                            dir=self.cache_dir)
        except OSError:
            if self.cache_dir is not None:
                raise
            return None                 # no writable temporary folder: keep it in memory
        os.close(handle)
        logger.info("word2vec: encoded corpus memory-mapped from %s (about %.0f MB)", path,
                    estimate / 1e6)
        return path

    def _encode(self, corpus) -> EncodedCorpus:
        vocab = self.vocabulary_
        path = self._cache_path(int(vocab.n_raw_tokens * 4))
        try:
            return vocab.encode_corpus(corpus, path=path)
        finally:
            _remove(path)

    def _init_weights(self) -> None:
        # uniform in [-1, 1) / dim, as gensim 4 (the C tool: [-0.5, 0.5) / dim).  With output
        # vectors starting at zero, the first steps scale with the input vectors; the C tool's
        # half-size start cost CBOW 0.4 point of analogies on a 3M-token corpus (3 epochs).
        # Both matrices are views of arrays with room for the threads' private rows, so
        # training does not copy them (a transient 2x the model)
        n, dim = len(self.vocabulary_), self.vector_size
        spare = self._spare_rows(int(self.workers or os.cpu_count() or 1))
        rng = np.random.default_rng(self.seed)
        syn0 = np.empty((n + spare, dim), np.float32)[:n]
        rng.random(dtype=np.float32, out=syn0)
        syn0 *= np.float32(2.0)
        syn0 -= np.float32(1.0)
        syn0 /= np.float32(dim)
        self.input_vectors_ = syn0
        if self.tied:
            self.output_vectors_ = syn0
        else:
            rows = max(n - 1, 1) if self.loss == "hierarchical" else n
            self.output_vectors_ = np.zeros((rows + spare, dim), np.float32)[:rows]

    # -- the training loop ----------------------------------------------------------------------
    def _tables(self) -> dict:
        """The read-only tables of training: keep probabilities, ``lut``, ``ns`` and ``hs``."""
        from . import _w2v_core as C

        vocab = self.vocabulary_
        lut = C.make_tables()  # a loss not used gets tables of one word (the kernels' types)
        negative = self.loss == "negative"
        ns = C.negative_tables(vocab.noise_distribution(self.ns_exponent) if negative
                               else np.ones(1), self.negative, lut)
        hs = C.tree_tables(vocab.counts if self.loss == "hierarchical" else np.ones(1), lut)
        return {"keep": vocab.keep_probabilities(self.sample), "lut": lut, "ns": ns, "hs": hs,
                "window": int(self.window)}

    def _block_runner(self, tables: dict, max_block: int, rows=None):
        """A function ``run(state, ids, seg_offsets, s0, s1, alpha) -> (loss, predictions)``
        that trains on segments ``s0:s1`` with its own work buffers (one runner per thread).

        ``rows = (syn0, syn1, n_hot, first1, ext0, ext1)``: the matrices with extra rows where
        this thread keeps its own copy of the ``n_hot`` hot rows of each (from ``ext0`` and
        ``ext1``; the hot rows of ``syn1`` start at ``first1``), merged with the shared rows
        every ``SYNC_TOKENS`` kept tokens (see :mod:`~wordspace.models._w2v_core`).  None:
        the model's own matrices, no private rows.
        """
        from . import _w2v_kernels as K

        dim, window = self.vector_size, int(tables["window"])
        if rows is None:
            rows = (self.input_vectors_, self.output_vectors_, 0, 0, 0, 0)
        syn0, syn1, n_hot, first1, ext0, ext1 = rows
        base = _private((2, n_hot, dim), np.float32)
        if n_hot:  # own copies and base start equal to the shared rows (kernels keep it so)
            base[0] = syn0[:n_hot]
            base[1] = syn1[first1:first1 + n_hot]
            syn0[ext0:ext0 + n_hot] = base[0]
            syn1[ext1:ext1 + n_hot] = base[1]
        n_scores = len(syn1) if self.loss == "softmax" else 1
        bufs = K.work_buffers(max_block, dim, window, int(self.negative), n_scores,
                              tables["hs"][0].shape[1], _private, NEGATIVE_SPACING)
        setup = ((tables["keep"], window, bool(self.shrink_windows)), (syn0, syn1),
                 (base, first1, ext0, ext1, SYNC_TOKENS), bufs, tables["ns"], tables["hs"],
                 (bool(self.cbow_mean), int(self.masks), K.LOSS_KINDS[self.loss],
                  NEGATIVE_GROUP, NEGATIVE_SPACING))
        kernel = K.KERNELS[self._kernel_name()]

        def run(state, ids, seg_offsets, s0, s1, alpha):
            return kernel((ids, seg_offsets, s0, s1), state, np.float32(alpha), setup)
        return run

    def _load_kernel(self, ids: np.ndarray, tables: dict | None = None) -> None:
        """Load (or compile) this mode's kernel, then drop Numba's LLVM from the resident set.

        A kernel is typed by its arguments' types, not their sizes, so matrices of two rows and
        an empty range of segments (which trains nothing and draws nothing) load the very
        kernel that training runs.  :meth:`fit` does it before the input vectors are drawn, so
        that LLVM's pages and the vectors are never resident together (they were, at the peak
        of a memory-mapped run on big.txt).  Training loads the kernel again, as a no-op.
        """
        dim = self.vector_size
        syn0 = np.zeros((2, dim), np.float32)
        syn1 = syn0 if self.tied else np.zeros((2, dim), np.float32)
        run = self._block_runner(tables or self._tables(), 2, (syn0, syn1, 0, 0, 0, 0))
        run(np.zeros(1, np.uint64), ids[:0], np.zeros(1, np.int64), 0, 0, self._initial_alpha())
        release_library("libllvmlite")

    def _hot_rows(self, workers: int) -> int:
        """Rows of each matrix that every thread keeps a private copy of (0: none).

        Private copies pay only when several threads write the same rows, and only in a
        vocabulary large enough that these rows carry a small part of the updates (not with the
        exact softmax, which reads every output row, nor with several masks).
        """
        if workers == 1 or self.tied or self.loss == "softmax" or self.masks > 1:
            return 0
        return min(HOT_ROWS, len(self.vocabulary_) // VOCAB_PER_HOT_ROW)

    def _spare_rows(self, workers: int) -> int:
        """Rows after each matrix that the private copies of ``workers`` threads take."""
        n_hot = self._hot_rows(workers)
        # spare rows (64 bytes or more) between threads' copies: no cache line holds rows of two
        return workers * (n_hot + max(1, -(-64 // (4 * self.vector_size)))) if n_hot else 0

    def _private_rows(self, workers: int) -> list | None:
        """Per-thread ``rows`` for :meth:`_block_runner` (None: all threads share all rows).

        The model's matrices become views of the first rows of extended ones: those they are
        already views of when these have room (see :meth:`_init_weights`), else copies made
        one matrix at a time.
        """
        n_hot = self._hot_rows(workers)
        if n_hot == 0:
            return None
        spare = max(1, -(-64 // (4 * self.vector_size)))
        stride = n_hot + spare
        n0, n1 = len(self.input_vectors_), len(self.output_vectors_)
        for name in ("input_vectors_", "output_vectors_"):
            matrix = getattr(self, name)
            full = matrix.base
            if not (isinstance(full, np.ndarray) and full.ndim == 2 and full.dtype == np.float32
                    and full.flags.c_contiguous and full.shape[1] == matrix.shape[1]
                    and len(full) >= len(matrix) + workers * stride and full.flags.writeable
                    and full.ctypes.data == matrix.ctypes.data):
                full = np.empty((len(matrix) + workers * stride, matrix.shape[1]), np.float32)
                full[:len(matrix)] = matrix
            setattr(self, name, full[:len(matrix)])   # the old matrix is freed here
        syn0, syn1 = self.input_vectors_.base, self.output_vectors_.base
        first1 = n1 - n_hot if self.loss == "hierarchical" else 0  # the root's end of the tree
        return [(syn0, syn1, n_hot, first1, n0 + spare + t * stride, n1 + spare + t * stride)
                for t in range(workers)]

    def _train_epochs(self, encoded: EncodedCorpus, epochs: int, resume: dict | None = None
                      ) -> None:
        """Train ``epochs`` epochs; ``resume``: the run's state from a checkpoint."""
        from . import _w2v_core as C

        workers = int(self.workers or os.cpu_count() or 1)
        seg_offsets = _segments(encoded.offsets)
        edges = _blocks(seg_offsets, BLOCK_TOKENS)
        block_sizes = seg_offsets[edges[1:]] - seg_offsets[edges[:-1]]
        max_block = int(block_sizes.max()) if len(block_sizes) else 1
        n_blocks = len(edges) - 1
        total = int(block_sizes.sum())
        workers = max(1, min(workers, n_blocks))
        if self.loss == "negative" and self.negative >= len(self.vocabulary_):
            raise ParameterError(f"negative ({self.negative}) must be smaller than the vocabulary "
                                 f"({len(self.vocabulary_)} words)")
        longest = int(np.diff(seg_offsets).max()) if len(seg_offsets) > 1 else 1
        # Threads take the blocks in corpus order from one shared counter, so at any moment they
        # train on neighbouring text (as gensim's job queue does) and a slow core does less of
        # the epoch.  Contiguous halves, one per thread (the C tool's and gensim's corpus_file
        # split), scored 0.015 lower on WordSim-353 and SimLex-999 with 2 threads on the
        # benchmark corpus, where the text changes kind from start to end.
        claim = threading.Lock()
        next_block = [0]
        tables = self._tables()
        if self.window >= longest:  # a longer window sees no more, but its buffers grow with it
            tables["window"] = max(1, longest - 1)
            logger.warning("window %d is longer than the longest document (%d tokens): using "
                           "window %d", self.window, longest, tables["window"])
        rows = self._private_rows(workers) or [None] * workers
        ids = encoded.ids
        runners = [_releasing(self._block_runner(tables, max_block + 1, rows[t]), ids)
                   for t in range(workers)]
        planned = float(total) * epochs
        alpha0, alpha1 = self._initial_alpha(), float(self.min_alpha)
        self._load_kernel(ids, tables)      # a no-op after fit's (resume and train come here)
        trim_heap()
        raw_tokens = encoded.n_raw_tokens or total
        done = _private(workers, np.int64)
        losses = _private(workers, np.float64)
        predictions = _private(workers, np.int64)
        states = [_private(1, np.uint64) for _ in range(workers)]
        stop_block = [n_blocks]
        start_epoch = self.epochs_trained_
        processed_before = 0
        first_epoch = first_block = 0
        training_seconds = 0.0
        if resume is not None:
            start_epoch, processed_before = resume["start_epoch"], resume["processed_before"]
            first_epoch, first_block = resume["epoch"], resume["block"]
            training_seconds = resume["training_seconds"]
            if first_block:
                for name, array in (("done", done), ("losses", losses),
                                    ("predictions", predictions)):
                    saved = np.asarray(resume[name])
                    array[:] = 0
                    array[:min(workers, len(saved))] = saved[:workers]
                    array[0] += saved[workers:].sum()   # fewer threads now: totals kept
        every_tokens, every_seconds = _checkpoint_interval(self.checkpoint,
                                                           self.checkpoint_every)
        block_ends = np.cumsum(block_sizes)

        def position() -> int:
            """Tokens of this run trained so far (``done`` is spent once an epoch is over)."""
            return processed_before + (int(done.sum()) if next_block[0] < n_blocks else 0)

        last_checkpoint = [position(), time.monotonic()]

        def segment_end(block: int) -> int:
            """The block before which the threads next meet (for a checkpoint)."""
            if every_tokens is not None:
                target = last_checkpoint[0] + every_tokens - processed_before
            elif every_seconds is not None:   # meet every 2M tokens, save when the time is up
                target = (block_ends[block - 1] if block else 0) + (1 << 21)
            else:
                return n_blocks
            return int(min(n_blocks, max(block + 1, np.searchsorted(block_ends, target) + 1)))

        def checkpoint_due() -> bool:
            if every_tokens is not None:
                return position() - last_checkpoint[0] >= every_tokens
            return every_seconds is not None and \
                time.monotonic() - last_checkpoint[1] >= every_seconds

        def save_checkpoint(epoch: int, block: int) -> None:
            self._save_checkpoint(dict(
                start_epoch=start_epoch, epochs=epochs, epoch=epoch, block=block,
                processed_before=processed_before, training_seconds=training_seconds,
                n_ids=len(ids), n_documents=encoded.n_documents), states, done, losses,
                predictions)
            last_checkpoint[:] = [position(), time.monotonic()]

        def learning_rate() -> float:
            fraction = (processed_before + int(done.sum())) / planned if planned else 1.0
            return max(alpha1, alpha0 - (alpha0 - alpha1) * fraction)

        diverged = [None]  # the mean loss of the first block that diverged

        def work(thread: int, epoch: int) -> None:
            state = states[thread]
            run = runners[thread]
            while diverged[0] is None:
                with claim:
                    block = next_block[0]
                    if block >= stop_block[0]:
                        break
                    next_block[0] += 1
                s0, s1 = int(edges[block]), int(edges[block + 1])
                block_loss, block_predictions = run(state, ids, seg_offsets, s0, s1,
                                                    learning_rate())
                if not block_loss <= DIVERGED_LOSS * max(block_predictions, 1):  # also NaN
                    diverged[0] = block_loss / max(block_predictions, 1)
                losses[thread] += block_loss
                predictions[thread] += block_predictions
                done[thread] += seg_offsets[s1] - seg_offsets[s0]

        pool = concurrent.futures.ThreadPoolExecutor(workers) if workers > 1 else None
        bar = progress(total=epochs * total, desc="word2vec", unit=" words", unit_scale=True)
        try:
            for local_epoch in range(first_epoch, epochs):
                epoch = start_epoch + local_epoch
                if local_epoch == first_epoch and first_block:   # resumed in this epoch
                    next_block[0] = first_block
                    saved = resume["states"]
                    for thread, state in enumerate(states):
                        state[:] = saved[thread] if thread < len(saved) else \
                            C.seed_state(self.seed, (epoch + 1) * 1_000_003 + thread)
                else:
                    done[:] = 0
                    next_block[0] = 0
                    losses[:] = 0.0
                    predictions[:] = 0
                    for thread, state in enumerate(states):
                        state[:] = C.seed_state(self.seed, (epoch + 1) * 1_000_003 + thread)
                while next_block[0] < n_blocks and diverged[0] is None:
                    stop_block[0] = segment_end(next_block[0])
                    tick = time.perf_counter()
                    if pool is None:
                        work(0, epoch)
                    else:
                        futures = [pool.submit(work, t, epoch) for t in range(workers)]
                        pending = set(futures)
                        while pending:
                            _, pending = concurrent.futures.wait(pending, timeout=0.5)
                            self._show(bar, local_epoch, total, done, losses, predictions,
                                       learning_rate())
                        for future in futures:
                            future.result()
                    training_seconds += time.perf_counter() - tick
                    if diverged[0] is None and next_block[0] < n_blocks and \
                            checkpoint_due():
                        save_checkpoint(local_epoch, next_block[0])
                if diverged[0] is not None or not (_all_finite(self.input_vectors_)
                                                   and _all_finite(self.output_vectors_)):
                    loss = "not finite" if diverged[0] is None else f"{diverged[0]:.3g}"
                    raise TrainingError(
                        f"training diverged in epoch {epoch + 1} (mean loss {loss} per "
                        f"prediction): the learning rate alpha={self._initial_alpha():g} is too "
                        "large")
                processed_before += total
                self._show(bar, local_epoch, total, done, losses, predictions, learning_rate())
                n_predictions = int(predictions.sum())
                epoch_loss = float(losses.sum()) / n_predictions if n_predictions else float("nan")
                self.loss_history_.append(epoch_loss)
                self.epochs_trained_ = epoch + 1
                logger.info("word2vec epoch %d: loss %.4f, %d predictions", epoch + 1,
                            epoch_loss, n_predictions)
                for callback in self.callbacks or ():
                    callback(self, epoch)
                if self.checkpoint is not None and (checkpoint_due() or
                                                    local_epoch + 1 == epochs):
                    save_checkpoint(local_epoch + 1, 0)
        finally:
            bar.close()
            if pool is not None:
                pool.shutdown()
        self.training_seconds_ = training_seconds
        self.words_per_second_ = raw_tokens * epochs / training_seconds if training_seconds \
            else float("nan")

    def _save_checkpoint(self, run: dict, states, done, losses, predictions) -> None:
        """Write the training state to ``checkpoint`` (atomically: whole or not at all)."""
        arrays = {"vectors": self.input_vectors_, "counts": self.vocabulary_.counts,
                  "states": np.array([state[0] for state in states], np.uint64),
                  "done": np.array(done), "losses": np.array(losses),
                  "predictions": np.array(predictions)}
        if not self.tied:
            arrays["output_vectors"] = self.output_vectors_
        _store.save(self.checkpoint, "word2vec-checkpoint", arrays,
                    tokens=self.vocabulary_.tokens, params=self._stored_params(),
                    params_version=PARAMS_VERSION,
                    loss_history=list(self.loss_history_), epochs_trained=self.epochs_trained_,
                    n_raw_tokens=self.vocabulary_.n_raw_tokens,
                    n_documents=self.vocabulary_.n_documents, run=run)
        logger.info("word2vec: checkpoint %s at epoch %d, block %d", self.checkpoint,
                    run["epoch"] + 1, run["block"])

    @classmethod
    def resume(cls, path, corpus, callbacks=()) -> Word2Vec:
        """Continue the training recorded in checkpoint ``path`` on ``corpus`` (the same corpus
        as the interrupted run) to its end; the checkpoint is kept up to date as before.

        Returns
        -------
        Word2Vec
            The trained model, as the uninterrupted ``fit`` would have returned it
            (bit-identical with ``workers=1``).

        Raises
        ------
        ModelFormatError
            If ``path`` is not a word2vec checkpoint.
        CorpusError
            If ``corpus`` is not the corpus the checkpoint was trained on.
        """
        model, header, arrays = cls._read_checkpoint(path, "word2vec")
        try:
            run = dict(header["run"])
            vocab = Vocabulary(header["tokens"], arrays["counts"],
                               n_raw_tokens=header.get("n_raw_tokens", 0),
                               n_documents=header.get("n_documents", 0))
            syn0 = np.array(arrays["vectors"])
            syn1 = syn0 if model.tied else np.array(arrays["output_vectors"])
            for name in ("states", "done", "losses", "predictions"):
                run[name] = arrays[name]
        except (KeyError, TypeError, ParameterError) as error:
            raise ModelFormatError(f"{path}: incomplete word2vec checkpoint ({error})") from None
        model.callbacks = callbacks
        model.checkpoint = str(path)
        model._validate()
        model.vocabulary_ = vocab
        model.input_vectors_, model.output_vectors_ = syn0, syn1
        model.loss_history_ = [float(x) for x in header.get("loss_history", [])]
        model.epochs_trained_ = int(header.get("epochs_trained", 0))
        encoded = model._encode(as_corpus(corpus))
        if (len(encoded.ids), encoded.n_documents) != (run["n_ids"], run["n_documents"]):
            raise CorpusError(f"{getattr(corpus, 'name', corpus)} is not the corpus of checkpoint "
                              f"{path}: {len(encoded.ids)} tokens in {encoded.n_documents} "
                              f"documents, the checkpoint's had {run['n_ids']} in "
                              f"{run['n_documents']}")
        model._encoded = encoded
        started = time.perf_counter()
        model._train_epochs(encoded, run["epochs"], resume=run)
        logger.info("word2vec: resumed and finished in %.1f s", time.perf_counter() - started)
        return model

    def _stored_params(self) -> dict:
        params = {k: v for k, v in self.get_params().items() if k not in ("callbacks",)}
        for name in ("cache_dir", "checkpoint"):
            params[name] = None if params[name] is None else str(params[name])
        return params

    @staticmethod
    def _show(bar, epoch, total, done, losses, predictions, alpha) -> None:
        if bar.disable:
            return
        bar.update(epoch * total + int(done.sum()) - bar.n)
        n = int(predictions.sum())
        bar.set_postfix(epoch=epoch + 1, alpha=f"{alpha:.5f}",
                        loss=f"{losses.sum() / n:.4f}" if n else "-", refresh=False)

    # -- results ------------------------------------------------------------------------------
    def _make_wv(self):
        """The word vectors as :class:`~wordspace.vectors.Embeddings`: ``wv`` (gensim's name),
        built once per fit, load or :meth:`train`."""
        from ..vectors import Embeddings

        return Embeddings(self.vocabulary_.tokens, self.input_vectors_,
                          counts=self.vocabulary_.counts)

    # -- persistence --------------------------------------------------------------------------
    def save(self, path) -> None:
        """Write the whole model (vectors, output vectors, counts, parameters) to ``path``."""
        self._check_fitted()
        arrays = {"vectors": self.input_vectors_, "counts": self.vocabulary_.counts}
        if not self.tied:
            arrays["output_vectors"] = self.output_vectors_
        params = self._stored_params()
        _store.save(path, "word2vec", arrays, tokens=self.vocabulary_.tokens, params=params,
                    params_version=PARAMS_VERSION, loss_history=list(self.loss_history_),
                    epochs_trained=self.epochs_trained_,
                    n_raw_tokens=self.vocabulary_.n_raw_tokens,
                    n_documents=self.vocabulary_.n_documents)

    @classmethod
    def _stored_meaning(cls, header: dict) -> dict:
        """The parameters of a saved model or checkpoint, as this version reads them (see
        :data:`PARAMS_VERSION`).

        >>> old = {"params": {"architecture": "cbow", "shared_negatives": True}}
        >>> Word2Vec._stored_meaning(old)
        {'architecture': 'cbow', 'shared_negatives': None}
        >>> Word2Vec._stored_meaning({**old, "params_version": 2})
        {'architecture': 'cbow', 'shared_negatives': True}
        """
        params = dict(header["params"])
        if header.get("params_version", 1) < 2 and params.get("architecture") == "cbow":
            params["shared_negatives"] = None    # CBOW ignored it: the exact mode
        return params

    @classmethod
    def load(cls, path, mmap: bool = True) -> Word2Vec:
        """Read a model written by :meth:`save` (arrays memory-mapped, read-only, when ``mmap``;
        :meth:`train` copies them before training)."""
        header, arrays = _store.load(path, mmap=mmap)
        if header.get("kind") != "word2vec":
            raise ModelFormatError(f"{path} holds a {header.get('kind')!r} model, not word2vec")
        try:
            params = cls._stored_meaning(header)
            model = cls(**{k: v for k, v in params.items() if k in cls._get_param_names()})
            vocab = Vocabulary(header["tokens"], arrays["counts"],
                               n_raw_tokens=header.get("n_raw_tokens", 0),
                               n_documents=header.get("n_documents", 0))
            syn0 = arrays["vectors"]
            syn1 = syn0 if model.tied else arrays["output_vectors"]
        except (KeyError, TypeError, ParameterError) as error:
            raise ModelFormatError(f"{path}: incomplete word2vec model ({error})") from None
        if syn0.shape != (len(vocab), model.vector_size) or syn1.shape[1] != model.vector_size:
            raise ModelFormatError(f"{path}: vector shapes do not match the vocabulary")
        model.vocabulary_ = vocab
        model.input_vectors_ = syn0
        model.output_vectors_ = syn1
        model.loss_history_ = [float(x) for x in header.get("loss_history", [])]
        model.epochs_trained_ = int(header.get("epochs_trained", len(model.loss_history_)))
        return model
