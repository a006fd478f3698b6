"""Numba kernels of the randomized SVD: a sparse (CSR) times dense product, rows in parallel.

scipy's ``csr_matvecs`` is a generic loop; this one is compiled for float32 with ``fastmath``, so
the inner loop over the ``l`` dense columns is vectorised, and rows are spread over threads.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["csr_times_dense"]


@numba.njit(parallel=True, fastmath=True, nogil=True, cache=True)
def _csr_dense(indptr, indices, data, dense, out):  # pragma: no cover - compiled
    width = dense.shape[1]
    for i in numba.prange(len(indptr) - 1):
        row = out[i]
        for c in range(width):
            row[c] = 0.0
        for position in range(indptr[i], indptr[i + 1]):
            value = data[position]
            source = dense[indices[position]]
            for c in range(width):
                row[c] += value * source[c]


def csr_times_dense(matrix, dense: np.ndarray) -> np.ndarray:
    """``matrix @ dense`` for a CSR ``matrix`` and a C-contiguous dense block of the same dtype."""
    dense = np.ascontiguousarray(dense, dtype=matrix.dtype)
    out = np.empty((matrix.shape[0], dense.shape[1]), dtype=matrix.dtype)
    _csr_dense(matrix.indptr, matrix.indices, matrix.data, dense, out)
    return out
