"""Numba kernels of word2vec: sampling tables, the Huffman tree, and one training block per mode.

Every training kernel walks one *block* of the encoded corpus -- a run of consecutive segments
(documents, or pieces of long documents) -- in two phases:

1. **decide** (no arithmetic on vectors): subsample the block's tokens with the keep
   probabilities into a compact buffer, and draw each kept position's shrunk window;
2. **learn**: walk the compact buffer and update the shared matrices in place (Hogwild: threads
   update the same matrices without locks, as the C tool does), the hot rows in the thread's own
   copy (see :func:`sync_hot`).

A kernel returns ``(loss, predictions)``: the summed negative log-likelihood (float64) of the
predictions it made, and their number, so the caller can average over any number of threads.

Random numbers come from a 64-bit linear congruential generator whose state lives in a
one-element ``uint64`` array per thread, so a run with one thread and one seed is bit-for-bit
repeatable.  The sigmoid and the loss come from tables over ``[-MAX_EXP, MAX_EXP]``; a score
outside that range makes no update (gensim's rule, see :func:`_gradient`) but still counts in the
loss.

Negative samples are drawn from the unigram^0.75 distribution with Walker's alias method: two
arrays of vocabulary length, one uniform draw per sample, no search and no big table.
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = [
    "EXP_TABLE_SIZE", "MAX_EXP", "make_tables", "build_alias", "build_huffman", "seed_state",
    "cbow_neg_block", "cbow_hs_block", "sg_neg_block", "sg_neg_shared_block", "sg_hs_block",
    "sync_hot",
]

EXP_TABLE_SIZE = 1024
MAX_EXP = 6.0
_SCALE = EXP_TABLE_SIZE / (2.0 * MAX_EXP)

_jit = numba.njit(cache=True, fastmath=True, nogil=True)
_jit_inline = numba.njit(cache=True, fastmath=True, nogil=True, inline="always")

_LCG_MUL = np.uint64(6364136223846793005)
_LCG_ADD = np.uint64(1442695040888963407)


def make_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sigmoid, -log(sigmoid) and -log(1 - sigmoid) at the centres of the table's cells."""
    x = (np.arange(EXP_TABLE_SIZE, dtype=np.float64) + 0.5) / _SCALE - MAX_EXP
    sigmoid = 1.0 / (1.0 + np.exp(-x))
    return (sigmoid.astype(np.float32), np.log1p(np.exp(-x)).astype(np.float32),
            np.log1p(np.exp(x)).astype(np.float32))


def seed_state(seed: int, stream: int) -> np.ndarray:
    """A one-element generator state for ``stream`` (a thread, an epoch) of ``seed``."""
    mixed = np.random.SeedSequence([int(seed) & 0xFFFFFFFF, int(stream)]).generate_state(
        1, np.uint64)
    return mixed.astype(np.uint64)


