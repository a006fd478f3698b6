"""Numba kernels of word2vec for the lecture's model in full: the exact softmax, and more than one
masked token per window.

The fast kernels in :mod:`._w2v_kernels` handle one masked token (the centre) with negative
sampling or hierarchical softmax.  The kernels here are the general case:

* ``loss = "softmax"``: P(y | context) = exp(z . u_y) / sum_y' exp(z . u_y'), computed over the
  whole vocabulary, O(V * dim) per prediction -- the reference the approximations are checked
  against, practical for vocabularies of a few thousand tokens;
* ``masks = m > 1`` (CBOW): in each window the centre and ``m - 1`` other random positions are
  masked; z is built from the tokens left visible, and each masked token is predicted from it
  (with any of the three losses).

Input updates follow word2vec's convention (the C tool, gensim, :mod:`._w2v_kernels`): every
context word takes the step of d loss / d z itself, which is the true gradient times the context
size with ``cbow_mean`` (and over it without); the output side is the exact gradient.

They share the block layout, subsampling phase and random generator of :mod:`._w2v_kernels`, so a
run is as reproducible as the fast path.  :func:`softmax_loss_and_grad` is a plain numpy
reference of the exact-softmax loss and its gradient, used to check the kernel by finite
differences.  :func:`masked_log_probabilities` scores held-out text: for every position, the log
probability of the true token given its full window, and its rank among all tokens.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ._w2v_kernels import (
    _draw_negative,
    _gradient,
    _loss_term,
    _next,
    _table_index,
    subsample_block,
)

__all__ = ["LOSS_KINDS", "cbow_masked_block", "sg_softmax_block", "softmax_loss_and_grad",
           "masked_log_probabilities"]

_jit = numba.njit(cache=True, fastmath=True, nogil=True)
_jit_inline = numba.njit(cache=True, fastmath=True, nogil=True, inline="always")

#: loss name -> code used inside the kernels
LOSS_KINDS = {"softmax": 0, "negative": 1, "hierarchical": 2}


@_jit_inline
def _softmax_step(neu1, target, syn1, alpha, scores, neu1e):
    """One exact-softmax prediction of ``target`` from ``neu1``: updates ``syn1`` and adds the
    input gradient (times alpha) to ``neu1e``; returns -log P(target)."""
    n_out, dim = syn1.shape
    top = np.float32(-1e30)
    for y in range(n_out):
        f = np.float32(0.0)
        for d in range(dim):
            f += neu1[d] * syn1[y, d]
        scores[y] = f
        if f > top:
            top = f
    total = 0.0
    for y in range(n_out):
        e = math.exp(scores[y] - top)
        scores[y] = e
        total += e
    loss = -(math.log(scores[target] / total))
    inv = 1.0 / total
    for y in range(n_out):
        # gradient of -log softmax w.r.t. the score of y is p_y - [y == target]
        g = np.float32(scores[y] * inv)
        if y == target:
            g -= np.float32(1.0)
        g = -g * alpha
        if g == 0.0:
            continue
        for d in range(dim):
            neu1e[d] += g * syn1[y, d]
            syn1[y, d] += g * neu1[d]
    return loss


@_jit_inline
def _binary_step(neu1, row, label, syn1, alpha, sigmoid, loss_pos, loss_neg, neu1e):
    """One logistic prediction of ``label`` for output ``row`` (a negative-sampling target or a
    tree node), with the fast kernels' sigmoid table and saturation rule; returns its loss."""
    dim = syn1.shape[1]
    f = np.float32(0.0)
    for d in range(dim):
        f += neu1[d] * syn1[row, d]
    t = _table_index(f)
    g = _gradient(f, label, sigmoid, t, alpha)
    for d in range(dim):
        neu1e[d] += g * syn1[row, d]
        syn1[row, d] += g * neu1[d]
    return _loss_term(f, label, loss_pos, loss_neg, t)


@_jit_inline
def _negative_step(neu1, target, syn1, alpha, state, alias_prob, alias_index, negative,
                   sigmoid, loss_pos, loss_neg, neu1e):
    loss = 0.0
    for k in range(negative + 1):
        if k == 0:
            word = target
            label = 1
        else:
            word = _draw_negative(state, alias_prob, alias_index)
            if word == target:
                continue
            label = 0
        loss += _binary_step(neu1, word, label, syn1, alpha, sigmoid, loss_pos, loss_neg, neu1e)
    return loss


@_jit_inline
def _hierarchical_step(neu1, target, syn1, alpha, codes, points, code_lengths, sigmoid,
                       loss_pos, loss_neg, neu1e):
    loss = 0.0
    for k in range(code_lengths[target]):
        node = points[target, k]
        label = 1 - np.int32(codes[target, k])
        loss += _binary_step(neu1, node, label, syn1, alpha, sigmoid, loss_pos, loss_neg, neu1e)
    return loss


