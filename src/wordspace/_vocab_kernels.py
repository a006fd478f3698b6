"""Numba kernels of the vocabulary's sampling tables: the alias table of the noise distribution
and the Huffman tree of the counts.

Word2vec draws its negatives from the alias table (one uniform draw per word, no search) and
predicts a word along its path in the Huffman tree (hierarchical softmax); both are built once
per vocabulary, here, and handed to the training kernels of :mod:`wordspace.models`.

>>> prob, alias = build_alias(np.array([0.5, 0.25, 0.25]))
>>> prob.tolist(), alias.tolist()
([1.0, 0.75, 0.75], [0, 0, 0])
>>> codes, points, lengths = build_huffman(np.array([5, 3, 2, 1]))
>>> lengths.tolist()
[1, 2, 3, 3]
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["build_alias", "build_huffman"]

_jit = numba.njit(cache=True, fastmath=True, nogil=True)


@_jit
def build_alias(probabilities):
    """Walker/Vose alias table of a discrete distribution: (prob float64, alias int32)."""
    n = probabilities.shape[0]
    prob = np.ones(n, np.float64)
    alias = np.arange(n).astype(np.int32)
    scaled = probabilities * n
    small = [i for i in range(n) if scaled[i] < 1.0]
    large = [i for i in range(n) if scaled[i] >= 1.0]
    while small and large:
        s = small.pop()
        g = large.pop()
        prob[s] = scaled[s]
        alias[s] = g
        scaled[g] = scaled[g] + scaled[s] - 1.0
        if scaled[g] < 1.0:
            small.append(g)
        else:
            large.append(g)
    return prob, alias  # what is left in either list keeps probability 1


@_jit
def build_huffman(counts):
    """Huffman codes of a vocabulary sorted by decreasing count (the C tool's linear method).

    Returns ``(codes uint8 [V, L], points int32 [V, L], lengths int32 [V])``: word ``w``'s path
    from the root visits inner nodes ``points[w, :lengths[w]]`` (rows of the output matrix,
    ``0 .. V-2``) and turns ``codes[w, :lengths[w]]``.  Ties resolve by position, so the tree is
    deterministic.
    """
    n = counts.shape[0]
    lengths = np.zeros(n, np.int32)
    if n < 2:
        return np.zeros((n, 1), np.uint8), np.zeros((n, 1), np.int32), lengths
    count = np.full(2 * n - 1, np.iinfo(np.int64).max)
    count[:n] = counts
    parent = np.zeros(2 * n - 1, np.int64)
    binary = np.zeros(2 * n - 1, np.uint8)
    pos1, pos2 = n - 1, n  # the next leaf (from the rarest), the next inner node
    for a in range(n - 1):
        pair = np.empty(2, np.int64)
        for m in range(2):
            if pos1 >= 0 and count[pos1] < count[pos2]:
                pair[m], pos1 = pos1, pos1 - 1
            else:
                pair[m], pos2 = pos2, pos2 + 1
        count[n + a] = count[pair[0]] + count[pair[1]]
        parent[pair[0]] = parent[pair[1]] = n + a
        binary[pair[1]] = 1
    for a in range(n):
        b = a
        while b != 2 * n - 2:
            lengths[a] += 1
            b = parent[b]
    codes = np.zeros((n, lengths.max()), np.uint8)
    points = np.zeros((n, lengths.max()), np.int32)
    for a in range(n):
        b = a
        for i in range(lengths[a] - 1, -1, -1):
            codes[a, i] = binary[b]
            points[a, i] = parent[b] - n
            b = parent[b]
    return codes, points, lengths
