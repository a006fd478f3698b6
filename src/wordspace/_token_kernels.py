"""Numba kernel of the fast tokeniser: token spans by a character-class table, ids by hashing.

:func:`count_tokens` walks the code points of a chunk of text (``uint8`` when the chunk is
ASCII, else ``uint32``) once.  A token is what :func:`wordspace.corpus.make_tokenizer`'s regex
``W(?:[inner]W)*`` (``W`` = ``[^\\W_]+``) finds: a run of word characters, extended over an inner
character (apostrophe, hyphen) only when a word character follows it.  Each token is hashed as
it is read (FNV-1a over its code points) and looked up in an open-addressing table (linear
probing, at most half full) from token to id; a token seen for the first time gets the next id
and its code points are appended to ``pool``.  The ids are therefore those of a dict filled in
order of first sight, as the Python path gives them.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["count_tokens", "WORD", "INNER", "BREAK"]

#: character classes (bits of the ``classes`` table)
WORD, INNER, BREAK = 1, 2, 4

_BASIS = np.uint64(0xCBF29CE484222325)
_PRIME = np.uint64(0x100000001B3)


@numba.njit(nogil=True, cache=True)
def _grow(array, needed):  # pragma: no cover - compiled
    size = len(array)
    if size >= needed:
        return array
    while size < needed:
        size *= 2
    bigger = np.empty(size, array.dtype)
    bigger[:len(array)] = array
    return bigger


@numba.njit(nogil=True, cache=True)
def _rehash(hashes, n_types, capacity):  # pragma: no cover - compiled
    slots = np.full(capacity, -1, np.int32)
    mask = capacity - 1
    for t in range(n_types):
        slot = np.int64(hashes[t] & np.uint64(mask))
        while slots[slot] >= 0:
            slot = (slot + 1) & mask
        slots[slot] = t
    return slots


#: what :func:`_scan` stopped for
_DONE, _FULL = 0, 1
#: the positions of :func:`_scan`'s state array
_DOC, _AT, _IDS, _UNITS, _UNIT_START, _TYPES, _POOL = range(7)


@numba.njit(nogil=True, cache=True, inline="always")
def _end_unit(unit_lengths, n_units, length):  # pragma: no cover - compiled
    """Record unit ``n_units`` of ``length`` tokens; False when ``unit_lengths`` is full."""
    if n_units == len(unit_lengths):
        return False
    unit_lengths[n_units] = length
    return True


@numba.njit(nogil=True, cache=True)
def _scan(codes, starts, ends, classes, paragraphs, slots, hashes, offsets, sizes, pool, counts,
          ids, unit_lengths, state):  # pragma: no cover - compiled
    """The hot loop of :func:`count_tokens`, on arrays that do not change: it stops (``_FULL``)
    before a new token that would not fit, or a unit that would not, with ``state`` saying where
    to resume; ``_DONE`` at the end of the chunk."""
    d, i, n_ids, n_units = state[_DOC], state[_AT], state[_IDS], state[_UNITS]
    unit_start, n_types, pool_used = state[_UNIT_START], state[_TYPES], state[_POOL]
    mask = len(slots) - 1
    limit = min(len(hashes), len(slots) // 2)
    status = _DONE
    while d < len(starts):
        end = ends[d]
        if i < starts[d]:
            i = starts[d]
        while i < end:
            kind = classes[codes[i]]
            if not kind & WORD:
                if paragraphs and kind & BREAK and n_ids > unit_start:
                    if not _end_unit(unit_lengths, n_units, n_ids - unit_start):
                        status = _FULL
                        break
                    n_units += 1
                    unit_start = n_ids
                i += 1
                continue
            first = i
            h = _BASIS
            while True:
                while i < end and classes[codes[i]] & WORD:
                    h = (h ^ np.uint64(codes[i])) * _PRIME
                    i += 1
                if i + 1 < end and classes[codes[i]] & INNER and classes[codes[i + 1]] & WORD:
                    h = (h ^ np.uint64(codes[i])) * _PRIME
                    i += 1
                    continue
                break
            size = i - first
            h ^= h >> np.uint64(29)
            slot = np.int64(h & np.uint64(mask))
            t = np.int64(slots[slot])
            while t >= 0:
                if hashes[t] == h and sizes[t] == size:
                    at = offsets[t]
                    q = 0
                    while q < size and pool[at + q] == codes[first + q]:
                        q += 1
                    if q == size:
                        break
                slot = (slot + 1) & mask
                t = np.int64(slots[slot])
            if t < 0:                                   # a new token
                if n_types == limit or pool_used + size > len(pool):
                    i = first
                    status = _FULL
                    break
                t = n_types
                n_types += 1
                hashes[t] = h
                offsets[t] = pool_used
                sizes[t] = size
                counts[t] = 0
                for q in range(size):
                    pool[pool_used + q] = codes[first + q]
                pool_used += size
                slots[slot] = t
            counts[t] += 1
            ids[n_ids] = t
            n_ids += 1
        if status == _FULL:
            break
        if not paragraphs or n_ids > unit_start:
            if not _end_unit(unit_lengths, n_units, n_ids - unit_start):
                status = _FULL
                break
            n_units += 1
            unit_start = n_ids
        d += 1
    state[_DOC], state[_AT], state[_IDS], state[_UNITS] = d, i, n_ids, n_units
    state[_UNIT_START], state[_TYPES], state[_POOL] = unit_start, n_types, pool_used
    return status


@numba.njit(nogil=True, cache=True)
def count_tokens(codes, starts, ends, classes, paragraphs, slots, hashes, offsets, sizes,
                 pool, counts, n_types, pool_used, ids, unit_lengths):  # pragma: no cover
    """Tokenise ``codes[starts[d]:ends[d]]`` for every document ``d``; ids and unit lengths.

    A unit is a document, or with ``paragraphs`` a line of one (``BREAK`` characters end it;
    a line without tokens is no unit).  ``ids`` receives the id of every token (it must hold
    as many as the chunk can give), ``unit_lengths`` the number of tokens of every unit.  The
    arrays that grow are returned: ``(slots, hashes, offsets, sizes, pool, counts, n_types,
    pool_used, n_ids, n_units, unit_lengths)``.
    """
    state = np.zeros(7, np.int64)
    state[_TYPES] = n_types
    state[_POOL] = pool_used
    while _scan(codes, starts, ends, classes, paragraphs, slots, hashes, offsets, sizes, pool,
                counts, ids, unit_lengths, state) == _FULL:
        n_types = state[_TYPES]
        if n_types == len(hashes):
            hashes = _grow(hashes, n_types + 1)
            offsets = _grow(offsets, n_types + 1)
            sizes = _grow(sizes, n_types + 1)
            counts = _grow(counts, n_types + 1)
        if 2 * (n_types + 1) > len(slots):
            slots = _rehash(hashes, n_types, 2 * len(slots))
        pool = _grow(pool, state[_POOL] + (ends[state[_DOC]] - state[_AT])
                     if state[_DOC] < len(ends) else 0)
        if state[_UNITS] == len(unit_lengths):
            unit_lengths = _grow(unit_lengths, state[_UNITS] + 1)
    return (slots, hashes, offsets, sizes, pool, counts, state[_TYPES], state[_POOL],
            state[_IDS], state[_UNITS], unit_lengths)
