"""Numba kernels of the bag-of-words matrix: counting units, renumbering columns, weighting rows.

All work in place on the three CSR arrays (``indptr`` int64, ``indices`` int32, ``data``
float32), so the matrix exists once: no COO stage, no stacked copy of per-chunk blocks, no
renumbered copy, no weighted copy.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["count_units", "renumber_rows", "weight_rows", "TF_CODES"]

TF_CODES = {"count": 0, "binary": 1, "tf": 2, "log": 3}


@numba.njit(nogil=True, cache=True)
def count_units(ids, lengths, row0, last_row, slot, indptr, indices, data, nnz,
                first_row=0):  # pragma: no cover
    """Append one row per unit (``lengths`` tokens each of ``ids``) to the CSR arrays.

    Row ``r`` ends at ``indptr[r + 1 - first_row]`` (``first_row``: the row that ``indptr[0]``
    starts, for a buffer of one chunk's rows).

    A token's first occurrence in a unit gets a new slot; later ones add 1 to it
    (``last_row``/``slot``: per-column scratch, ``last_row`` initialised to -1).  Negative ids
    (unknown tokens) are skipped.  Columns are in order of first occurrence.  Returns the new
    number of nonzeros.
    """
    position = 0
    for unit in range(len(lengths)):
        row = row0 + unit
        for _ in range(lengths[unit]):
            column = ids[position]
            position += 1
            if column < 0:
                continue
            if last_row[column] == row:
                data[slot[column]] += 1.0
            else:
                last_row[column] = row
                slot[column] = nnz
                indices[nnz] = column
                data[nnz] = 1.0
                nnz += 1
        indptr[row + 1 - first_row] = nnz
    return nnz


@numba.njit(nogil=True, cache=True)
def renumber_rows(indptr, indices, data, mapping, max_row, r0=0, r1=-1, read=0,
                  write=0):  # pragma: no cover
    """Map every column through ``mapping`` (-1: drop it), sort each row, sum duplicates.

    In place, row after row (a row never writes past where it reads), for rows ``[r0, r1)``
    (``r1 = -1``: to the last row): their entries start at ``read`` and the renumbered ones are
    written from ``write`` on (a block of rows continues where the previous one stopped;
    ``indptr[r0]`` is already rewritten then).  Returns the new number of nonzeros so far;
    ``indptr[r0 + 1 : r1 + 1]`` is rewritten.
    """
    keys = np.empty(max_row, np.int32)
    values = np.empty(max_row, np.float32)
    if r1 < 0:
        r1 = len(indptr) - 1
    for i in range(r0, r1):
        end = indptr[i + 1]
        m = 0
        for p in range(read, end):
            column = mapping[indices[p]]
            if column >= 0:
                keys[m] = column
                values[m] = data[p]
                m += 1
        read = end
        if m == 1:
            indices[write] = keys[0]
            data[write] = values[0]
            write += 1
        elif m > 1:
            order = np.argsort(keys[:m])
            previous = -1
            for q in range(m):
                column = keys[order[q]]
                if column == previous:
                    data[write - 1] += values[order[q]]
                else:
                    indices[write] = column
                    data[write] = values[order[q]]
                    write += 1
                    previous = column
        indptr[i + 1] = write
    return write


@numba.njit(parallel=True, fastmath=True, nogil=True, cache=True)
def weight_rows(indptr, indices, data, weights, tf, normalize):  # pragma: no cover
    """tf transform (``TF_CODES``), times ``weights[column]``, then unit L2 rows: in place.

    Row sums and norms accumulate in float64.
    """
    for i in numba.prange(len(indptr) - 1):
        a, b = indptr[i], indptr[i + 1]
        if tf == 2:
            total = 0.0
            for p in range(a, b):
                total += data[p]
            scale = 1.0 / total if total > 0 else 0.0
        squares = 0.0
        for p in range(a, b):
            value = np.float64(data[p])
            if tf == 1:
                value = 1.0
            elif tf == 2:
                value *= scale
            elif tf == 3:
                value = 1.0 + np.log(value)
            value *= weights[indices[p]]
            data[p] = value
            squares += value * value
        if normalize and squares > 0:
            inverse = 1.0 / np.sqrt(squares)
            for p in range(a, b):
                data[p] = np.float64(data[p]) * inverse
