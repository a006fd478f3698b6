"""The exact softmax of word2vec: its numpy reference, and held-out scoring.

Training with ``loss="softmax"`` or ``masks > 1`` runs in the one block loop of
:mod:`._w2v_kernels` with :func:`~._w2v_core.softmax_step` (P(y | context) = exp(z . u_y) /
sum_y' exp(z . u_y'), O(V * dim) per prediction: the reference the approximations are checked
against, practical for a few thousand tokens) and, for ``masks = m > 1`` (CBOW), the centre and
``m - 1`` other random positions of each window masked and each predicted from the tokens left
visible.  Input updates follow word2vec's convention (the C tool, gensim): every context word
takes the step of d loss / d z itself, the true gradient times the context size with
``cbow_mean`` (over it without); the output side is the exact gradient.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["softmax_loss_and_grad", "masked_log_probabilities"]

_jit = numba.njit(cache=True, fastmath=True, nogil=True)


def softmax_loss_and_grad(syn0, syn1, context, target, cbow_mean=True):
    """Exact-softmax loss ``-log P(target | context)`` and its gradients, in float64 numpy (to
    check the kernel by finite differences).

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
    hierarchical softmax (``loss_kind`` 2) it is the tree's own normalised probability.  Fills
    ``log_probs`` and ``ranks`` (0 = the true token scored highest); returns how many positions
    were scored.
    """
    n_words, dim = syn0.shape
    neu1 = np.zeros(dim, np.float32)
    scores = np.zeros(n_words, np.float64)
    n = 0
    for s in range(seg_offsets.shape[0] - 1):
        a, e = seg_offsets[s], seg_offsets[s + 1]
        for i in range(a, e, stride):
            lo, hi = max(a, i - window), min(e, i + window + 1)
            if hi - lo < 2 or n >= log_probs.shape[0]:
                continue
            neu1[:] = 0.0
            for j in range(lo, hi):
                if j != i:
                    for d in range(dim):
                        neu1[d] += syn0[ids[j], d]
            if cbow_mean:
                for d in range(dim):
                    neu1[d] /= hi - lo - 1
            top = -1e300
            for y in range(n_words):
                f = 0.0
                if loss_kind == 2:  # P(turn) = sigmoid(z . u) at code 0, sigmoid(-z . u) at 1
                    for k in range(code_lengths[y]):
                        x = 0.0
                        for d in range(dim):
                            x += neu1[d] * syn1[points[y, k], d]
                        x = x if codes[y, k] == 0 else -x
                        f -= math.log1p(math.exp(-x)) if x > -30 else -x
                else:
                    for d in range(dim):
                        f += neu1[d] * syn1[y, d]
                scores[y] = f
                top = max(top, f)
            total = 0.0  # the log of the normaliser (the tree's is 1)
            if loss_kind != 2:
                for y in range(n_words):
                    total += math.exp(scores[y] - top)
                total = top + math.log(total)
            log_probs[n] = scores[ids[i]] - total
            ranks[n] = 0
            for y in range(n_words):
                if scores[y] > scores[ids[i]]:
                    ranks[n] += 1
            n += 1
    return n
