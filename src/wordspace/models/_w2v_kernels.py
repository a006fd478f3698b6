"""Numba kernels of word2vec: one block loop, composed per mode from the steps of :mod:`._w2v_core`.

A kernel walks one *block* of the encoded corpus (consecutive segments: documents, or pieces of
long ones) in two phases: **decide** (subsample the tokens into a compact buffer, draw each kept
position's window), then **learn** (walk the windows and update the shared matrices in place,
Hogwild as the C tool does; the hot rows in the thread's own copy, see :mod:`._w2v_core`).

:func:`_block_loop` is that walk, written once.  What differs between modes is the *window step*
it calls per centre (CBOW, skip-gram, skip-gram sharing one draw of negatives per centre) and the
*loss step* of one prediction (negative sampling, with the negatives drawn as it goes, a centre
ahead so that their rows are prefetched, or once for several CBOW centres spaced apart that
share them; hierarchical or exact softmax).  Both are chosen while a
kernel is typed, from the mode's literal constants, so each kernel compiles its own mode only.

Every kernel is ``kernel(block, state, alpha, setup) -> (loss, predictions)``: the summed
negative log-likelihood (float64) of the predictions it made and their number, so the caller can
average over any number of threads.  The grouped arguments:

* ``block = (ids, seg_offsets, seg_start, seg_end)``: the encoded corpus and the block's segments;
* ``state``: the thread's uint64[1] generator; ``alpha``: float32 learning rate;
* ``setup = (decide, rows, hot, bufs, ns, hs, opts)``, fixed for one thread:
  ``decide = (keep, window, shrink)``; ``rows = (syn0, syn1)``;
  ``hot = (base, first1, ext0, ext1, sync_every)`` (the thread's own copy of the hot rows, see
  :mod:`._w2v_core`; ``base`` of shape ``(2, 0, dim)`` when there is none);
  ``bufs`` (:func:`work_buffers`); ``ns``, ``hs`` the loss tables (:mod:`._w2v_core`; those of
  one word when unused); ``opts = (cbow_mean, masks, loss_kind, reuse, spacing)``: with the
  loss kind ``GROUPED`` only (others draw per centre), one draw of negatives serves ``reuse``
  centres ``spacing`` kept centres apart: centre ``c`` of a block uses draw slot
  ``c % spacing`` of generation ``c // (reuse * spacing)``.
"""

from __future__ import annotations

import inspect

import numba
import numpy as np
from numba.extending import overload

from ._w2v_core import (
    NO_REMAP,
    draw_negative,
    hierarchical_step,
    map_row,
    negative_step,
    next_random,
    path_step,
    prefetch_row,
    score,
    softmax_step,
    subsample_block,
    sync_hot,
)

__all__ = [
    "KERNELS", "LOSS_KINDS", "work_buffers", "cbow_negative_block", "cbow_shared_negative_block",
    "cbow_block", "skipgram_shared_block", "skipgram_block",
]

# The kernels run without Numba's reference counting (``_nrt=False``: they allocate nothing, and
# the caller holds every array).  With it, each array taken from a grouped tuple or handed to an
# inlined step was an atomic incref/decref pair, dozens per centre (the lut tuple alone 6 per
# target), on counters that both threads share: CBOW-negative lost 15-20 % on one thread.
_kernel = numba.njit(cache=True, fastmath=True, nogil=True, _nrt=False)
_jit_inline = numba.njit(cache=True, fastmath=True, nogil=True, inline="always")

#: loss name -> code used inside the kernels
LOSS_KINDS = {"softmax": 0, "negative": 1, "hierarchical": 2}
SOFTMAX, NEGATIVE, HIERARCHICAL, AHEAD = 0, 1, 2, 3  # AHEAD: negatives drawn a centre ahead
GROUPED = 4  # as AHEAD, each draw for ``reuse`` centres ``spacing`` apart (opts[3], opts[4])
CBOW, SKIPGRAM, SKIPGRAM_SHARED = 0, 1, 2  # window steps


