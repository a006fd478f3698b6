"""The exact softmax of word2vec, in numpy and for scoring held-out text.

Training with ``loss="softmax"`` or ``masks > 1`` runs through the one block loop of
:mod:`._w2v_kernels` with :func:`~._w2v_core.softmax_step` (P(y | context) = exp(z . u_y) /
sum_y' exp(z . u_y'), O(V * dim) per prediction -- the reference the approximations are checked
against, practical for vocabularies of a few thousand tokens) and, for ``masks = m > 1`` (CBOW),
the centre and ``m - 1`` other random positions of each window masked and each predicted from the
tokens left visible.  Input updates follow word2vec's convention (the C tool, gensim): every
context word takes the step of d loss / d z itself, which is the true gradient times the context
size with ``cbow_mean`` (and over it without); the output side is the exact gradient.

:func:`softmax_loss_and_grad` is a plain numpy reference of the exact-softmax loss and its
gradient, used to check the kernel by finite differences.  :func:`masked_log_probabilities`
scores held-out text: for every position, the log probability of the true token given its full
window, and its rank among all tokens.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ._w2v_kernels import LOSS_KINDS

__all__ = ["LOSS_KINDS", "softmax_loss_and_grad", "masked_log_probabilities"]

_jit = numba.njit(cache=True, fastmath=True, nogil=True)


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