@_jit
def cbow_masked_block(ids, seg_offsets, seg_start, seg_end, keep, window, shrink, state,
                      kept, kept_window, kept_seg, syn0, syn1, loss_kind, masks,
                      alias_prob, alias_index, negative, codes, points, code_lengths,
                      cbow_mean, alpha, sigmoid, loss_pos, loss_neg, neu1, neu1e, scores,
                      masked):
    """CBOW on one block with ``masks`` masked tokens per window and any loss.

    ``masked`` is an int32 work buffer of length ``2 * window + 1``.  Returns
    ``(loss, predictions)`` like the fast kernels; ``predictions`` counts masked tokens.
    """
    dim = syn0.shape[1]
    n_kept = subsample_block(ids, seg_offsets, seg_start, seg_end, keep, window, shrink, state,
                             kept, kept_window, kept_seg)
    loss = 0.0
    predictions = 0
    if n_kept == 0:
        return loss, predictions
    for s in range(seg_end - seg_start):
        a = kept_seg[s]
        e = kept_seg[s + 1]
        for i in range(a, e):
            b = kept_window[i]
            lo = max(a, i - b)
            hi = min(e, i + b + 1)
            width = hi - lo
            if width < 2:
                continue
            # mask the centre and up to masks - 1 other positions, keeping one visible
            n_masked = min(masks, width - 1)
            for j in range(width):
                masked[j] = 0
            masked[i - lo] = 1
            chosen = 1
            while chosen < n_masked:
                j = np.int64(_next(state) % np.uint64(width))
                if masked[j] == 0:
                    masked[j] = 1
                    chosen += 1
            count = width - n_masked
            for d in range(dim):
                neu1[d] = 0.0
                neu1e[d] = 0.0
            for j in range(lo, hi):
                if masked[j - lo] == 0:
                    c = kept[j]
                    for d in range(dim):
                        neu1[d] += syn0[c, d]
            if cbow_mean:
                inv = np.float32(1.0 / count)
                for d in range(dim):
                    neu1[d] *= inv
            for j in range(lo, hi):
                if masked[j - lo] == 0:
                    continue
                target = kept[j]
                if loss_kind == 0:
                    loss += _softmax_step(neu1, target, syn1, alpha, scores, neu1e)
                elif loss_kind == 1:
                    loss += _negative_step(neu1, target, syn1, alpha, state, alias_prob,
                                           alias_index, negative, sigmoid, loss_pos, loss_neg,
                                           neu1e)
                else:
                    loss += _hierarchical_step(neu1, target, syn1, alpha, codes, points,
                                               code_lengths, sigmoid, loss_pos, loss_neg, neu1e)
                predictions += 1
            if not cbow_mean:
                inv = np.float32(1.0 / count)
                for d in range(dim):
                    neu1e[d] *= inv
            for j in range(lo, hi):
                if masked[j - lo] == 0:
                    c = kept[j]
                    for d in range(dim):
                        syn0[c, d] += neu1e[d]
    return loss, predictions


@_jit
def sg_softmax_block(ids, seg_offsets, seg_start, seg_end, keep, window, shrink, state,
                     kept, kept_window, kept_seg, syn0, syn1, alpha, neu1, neu1e, scores):
    """Skip-gram with the exact softmax: each context word predicts the centre."""
    dim = syn0.shape[1]
    n_kept = subsample_block(ids, seg_offsets, seg_start, seg_end, keep, window, shrink, state,
                             kept, kept_window, kept_seg)
    loss = 0.0
    predictions = 0
    if n_kept == 0:
        return loss, predictions
    for s in range(seg_end - seg_start):
        a = kept_seg[s]
        e = kept_seg[s + 1]
        for i in range(a, e):
            b = kept_window[i]
            lo = max(a, i - b)
            hi = min(e, i + b + 1)
            centre = kept[i]
            for j in range(lo, hi):
                if j == i:
                    continue
                c = kept[j]
                for d in range(dim):
                    neu1[d] = syn0[c, d]
                    neu1e[d] = 0.0
                loss += _softmax_step(neu1, centre, syn1, alpha, scores, neu1e)
                predictions += 1
                for d in range(dim):
                    syn0[c, d] += neu1e[d]
    return loss, predictions


def softmax_loss_and_grad(syn0, syn1, context, target, cbow_mean=True):
    """Exact-softmax loss ``-log P(target | context)`` and its gradients, in float64 numpy.

    Returns ``(loss, grad_syn0, grad_syn1)`` with gradients of the same shapes as the matrices.
    With tied weights pass the same array twice and add the two gradients.
    """
    syn0 = np.asarray(syn0, np.float64)
    syn1 = np.asarray(syn1, np.float64)
    context = np.asarray(context)
    scale = 1.0 / len(context) if cbow_mean else 1.0
    z = syn0[context].sum(axis=0) * scale
    scores = syn1 @ z
    scores -= scores.max()
    p = np.exp(scores)
    p /= p.sum()
    loss = -np.log(p[target])
    delta = p.copy()
    delta[target] -= 1.0
    grad_syn1 = np.outer(delta, z)
    grad_z = syn1.T @ delta
    grad_syn0 = np.zeros_like(syn0)
    np.add.at(grad_syn0, context, grad_z * scale)
    return loss, grad_syn0, grad_syn1


