"""The exact softmax of word2vec in numpy: its reference gradient, and held-out scoring.

Training with ``loss="softmax"`` or ``masks > 1`` runs in the one block loop of
:mod:`._w2v_kernels` with :func:`~._w2v_core.softmax_step` (P(y | context) = exp(z . u_y) /
sum_y' exp(z . u_y'), O(V * dim) per prediction: the reference the approximations are checked
against, practical for a few thousand tokens) and, for ``masks = m > 1`` (CBOW), the centre and
``m - 1`` other random positions of each window masked and each predicted from the tokens left
visible.  Input updates follow word2vec's convention (the C tool, gensim): every context word
takes the step of d loss / d z itself, the true gradient times the context size with
``cbow_mean`` (over it without); the output side is the exact gradient.

This module holds no kernel: :func:`softmax_loss_and_grad` checks the kernels' steps, and
:func:`masked_log_probabilities` scores held-out text with matrix products (BLAS), a block of
positions at a time.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["softmax_loss_and_grad", "masked_log_probabilities"]

#: scores held at once while scoring held-out text (float64: 8 MB; larger blocks were no faster)
_BLOCK_SCORES = 1 << 20


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


def masked_log_probabilities(ids, seg_offsets, syn0, syn1, window, tree=None, cbow_mean=True,
                             stride=1, limit=None):
    """Score held-out text: each ``stride``-th position of each segment predicted from its full
    window (the positions of one-token segments are skipped; at most ``limit`` are scored).

    For the softmax and negative-sampling models the prediction is the softmax over
    ``z . u_y`` (negative sampling trains the same scores without normalising them); for
    hierarchical softmax (``tree = (codes, points, lengths)``, the Huffman tree whose inner
    nodes are the rows of ``syn1``) it is the tree's own normalised probability.  Returns
    ``(log_probs, ranks)`` of the scored positions (rank 0: the true token scored highest).

    >>> rng = np.random.default_rng(0)
    >>> syn0, syn1 = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    >>> log_probs, ranks = masked_log_probabilities(np.array([0, 1, 2, 3, 4]),
    ...                                             np.array([0, 5]), syn0, syn1, 2, stride=2)
    >>> len(log_probs), bool(np.all(log_probs < 0)), bool(np.all(ranks < 5))
    (3, True, True)
    """
    ids, seg_offsets = np.asarray(ids), np.asarray(seg_offsets, np.int64)
    lengths = np.diff(seg_offsets)
    first, last = np.repeat(seg_offsets[:-1], lengths), np.repeat(seg_offsets[1:], lengths)
    positions = np.arange(seg_offsets[0], seg_offsets[-1])
    scored = ((positions - first) % stride == 0) & (last - first >= 2) & (window > 0)
    positions, first, last = positions[scored][:limit], first[scored][:limit], last[scored][:limit]
    # the hidden vectors: the sum (or mean) of each position's context rows
    hidden = np.zeros((len(positions), syn0.shape[1]))
    count = np.zeros(len(positions))
    for offset in range(-window, window + 1):
        j = positions + offset
        inside = (j >= first) & (j < last) & (offset != 0)
        hidden[inside] += syn0[ids[j[inside]]]
        count += inside
    if cbow_mean:
        hidden /= np.maximum(count, 1)[:, None]
    if tree is not None:  # word y's log-probability: its turns' log-sigmoids, summed over a path
        codes, points, lengths = tree
        on_path = np.arange(codes.shape[1]) < np.asarray(lengths)[:, None]
        turns = (np.asarray(codes, np.int64) * len(syn1) + points)[on_path]
        words = np.nonzero(on_path)[0]
        paths = sp.csc_matrix((np.ones(len(turns)), (turns, words)),
                              shape=(2 * len(syn1), len(lengths)))
    output, truth = np.asarray(syn1, np.float64), ids[positions]
    log_probs, ranks = np.zeros(len(positions)), np.zeros(len(positions), np.int64)
    step = max(1, _BLOCK_SCORES // len(syn1))
    for a in range(0, len(positions), step):
        scores = output @ hidden[a:a + step].T  # (words or nodes, positions)
        if tree is not None:  # log P(turn): log sigmoid(score) at code 0, log sigmoid(-score) at 1
            turn0 = -np.logaddexp(0.0, -scores)
            scores = paths.T @ np.vstack([turn0, turn0 - scores])
        true_scores = scores[truth[a:a + step], np.arange(scores.shape[1])]
        ranks[a:a + step] = (scores > true_scores).sum(axis=0)
        log_probs[a:a + step] = true_scores
        if tree is None:  # minus the log of the softmax's normaliser (the tree's is 1)
            top = scores.max(axis=0)
            scores -= top
            log_probs[a:a + step] -= top + np.log(np.exp(scores, out=scores).sum(axis=0))
    return log_probs, ranks