def work_buffers(max_block: int, dim: int, window: int, negative: int, n_out: int, path: int = 1,
                 alloc=None, spacing: int = 1):
    """``bufs`` of one thread for codes of up to ``path`` nodes (``alloc(shape, dtype)`` makes
    each zeroed buffer, default ``np.zeros``): ``(kept, kept_window, kept_seg, neu1, neu1e,
    negatives, targets, grads, inputs, scores, masked, target_codes)``; ``negatives`` holds two
    generations of ``spacing`` draws."""
    alloc = alloc or np.zeros
    target_codes = alloc(negative + 1, np.uint8)
    target_codes[1:] = 1  # label 1 - code: the target 1, its negatives 0
    return (alloc(max_block, np.int32), alloc(max_block, np.int32),
            alloc(max_block + 2, np.int64), alloc(dim, np.float32), alloc(dim, np.float32),
            alloc((2, spacing, max(negative, 1)), np.int32), alloc(negative + 1, np.int32),
            alloc((2 * window, max(negative + 1, path)), np.float32),
            alloc((2 * window, dim), np.float32), alloc(n_out, np.float64),
            alloc(2 * window + 1, np.int32), target_codes)


def _dispatch(stub, table):
    """Make ``stub(kind, ...)`` call ``table[kind]`` for the literal integer ``kind``."""
    def choose(kind, *args):
        return table[kind.literal_value] if hasattr(kind, "literal_value") else None
    choose.__signature__ = inspect.signature(stub)
    overload(stub, inline="always", prefer_literal=True,
             jit_options={"fastmath": True, "nogil": True})(choose)


# -- loss steps: ``predict(kind, neu1, target, drawn, syn1, alpha, state, setup, remap, neu1e)``
# one prediction of ``target`` from ``neu1``; ``drawn``: the negatives drawn ahead (AHEAD).
def _negative(kind, neu1, target, drawn, syn1, alpha, state, setup, remap, neu1e):
    return negative_step(neu1, target, syn1, alpha, state, setup[4], neu1e, remap)


def _ahead(kind, neu1, target, drawn, syn1, alpha, state, setup, remap, neu1e):
    """Negative sampling, all scores of the centre before any output row moves (it differs from
    :func:`negative_step` only when a target repeats)."""
    bufs = setup[3]
    n_targets = _targets(target, drawn, remap, bufs[6])
    return path_step(neu1, bufs[6], bufs[11], n_targets, syn1, alpha, setup[4][3], NO_REMAP,
                     bufs[7][0], neu1e)


def _hierarchical(kind, neu1, target, drawn, syn1, alpha, state, setup, remap, neu1e):
    return hierarchical_step(neu1, target, syn1, alpha, setup[5], setup[3][7][0], neu1e, remap)


def _softmax(kind, neu1, target, drawn, syn1, alpha, state, setup, remap, neu1e):
    return softmax_step(neu1, target, syn1, alpha, setup[3][9], neu1e)


def _predict(kind, neu1, target, drawn, syn1, alpha, state, setup, remap, neu1e):
    """One prediction with the loss step ``kind`` (a literal)."""


_dispatch(_predict, {NEGATIVE: _negative, AHEAD: _ahead, GROUPED: _ahead,
                     HIERARCHICAL: _hierarchical, SOFTMAX: _softmax})


# -- pieces of the window steps -----------------------------------------------------------------
@_jit_inline
def _masked(j, i, lo, masks, masked):
    return j == i if masks == 1 else masked[j - lo] != 0


@_jit_inline
def _draw_masks(state, lo, hi, i, masks, masked):
    """Mask the centre and up to ``masks - 1`` other positions, keeping one visible."""
    width = hi - lo
    n_masked = min(masks, width - 1)
    for j in range(width):
        masked[j] = 0
    masked[i - lo] = 1
    chosen = 1
    while chosen < n_masked:
        j = np.int64(next_random(state) % np.uint64(width))
        if masked[j] == 0:
            masked[j] = 1
            chosen += 1


