"""The true task: a text classifier whose first layer is the embedding.

A document is a bag of tokens (and, optionally, of hashed word n-grams); its code is the mean
``u`` of their rows of the first layer ``V``, and its label is predicted by a softmax over
``W u`` -- the architecture of fastText's supervised mode.  By default the mean is weighted so
that frequent words count less (``pooling_sample``; 0 gives fastText's plain mean).
Presented with one-hot tokens, the first layer learns a vector-space encoding of the words on
its own; the proxy tasks of the rest of wordspace can improve it in two ways, both in this one
class:

* **pre-training**: ``pretrained=`` gives the initial ``V`` (word2vec vectors, any wordspace
  model); ``freeze=True`` keeps it fixed and trains ``W`` only;
* **joint training**: ``proxy_weight = lambda > 0`` minimises ``loss_true + lambda * loss_proxy``
  where the proxy is word2vec's masked-token prediction (CBOW, negative sampling) on the same
  ``V``, over the labelled texts and ``unlabeled`` ones, in the same kernels and the same pass.

Training is SGD in Numba kernels (:mod:`wordspace.models._classifier_kernels`) with threads
updating the shared matrices without locks (Hogwild), and a learning rate decayed linearly to
zero, as fastText does.

Examples
--------
>>> texts = ["cheap pills buy now", "meeting at noon today", "buy cheap pills",
...          "lunch meeting today"] * 20
>>> labels = ["spam", "ham", "spam", "ham"] * 20
>>> model = TextClassifier(vector_size=10, epochs=10, alpha=0.5, workers=1).fit(texts, labels)
>>> model.classes_.tolist()
['ham', 'spam']
>>> model.predict(["pills now", "noon meeting"]).tolist()
['spam', 'ham']
>>> model.score(texts, labels)
1.0
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import threading
import time
from pathlib import Path

import numpy as np

from .. import _store
from .._progress import progress
from ..corpus import as_corpus, open_text
from ..errors import (
    CorpusError,
    ModelFormatError,
    NotFittedError,
    ParameterError,
    check_positive,
)
from ..vocab import EncodedCorpus, Vocabulary
from ._base import WordspaceEstimator
from .word2vec import _private

__all__ = ["TextClassifier", "read_labelled"]

logger = logging.getLogger(__name__)

#: documents per kernel call; the learning rate and the progress bar advance between calls
BLOCK_DOCUMENTS = 64


def read_labelled(path) -> tuple[list[str], list[str]]:
    """Texts and labels of a labelled TSV file: ``label<TAB>text`` lines (plain or compressed).

    A first line that names its columns and has a ``label`` column is a header (the
    collections of ``../shared/data/docs``): the text is then the ``text`` column, or the
    ``subject`` and ``body`` columns joined.

    Raises
    ------
    CorpusError
        A missing file, or a line without a tab.
    """
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"labelled file {path} does not exist")
    with open_text(path) as handle:
        first = handle.readline().rstrip("\n").split("\t")
    if "label" in first:
        from ..datasets import read_tsv

        text = "text" if "text" in first else tuple(c for c in ("subject", "body") if c in first)
        if not text:
            raise CorpusError(f"{path}: its header has no 'text' (or 'subject', 'body') column")
        collection = read_tsv(path, text=text)
        return collection.texts, collection.labels
    texts, labels = [], []
    with open_text(path) as handle:
        for number, line in enumerate(handle, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            label, tab, text = line.partition("\t")
            if not tab:
                raise CorpusError(f"{path}, line {number}: expected label<TAB>text")
            labels.append(label.strip())
            texts.append(text)
    if not texts:
        raise CorpusError(f"{path} holds no labelled texts")
    return texts, labels


def _as_texts(texts, what: str) -> list:
    """A list of documents (strings or token lists) from a list or a file with one a line."""
    if isinstance(texts, str | os.PathLike):
        path = Path(texts)
        if not path.is_file():
            raise CorpusError(f"{what} file {path} does not exist")
        with open_text(path) as handle:
            return handle.read().rstrip("\n").split("\n")
    if isinstance(texts, np.ndarray):
        texts = texts.tolist()
    try:
        texts = list(texts)
    except TypeError:
        raise ParameterError(f"{what} must be a list of texts, got {type(texts).__name__}") \
            from None
    for i, text in enumerate(texts):
        if not isinstance(text, str | list | tuple):
            raise ParameterError(f"{what} must be strings or token lists; item {i} is a "
                                 f"{type(text).__name__}")
    return texts


class TextClassifier(WordspaceEstimator):
    """Mean of token embeddings, then a softmax: a text classifier with an embedding layer.

    Parameters
    ----------
    vector_size : int
        Dimension of the first layer (ignored when ``pretrained`` is given: ``V`` takes its
        dimension).
    epochs : int
        Passes over the documents.
    alpha : float
        Learning rate, decayed linearly to zero over all epochs (fastText: 0.1 by default, 0.5
        with 25 epochs as its documentation recommends).
    min_count : int
        Drop tokens seen fewer times in the training texts (labelled and unlabelled); a
        pre-trained token is kept whatever its count.
    ngrams : int
        Longest word n-gram used as a feature besides the words (1: words only; 2: bigrams,
        hashed into ``buckets`` buckets).
    buckets : int
        Buckets of the hashed n-grams; only those that occur in the training texts get a row of
        ``V`` (:attr:`ngram_buckets_`).
    pretrained : Embeddings, path or None
        Initial first layer: :class:`~wordspace.vectors.Embeddings`, a wordspace model file or
        a word2vec text/binary file.  Tokens are matched by name; pre-trained tokens absent from
        the training texts join the vocabulary (so a word seen only in pre-training still counts
        at prediction time); the others start random.
    pretrained_norm : float
        Pre-trained rows are scaled to this length.  The scale of ``u`` sets how fast ``W``
        learns on it (its step is ``alpha (e_y - p) u^T``, its scores grow as ``|u|^2``): on
        20 Newsgroups with 5 % of the labels (25 epochs, alpha 0.5, plain mean), lengths 3, 6
        and 10 gave test accuracies 0.525, 0.553 and 0.554; on BBC, lengths 1 and 3 gave 0.846
        and 0.907.
    freeze : bool
        Keep ``V`` fixed (bit for bit) and train ``W`` only; needs ``pretrained``.
    proxy_weight : float
        ``lambda`` of the joint loss ``loss_true + lambda * loss_proxy``; the proxy is CBOW with
        negative sampling on the labelled and unlabelled texts, sharing ``V``; 0 trains the
        classifier alone.
    proxy_alpha : float
        The proxy's learning rate (before ``proxy_weight``), decayed with ``alpha``: word2vec's
        CBOW rate, as the classifier's rate (0.1 .. 0.5) makes the masked-token steps diverge.
    window, negative, sample : int, int, float
        The proxy's context radius (shrunk at random, as word2vec does), noise words per
        prediction and subsampling threshold.
    pooling_sample : float
        Weighted mean: each word (and n-gram bucket) weighs its word2vec keep probability at
        this threshold in the training texts' counts, so frequent words count less (0: the
        plain mean, fastText's).
        On 20 Newsgroups with 5 % of the labels and pre-trained vectors, 1e-3, 1e-4 and 1e-5
        gave 0.582, 0.596 and 0.565 against 0.553 for the plain mean.  With all labels at
        fastText's defaults (5 epochs, alpha 0.1; mean of 5 seeds on BBC, 3 on 20 Newsgroups)
        the plain mean gave 0.284 / 0.137 (fastText: 0.292 / 0.137), 1e-4 0.755 / 0.275,
        1e-3 0.524 / 0.133 and 1e-5 0.650 / 0.566: the plain mean is dominated by the frequent
        words, which say nothing of the topic, and barely moves in 5 epochs.
    workers : int, optional
        Training threads (default: the number of CPU cores).
    seed : int
        Seed of the initial vectors, the order of the documents and the proxy's draws; with
        ``workers=1`` training is bit-for-bit repeatable.

    Attributes
    ----------
    classes_ : ndarray
        The labels, sorted.
    vocabulary_ : Vocabulary
    input_vectors_ : ndarray of shape (n_tokens + len(ngram_buckets_), dim), float32
        ``V``: one row per token, then one per n-gram bucket seen in training.
    ngram_buckets_ : ndarray of int32
        The hashed n-gram buckets that have a row, sorted (empty when ``ngrams == 1``).
    ngram_counts_ : ndarray of int64
        Occurrences of each of those buckets in the training texts.
    token_weights_ : ndarray of float32
        Weight of each row of ``V`` in the mean (see ``pooling_sample``).
    output_weights_ : ndarray of shape (n_classes, dim), float32
        ``W``.
    proxy_vectors_ : ndarray of shape (n_tokens, dim), float32
        Output vectors of the proxy task (when ``proxy_weight > 0``).
    loss_history_ : list of float
        Mean cross-entropy of the true task in each epoch (on the labelled documents, measured
        before each step).
    accuracy_history_ : list of float
        Training accuracy in each epoch, measured the same way.
    proxy_loss_history_ : list of float
        Mean negative-sampling loss per masked token in each epoch (when ``proxy_weight > 0``).
    training_seconds_ : float

    Notes
    -----
    The step of the true task is the exact gradient: ``W`` by ``alpha (e_y - p) u^T`` and each
    feature row by ``alpha W^T (e_y - p) / n`` (n features; ``w / sum w`` with weights).  The
    proxy's steps are word2vec's (every context word takes the whole step of the context mean)
    at rate ``proxy_weight * proxy_alpha``: SGD on ``loss_true + lambda' loss_proxy`` with
    ``lambda' = proxy_weight * proxy_alpha / alpha``, both rates decaying together.

    References
    ----------
    Joulin et al., "Bag of Tricks for Efficient Text Classification" (2017).
    Mikolov et al., "Distributed Representations of Words and Phrases and their
    Compositionality" (2013).
    """

    def __init__(self, vector_size: int = 100, epochs: int = 5, alpha: float = 0.1,
                 min_count: int = 1, ngrams: int = 1, buckets: int = 200_000,
                 pretrained=None, pretrained_norm: float = 6.0, freeze: bool = False,
                 proxy_weight: float = 0.0,
                 proxy_alpha: float = 0.05, window: int = 5, negative: int = 5,
                 sample: float = 1e-3, pooling_sample: float = 1e-4,
                 workers: int | None = None, seed: int = 1):
        self.vector_size = vector_size
        self.epochs = epochs
        self.alpha = alpha
        self.min_count = min_count
        self.ngrams = ngrams
        self.buckets = buckets
        self.pretrained = pretrained
        self.pretrained_norm = pretrained_norm
        self.freeze = freeze
        self.proxy_weight = proxy_weight
        self.proxy_alpha = proxy_alpha
        self.window = window
        self.negative = negative
        self.sample = sample
        self.pooling_sample = pooling_sample
        self.workers = workers
        self.seed = seed

    # -- scikit-learn plumbing: get_params, set_params, clone and repr from BaseEstimator -------
    _fitted_attributes = ("vocabulary_", "input_vectors_", "output_weights_")

    def _validate(self) -> None:
        check_positive("vector_size", self.vector_size, integer=True)
        check_positive("epochs", self.epochs, integer=True)
        check_positive("alpha", self.alpha)
        check_positive("min_count", self.min_count, integer=True)
        check_positive("ngrams", self.ngrams, integer=True)
        check_positive("buckets", self.buckets, integer=True)
        check_positive("proxy_weight", self.proxy_weight, allow_zero=True)
        check_positive("proxy_alpha", self.proxy_alpha)
        check_positive("window", self.window, integer=True)
        check_positive("negative", self.negative, integer=True)
        check_positive("sample", self.sample, allow_zero=True)
        check_positive("pooling_sample", self.pooling_sample, allow_zero=True)
        check_positive("pretrained_norm", self.pretrained_norm)
        if self.workers is not None:
            check_positive("workers", self.workers, integer=True)
        if not isinstance(self.seed, int | np.integer) or isinstance(self.seed, bool):
            raise ParameterError(f"seed must be an integer, got {self.seed!r}")
        if self.freeze and self.pretrained is None:
            raise ParameterError("freeze=True keeps the pre-trained first layer fixed; it needs "
                                 "pretrained=")
        if self.freeze and self.proxy_weight > 0:
            raise ParameterError("freeze=True keeps V fixed, so the proxy task (proxy_weight > "
                                 "0) could not change it; choose one")

    def _pretrained_embeddings(self):
        from ..vectors import Embeddings, load

        if isinstance(self.pretrained, Embeddings):
            return self.pretrained
        if hasattr(self.pretrained, "wv"):  # a fitted wordspace model
            return self.pretrained.wv
        if isinstance(self.pretrained, str | os.PathLike):
            return load(self.pretrained)
        raise ParameterError("pretrained must be Embeddings, a fitted model or a path, got "
                             f"{type(self.pretrained).__name__}")

    # -- data -------------------------------------------------------------------------------------
    def _check_labels(self, texts, labels):
        if labels is None:
            if isinstance(texts, str | os.PathLike):
                return read_labelled(texts)
            raise ParameterError("labels are missing: pass fit(texts, labels), or a labelled "
                                 "TSV file (label<TAB>text lines) as texts")
        texts = _as_texts(texts, "texts")
        labels = _as_texts(labels, "labels") if isinstance(labels, str | os.PathLike) \
            else list(np.asarray(labels).tolist()) if isinstance(labels, np.ndarray) \
            else list(labels)
        if len(texts) != len(labels):
            raise ParameterError(f"{len(texts)} texts but {len(labels)} labels; need one label "
                                 "per text")
        return texts, labels

    def _vocabulary(self, documents: list, embeddings) -> tuple[Vocabulary, EncodedCorpus]:
        """Count and encode once; keep tokens of ``min_count`` or pre-trained ones; pre-trained
        tokens not in the texts join at the end."""
        full, encoded = Vocabulary.build_encoded(as_corpus(documents), min_count=1)
        keep = full.counts >= self.min_count
        if embeddings is not None:
            keep |= np.fromiter((t in embeddings.index for t in full.tokens), bool,
                                count=len(full))
        tokens = [t for t, k in zip(full.tokens, keep, strict=True) if k]
        counts = full.counts[keep]
        if embeddings is not None:
            extra = [t for t in embeddings.tokens if t not in full.index]
            tokens += extra
            counts = np.concatenate([counts, np.zeros(len(extra), np.int64)])
        if not tokens:
            raise CorpusError(f"no token occurs {self.min_count} times or more in the texts")
        vocab = Vocabulary(tokens, counts, n_raw_tokens=full.n_raw_tokens,
                           n_documents=full.n_documents)
        if keep.all():
            return vocab, encoded
        new_id = np.full(len(full), -1, np.int64)
        new_id[keep] = np.arange(int(keep.sum()))
        mapped = new_id[encoded.ids]
        known = mapped >= 0
        kept_before = np.zeros(len(mapped) + 1, np.int64)
        np.cumsum(known, out=kept_before[1:])
        return vocab, EncodedCorpus(mapped[known].astype(np.int32), kept_before[encoded.offsets],
                                    n_raw_tokens=encoded.n_raw_tokens)

    def _features(self, encoded: EncodedCorpus, learn: bool = False) -> tuple:
        """The kernels' ``data`` tuple of encoded documents.

        The hashed n-grams' buckets get rows of ``V`` lazily: ``learn`` (in :meth:`fit`) keeps
        the buckets that occur in the training texts as :attr:`ngram_buckets_` (row
        ``n_tokens + i`` is bucket ``ngram_buckets_[i]``); afterwards a bucket never seen in
        training is left out of the mean, as an unknown word is.
        """
        from . import _classifier_kernels as K

        ids = np.ascontiguousarray(encoded.ids, dtype=np.int32)
        offsets = np.ascontiguousarray(encoded.offsets, dtype=np.int64)
        if self.ngrams > 1:
            hashed, hashed_offsets = K.hash_ngrams(ids, offsets, int(self.ngrams),
                                                   int(self.buckets), 0)
            if learn:
                used, counts = np.unique(hashed, return_counts=True)
                self.ngram_buckets_ = used.astype(np.int32)
                self.ngram_counts_ = counts.astype(np.int64)
            used = self.ngram_buckets_
            position = np.searchsorted(used, hashed)
            known = position < len(used)
            known[known] = used[position[known]] == hashed[known]
            kept_before = np.zeros(len(hashed) + 1, np.int64)
            np.cumsum(known, out=kept_before[1:])
            ngram_ids = (len(self.vocabulary_) + position[known]).astype(np.int32)
            ngram_offsets = kept_before[hashed_offsets]
        else:
            if learn:
                self.ngram_buckets_ = np.zeros(0, np.int32)
                self.ngram_counts_ = np.zeros(0, np.int64)
            ngram_ids = np.zeros(0, np.int32)
            ngram_offsets = np.zeros(len(offsets), np.int64)
        if learn:
            self.token_weights_ = self._feature_weights()
        return ids, offsets, ngram_ids, ngram_offsets, self.token_weights_

    def _feature_weights(self) -> np.ndarray:
        """Weight of each row of ``V`` in the mean: word2vec's keep probability at
        ``pooling_sample`` of its token's (or n-gram bucket's) count in the training texts,
        the threshold counted in tokens (1 everywhere when ``pooling_sample == 0``)."""
        counts = np.concatenate([self.vocabulary_.counts, self.ngram_counts_]).astype(np.float64)
        if self.pooling_sample == 0:
            return np.ones(len(counts), np.float32)
        threshold = self.pooling_sample * float(self.vocabulary_.counts.sum())
        keep = (np.sqrt(counts / threshold) + 1.0) * threshold / np.maximum(counts, 1)
        return np.minimum(keep, 1.0).astype(np.float32)

    def _init_weights(self, embeddings, n_classes: int) -> None:
        vocab = self.vocabulary_
        dim = embeddings.dim if embeddings is not None else int(self.vector_size)
        rows = len(vocab) + len(self.ngram_buckets_)
        rng = np.random.default_rng(self.seed)
        V = rng.uniform(-1.0 / dim, 1.0 / dim, (rows, dim)).astype(np.float32)
        if embeddings is not None:
            found = np.fromiter((embeddings.index.get(t, -1) for t in vocab.tokens), np.int64,
                                count=len(vocab))
            mine = np.flatnonzero(found >= 0)
            vectors = np.asarray(embeddings.vectors, dtype=np.float32)[found[mine]]
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            scale = np.float32(self.pretrained_norm) / np.where(norms > 0, norms, 1)
            V[mine] = vectors * scale.astype(np.float32)
            self.pretrained_coverage_ = float(vocab.counts[mine].sum()) / max(vocab.total, 1)
            logger.info("pre-trained vectors for %d of %d tokens (%.1f%% of occurrences)",
                        len(mine), len(vocab), 100 * self.pretrained_coverage_)
        self.input_vectors_ = V
        self.output_weights_ = np.zeros((n_classes, dim), np.float32)
        n_proxy = len(vocab) if self.proxy_weight > 0 else 1
        self.proxy_vectors_ = np.zeros((n_proxy, dim), np.float32)

    # -- fitting ------------------------------------------------------------------------------
    def fit(self, texts, labels=None, unlabeled=None) -> TextClassifier:
        """Learn the classifier (and, with ``proxy_weight > 0``, the proxy) from labelled texts.

        Parameters
        ----------
        texts : list of str or of token lists, or path
            The labelled documents; a path is a file with one text a line, or, without
            ``labels``, a labelled TSV file (see :func:`read_labelled`).
        labels : sequence or path, optional
            One label per text (any hashable values; a path: one label a line).
        unlabeled : list of str or of token lists, or path, optional
            More documents for the proxy task (and the vocabulary); ignored when
            ``proxy_weight == 0``.

        Returns
        -------
        self

        Raises
        ------
        ParameterError
            A nonsense parameter, texts and labels of different lengths, fewer than two classes.
        CorpusError
            A labelled text without any token.
        """
        self._validate()
        texts, labels = self._check_labels(texts, labels)
        if not texts:
            raise CorpusError("no labelled texts to learn from")
        try:
            classes, y = np.unique(np.asarray(labels), return_inverse=True)
        except TypeError:
            raise ParameterError("labels must be all numbers or all strings") from None
        if len(classes) < 2:
            raise ParameterError(f"the labels hold one class only ({classes[0].tolist()!r}); a "
                                 "classifier needs at least two")
        extra = []
        if unlabeled is not None and self.proxy_weight > 0:
            extra = _as_texts(unlabeled, "unlabeled texts")
        empty = [i for i, t in enumerate(texts) if not (t.strip() if isinstance(t, str) else t)]
        if empty:
            raise CorpusError(f"labelled text {empty[0] + 1} is empty; every labelled text "
                              "needs at least one token")
        embeddings = self._pretrained_embeddings() if self.pretrained is not None else None
        started = time.perf_counter()
        self.vocabulary_, encoded = self._vocabulary(texts + extra, embeddings)
        lengths = np.diff(encoded.offsets[:len(texts) + 1])
        if not lengths.any():
            raise CorpusError("no labelled text has a token left in the vocabulary")
        self.classes_ = classes
        doc_labels = np.full(encoded.n_documents, -1, np.int32)
        doc_labels[:len(texts)] = y
        data = self._features(encoded, learn=True)
        self._init_weights(embeddings, len(classes))
        self.loss_history_, self.accuracy_history_, self.proxy_loss_history_ = [], [], []
        self._train(data, doc_labels)
        self.training_seconds_ = time.perf_counter() - started
        logger.info("classifier: fitted in %.1f s", self.training_seconds_)
        return self

    def _proxy_tables(self) -> tuple:
        from . import _w2v_core as core

        vocab = self.vocabulary_
        if self.proxy_weight > 0:
            keep = vocab.keep_probabilities(self.sample)
            ns = core.negative_tables(vocab.noise_distribution(0.75), int(self.negative))
        else:
            keep = np.ones(1, np.float32)
            ns = core.negative_tables(np.ones(1), int(self.negative))
        return (self.proxy_vectors_, keep, ns)

    def _train(self, data: tuple, doc_labels: np.ndarray) -> None:
        from . import _classifier_kernels as K
        from . import _w2v_core as core

        n_docs = len(doc_labels)
        dim = self.input_vectors_.shape[1]
        n_classes = len(self.classes_)
        if self.proxy_weight == 0:  # only the labelled documents have work to do
            n_docs = int((doc_labels >= 0).sum())
        workers = int(self.workers or os.cpu_count() or 1)
        n_blocks = -(-n_docs // BLOCK_DOCUMENTS)
        workers = max(1, min(workers, n_blocks))
        proxy = self._proxy_tables()
        max_doc = int(np.diff(data[1]).max()) if n_docs else 1
        buffers = [(_private(dim, np.float32), _private(dim, np.float32),
                    _private(n_classes, np.float64)) for _ in range(workers)]
        work = [(_private(dim, np.float32), _private(dim, np.float32),
                 _private(max_doc + 1, np.int32), _private(max_doc + 1, np.int32),
                 _private(2, np.int64)) for _ in range(workers)]
        stats = _private((workers, 5), np.float64)
        done = _private(workers, np.int64)
        claim = threading.Lock()
        next_block = [0]
        planned = float(n_docs) * self.epochs
        alpha0 = float(self.alpha)
        update_input = not self.freeze
        proxy_alpha = float(self.proxy_weight) * float(self.proxy_alpha)
        window = int(self.window)
        V, W = self.input_vectors_, self.output_weights_
        rng = np.random.default_rng(self.seed)
        processed_before = 0

        def remaining() -> float:
            return max(0.0, 1.0 - (processed_before + int(done.sum())) / planned)

        def work_on(thread: int, epoch: int, order: np.ndarray) -> None:
            state = _private(1, np.uint64)
            state[:] = core.seed_state(self.seed, (epoch + 1) * 1_000_003 + thread)
            while True:
                with claim:
                    block = next_block[0]
                    next_block[0] += 1
                if block >= n_blocks:
                    break
                start = block * BLOCK_DOCUMENTS
                end = min(n_docs, start + BLOCK_DOCUMENTS)
                rate = remaining()
                result = K.train_block(order, start, end, doc_labels, data, V, W,
                                       np.float32(alpha0 * rate), update_input,
                                       np.float32(proxy_alpha * rate), proxy, window, state,
                                       buffers[thread], work[thread])
                stats[thread] += result
                done[thread] += end - start

        pool = concurrent.futures.ThreadPoolExecutor(workers) if workers > 1 else None
        bar = progress(total=self.epochs * n_docs, desc="classifier", unit=" docs")
        try:
            for epoch in range(self.epochs):
                if self.proxy_weight == 0:
                    order = rng.permutation(np.flatnonzero(doc_labels >= 0))
                else:
                    order = rng.permutation(len(doc_labels))
                stats[:] = 0.0
                done[:] = 0
                next_block[0] = 0
                if pool is None:
                    work_on(0, epoch, order)
                else:
                    futures = [pool.submit(work_on, t, epoch, order) for t in range(workers)]
                    pending = set(futures)
                    while pending:
                        _, pending = concurrent.futures.wait(pending, timeout=0.5)
                        self._show(bar, epoch, n_docs, done, stats)
                    for future in futures:
                        future.result()
                processed_before += n_docs
                self._show(bar, epoch, n_docs, done, stats)
                loss, examples, correct, proxy_loss, predictions = stats.sum(axis=0)
                self.loss_history_.append(loss / examples if examples else float("nan"))
                self.accuracy_history_.append(correct / examples if examples else float("nan"))
                if self.proxy_weight > 0:
                    self.proxy_loss_history_.append(proxy_loss / predictions if predictions
                                                    else float("nan"))
                logger.info("classifier epoch %d: loss %.4f, accuracy %.4f", epoch + 1,
                            self.loss_history_[-1], self.accuracy_history_[-1])
        finally:
            bar.close()
            if pool is not None:
                pool.shutdown()

    @staticmethod
    def _show(bar, epoch, n_docs, done, stats) -> None:
        if bar.disable:
            return
        bar.update(epoch * n_docs + int(done.sum()) - bar.n)
        loss, examples, correct, proxy_loss, predictions = stats.sum(axis=0)
        shown = {"epoch": epoch + 1}
        if examples:
            shown.update(loss=f"{loss / examples:.4f}", acc=f"{correct / examples:.3f}")
        if predictions:
            shown["proxy"] = f"{proxy_loss / predictions:.4f}"
        bar.set_postfix(shown, refresh=False)

    # -- prediction ---------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "output_weights_"):
            raise NotFittedError("this TextClassifier is not fitted yet; call fit(texts, labels) "
                                 "first")

    def predict_proba(self, texts) -> np.ndarray:
        """Probability of each class (columns in the order of ``classes_``) for each text.

        A text with no known token gets the uniform distribution.
        """
        from . import _classifier_kernels as K

        self._check_fitted()
        texts = _as_texts(texts, "texts")
        out = np.zeros((len(texts), len(self.classes_)), np.float64)
        if not texts:
            return out
        encoded = self.vocabulary_.encode_corpus(as_corpus(texts))
        data = self._features(encoded)
        K.predict_proba(0, len(texts), data, self.input_vectors_, self.output_weights_, out)
        return out

    def predict(self, texts) -> np.ndarray:
        """The most probable label of each text."""
        return self.classes_[np.argmax(self.predict_proba(texts), axis=1)]

    def score(self, texts, labels=None) -> float:
        """Accuracy on labelled texts (or a labelled TSV file when ``labels`` is None)."""
        texts, labels = self._check_labels(texts, labels)
        predicted = self.predict(texts).tolist()
        return float(np.mean([p == t for p, t in zip(predicted, labels, strict=True)]))

    def _make_wv(self):
        """The learned first layer's word rows as :class:`~wordspace.vectors.Embeddings`
        (:attr:`wv`, built once per fit or load)."""
        from ..vectors import Embeddings

        n = len(self.vocabulary_)
        return Embeddings(self.vocabulary_.tokens, self.input_vectors_[:n],
                          counts=self.vocabulary_.counts)

    # -- persistence --------------------------------------------------------------------------
    def save(self, path) -> None:
        """Write the model (first layer, output weights, classes, parameters) to ``path``."""
        self._check_fitted()
        n = len(self.vocabulary_)
        arrays = {"vectors": self.input_vectors_[:n], "ngram_vectors": self.input_vectors_[n:],
                  "ngram_buckets": self.ngram_buckets_, "ngram_counts": self.ngram_counts_,
                  "output_weights": self.output_weights_, "counts": self.vocabulary_.counts}
        if self.proxy_weight > 0:
            arrays["proxy_vectors"] = self.proxy_vectors_
        params = self.get_params()
        if params["pretrained"] is not None:
            params["pretrained"] = (str(params["pretrained"])
                                    if isinstance(params["pretrained"], str | os.PathLike)
                                    else f"<{type(params['pretrained']).__name__}>")
        _store.save(path, "classifier", arrays, tokens=self.vocabulary_.tokens, params=params,
                    classes=self.classes_.tolist(), loss_history=self.loss_history_,
                    accuracy_history=self.accuracy_history_,
                    proxy_loss_history=self.proxy_loss_history_,
                    n_raw_tokens=self.vocabulary_.n_raw_tokens,
                    n_documents=self.vocabulary_.n_documents)

    @classmethod
    def load(cls, path, mmap: bool = True) -> TextClassifier:
        """Read a model written by :meth:`save` (arrays memory-mapped, read-only, when
        ``mmap``)."""
        header, arrays = _store.load(path, mmap=mmap)
        if header.get("kind") != "classifier":
            raise ModelFormatError(f"{path} holds a {header.get('kind')!r} model, not a "
                                   "classifier")
        try:
            names = cls._get_param_names()
            params = {k: v for k, v in dict(header["params"]).items() if k in names}
            model = cls(**params)
            model.vocabulary_ = Vocabulary(header["tokens"], arrays["counts"],
                                           n_raw_tokens=header.get("n_raw_tokens", 0),
                                           n_documents=header.get("n_documents", 0))
            model.input_vectors_ = np.concatenate([arrays["vectors"], arrays["ngram_vectors"]])
            # a model of before the lazy buckets holds a row for every bucket, in order
            model.ngram_buckets_ = np.asarray(
                arrays["ngram_buckets"] if "ngram_buckets" in arrays
                else np.arange(len(arrays["ngram_vectors"])), np.int32)
            model.ngram_counts_ = np.asarray(arrays["ngram_counts"] if "ngram_counts" in arrays
                                             else np.zeros(len(model.ngram_buckets_)), np.int64)
            model.output_weights_ = np.asarray(arrays["output_weights"])
            if "proxy_vectors" in arrays:
                model.proxy_vectors_ = np.asarray(arrays["proxy_vectors"])
            model.classes_ = np.asarray(header["classes"])
            model.token_weights_ = model._feature_weights()
            model.loss_history_ = [float(x) for x in header.get("loss_history", [])]
            model.accuracy_history_ = [float(x) for x in header.get("accuracy_history", [])]
            model.proxy_loss_history_ = [float(x) for x in header.get("proxy_loss_history", [])]
        except (KeyError, TypeError, ValueError, ParameterError) as error:
            raise ModelFormatError(f"{path}: incomplete classifier model ({error})") from None
        dim = model.input_vectors_.shape[1]
        if model.output_weights_.shape != (len(model.classes_), dim) or \
                model.input_vectors_.shape[0] != len(model.vocabulary_) + \
                len(model.ngram_buckets_):
            raise ModelFormatError(f"{path}: the classifier's shapes do not match")
        return model
