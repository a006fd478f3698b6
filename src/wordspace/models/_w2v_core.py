"""The reusable pieces of every word2vec kernel: tables, random numbers, hot rows, and the steps.

A *step* (``@njit(inline="always")``) makes one prediction from a hidden vector ``neu1``: it
scores the target's output rows, updates them in place, ADDS the input-side gradient (already
times ``alpha``) into ``neu1e``, and returns its loss (float64).  The block loop of
:mod:`._w2v_kernels` composes them per mode; another model's kernel calls them the same way
(:func:`negative_step`).  Grouped tables (tuples):

* ``lut = (sigmoid, loss_pos, loss_neg)``: float32 tables of :func:`make_tables`;
* ``ns = (alias_prob, alias_index, negative, lut)``: negative sampling (:func:`negative_tables`);
* ``hs = (codes, points, code_lengths, lut)``: hierarchical softmax (:func:`tree_tables`);
* ``remap = (first, n_hot, ext)``: a thread's own copy of the hot rows ``first .. first+n_hot-1``
  starts at row ``ext`` (see :func:`map_row`); ``NO_REMAP``: the shared rows only.

Random numbers: a 64-bit linear congruential generator, its state a one-element ``uint64`` array
per thread (one thread, one seed: bit-for-bit repeatable).  Sigmoid and loss: tables over
``[-MAX_EXP, MAX_EXP]``; a score outside makes no update (gensim's rule, :func:`score`) but
counts in the loss.  Negatives: unigram^0.75 with Walker's alias method (one draw, no search).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from .._vocab_kernels import build_alias, build_huffman

__all__ = [
    "EXP_TABLE_SIZE", "MAX_EXP", "NO_REMAP", "make_tables", "negative_tables", "tree_tables",
    "seed_state", "subsample_block", "sync_hot", "map_row", "score", "update", "negative_step",
    "path_step", "hierarchical_step", "softmax_step", "draw_negative", "next_random", "uniform",
]

EXP_TABLE_SIZE = 1024
MAX_EXP = 6.0
_SCALE = EXP_TABLE_SIZE / (2.0 * MAX_EXP)
#: ``remap`` of a kernel that uses the shared rows only
NO_REMAP = (0, 0, 0)

_jit = numba.njit(cache=True, fastmath=True, nogil=True)
_jit_inline = numba.njit(cache=True, fastmath=True, nogil=True, inline="always")

_LCG_MUL = np.uint64(6364136223846793005)
_LCG_ADD = np.uint64(1442695040888963407)


# -- tables -------------------------------------------------------------------------------------
def make_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``lut``: sigmoid, -log(sigmoid) and -log(1 - sigmoid) at the centres of the table's cells."""
    x = (np.arange(EXP_TABLE_SIZE, dtype=np.float64) + 0.5) / _SCALE - MAX_EXP
    sigmoid = 1.0 / (1.0 + np.exp(-x))
    return (sigmoid.astype(np.float32), np.log1p(np.exp(-x)).astype(np.float32),
            np.log1p(np.exp(x)).astype(np.float32))


def negative_tables(noise: np.ndarray, negative: int, lut=None) -> tuple:
    """``ns``: the grouped tables of negative sampling from a noise distribution over words (its
    alias table: :func:`~wordspace._vocab_kernels.build_alias`).

    >>> ns = negative_tables(np.array([0.5, 0.25, 0.25]), 5)
    >>> ns[0].shape, int(ns[2]), len(ns[3])
    ((3,), 5, 3)
    """
    alias_prob, alias_index = build_alias(np.asarray(noise, np.float64))
    return alias_prob, alias_index, np.int64(negative), make_tables() if lut is None else lut


def tree_tables(counts: np.ndarray, lut=None) -> tuple:
    """``hs``: Huffman codes, points and lengths of a vocabulary, + lut (the tree of
    :func:`~wordspace._vocab_kernels.build_huffman`)."""
    codes, points, lengths = build_huffman(np.asarray(counts, np.int64))
    return codes, points, lengths, make_tables() if lut is None else lut


def seed_state(seed: int, stream: int) -> np.ndarray:
    """A one-element generator state for ``stream`` (a thread, an epoch) of ``seed``."""
    mixed = np.random.SeedSequence([int(seed) & 0xFFFFFFFF, int(stream)]).generate_state(
        1, np.uint64)
    return mixed.astype(np.uint64)


# -- random numbers, prefetch -------------------------------------------------------------------
@_jit_inline
def next_random(state):
    """Advance the generator; 53 random bits."""
    state[0] = state[0] * _LCG_MUL + _LCG_ADD
    return state[0] >> np.uint64(11)


@_jit_inline
def uniform(state):
    """A float64 in [0, 1)."""
    return np.float64(next_random(state)) * (1.0 / 9007199254740992.0)


@_jit_inline
def draw_negative(state, alias_prob, alias_index):
    """One word from the alias table: one uniform draw, no search."""
    u = uniform(state) * alias_prob.shape[0]
    i = min(int(u), alias_prob.shape[0] - 1)
    if u - i >= alias_prob[i]:
        return alias_index[i]
    return i


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
def prefetch_row(matrix, row):
    for column in range(0, matrix.shape[1], 16):
        _prefetch(matrix, row, column)