@_jit_inline
def _gather(syn0, kept, lo, hi, i, masks, masked, remap0, cbow_mean, neu1, neu1e):
    """``neu1`` = mean (or sum) of the visible context rows, ``neu1e`` = 0; returns their count."""
    dim = syn0.shape[1]
    for d in range(dim):
        neu1[d] = 0.0
        neu1e[d] = 0.0
    count = 0
    for j in range(lo, hi):
        if not _masked(j, i, lo, masks, masked):
            count += 1
            c = map_row(kept[j], remap0)
            for d in range(dim):
                neu1[d] += syn0[c, d]
    if cbow_mean:
        inv = np.float32(1.0 / count)
        for d in range(dim):
            neu1[d] *= inv
    return count


@_jit_inline
def _scatter(syn0, kept, lo, hi, i, masks, masked, remap0, cbow_mean, count, neu1e):
    """Every visible context row takes the step ``neu1e`` (over ``count`` with a sum)."""
    dim = syn0.shape[1]
    if not cbow_mean:
        inv = np.float32(1.0 / count)
        for d in range(dim):
            neu1e[d] *= inv
    for j in range(lo, hi):
        if not _masked(j, i, lo, masks, masked):
            c = map_row(kept[j], remap0)
            for d in range(dim):
                syn0[c, d] += neu1e[d]


@_jit_inline
def _targets(centre, drawn, remap1, targets):
    """``targets`` = rows of the centre and of the drawn negatives other than it; their number."""
    targets[0] = map_row(centre, remap1)
    n = 1
    for k in range(drawn.shape[0]):
        if drawn[k] != centre:
            targets[n] = map_row(drawn[k], remap1)
            n += 1
    return n


# -- window steps: ``step(step, kind, masks, drawn, kept, lo, hi, i, alpha, state, setup, remaps)``
# for the centre ``kept[i]`` and its window ``kept[lo:hi]``, each returns ``(loss, predictions)``
def _cbow(step, kind, masks, drawn, kept, lo, hi, i, alpha, state, setup, remaps):
    """CBOW: the visible context's mean predicts each masked token in turn."""
    (syn0, syn1), bufs, cbow_mean = setup[1], setup[3], setup[6][0]
    neu1, neu1e, masked = bufs[3], bufs[4], bufs[10]
    if masks > 1:
        _draw_masks(state, lo, hi, i, masks, masked)
    count = _gather(syn0, kept, lo, hi, i, masks, masked, remaps[0], cbow_mean, neu1, neu1e)
    loss = 0.0
    n = 0
    for j in range(lo, hi) if masks > 1 else range(i, i + 1):  # one mask: the centre
        if _masked(j, i, lo, masks, masked):
            loss += _predict(kind, neu1, kept[j], drawn, syn1, alpha, state, setup, remaps[1],
                             neu1e)
            n += 1
    _scatter(syn0, kept, lo, hi, i, masks, masked, remaps[0], cbow_mean, count, neu1e)
    return loss, n


def _skipgram(step, kind, masks, drawn, kept, lo, hi, i, alpha, state, setup, remaps):
    """Skip-gram: each context word predicts the centre on its own (the C tool's pairing)."""
    (syn0, syn1), neu1e = setup[1], setup[3][4]
    loss = 0.0
    for j in range(lo, hi):
        if j == i:
            continue
        c = map_row(kept[j], remaps[0])
        for d in range(syn0.shape[1]):
            neu1e[d] = 0.0
        loss += _predict(kind, syn0[c], kept[i], drawn, syn1, alpha, state, setup, remaps[1],
                         neu1e)
        for d in range(syn0.shape[1]):
            syn0[c, d] += neu1e[d]
    return loss, hi - lo - 1


