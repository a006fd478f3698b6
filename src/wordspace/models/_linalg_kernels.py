"""Numba kernels of the randomized SVD: a sparse (CSR) times dense product, rows in parallel.

scipy's ``csr_matvecs`` is a generic loop; this one is compiled for float32 with ``fastmath``, so
the inner loop over the ``l`` dense columns is vectorised, and rows are spread over threads.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["csr_times_dense", "csr_transpose_times_dense", "csr_gram_times_dense",
           "csr_gram_rows_split", "csr_times_dense_transposed"]


@numba.njit(inline="always", fastmath=True, nogil=True, cache=True)
def _row_times(indptr, indices, data, i, dense, row):  # pragma: no cover - compiled
    """``row = x_i dense[:, :len(row)]`` for the CSR row ``i``."""
    width = row.shape[0]
    for c in range(width):
        row[c] = 0.0
    for position in range(indptr[i], indptr[i + 1]):
        value = data[position]
        source = dense[indices[position]]
        for c in range(width):
            row[c] += value * source[c]


@numba.njit(parallel=True, fastmath=True, nogil=True, cache=True)
def _csr_dense(indptr, indices, data, dense, out):  # pragma: no cover - compiled
    for i in numba.prange(len(indptr) - 1):  # out may have fewer columns than dense
        _row_times(indptr, indices, data, i, dense, out[i])


def _output(out, shape, dtype) -> np.ndarray:
    if out is None:
        return np.empty(shape, dtype=dtype)
    if out.shape != shape or out.dtype != dtype or not out.flags.c_contiguous:
        raise ValueError(f"out must be a C-contiguous {dtype} array of shape {shape}")
    return out


def csr_times_dense(matrix, dense: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``matrix @ dense`` for a CSR ``matrix`` and a C-contiguous dense block of the same dtype,
    written into ``out`` when given (it must not overlap ``dense``)."""
    dense = np.ascontiguousarray(dense, dtype=matrix.dtype)
    out = _output(out, (matrix.shape[0], dense.shape[1]), matrix.dtype)
    _csr_dense(matrix.indptr, matrix.indices, matrix.data, dense, out)
    return out


@numba.njit(parallel=True, fastmath=True, nogil=True, cache=True)
def _csr_t_dense(indptr, indices, data, dense, out, n_parts):  # pragma: no cover - compiled
    width = dense.shape[1]
    for part in numba.prange(n_parts):
        first, last = part * width // n_parts, (part + 1) * width // n_parts
        m = last - first
        for j in range(out.shape[0]):
            for c in range(first, last):
                out[j, c] = 0.0
        for i in range(len(indptr) - 1):
            source = dense[i, first:last]
            for position in range(indptr[i], indptr[i + 1]):
                value = data[position]
                row = out[indices[position], first:last]     # slices: the loop vectorises
                for c in range(m):
                    row[c] += value * source[c]


def csr_transpose_times_dense(matrix, dense: np.ndarray, out: np.ndarray | None = None
                              ) -> np.ndarray:
    """``matrix.T @ dense`` for a CSR ``matrix``, without a transposed copy of it (into ``out``
    when given; it must not overlap ``dense``).

    Each thread scatters into its own slice of the columns of the result, so threads never
    write the same place and no private buffers are needed.
    """
    dense = np.ascontiguousarray(dense, dtype=matrix.dtype)
    out = _output(out, (matrix.shape[1], dense.shape[1]), matrix.dtype)
    n_parts = max(1, min(numba.get_num_threads(), dense.shape[1]))
    _csr_t_dense(matrix.indptr, matrix.indices, matrix.data, dense, out, n_parts)
    return out


@numba.njit(inline="always", fastmath=True, nogil=True, cache=True)
def _row_gram(a, b, indices, data, dense, target, y, first, last):  # pragma: no cover - compiled
    """``target[:, first:last] += x^T (x dense[:, first:last])`` for the CSR row ``x`` stored at
    ``a:b``, through the buffer ``y`` (at least ``last - first`` long)."""
    m = last - first
    for c in range(m):
        y[c] = 0.0
    for position in range(a, b):
        value = data[position]
        source = dense[indices[position], first:last]   # a slice: the loop vectorises
        for c in range(m):
            y[c] += value * source[c]
    for position in range(a, b):
        value = data[position]
        row = target[indices[position], first:last]
        for c in range(m):
            row[c] += value * y[c]


@numba.njit(parallel=True, fastmath=True, nogil=True, cache=True)
def _csr_gram_dense(indptr, indices, data, dense, out, n_parts):  # pragma: no cover - compiled
    width = dense.shape[1]
    for part in numba.prange(n_parts):
        first, last = part * width // n_parts, (part + 1) * width // n_parts
        y = np.empty(last - first, dense.dtype)
        for i in range(len(indptr) - 1):
            if indptr[i] < indptr[i + 1]:
                _row_gram(indptr[i], indptr[i + 1], indices, data, dense, out, y, first, last)