@intrinsic
def _prefetch(typingctx, matrix, row, column):
    """Hint the CPU to fetch ``matrix[row, column]``'s cache line (``llvm.prefetch``)."""
    sig = types.void(matrix, row, column)

    def codegen(context, builder, signature, args):
        matrix_type, row_type, column_type = signature.args
        array = context.make_array(matrix_type)(context, builder, args[0])
        indices = [context.cast(builder, args[1], row_type, types.intp),
                   context.cast(builder, args[2], column_type, types.intp)]
        pointer = cgutils.get_item_pointer(context, builder, matrix_type, array, indices)
        byte_pointer = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        function = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32]),
            "llvm.prefetch.p0")
        # write (the row will be written), high temporal locality, data cache
        builder.call(function, [builder.bitcast(pointer, byte_pointer), ir.Constant(i32, 1),
                                ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return sig, codegen


@_jit_inline
def _prefetch_row(matrix, row):
    for column in range(0, matrix.shape[1], 16):
        _prefetch(matrix, row, column)


@_jit_inline
def _next(state):
    state[0] = state[0] * _LCG_MUL + _LCG_ADD
    return state[0] >> np.uint64(11)  # 53 random bits


@_jit_inline
def _uniform(state):
    return np.float64(_next(state)) * (1.0 / 9007199254740992.0)


@_jit_inline
def _table_index(f):
    i = int((f + MAX_EXP) * _SCALE)
    if i < 0:
        return 0
    if i >= EXP_TABLE_SIZE:
        return EXP_TABLE_SIZE - 1
    return i


@_jit_inline
def _loss_term(f, label, loss_pos, loss_neg, index):
    """-log sigmoid(+-f), linear beyond the table as it is for large |f|."""
    if label:
        if f < -MAX_EXP:
            return -f
        return loss_pos[index]
    if f > MAX_EXP:
        return f
    return loss_neg[index]


@_jit_inline
def _gradient(f, label, sigmoid, index, alpha):
    """``(label - sigmoid(f)) * alpha``, and no step at all once ``|f| >= MAX_EXP``.

    A saturated score gets no update (gensim's rule): the C tool's clamped step there lets a
    row that has grown large grow larger, and on long runs of one repeated token (``ax ax ax``
    in 20 Newsgroups) the vectors diverge.
    """
    if f <= -MAX_EXP or f >= MAX_EXP:
        return np.float32(0.0)
    return (np.float32(label) - sigmoid[index]) * alpha


@_jit_inline
def _draw_negative(state, alias_prob, alias_index):
    u = _uniform(state) * alias_prob.shape[0]
    i = int(u)
    if i >= alias_prob.shape[0]:
        i = alias_prob.shape[0] - 1
    if u - i >= alias_prob[i]:
        return alias_index[i]
    return i


@_jit
def build_alias(probabilities):
    """Walker/Vose alias table of a discrete distribution: (prob float64, alias int32)."""
    n = probabilities.shape[0]
    prob = np.empty(n, np.float64)
    alias = np.arange(n).astype(np.int32)
    scaled = probabilities * n
    small = np.empty(n, np.int64)
    large = np.empty(n, np.int64)
    n_small = 0
    n_large = 0
    for i in range(n):
        if scaled[i] < 1.0:
            small[n_small] = i
            n_small += 1
        else:
            large[n_large] = i
            n_large += 1
    while n_small > 0 and n_large > 0:
        n_small -= 1
        s = small[n_small]
        n_large -= 1
        g = large[n_large]
        prob[s] = scaled[s]
        alias[s] = g
        scaled[g] = scaled[g] + scaled[s] - 1.0
        if scaled[g] < 1.0:
            small[n_small] = g
            n_small += 1
        else:
            large[n_large] = g
            n_large += 1
    for k in range(n_large):
        prob[large[k]] = 1.0
    for k in range(n_small):
        prob[small[k]] = 1.0
    return prob, alias


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
    count = np.empty(2 * n - 1, np.int64)
    for i in range(n):
        count[i] = counts[i]
    for i in range(n, 2 * n - 1):
        count[i] = np.iinfo(np.int64).max
    parent = np.zeros(2 * n - 1, np.int64)
    binary = np.zeros(2 * n - 1, np.uint8)
    pos1 = n - 1
    pos2 = n
    for a in range(n - 1):
        if pos1 >= 0 and count[pos1] < count[pos2]:
            min1 = pos1
            pos1 -= 1
        else:
            min1 = pos2
            pos2 += 1
        if pos1 >= 0 and count[pos1] < count[pos2]:
            min2 = pos1
            pos1 -= 1
        else:
            min2 = pos2
            pos2 += 1
        count[n + a] = count[min1] + count[min2]
        parent[min1] = n + a
        parent[min2] = n + a
        binary[min2] = 1
    root = 2 * n - 2
    max_len = 0
    for a in range(n):
        b = a
        length = 0
        while b != root:
            length += 1
            b = parent[b]
        lengths[a] = length
        if length > max_len:
            max_len = length
    codes = np.zeros((n, max_len), np.uint8)
    points = np.zeros((n, max_len), np.int32)
    for a in range(n):
        length = lengths[a]
        b = a
        i = length - 1
        while b != root:
            codes[a, i] = binary[b]
            points[a, i] = parent[b] - n
            b = parent[b]
            i -= 1
    return codes, points, lengths


@_jit
def subsample_block(ids, seg_offsets, seg_start, seg_end, keep, window, shrink, state,
                    kept, kept_window, kept_seg):
    """Phase 1: the kept tokens of segments ``seg_start:seg_end``, their windows and segments.

    Fills ``kept`` (ids), ``kept_window`` (each position's window radius) and ``kept_seg``
    (offsets of the segments in ``kept``; ``seg_end - seg_start + 1`` entries) and returns the
    number of kept tokens.
    """
    n = 0
    kept_seg[0] = 0
    for s in range(seg_start, seg_end):
        for p in range(seg_offsets[s], seg_offsets[s + 1]):
            w = ids[p]
            k = keep[w]
            if k < 1.0 and _uniform(state) >= k:
                continue
            kept[n] = w
            if shrink:
                kept_window[n] = 1 + np.int32(_next(state) % np.uint64(window))
            else:
                kept_window[n] = window
            n += 1
        kept_seg[s - seg_start + 1] = n
    return n


# -- hot rows: a private copy per thread --------------------------------------------------------
# The hot rows of a matrix are ``first .. first + H - 1``: the most frequent words (input vectors
# and negative-sampling output vectors; ids are sorted by frequency) or the inner nodes nearest
# the root (hierarchical softmax).  Every thread writes them many thousand times a second, and on
# shared rows each of those writes moves cache lines from one core to the other.  So when several
# threads train, the matrices get extra rows: thread ``t`` works on its own copy of the hot rows
# (from row ``ext``), and every ``sync_every`` kept tokens :func:`sync_hot` adds what it learned
# since the last sync (own copy minus ``base``, the copy taken then) to the shared rows and takes
# their new values.  With ``H = 0`` (one thread) nothing is remapped.

@_jit_inline
def _map(word, first, n_hot, ext):
    """The row a thread uses for ``word``: its own copy of a hot row, else the shared one."""
    k = word - first
    if k >= 0 and k < n_hot:
        return ext + k
    return word


@_jit
def sync_hot(matrix, first, ext, base):
    """``shared += own - base``, then ``own = base = shared``, for the hot rows of one thread."""
    for k in range(base.shape[0]):
        for d in range(matrix.shape[1]):
            v = matrix[first + k, d] + (matrix[ext + k, d] - base[k, d])
            matrix[first + k, d] = v
            matrix[ext + k, d] = v
            base[k, d] = v


@_jit_inline
def _sync_both(syn0, syn1, base, first1, ext0, ext1):
    if base.shape[1]:
        sync_hot(syn0, 0, ext0, base[0])
        sync_hot(syn1, first1, ext1, base[1])


@_jit
def cbow_neg_block(ids, seg_offsets, seg_start, seg_end, keep, window, shrink, state,
                   kept, kept_window, kept_seg, syn0, syn1, base, first1, ext0, ext1, sync_every,
                   alias_prob, alias_index, negative, cbow_mean, alpha, sigmoid, loss_pos,
                   loss_neg, neu1, neu1e, negatives, targets, grads):
    """CBOW with negative sampling on one block: the (mean of the) context predicts the centre.

    Negatives are drawn one centre ahead (``negatives`` holds two sets) and their rows, with the
    next centre's, are prefetched while the current centre is computed.  All scores of a centre
    are computed before any output row moves (independent dot products, which the CPU overlaps);
    this differs from a strictly sequential update only when a target repeats.
    """
    dim = syn0.shape[1]
    n_kept = subsample_block(ids, seg_offsets, seg_start, seg_end, keep, window, shrink, state,
                             kept, kept_window, kept_seg)
    loss = 0.0
    predictions = 0
    if n_kept == 0:
        return loss, predictions
    n_hot = base.shape[1]
    _sync_both(syn0, syn1, base, first1, ext0, ext1)
    next_sync = sync_every
    current = 0
    for k in range(negative):
        negatives[current, k] = _draw_negative(state, alias_prob, alias_index)
    for s in range(seg_end - seg_start):
        a = kept_seg[s]
        e = kept_seg[s + 1]
        for i in range(a, e):
            if i >= next_sync:
                _sync_both(syn0, syn1, base, first1, ext0, ext1)
                next_sync = i + sync_every
            b = kept_window[i]
            lo = max(a, i - b)
            hi = min(e, i + b + 1)
            count = hi - lo - 1
            if count <= 0:
                continue
            for d in range(dim):
                neu1[d] = 0.0
                neu1e[d] = 0.0
            for j in range(lo, hi):
                if j != i:
                    c = _map(kept[j], 0, n_hot, ext0)
                    for d in range(dim):
                        neu1[d] += syn0[c, d]
            if cbow_mean:
                inv = np.float32(1.0 / count)
                for d in range(dim):
                    neu1[d] *= inv
            centre = kept[i]
            ahead = 1 - current
            for k in range(negative):
                target = _draw_negative(state, alias_prob, alias_index)
                negatives[ahead, k] = target
                if target >= n_hot:
                    _prefetch_row(syn1, target)
            if i + 1 < n_kept:
                if kept[i + 1] >= n_hot:
                    _prefetch_row(syn1, kept[i + 1])
                nxt = min(n_kept - 1, i + 1 + kept_window[i + 1])
                if kept[nxt] >= n_hot:
                    _prefetch_row(syn0, kept[nxt])
            targets[0] = _map(centre, 0, n_hot, ext1)
            n_targets = 1
            for k in range(negative):
                target = negatives[current, k]
                if target != centre:
                    targets[n_targets] = _map(target, 0, n_hot, ext1)
                    n_targets += 1
            for k in range(n_targets):
                target = targets[k]
                f = np.float32(0.0)
                for d in range(dim):
                    f += neu1[d] * syn1[target, d]
                t = _table_index(f)
                label = 1 if k == 0 else 0
                loss += _loss_term(f, label, loss_pos, loss_neg, t)
                grads[k] = _gradient(f, label, sigmoid, t, alpha)
            for k in range(n_targets):
                target = targets[k]
                g = grads[k]
                for d in range(dim):
                    neu1e[d] += g * syn1[target, d]
                    syn1[target, d] += g * neu1[d]
            predictions += 1
            current = ahead
            if not cbow_mean:
                inv = np.float32(1.0 / count)
                for d in range(dim):
                    neu1e[d] *= inv
            for j in range(lo, hi):
                if j != i:
                    c = _map(kept[j], 0, n_hot, ext0)
                    for d in range(dim):
                        syn0[c, d] += neu1e[d]
    _sync_both(syn0, syn1, base, first1, ext0, ext1)
    return loss, predictions


@_jit
def cbow_hs_block(ids, seg_offsets, seg_start, seg_end, keep, window, shrink, state,
                  kept, kept_window, kept_seg, syn0, syn1, base, first1, ext0, ext1, sync_every,
                  codes, points, code_lengths, cbow_mean, alpha, sigmoid, loss_pos, loss_neg,
                  neu1, neu1e):
    """CBOW with hierarchical softmax on one block."""
    dim = syn0.shape[1]
    n_kept = subsample_block(ids, seg_offsets, seg_start, seg_end, keep, window, shrink, state,
                             kept, kept_window, kept_seg)
    loss = 0.0
    predictions = 0
    if n_kept == 0:
        return loss, predictions
    n_hot = base.shape[1]
    _sync_both(syn0, syn1, base, first1, ext0, ext1)
    next_sync = sync_every
    for s in range(seg_end - seg_start):
        a = kept_seg[s]
        e = kept_seg[s + 1]
        for i in range(a, e):
            if i >= next_sync:
                _sync_both(syn0, syn1, base, first1, ext0, ext1)
                next_sync = i + sync_every
            b = kept_window[i]
            lo = max(a, i - b)
            hi = min(e, i + b + 1)
            count = hi - lo - 1
            if count <= 0:
                continue
            for d in range(dim):
                neu1[d] = 0.0
                neu1e[d] = 0.0
            for j in range(lo, hi):
                if j != i:
                    c = _map(kept[j], 0, n_hot, ext0)
                    for d in range(dim):
                        neu1[d] += syn0[c, d]
            if cbow_mean:
                inv = np.float32(1.0 / count)
                for d in range(dim):
                    neu1[d] *= inv
            centre = kept[i]
            for k in range(code_lengths[centre]):
                node = _map(points[centre, k], first1, n_hot, ext1)
                label = 1 - np.int32(codes[centre, k])
                f = np.float32(0.0)
                for d in range(dim):
                    f += neu1[d] * syn1[node, d]
                t = _table_index(f)
                loss += _loss_term(f, label, loss_pos, loss_neg, t)
                g = _gradient(f, label, sigmoid, t, alpha)
                for d in range(dim):
                    neu1e[d] += g * syn1[node, d]
                    syn1[node, d] += g * neu1[d]
            predictions += 1
            if not cbow_mean:
                inv = np.float32(1.0 / count)
                for d in range(dim):
                    neu1e[d] *= inv
            for j in range(lo, hi):
                if j != i:
                    c = _map(kept[j], 0, n_hot, ext0)
                    for d in range(dim):
                        syn0[c, d] += neu1e[d]
    _sync_both(syn0, syn1, base, first1, ext0, ext1)
    return loss, predictions


@_jit
def sg_neg_block(ids, seg_offsets, seg_start, seg_end, keep, window, shrink, state,
                 kept, kept_window, kept_seg, syn0, syn1, base, first1, ext0, ext1, sync_every,
                 alias_prob, alias_index, negative, alpha, sigmoid, loss_pos, loss_neg, neu1e):
    """Skip-gram with negative sampling, exact: each context word predicts the centre with its
    own negatives (the C tool's and gensim's pairing)."""
    dim = syn0.shape[1]
    n_kept = subsample_block(ids, seg_offsets, seg_start, seg_end, keep, window, shrink, state,
                             kept, kept_window, kept_seg)
    loss = 0.0
    predictions = 0
    if n_kept == 0:
        return loss, predictions
    n_hot = base.shape[1]
    _sync_both(syn0, syn1, base, first1, ext0, ext1)
    next_sync = sync_every
    for s in range(seg_end - seg_start):
        a = kept_seg[s]
        e = kept_seg[s + 1]
        for i in range(a, e):
            if i >= next_sync:
                _sync_both(syn0, syn1, base, first1, ext0, ext1)
                next_sync = i + sync_every
            b = kept_window[i]
            lo = max(a, i - b)
            hi = min(e, i + b + 1)
            centre = kept[i]
            for j in range(lo, hi):
                if j == i:
                    continue
                c = _map(kept[j], 0, n_hot, ext0)
                for d in range(dim):
                    neu1e[d] = 0.0
                for k in range(negative + 1):
                    if k == 0:
                        target = centre
                        label = 1
                    else:
                        target = _draw_negative(state, alias_prob, alias_index)
                        if target == centre:
                            continue
                        label = 0
                    target = _map(target, 0, n_hot, ext1)
                    f = np.float32(0.0)
                    for d in range(dim):
                        f += syn0[c, d] * syn1[target, d]
                    t = _table_index(f)
                    loss += _loss_term(f, label, loss_pos, loss_neg, t)
                    g = _gradient(f, label, sigmoid, t, alpha)
                    for d in range(dim):
                        neu1e[d] += g * syn1[target, d]
                        syn1[target, d] += g * syn0[c, d]
                for d in range(dim):
                    syn0[c, d] += neu1e[d]
                predictions += 1
    _sync_both(syn0, syn1, base, first1, ext0, ext1)
    return loss, predictions


@_jit
def sg_neg_shared_block(ids, seg_offsets, seg_start, seg_end, keep, window, shrink, state,
                        kept, kept_window, kept_seg, syn0, syn1, base, first1, ext0, ext1,
                        sync_every, alias_prob, alias_index, negative, alpha, sigmoid, loss_pos,
                        loss_neg, inputs, targets, grads, negatives):
    """Skip-gram with negative sampling, HogBatch style (Ji et al. 2016).

    All context words of one centre share one set of negatives, so the step for a centre is two
    small dense products: scores ``X @ W.T`` of the context rows ``X`` (copied into ``inputs``)
    against the target rows ``W`` (centre + negatives), then ``X += G @ W`` and ``W += G.T @ X``.
    Each output row is read and written once per centre instead of once per (context, centre)
    pair.  Negatives are drawn one centre ahead and their rows prefetched.
    """
    dim = syn0.shape[1]
    n_kept = subsample_block(ids, seg_offsets, seg_start, seg_end, keep, window, shrink, state,
                             kept, kept_window, kept_seg)
    loss = 0.0
    predictions = 0
    if n_kept == 0:
        return loss, predictions
    n_hot = base.shape[1]
    _sync_both(syn0, syn1, base, first1, ext0, ext1)
    next_sync = sync_every
    current = 0
    for k in range(negative):
        negatives[current, k] = _draw_negative(state, alias_prob, alias_index)
    for s in range(seg_end - seg_start):
        a = kept_seg[s]
        e = kept_seg[s + 1]
        for i in range(a, e):
            if i >= next_sync:
                _sync_both(syn0, syn1, base, first1, ext0, ext1)
                next_sync = i + sync_every
            b = kept_window[i]
            lo = max(a, i - b)
            hi = min(e, i + b + 1)
            m = hi - lo - 1
            if m <= 0:
                continue
            centre = kept[i]
            n_targets = 1
            targets[0] = _map(centre, 0, n_hot, ext1)
            ahead = 1 - current
            for k in range(negative):
                target = negatives[current, k]
                if target != centre:
                    targets[n_targets] = _map(target, 0, n_hot, ext1)
                    n_targets += 1
                target = _draw_negative(state, alias_prob, alias_index)
                negatives[ahead, k] = target
                if target >= n_hot:
                    _prefetch_row(syn1, target)
            current = ahead
            if i + 1 < n_kept:
                if kept[i + 1] >= n_hot:
                    _prefetch_row(syn1, kept[i + 1])
                nxt = min(n_kept - 1, i + 1 + kept_window[i + 1])
                if kept[nxt] >= n_hot:
                    _prefetch_row(syn0, kept[nxt])
            # scores and gradients, from the current (old) rows
            r = 0
            for j in range(lo, hi):
                if j == i:
                    continue
                c = _map(kept[j], 0, n_hot, ext0)
                for d in range(dim):
                    inputs[r, d] = syn0[c, d]
                for k in range(n_targets):
                    target = targets[k]
                    f = np.float32(0.0)
                    for d in range(dim):
                        f += inputs[r, d] * syn1[target, d]
                    t = _table_index(f)
                    label = 1 if k == 0 else 0
                    loss += _loss_term(f, label, loss_pos, loss_neg, t)
                    grads[r, k] = _gradient(f, label, sigmoid, t, alpha)
                r += 1
            predictions += m
            # input rows: X += G @ W
            r = 0
            for j in range(lo, hi):
                if j == i:
                    continue
                c = _map(kept[j], 0, n_hot, ext0)
                for k in range(n_targets):
                    g = grads[r, k]
                    target = targets[k]
                    for d in range(dim):
                        syn0[c, d] += g * syn1[target, d]
                r += 1
            # output rows: W += G.T @ X
            for k in range(n_targets):
                target = targets[k]
                for r in range(m):
                    g = grads[r, k]
                    for d in range(dim):
                        syn1[target, d] += g * inputs[r, d]
    _sync_both(syn0, syn1, base, first1, ext0, ext1)
    return loss, predictions


@_jit
def sg_hs_block(ids, seg_offsets, seg_start, seg_end, keep, window, shrink, state,
                kept, kept_window, kept_seg, syn0, syn1, base, first1, ext0, ext1, sync_every,
                codes, points, code_lengths, alpha, sigmoid, loss_pos, loss_neg, neu1e):
    """Skip-gram with hierarchical softmax: each context word predicts the centre's path."""
    dim = syn0.shape[1]
    n_kept = subsample_block(ids, seg_offsets, seg_start, seg_end, keep, window, shrink, state,
                             kept, kept_window, kept_seg)
    loss = 0.0
    predictions = 0
    if n_kept == 0:
        return loss, predictions
    n_hot = base.shape[1]
    _sync_both(syn0, syn1, base, first1, ext0, ext1)
    next_sync = sync_every
    for s in range(seg_end - seg_start):
        a = kept_seg[s]
        e = kept_seg[s + 1]
        for i in range(a, e):
            if i >= next_sync:
                _sync_both(syn0, syn1, base, first1, ext0, ext1)
                next_sync = i + sync_every
            b = kept_window[i]
            lo = max(a, i - b)
            hi = min(e, i + b + 1)
            centre = kept[i]
            for j in range(lo, hi):
                if j == i:
                    continue
                c = _map(kept[j], 0, n_hot, ext0)
                for d in range(dim):
                    neu1e[d] = 0.0
                for k in range(code_lengths[centre]):
                    node = _map(points[centre, k], first1, n_hot, ext1)
                    label = 1 - np.int32(codes[centre, k])
                    f = np.float32(0.0)
                    for d in range(dim):
                        f += syn0[c, d] * syn1[node, d]
                    t = _table_index(f)
                    loss += _loss_term(f, label, loss_pos, loss_neg, t)
                    g = _gradient(f, label, sigmoid, t, alpha)
                    for d in range(dim):
                        neu1e[d] += g * syn1[node, d]
                        syn1[node, d] += g * syn0[c, d]
                for d in range(dim):
                    syn0[c, d] += neu1e[d]
                predictions += 1
    _sync_both(syn0, syn1, base, first1, ext0, ext1)
    return loss, predictions