def _skipgram_shared(step, kind, masks, drawn, kept, lo, hi, i, alpha, state, setup, remaps):
    """Skip-gram, all context words of one centre sharing its negatives (HogBatch, Ji et al.
    2016): scores ``X @ W.T`` of the context rows ``X`` (copied into ``inputs``) against the
    target rows ``W`` (centre + negatives), then ``X += G @ W`` and ``W += G.T @ X``: each output
    row is read and written once per centre instead of once per (context, centre) pair."""
    (syn0, syn1), bufs, lut = setup[1], setup[3], setup[4][3]
    targets, grads, inputs = bufs[6], bufs[7], bufs[8]
    dim = syn0.shape[1]
    n_targets = _targets(kept[i], drawn, remaps[1], targets)
    loss = 0.0
    r = 0  # scores and gradients, from the current (old) rows
    for j in range(lo, hi):
        if j != i:
            c = map_row(kept[j], remaps[0])
            for d in range(dim):
                inputs[r, d] = syn0[c, d]
            for k in range(n_targets):
                term, grads[r, k] = score(inputs[r], targets[k], syn1, 1 if k == 0 else 0, lut,
                                           alpha)
                loss += term
            r += 1
    r = 0  # input rows: X += G @ W
    for j in range(lo, hi):
        if j != i:
            c = map_row(kept[j], remaps[0])
            for k in range(n_targets):
                g = grads[r, k]
                t = targets[k]  # read once: the stores below may alias it, as far as LLVM knows
                for d in range(dim):
                    syn0[c, d] += g * syn1[t, d]
            r += 1
    for k in range(n_targets):  # output rows: W += G.T @ X
        t = targets[k]
        for r in range(hi - lo - 1):
            g = grads[r, k]
            for d in range(dim):
                syn1[t, d] += g * inputs[r, d]
    return loss, hi - lo - 1


def _window(step, kind, masks, drawn, kept, lo, hi, i, alpha, state, setup, remaps):
    """The window step ``step`` (a literal) for the centre ``kept[i]``."""


_dispatch(_window, {CBOW: _cbow, SKIPGRAM: _skipgram, SKIPGRAM_SHARED: _skipgram_shared})


# -- the block loop -----------------------------------------------------------------------------
@_jit_inline
def _sync(syn0, syn1, hot):
    base, first1, ext0, ext1, _ = hot
    if base.shape[1]:
        sync_hot(syn0, 0, ext0, base[0])
        sync_hot(syn1, first1, ext1, base[1])


