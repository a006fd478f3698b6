"""Numba kernels of :class:`~wordspace.models.classifier.TextClassifier`.

A document is a bag of *features*: its word ids (rows ``0 .. n_words - 1`` of the first layer
``V``) and, optionally, its hashed word n-grams (rows ``n_words ..``).  Its code is the mean
``u`` of their rows, and the label is predicted by a softmax over ``W u`` (the architecture of
fastText's supervised mode).  :func:`train_block` walks a block of documents of a shuffled order
and, for each one,

1. **the true task**: one SGD step on ``-log softmax(W u)[label]`` -- ``W`` exactly, and every
   feature row by the gradient of ``u`` divided by the number of features (the true gradient of
   the mean, as fastText does), unless the first layer is frozen;
2. **the proxy task** (when ``proxy_weight > 0``, on labelled and unlabelled documents alike):
   CBOW with negative sampling over the document's words -- the word2vec core's subsampling
   (:func:`~wordspace.models._w2v_core.subsample_block`) and negative-sampling step
   (:func:`~wordspace.models._w2v_core.negative_step`) on the same ``V`` and an output
   matrix of its own, at its own learning rate (``proxy_alpha``, the classifier's times
   ``proxy_weight * proxy_alpha / alpha``): SGD on one positive combination of the two losses.

Threads run blocks of the same order at once (Hogwild: no locks, as the word2vec kernels).  The
random state (negatives, subsampling, window shrinking) is one ``uint64[1]`` per thread and only
the proxy step draws from it, so ``proxy_weight = 0`` gives exactly the plain classifier.

:func:`softmax_step_reference` is a numpy reference of the true-task step, checked against the
kernel in the tests.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ._w2v_core import negative_step, subsample_block

__all__ = ["hash_ngrams", "train_block", "predict_proba", "softmax_step_reference"]

_jit = numba.njit(cache=True, fastmath=True, nogil=True)
_jit_inline = numba.njit(cache=True, fastmath=True, nogil=True, inline="always")
# train_block allocates nothing: without reference counting, as the word2vec kernels (the arrays
# of the ns and lut tuples handed to negative_step cost incref/decref pairs per prediction)
_kernel = numba.njit(cache=True, fastmath=True, nogil=True, _nrt=False)

#: multiplier of fastText's word n-gram hash
_NGRAM_MUL = np.uint64(116049371)


@_jit
def hash_ngrams(ids, offsets, n, buckets, first_row):
    """Hashed word n-grams (2 .. ``n`` words, never across documents) of every document.

    Returns ``(ngram_ids int32, ngram_offsets int64)``: document ``d``'s n-gram rows are
    ``ngram_ids[ngram_offsets[d]:ngram_offsets[d + 1]]``, each ``first_row + hash % buckets``
    (fastText's hash of the word ids: ``h = h * 116049371 + id``).
    """
    n_docs = offsets.shape[0] - 1
    out_offsets = np.zeros(n_docs + 1, np.int64)
    total = 0
    for d in range(n_docs):
        length = offsets[d + 1] - offsets[d]
        for k in range(2, n + 1):
            if length >= k:
                total += length - k + 1
        out_offsets[d + 1] = total
    out = np.empty(total, np.int32)
    m = 0
    for d in range(n_docs):
        a = offsets[d]
        e = offsets[d + 1]
        for i in range(a, e):
            h = np.uint64(ids[i])
            for k in range(1, n):
                if i + k >= e:
                    break
                h = h * _NGRAM_MUL + np.uint64(ids[i + k])
                out[m] = first_row + np.int32(h % np.uint64(buckets))
                m += 1
    return out, out_offsets


@_jit_inline
def _document_code(d, word_ids, word_offsets, ngram_ids, ngram_offsets, V, weights, hidden):
    """``hidden = mean of V's feature rows of document d``, row ``r`` (a word or an n-gram
    bucket) weighing ``weights[r]``; returns the total weight (0: no feature)."""
    dim = V.shape[1]
    for j in range(dim):
        hidden[j] = 0.0
    count = 0.0
    for p in range(word_offsets[d], word_offsets[d + 1]):
        row = word_ids[p]
        w = weights[row]
        for j in range(dim):
            hidden[j] += w * V[row, j]
        count += w
    for p in range(ngram_offsets[d], ngram_offsets[d + 1]):
        row = ngram_ids[p]
        w = weights[row]
        for j in range(dim):
            hidden[j] += w * V[row, j]
        count += w
    if count > 0.0:
        inv = np.float32(1.0 / count)
        for j in range(dim):
            hidden[j] *= inv
    return count


@_jit_inline
def _softmax_scores(W, hidden, probs):
    """``probs = softmax(W hidden)``; returns the arg max."""
    n_classes, dim = W.shape
    top = -1e30
    best = 0
    for c in range(n_classes):
        f = 0.0
        for j in range(dim):
            f += W[c, j] * hidden[j]
        probs[c] = f
        if f > top:
            top = f
            best = c
    total = 0.0
    for c in range(n_classes):
        e = math.exp(probs[c] - top)
        probs[c] = e
        total += e
    inv = 1.0 / total
    for c in range(n_classes):
        probs[c] *= inv
    return best


@_jit_inline
def _classify_step(d, label, data, V, W, alpha, update_input, hidden, grad, probs):
    """One SGD step of the true task on document ``d``: returns ``(loss, correct, weight)``."""
    word_ids, word_offsets, ngram_ids, ngram_offsets, weights = data
    n_classes, dim = W.shape
    count = _document_code(d, word_ids, word_offsets, ngram_ids, ngram_offsets, V, weights,
                           hidden)
    if count == 0.0:
        return 0.0, 0, 0.0
    best = _softmax_scores(W, hidden, probs)
    loss = -math.log(max(probs[label], 1e-30))
    for j in range(dim):
        grad[j] = 0.0
    for c in range(n_classes):
        g = np.float32(-probs[c])
        if c == label:
            g += np.float32(1.0)
        g *= alpha
        for j in range(dim):
            grad[j] += g * W[c, j]
            W[c, j] += g * hidden[j]
    if update_input:
        inv = np.float32(1.0 / count)
        for j in range(dim):
            grad[j] *= inv
        for p in range(word_offsets[d], word_offsets[d + 1]):
            row = word_ids[p]
            w = weights[row]
            for j in range(dim):
                V[row, j] += w * grad[j]
        for p in range(ngram_offsets[d], ngram_offsets[d + 1]):
            row = ngram_ids[p]
            w = weights[row]
            for j in range(dim):
                V[row, j] += w * grad[j]
    return loss, 1 if best == label else 0, count


@_jit_inline
def _proxy_step(d, word_ids, word_offsets, V, proxy, window, alpha, state, work):
    """CBOW with negative sampling over document ``d``'s words (the word2vec core's steps).

    Each context word takes the whole step of d loss / d (context mean), word2vec's
    convention.  Returns ``(loss, predictions)``.
    """
    syn1, keep, ns = proxy
    neu1, neu1e, kept, kept_window, kept_seg = work
    dim = V.shape[1]
    n_kept = subsample_block(word_ids, word_offsets, d, d + 1, keep, window, True, state,
                             kept, kept_window, kept_seg)
    loss = 0.0
    predictions = 0
    for i in range(n_kept):
        b = kept_window[i]
        lo = max(0, i - b)
        hi = min(n_kept, i + b + 1)
        count = hi - lo - 1
        if count <= 0:
            continue
        for j in range(dim):
            neu1[j] = 0.0
            neu1e[j] = 0.0
        for k in range(lo, hi):
            if k != i:
                row = kept[k]
                for j in range(dim):
                    neu1[j] += V[row, j]
        inv = np.float32(1.0 / count)
        for j in range(dim):
            neu1[j] *= inv
        loss += negative_step(neu1, kept[i], syn1, alpha, state, ns, neu1e)
        predictions += 1
        for k in range(lo, hi):
            if k != i:
                row = kept[k]
                for j in range(dim):
                    V[row, j] += neu1e[j]
    return loss, predictions


@_kernel
def train_block(order, start, end, labels, data, V, W, alpha, update_input, proxy_alpha,
                proxy, window, state, buffers, work):
    """Train on documents ``order[start:end]``: the true task on the labelled ones
    (``labels[d] >= 0``), and the proxy task on all of them when ``proxy_weight > 0``.

    ``data = (word_ids, word_offsets, ngram_ids, ngram_offsets, weights)``;
    ``proxy = (syn1, keep, ns)`` with ``ns`` the word2vec core's grouped negative-sampling tables
    (:func:`~wordspace.models._w2v_core.negative_tables`); ``buffers = (hidden, grad, probs)``
    and ``work = (neu1, neu1e, kept, kept_window, kept_seg)`` are the thread's work buffers.

    Returns ``(loss, examples, correct, proxy_loss, proxy_predictions)``: the summed losses
    (float64) and counts, so that any number of threads can be averaged.
    """
    word_ids, word_offsets = data[0], data[1]
    hidden, grad, probs = buffers
    loss = 0.0
    examples = 0
    correct = 0
    proxy_loss = 0.0
    proxy_predictions = 0
    for k in range(start, end):
        d = order[k]
        label = labels[d]
        if label >= 0:
            step_loss, hit, count = _classify_step(d, label, data, V, W, alpha, update_input,
                                                   hidden, grad, probs)
            if count > 0.0:
                loss += step_loss
                examples += 1
                correct += hit
        if proxy_alpha > 0.0:
            step_loss, predictions = _proxy_step(d, word_ids, word_offsets, V, proxy, window,
                                                 proxy_alpha, state, work)
            proxy_loss += step_loss
            proxy_predictions += predictions
    return loss, examples, correct, proxy_loss, proxy_predictions


@_jit
def predict_proba(start, end, data, V, W, out):
    """``out[d - start] = softmax(W u_d)`` for documents ``start .. end - 1`` (a document with no
    known feature gets ``softmax(0)``, the uniform distribution)."""
    word_ids, word_offsets, ngram_ids, ngram_offsets, weights = data
    hidden = np.zeros(V.shape[1], np.float32)
    probs = np.zeros(W.shape[0], np.float64)
    for d in range(start, end):
        _document_code(d, word_ids, word_offsets, ngram_ids, ngram_offsets, V, weights, hidden)
        _softmax_scores(W, hidden, probs)
        for c in range(W.shape[0]):
            out[d - start, c] = probs[c]


def softmax_step_reference(V, W, rows, label, alpha, update_input=True):
    """The true-task step in float64 numpy: returns ``(loss, V', W')`` after one SGD step on
    ``-log softmax(W mean(V[rows]))[label]``; a row that occurs twice is updated twice."""
    V = np.array(V, np.float64)
    W = np.array(W, np.float64)
    rows = np.asarray(rows)
    u = V[rows].mean(axis=0)
    scores = W @ u
    p = np.exp(scores - scores.max())
    p /= p.sum()
    loss = -np.log(p[label])
    delta = -p
    delta[label] += 1.0  # minus the gradient of the loss w.r.t. the scores
    grad_u = W.T @ delta
    W_new = W + alpha * np.outer(delta, u)
    if update_input:
        np.add.at(V, rows, alpha * grad_u / len(rows))
    return loss, V, W_new