@_jit
def masked_log_probabilities(ids, seg_offsets, syn0, syn1, window, loss_kind, codes, points,
                             code_lengths, cbow_mean, stride, log_probs, ranks):
    """Score held-out text: each ``stride``-th position predicted from its full window.

    For the softmax and negative-sampling models the prediction is the softmax over
    ``z . u_y`` (negative sampling trains the same scores without normalising them); for
    hierarchical softmax it is the tree's own normalised probability.  Fills ``log_probs`` and
    ``ranks`` (0 = the true token scored highest) and returns how many positions were scored.
    """
    dim = syn0.shape[1]
    n_words = syn0.shape[0]
    neu1 = np.zeros(dim, np.float32)
    scores = np.zeros(n_words, np.float64)
    n = 0
    for s in range(seg_offsets.shape[0] - 1):
        a = seg_offsets[s]
        e = seg_offsets[s + 1]
        for i in range(a, e, stride):
            lo = max(a, i - window)
            hi = min(e, i + window + 1)
            count = hi - lo - 1
            if count <= 0 or n >= log_probs.shape[0]:
                continue
            for d in range(dim):
                neu1[d] = 0.0
            for j in range(lo, hi):
                if j != i:
                    for d in range(dim):
                        neu1[d] += syn0[ids[j], d]
            if cbow_mean:
                for d in range(dim):
                    neu1[d] /= count
            if loss_kind == 2:
                for y in range(n_words):
                    lp = 0.0
                    for k in range(code_lengths[y]):
                        node = points[y, k]
                        f = 0.0
                        for d in range(dim):
                            f += neu1[d] * syn1[node, d]
                        # P(turn) = sigmoid(f) when code is 0, sigmoid(-f) when it is 1
                        x = f if codes[y, k] == 0 else -f
                        lp -= math.log1p(math.exp(-x)) if x > -30 else -x
                    scores[y] = lp
                total = 0.0
            else:
                top = -1e300
                for y in range(n_words):
                    f = 0.0
                    for d in range(dim):
                        f += neu1[d] * syn1[y, d]
                    scores[y] = f
                    if f > top:
                        top = f
                acc = 0.0
                for y in range(n_words):
                    acc += math.exp(scores[y] - top)
                total = top + math.log(acc)
            true = ids[i]
            log_probs[n] = scores[true] - total
            rank = 0
            for y in range(n_words):
                if scores[y] > scores[true]:
                    rank += 1
            ranks[n] = rank
            n += 1
    return n


def block_runner(model, tables: dict, max_block: int, prelude):
    """The per-thread block function of :class:`~wordspace.models.word2vec.Word2Vec` for the
    exact softmax or ``masks > 1``: ``run(state, ids, seg_offsets, s0, s1, alpha)``.

    ``prelude(ids, seg_offsets, s0, s1, state)`` gives the leading arguments shared with the fast
    kernels (block bounds, subsampling table and work buffers).
    """
    dim, window = model.vector_size, int(model.window)
    syn0, syn1 = model.input_vectors_, model.output_vectors_
    sigmoid, loss_pos, loss_neg = tables["sigmoid"], tables["loss_pos"], tables["loss_neg"]
    neu1 = np.zeros(dim, np.float32)
    neu1e = np.zeros(dim, np.float32)
    scores = np.zeros(syn1.shape[0], np.float64)
    masked = np.zeros(2 * window + 1, np.int32)
    loss_kind = LOSS_KINDS[model.loss]
    empty_f, empty_i = np.zeros(1, np.float64), np.zeros(1, np.int32)
    alias_prob = tables.get("alias_prob", empty_f)
    alias_index = tables.get("alias_index", empty_i)
    codes = tables.get("codes", np.zeros((1, 1), np.uint8))
    points = tables.get("points", np.zeros((1, 1), np.int32))
    lengths = tables.get("code_lengths", empty_i)
    negative, cbow_mean, masks = int(model.negative), bool(model.cbow_mean), int(model.masks)

    if model.architecture == "skipgram":
        def run(state, ids, seg_offsets, s0, s1, alpha):
            return sg_softmax_block(*prelude(ids, seg_offsets, s0, s1, state), syn0, syn1,
                                    np.float32(alpha), neu1, neu1e, scores)
        return run

    def run(state, ids, seg_offsets, s0, s1, alpha):  # noqa: F811 -- one of the two is returned
        return cbow_masked_block(*prelude(ids, seg_offsets, s0, s1, state), syn0, syn1,
                                 loss_kind, masks, alias_prob, alias_index, negative, codes,
                                 points, lengths, cbow_mean, np.float32(alpha), sigmoid, loss_pos,
                                 loss_neg, neu1, neu1e, scores, masked)
    return run