def csr_gram_times_dense(indptr, indices, data, dense: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out += X^T (X dense)`` for the CSR rows ``(indptr, indices, data)`` of ``X``, in one
    pass over them and without the ``n x l`` block ``X dense``.

    Each row's product with ``dense`` is formed in a small buffer and scattered back at once;
    each thread owns a slice of the ``l`` columns, so threads never write the same place.
    ``indptr`` may start at any offset into ``indices``/``data`` (a block of rows).
    """
    n_parts = max(1, min(numba.get_num_threads(), dense.shape[1]))
    _csr_gram_dense(indptr, indices, data, dense, out, n_parts)
    return out


@numba.njit(parallel=True, fastmath=True, nogil=True, cache=True)
def _csr_gram_dense_rows(indptr, indices, data, dense, out, partials,
                         bounds):  # pragma: no cover - compiled
    width = dense.shape[1]
    for part in numba.prange(len(bounds) - 1):
        target = out if part == 0 else partials[part - 1]
        for j in range(target.shape[0]):
            for c in range(width):
                target[j, c] = 0.0
        y = np.empty(width, dense.dtype)
        for i in range(bounds[part], bounds[part + 1]):
            if indptr[i] < indptr[i + 1]:
                _row_gram(indptr[i], indptr[i + 1], indices, data, dense, target, y, 0, width)


def csr_gram_rows_split(indptr, indices, data, dense: np.ndarray, out: np.ndarray,
                        partials: np.ndarray) -> np.ndarray:
    """``out = X^T (X dense)`` for the CSR rows of ``X``, the rows split between threads by
    nonzeros: each thread reads whole rows of ``dense`` (``l`` contiguous values, not a slice of
    them) and scatters into its own output, the first ``out`` and the others ``partials``
    (``threads - 1`` blocks the shape of ``out``), summed at the end.  For a small ``out``:
    it costs a copy of it per extra thread (:func:`csr_gram_times_dense` needs none).
    """
    parts = len(partials) + 1
    bounds = np.searchsorted(indptr, np.arange(parts + 1) * (indptr[-1] - indptr[0]) // parts
                             + indptr[0])
    bounds[0], bounds[-1] = 0, len(indptr) - 1
    _csr_gram_dense_rows(indptr, indices, data, dense, out, partials, bounds.astype(np.int64))
    for partial in partials:
        out += partial
    return out


#: rows of the product gathered per tile before they are written as columns
_TILE = 64


@numba.njit(parallel=True, fastmath=True, nogil=True, cache=True)
def _csr_dense_t(indptr, indices, data, dense, out_t, n_parts):  # pragma: no cover - compiled
    width, m = out_t.shape                   # the first `width` columns of dense
    n_tiles = (m + _TILE - 1) // _TILE
    for part in numba.prange(n_parts):
        tile = np.empty((_TILE, width), dense.dtype)
        for t in range(part * n_tiles // n_parts, (part + 1) * n_tiles // n_parts):
            j0 = t * _TILE
            j1 = min(j0 + _TILE, m)
            for j in range(j0, j1):
                _row_times(indptr, indices, data, j, dense, tile[j - j0])
            for c in range(width):
                target = out_t[c]
                for j in range(j0, j1):
                    target[j] = tile[j - j0, c]


def csr_times_dense_transposed(matrix, dense: np.ndarray, width: int | None = None
                               ) -> np.ndarray:
    """``(matrix @ dense[:, :width]).T`` as a C-contiguous ``width x m`` array, for a CSR
    ``matrix`` (``m`` rows): each tile of rows is gathered in a small buffer and written as
    columns, so the transposed result needs no second copy.

    >>> import scipy.sparse as sp
    >>> A = sp.csr_matrix(np.array([[1.0, 0.0], [2.0, 3.0], [0.0, 4.0]], np.float32))
    >>> dense = np.arange(6, dtype=np.float32).reshape(2, 3)
    >>> csr_times_dense_transposed(A, dense, 2).tolist()
    [[0.0, 9.0, 12.0], [1.0, 14.0, 16.0]]
    """
    dense = np.ascontiguousarray(dense, dtype=matrix.dtype)
    width = dense.shape[1] if width is None else width
    out_t = np.empty((width, matrix.shape[0]), matrix.dtype)
    n_tiles = (matrix.shape[0] + _TILE - 1) // _TILE
    n_parts = max(1, min(numba.get_num_threads(), n_tiles))
    _csr_dense_t(matrix.indptr, matrix.indices, matrix.data, dense, out_t, n_parts)
    return out_t