@_jit_inline
def _block_loop(step, kind, block, state, alpha, setup):
    """Subsample the block, then walk its windows with the window ``step`` and loss ``kind``."""
    ids, seg_offsets, seg_start, seg_end = block
    (keep, window, shrink), (syn0, syn1), hot, bufs, ns, hs, opts = setup
    kept, kept_window, kept_seg, negatives = bufs[0], bufs[1], bufs[2], bufs[5]
    masks = opts[1] if step == CBOW and kind != AHEAD and kind != GROUPED else 1
    n_kept = subsample_block(ids, seg_offsets, seg_start, seg_end, keep, window, shrink, state,
                             kept, kept_window, kept_seg)
    loss = 0.0
    predictions = 0
    if n_kept == 0:
        return loss, predictions
    n_hot = hot[0].shape[1]
    remaps = ((0, n_hot, hot[2]), (hot[1], n_hot, hot[3]))
    _sync(syn0, syn1, hot)
    next_sync = hot[4]
    negative = ns[2] if kind == AHEAD or kind == GROUPED else 0
    reuse = opts[3] if kind == GROUPED else 1  # centres that share one draw of negatives ...
    spacing = opts[4] if kind == GROUPED else 1  # ... this many centres apart
    cycle = reuse * spacing
    prefetch = kind == AHEAD or kind == GROUPED or kind == HIERARCHICAL
    c = 0  # centres trained so far in this block
    for k in range(negative):
        negatives[0, 0, k] = draw_negative(state, ns[0], ns[1])
    for s in range(seg_end - seg_start):
        a = kept_seg[s]
        e = kept_seg[s + 1]
        for i in range(a, e):
            if i >= next_sync:
                _sync(syn0, syn1, hot)
                next_sync = i + hot[4]
            lo = max(a, i - kept_window[i])
            hi = min(e, i + kept_window[i] + 1)
            if hi - lo < 2:
                continue
            if (c + 1) % cycle < spacing:  # the next centre starts a draw: rows fetched now
                g, slot = ((c + 1) // cycle) % 2, (c + 1) % spacing
                for k in range(negative):
                    negatives[g, slot, k] = draw_negative(state, ns[0], ns[1])
                    if negatives[g, slot, k] >= n_hot:
                        prefetch_row(syn1, negatives[g, slot, k])
            if prefetch and i + 1 < n_kept:  # and the rows of the next centre: its
                if kind == HIERARCHICAL:  # path below the top 8 levels
                    for k in range(8, hs[2][kept[i + 1]]):  # (those stay in cache)
                        prefetch_row(syn1, map_row(hs[1][kept[i + 1], k], remaps[1]))
                elif kept[i + 1] >= n_hot:
                    prefetch_row(syn1, kept[i + 1])
                nxt = min(n_kept - 1, i + 1 + kept_window[i + 1])
                if kept[nxt] >= n_hot:
                    prefetch_row(syn0, kept[nxt])
            drawn = negatives[(c // cycle) % 2, c % spacing, :negative]
            term, n = _window(step, kind, masks, drawn, kept, lo, hi, i, alpha, state, setup,
                              remaps)
            loss += term
            predictions += n
            c += 1
    _sync(syn0, syn1, hot)
    return loss, predictions


@_jit_inline
def _any_loss(step, block, state, alpha, setup):
    """The block loop of window ``step`` with the loss of ``setup``'s options."""
    kind = setup[6][2]
    if kind == HIERARCHICAL:
        return _block_loop(step, HIERARCHICAL, block, state, alpha, setup)
    if kind == NEGATIVE:
        return _block_loop(step, NEGATIVE, block, state, alpha, setup)
    return _block_loop(step, SOFTMAX, block, state, alpha, setup)


# -- one kernel per mode (see ``Word2Vec``'s table of modes) ------------------------------------
@_kernel
def cbow_negative_block(block, state, alpha, setup):
    """CBOW, negative sampling, one mask: negatives drawn ahead, scores batched."""
    return _block_loop(CBOW, AHEAD, block, state, alpha, setup)


@_kernel
def cbow_shared_negative_block(block, state, alpha, setup):
    """CBOW, negative sampling, one mask: ``reuse`` centres ``spacing`` apart share one draw
    of negatives, whose rows then stay in cache between them."""
    return _block_loop(CBOW, GROUPED, block, state, alpha, setup)


@_kernel
def cbow_block(block, state, alpha, setup):
    """CBOW, hierarchical softmax or the exact softmax, or any loss with ``masks > 1``."""
    return _any_loss(CBOW, block, state, alpha, setup)


@_kernel
def skipgram_shared_block(block, state, alpha, setup):
    """Skip-gram, negative sampling, one draw of negatives per centre (HogBatch)."""
    return _block_loop(SKIPGRAM_SHARED, AHEAD, block, state, alpha, setup)


@_kernel
def skipgram_block(block, state, alpha, setup):
    """Skip-gram, each pair its own prediction: negatives per pair (as gensim draws them),
    hierarchical softmax or the exact softmax."""
    return _any_loss(SKIPGRAM, block, state, alpha, setup)


#: kernel name -> kernel
KERNELS = {f.__name__: f for f in (cbow_negative_block, cbow_shared_negative_block, cbow_block,
                                   skipgram_shared_block, skipgram_block)}