# -- the decide phase ---------------------------------------------------------------------------
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
            if k < 1.0 and uniform(state) >= k:
                continue
            kept[n] = w
            if shrink:
                kept_window[n] = 1 + np.int32(next_random(state) % np.uint64(window))
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
def map_row(word, remap):
    """The row a thread uses for ``word``: its own copy of a hot row, else the shared one."""
    first, n_hot, ext = remap
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


# -- the steps ----------------------------------------------------------------------------------
@_jit_inline
def score(x, row, syn1, label, lut, alpha):
    """Score of input ``x`` against ``syn1[row]`` for ``label``: (loss, gradient times alpha).

    The loss is -log sigmoid(+-f) from the table, linear beyond it on the wrong side.  A
    saturated score (``|f| >= MAX_EXP``) gets no step at all (gensim's rule): the C tool's
    clamped step there lets a row that has grown large grow larger, and on long runs of one
    repeated token (``ax ax ax`` in 20 Newsgroups) the vectors diverge.
    """
    f = np.float32(0.0)
    for d in range(syn1.shape[1]):
        f += x[d] * syn1[row, d]
    t = min(max(int((f + MAX_EXP) * _SCALE), 0), EXP_TABLE_SIZE - 1)
    if label:
        loss = -f if f < -MAX_EXP else lut[1][t]
    else:
        loss = f if f > MAX_EXP else lut[2][t]
    if f <= -MAX_EXP or f >= MAX_EXP:
        return np.float64(loss), np.float32(0.0)
    return np.float64(loss), (np.float32(label) - lut[0][t]) * alpha


@_jit_inline
def update(x, row, syn1, g, xe):
    """``xe += g * syn1[row]``, then ``syn1[row] += g * x``."""
    for d in range(syn1.shape[1]):
        xe[d] += g * syn1[row, d]
        syn1[row, d] += g * x[d]


@_jit_inline
def negative_step(neu1, target, syn1, alpha, state, ns, neu1e, remap=NO_REMAP):
    """One negative-sampling prediction of ``target`` from the hidden vector ``neu1``.

    The target (label 1), then ``ns``'s ``negative`` words drawn from the noise distribution
    (label 0; a draw equal to the target is skipped), each a logistic step in turn.  ``state``:
    the thread's uint64[1] generator; ``ns``: :func:`negative_tables`; ``alpha``: float32;
    ``remap``: the thread's own hot rows (:func:`map_row`).  Returns
    ``-log s(u_t . h) - sum_k log s(-u_k . h)`` (float64).
    """
    alias_prob, alias_index, negative, lut = ns
    loss = 0.0
    for k in range(negative + 1):
        word = target
        if k > 0:
            word = draw_negative(state, alias_prob, alias_index)
            if word == target:
                continue
        row = map_row(word, remap)
        term, g = score(neu1, row, syn1, 1 if k == 0 else 0, lut, alpha)
        update(neu1, row, syn1, g, neu1e)
        loss += term
    return loss


@_jit_inline
def path_step(neu1, rows, codes, n, syn1, alpha, lut, remap, grads, neu1e):
    """Logistic steps for ``rows[:n]``, label ``1 - codes[k]``, all scored before any row moves.

    Where the rows differ (always the nodes of a tree path) this is the sequential step, with
    independent dot products that the CPU overlaps.  ``grads``: a float32 buffer of ``n``.
    """
    loss = 0.0
    for k in range(n):
        term, grads[k] = score(neu1, map_row(rows[k], remap), syn1, 1 - np.int32(codes[k]), lut,
                               alpha)
        loss += term
    for k in range(n):
        update(neu1, map_row(rows[k], remap), syn1, grads[k], neu1e)
    return loss


@_jit_inline
def hierarchical_step(neu1, target, syn1, alpha, hs, grads, neu1e, remap=NO_REMAP):
    """One hierarchical-softmax prediction: a logistic step at each node of ``target``'s path."""
    codes, points, code_lengths, lut = hs
    return path_step(neu1, points[target], codes[target], code_lengths[target], syn1, alpha, lut,
                     remap, grads, neu1e)


@_jit_inline
def softmax_step(neu1, target, syn1, alpha, scores, neu1e):
    """One exact-softmax prediction of ``target`` from ``neu1`` over all rows of ``syn1`` (a word
    each); ``scores`` is a float64 work buffer of ``len(syn1)``.  Returns -log P(target)."""
    n_out, dim = syn1.shape
    top = np.float32(-1e30)
    for y in range(n_out):
        f = np.float32(0.0)
        for d in range(dim):
            f += neu1[d] * syn1[y, d]
        scores[y] = f
        top = max(top, f)
    total = 0.0
    for y in range(n_out):
        scores[y] = math.exp(scores[y] - top)
        total += scores[y]
    if not total > 0.0:  # scores out of float range: the caller stops the run
        return math.inf
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
