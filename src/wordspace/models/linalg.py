"""Linear algebra of the linear autoencoder: best responses, reconstruction error, subspaces, SVD.

The linear autoencoder reconstructs a bag of tokens ``x`` (a row of the weighted document-term
matrix ``X``, ``n x d``) through ``k`` hidden units: the *encoder* ``V`` (``k x d``) gives the code
``u = V x`` and the *decoder* ``W`` (``d x k``) gives ``x_hat = W u = W V x``.  The loss is the
squared Frobenius norm ``||X - X V^T W^T||^2``.

Best responses
--------------
* For a fixed decoder ``W`` the best encoder is ``V = W^+`` (the pseudo-inverse), whatever the
  data: the best code of each ``x`` is the least-squares solution of ``W u = x``, i.e. ``W^+ x``,
  so ``W V`` becomes the orthogonal projection onto the column space of ``W``
  (:func:`best_encoder_for`).
* For a fixed encoder ``V`` the best decoder on data ``X`` is the least-squares map from the codes
  ``U = X V^T`` back to ``X``: ``W = X^T U (U^T U)^{-1}``.  When the row space of ``V`` is an
  invariant subspace of ``X^T X`` (a span of right singular vectors) this is exactly ``V^+``,
  which is what :func:`best_decoder_for` returns when no data is given.

At the optimum both hold at once: ``V`` spans the top-``k`` right singular subspace of ``X``, and
with orthonormal rows ``V = W^T = W^+`` (tied weights).  Any invertible ``A`` gives another optimal
pair ``(W A^{-1}, A V)`` with the same reconstruction: only the *plane* is determined, not the
basis.  :func:`subspace_angles` measures how far two planes are apart.

All functions accept a scipy sparse ``X`` and never form a dense ``n x d`` array.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> X = rng.standard_normal((50, 8))
>>> _, s, Vt = np.linalg.svd(X, full_matrices=False)
>>> V = Vt[:3]                                   # encoder: top-3 right singular vectors
>>> W = best_decoder_for(V, X)                   # best decoder on the data ...
>>> bool(np.allclose(W, V.T)), bool(np.allclose(best_encoder_for(W), V))   # ... is V^T = V^+
(True, True)
>>> err = reconstruction_error(X, W, V)
>>> bool(np.isclose(err, (s[3:] ** 2).sum()))    # Eckart-Young: the discarded energy
True
"""

from __future__ import annotations

import logging

import numpy as np
import scipy.linalg
import scipy.linalg.blas
import scipy.sparse as sp

from .._progress import progress
from ..errors import ParameterError, check_positive

__all__ = [
    "best_encoder_for",
    "best_decoder_for",
    "reconstruction_error",
    "captured_energy",
    "frobenius_norm_squared",
    "subspace_angles",
    "randomized_svd",
    "orthonormalize",
    "svd_flip",
    "sparse_times",
]

logger = logging.getLogger(__name__)


def _as_2d(name: str, array) -> np.ndarray:
    array = np.asarray(array)
    if array.ndim != 2:
        raise ParameterError(f"{name} must be a 2-d array, got shape {array.shape}")
    return array


def best_encoder_for(W) -> np.ndarray:
    """The best encoder ``V = W^+`` for the decoder ``W`` (``d x k``), for any data.

    The code minimising ``||x - W u||`` is ``u = W^+ x``, so ``V = W^+`` (``k x d``); with it,
    ``W V`` is the orthogonal projection onto the column space of ``W``.

    >>> W = np.array([[2.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    >>> best_encoder_for(W)
    array([[0.5, 0. , 0. ],
           [0. , 1. , 0. ]])
    """
    W = _as_2d("W", W)
    return np.linalg.pinv(W)


def best_decoder_for(V, X=None) -> np.ndarray:
    """The best decoder ``W`` (``d x k``) for the encoder ``V`` (``k x d``).

    Parameters
    ----------
    V : array (k, d)
        The encoder; codes are ``u = V x``.
    X : array or sparse matrix (n, d), optional
        The data.  With it, ``W`` is the least-squares decoder ``X^T U (U^T U)^{-1}`` with
        ``U = X V^T``, the best possible for that data.  Without it, ``W = V^+``, which is the
        best decoder whenever the row space of ``V`` is spanned by right singular vectors of the
        data (in particular at the optimum) and the exact inverse of ``V`` on its row space.

    Returns
    -------
    W : array (d, k)

    Examples
    --------
    >>> V = np.array([[1.0, 1.0, 0.0]])
    >>> best_decoder_for(V)
    array([[0.5],
           [0.5],
           [0. ]])
    """
    V = _as_2d("V", V)
    if X is None:
        return np.linalg.pinv(V)
    if X.shape[1] != V.shape[1]:
        raise ParameterError(f"X has {X.shape[1]} columns but V has {V.shape[1]}")
    V64 = V.astype(np.float64, copy=False)
    codes = np.asarray(X @ V64.T, dtype=np.float64)            # n x k
    gram = codes.T @ codes                                      # k x k
    cross = np.asarray(X.T @ codes, dtype=np.float64)           # d x k, sparse-aware
    # W = cross @ gram^{-1}; lstsq copes with a rank-deficient code space
    W_t, *_ = np.linalg.lstsq(gram, cross.T, rcond=None)
    return W_t.T


def frobenius_norm_squared(X) -> float:
    """``||X||_F^2`` of a dense or sparse matrix, accumulated in float64."""
    if sp.issparse(X):
        from .._mapped import release

        total, step = 0.0, 1 << 20           # float64 sums of slices: no float64 copy of X
        for start in range(0, len(X.data), step):
            piece = X.data[start:start + step].astype(np.float64)
            total += float(piece @ piece)
            release(X.data, start, start + step)
        return total
    X = np.asarray(X, dtype=np.float64)
    return float(np.einsum("ij,ij->", X, X))


def reconstruction_error(X, W, V) -> float:
    """The squared Frobenius error ``||X - X V^T W^T||^2`` of the autoencoder ``(W, V)`` on ``X``.

    Computed as ``||X||^2 - 2 tr(W^T X^T U) + tr(W^T W U^T U)`` with ``U = X V^T``, so a sparse
    ``X`` is never densified.
    """
    W = _as_2d("W", W).astype(np.float64, copy=False)
    V = _as_2d("V", V).astype(np.float64, copy=False)
    if W.shape[::-1] != V.shape or V.shape[1] != X.shape[1]:
        raise ParameterError(f"shapes do not fit: X {X.shape}, W {W.shape}, V {V.shape}")
    codes = np.asarray(X @ V.T, dtype=np.float64)
    cross = np.asarray(X.T @ codes, dtype=np.float64)           # X^T U, d x k
    error = (frobenius_norm_squared(X) - 2.0 * np.einsum("ij,ij->", W, cross)
             + np.einsum("ij,ij->", W.T @ W, codes.T @ codes))
    return max(float(error), 0.0)


def captured_energy(X, components) -> float:
    """Share of ``||X||_F^2`` kept by projecting the rows of ``X`` onto ``components``' row space.

    ``components`` (``k x d``) need not be orthonormal; the projection is onto the span of its
    rows.  This is ``1 - error / ||X||^2`` for the best autoencoder with that encoder.

    >>> X = np.array([[3.0, 0.0], [0.0, 1.0]])
    >>> captured_energy(X, [[1.0, 0.0]])
    0.9
    """
    components = _as_2d("components", components).astype(np.float64, copy=False)
    basis = np.linalg.qr(components.T)[0]                       # d x k orthonormal
    projected = np.asarray(X @ basis, dtype=np.float64)
    total = frobenius_norm_squared(X)
    return float(np.einsum("ij,ij->", projected, projected) / total) if total else 0.0


def subspace_angles(A, B, degrees: bool = False) -> np.ndarray:
    """Principal angles between the spaces spanned by the *columns* of ``A`` and ``B``.

    Pass ``V.T`` for an encoder ``V`` (``k x d``) and ``W`` as it is for a decoder.  Angles are
    returned largest first (as :func:`scipy.linalg.subspace_angles`); all zeros means the same
    plane.

    >>> A = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    >>> subspace_angles(A, A @ np.array([[2.0, 1.0], [1.0, 1.0]])).round(12).tolist()
    [0.0, 0.0]
    >>> subspace_angles(A[:, :1], np.array([[0.0], [1.0], [0.0]]), degrees=True).tolist()
    [90.0]
    """
    angles = scipy.linalg.subspace_angles(_as_2d("A", A), _as_2d("B", B))
    return np.degrees(angles) if degrees else angles


def svd_flip(U: np.ndarray, Vt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fix the signs of singular vector pairs: the largest entry of each row of ``Vt`` is positive.

    ``Vt`` is flipped in place when it is writeable, ``U`` when it owns its writeable data.
    """
    rows = np.arange(Vt.shape[0])
    signs = np.sign(Vt[rows, np.argmax(np.abs(Vt), axis=1)])
    signs[signs == 0] = 1
    if Vt.flags.writeable:
        Vt *= signs[:, None].astype(Vt.dtype)
    else:
        Vt = Vt * signs[:, None]
    if U.flags.writeable and U.flags.owndata:
        U *= signs.astype(U.dtype)
        return U, Vt
    return U * signs, Vt


def _gram(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """``left^T right`` of two tall blocks (one BLAS product in their dtype), as float64."""
    return np.asarray(left.T @ right, dtype=np.float64)


def orthonormalize(block: np.ndarray, rounds: int = 2, overwrite: bool = False) -> np.ndarray:
    """An orthonormal basis of the columns of a tall ``block`` (same dtype), by Cholesky QR.

    Each round is ``Q = Y R^{-1}`` with ``R = chol(Y^T Y)`` (the small Gram matrix factored in
    float64): two matrix products, several times faster than Householder QR on a tall block; two
    rounds (CholeskyQR2, Fukaya et al. 2014) are orthonormal to rounding.  With ``overwrite``
    (and a C-contiguous float block) ``Y R^{-1}`` is one BLAS triangular solve in place, so no
    second tall block is allocated.  Falls back to Householder QR if the block is numerically
    rank-deficient.
    """
    basis = block
    in_place = (overwrite and block.flags.c_contiguous and block.flags.writeable
                and block.dtype in (np.float32, np.float64))
    try:
        for _ in range(rounds):
            factor = scipy.linalg.cholesky(_gram(basis, basis), lower=False, check_finite=False)
            if not np.all(np.isfinite(factor)) or np.any(np.diag(factor) <= 0):
                raise np.linalg.LinAlgError("singular block")
            if in_place:
                # basis^T (Fortran order, same memory) := R^-T basis^T, i.e. basis := basis R^-1
                trsm = scipy.linalg.blas.get_blas_funcs("trsm", (basis,))
                trsm(1.0, factor.astype(basis.dtype), basis.T, side=0, lower=0, trans_a=1,
                     overwrite_b=1)
                if not np.all(np.isfinite(basis[:1])):
                    raise np.linalg.LinAlgError("singular block")
                continue
            inverse = scipy.linalg.solve_triangular(factor, np.eye(len(factor)), lower=False,
                                                    check_finite=False)
            if not np.all(np.isfinite(inverse)):
                raise np.linalg.LinAlgError("singular block")
            basis = basis @ inverse.astype(basis.dtype)
    except (np.linalg.LinAlgError, scipy.linalg.LinAlgError):
        basis = np.linalg.qr(basis.astype(np.float64, copy=False))[0].astype(block.dtype)
    return basis


def _gram64(left: np.ndarray, right: np.ndarray, step: int = 1 << 13) -> np.ndarray:
    """``left^T right`` of two tall float32 blocks, accumulated in float64 slice by slice."""
    total = np.zeros((left.shape[1], right.shape[1]))
    for start in range(0, len(left), step):
        total += (left[start:start + step].T.astype(np.float64)
                  @ right[start:start + step].astype(np.float64))
    return total


def _times_small(block: np.ndarray, small: np.ndarray, step: int = 1 << 13) -> np.ndarray:
    """``block @ small`` for a tall C-contiguous ``block`` and a square ``small``, written over
    ``block`` slice by slice (no second tall block)."""
    for start in range(0, len(block), step):
        block[start:start + step] = block[start:start + step] @ small
    return block


def sparse_times(X, dense: np.ndarray, out: np.ndarray | None = None,
                 n_columns: int | None = None) -> np.ndarray:
    """``X @ dense`` for a CSR ``X`` (float32 or float64), block of rows by block of rows.

    ``out`` (``n x l``, C-contiguous, the dtype of ``X``) may be a memory-mapped array: each
    block's pages of ``X`` and of ``out`` leave the resident set once written
    (:class:`wordspace._mapped.RowBlocks`).  With ``n_columns``, only the first ``n_columns``
    columns of ``dense`` are used (read in place, not copied out).
    """
    from .._mapped import RowBlocks, release
    from ._linalg_kernels import _csr_dense

    dense = np.ascontiguousarray(dense, dtype=X.dtype)
    width = dense.shape[1] if n_columns is None else n_columns
    if out is None:
        out = np.empty((X.shape[0], width), X.dtype)
    if out.shape != (X.shape[0], width):
        raise ValueError(f"out must have shape {(X.shape[0], width)}, got {out.shape}")
    for r0, r1 in RowBlocks(X.indptr, X.indices, X.data):
        _csr_dense(X.indptr[r0:r1 + 1], X.indices, X.data, dense, out[r0:r1])
        release(out, r0, r1)
    return out


def _gram_product(A, blocks, block: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out = A^T (A block)`` for a CSR ``A``, one pass over its row ``blocks``
    (:class:`wordspace._mapped.RowBlocks`)."""
    from ._linalg_kernels import csr_gram_times_dense

    out[:] = 0.0
    for r0, r1 in blocks:
        csr_gram_times_dense(A.indptr[r0:r1 + 1], A.indices, A.data, block, out)
    return out


def _gram_range(A, n_components: int, cobasis: np.ndarray, n_iter: int, bar):
    """The randomized range finder of a CSR ``A`` (``m x p``) by products with ``A^T A``: only
    ``p x l`` blocks.

    Halko et al.'s iteration alternates ``Q = orth(A C)`` (``m x l``) and ``C = orth(A^T Q)``
    (``p x l``); the span of ``C`` after each step is that of ``A^T A C``, so here each power
    step is ONE pass over the rows computing ``Z = A^T (A C)`` row by row
    (:func:`~wordspace.models._linalg_kernels.csr_gram_times_dense`), and only ``Z`` is
    orthonormalised.  The last step gives Halko's ``B = Q^T A`` without ``Q``: with ``G = A C``,
    ``G^T G = C^T Z = W diag(lam) W^T`` and ``Q = G W lam^{-1/2}``, so ``B^T = A^T Q =
    Z W lam^{-1/2}``; the SVD of ``B`` comes from the ``l x l`` matrix ``B B^T = U_B S^2
    U_B^T``.  The same subspace as Halko's (same passes over ``A``: ``n_iter + 1`` of them,
    each a product and a transposed product), but no ``m x l`` block, no orthonormalisation of
    one, and the rows of ``A`` are read in blocks (memory-mapped ones released after each).
    ``cobasis`` is the start (``p x l``, random), overwritten.

    Returns ``(s, right, cobasis, to_left)``: the top ``k`` singular values; a ``p x l`` block
    whose first ``k`` columns are ``A``'s right singular vectors ``V = B^T U_B S^{-1}``; the
    ``p x l`` block ``C`` and the ``l x k`` matrix ``to_left`` with which ``A``'s left singular
    vectors are ``U = Q U_B = A (C to_left)`` (one gather pass, left to the caller).
    """
    from .._mapped import RowBlocks

    blocks = RowBlocks(A.indptr, A.indices, A.data)
    dtype = cobasis.dtype
    product = np.empty_like(cobasis)
    for _ in range(n_iter):
        _gram_product(A, blocks, cobasis, product)
        cobasis, product = orthonormalize(product, 1, overwrite=True), cobasis
        bar.update()
    _gram_product(A, blocks, cobasis, product)       # Z = A^T A C
    bar.update()
    gram = _gram64(cobasis, product)                 # G^T G = C^T Z
    lam, W = np.linalg.eigh((gram + gram.T) / 2)
    keep = lam > lam.max() * 1e-10 if lam.size and lam.max() > 0 else np.zeros(len(lam), bool)
    if keep.sum() < n_components:
        raise np.linalg.LinAlgError("the sampled range has a lower rank than n_components")
    W[:, keep] /= np.sqrt(lam[keep])                 # W lam^-1/2
    W[:, ~keep] = 0.0                                # null directions: zero columns of B^T
    projected_t = _times_small(product, W.astype(dtype))       # B^T (p x l), in place of Z
    del product
    s, U_top, pad = _top_pairs(_gram64(projected_t, projected_t), n_components)
    # V = B^T U_B S^-1 (p x k), in the first k columns of B^T's block
    right = _times_small(projected_t, pad.astype(dtype))
    return s, right, cobasis, W @ U_top


def _top_pairs(small: np.ndarray, n_components: int):
    """The top ``n_components`` eigenpairs of ``small = B B^T = U_B S^2 U_B^T``: ``(s, U_B,
    pad)``, ``pad`` the ``l x l`` matrix whose first ``k`` columns are ``U_B S^-1`` (to map a
    block in place by :func:`_times_small`)."""
    mu, U_small = np.linalg.eigh((small + small.T) / 2)
    order = np.argsort(mu)[::-1][:n_components]
    s = np.sqrt(np.maximum(mu[order], 0.0))
    if not np.all(s > 0):
        raise np.linalg.LinAlgError("zero singular values among the first n_components")
    pad = np.zeros((len(small), len(small)))
    pad[:, :n_components] = U_small[:, order] / s
    return s, U_small[:, order], pad


def _flip_signs(rows) -> np.ndarray:
    """svd_flip's convention: the sign that makes the largest entry of each row of ``Vt``
    positive (1 for a zero row), one row at a time (no temporary the size of ``Vt``)."""
    signs = np.array([np.sign(row[np.argmax(np.abs(row))]) for row in rows])
    signs[signs == 0] = 1
    return signs


def _left_map(cobasis: np.ndarray, to_left: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``C to_left diag(scale)`` in the first ``k`` columns of ``C``'s block, in place."""
    width, k = to_left.shape
    pad = np.zeros((width, width))
    pad[:, :k] = to_left * scale
    return _times_small(cobasis, pad.astype(cobasis.dtype))


def _svd_by_columns(X, n_components: int, width: int, n_iter: int, rng, dtype, bar,
                    compute_u: bool, u_scaled: bool):
    """:func:`_gram_range`'s decomposition of a CSR ``X`` (``n x d``, ``n < d``) with ``n x l``
    blocks only, passing over the rows of ``X^T`` (a CSR copy of it, the size of ``X``).

    :func:`_gram_range` on ``X`` spans ``G = X C`` with ``C`` the power-iterated ``Omega``; here
    the start is ``X Omega`` and each power step is one pass ``Y := X (X^T Y)``, so after
    ``n_iter`` steps ``Y`` spans the same ``G`` and ``Q = orth(Y)``.  The last pass gives
    ``B B^T = Q^T X X^T Q`` (``B = Q^T X``), whose eigenvectors ``U_B`` and values ``S^2`` give
    ``U = Q U_B`` in place (no pass) and ``Vt = (X^T Q U_B S^-1)^T`` from one gather pass over
    the rows of ``X^T``, written row by row
    (:func:`~wordspace.models._linalg_kernels.csr_times_dense_transposed`): no ``d x l``
    block past the start and no transposed copy of a ``d x k`` one.  In exact arithmetic the
    result is :func:`_gram_range`'s, for one product more (``X Omega``) and orthonormalisations
    of ``n x l`` instead of ``d x l`` blocks.
    """
    import numba

    from ._linalg_kernels import csr_gram_rows_split, csr_times_dense, csr_times_dense_transposed

    n, d = X.shape
    omega = rng.standard_normal((d, width), dtype=np.float32).astype(dtype, copy=False)
    basis = orthonormalize(csr_times_dense(X, omega), 1, overwrite=True)   # X Omega, n x l
    del omega
    columns = X.tocsc()                               # the rows of X^T
    A = sp.csr_matrix((columns.data, columns.indices, columns.indptr), shape=(d, n))
    del columns
    # the n x l blocks are small: the rows of X^T are split between threads, each with its
    # own output (threads - 1 more blocks), rather than the columns of the blocks
    partials = np.empty((max(numba.get_num_threads(), 1) - 1,) + basis.shape, basis.dtype)
    rows = (A.indptr, A.indices, A.data)
    product = np.empty_like(basis)
    for _ in range(n_iter):
        csr_gram_rows_split(*rows, basis, product, partials)       # X X^T Y
        basis, product = orthonormalize(product, 1, overwrite=True), basis
        bar.update()
    basis = orthonormalize(basis, 1, overwrite=True)  # Q: a second Cholesky QR round
    csr_gram_rows_split(*rows, basis, product, partials)           # X X^T Q
    bar.update()
    del partials, rows
    small = _gram64(basis, product)                   # B B^T = U_B S^2 U_B^T
    del product
    s, _, pad = _top_pairs(small, n_components)
    left = _times_small(basis, pad.astype(dtype))     # Q U_B S^-1 in the first k columns
    Vt = csr_times_dense_transposed(A, left, n_components)     # (X^T Q U_B S^-1)^T
    del A
    bar.update()
    signs = _flip_signs(Vt)
    Vt *= signs[:, None].astype(dtype)
    U = None
    if compute_u:                                     # U = Q U_B (times S)
        U = left[:, :n_components] * (signs * s ** 2 if u_scaled else signs * s).astype(dtype)
    return U, s, Vt


def _sparse_randomized_svd(X, n_components: int, width: int, n_iter: int, rng, dtype, desc: str,
                           compute_u: bool, u_scaled: bool = False, u_out=None,
                           by_columns: bool | None = None):
    """The randomized SVD of a CSR ``X`` (``n x d``) by :func:`_gram_range` on ``X``
    (``d x l`` blocks) or, with ``n < d``, :func:`_svd_by_columns` (``n x l`` blocks).

    Both start from the same random ``d x l`` block and give the same decomposition in exact
    arithmetic.  The ``d x l`` side is taken when ``d <= n``, when ``X`` is memory-mapped (its
    rows are read block by block) or when ``u_out`` is given; ``by_columns`` forces a side.
    """
    from .._mapped import is_mapped

    n, d = X.shape
    if by_columns is None:
        by_columns = n < d and u_out is None and not is_mapped(X.data)
    bar = progress(total=n_iter + 1 + bool(compute_u or by_columns), desc=desc, unit=" passes")
    if by_columns:
        try:
            return _svd_by_columns(X, n_components, width, n_iter, rng, dtype, bar, compute_u,
                                   u_scaled)
        finally:
            bar.close()
    omega = rng.standard_normal((d, width), dtype=np.float32).astype(dtype, copy=False)
    s, right, cobasis, to_left = _gram_range(X, n_components, omega, n_iter, bar)
    del omega
    V = right[:, :n_components]
    signs = _flip_signs(V.T)                        # the columns of V in place
    if compute_u:
        # U = Q U_B = X (C to_left), times S when scaled: C's block becomes that map
        _left_map(cobasis, to_left, signs * s if u_scaled else signs)
    U = None
    # U (n x k) and Vt (k x d) need a block each: the smaller one is made while both d x l
    # blocks live, the larger once one of them is gone
    if compute_u and n <= d:
        U = sparse_times(X, cobasis, u_out, n_columns=n_components)
        cobasis = None
        bar.update()
    Vt = np.ascontiguousarray(V.T)
    del V, right
    Vt *= signs[:, None].astype(dtype)
    if compute_u and U is None:
        U = sparse_times(X, cobasis, u_out, n_columns=n_components)
        bar.update()
    bar.close()
    return U, s, Vt


def randomized_svd(X, n_components: int, *, n_oversamples: int = 10, n_iter: int = 5,
                   seed=0, dtype=np.float32, desc: str = "randomized SVD",
                   compute_u: bool = True, u_scaled: bool = False, u_out=None):
    """Truncated SVD ``X ~ U diag(s) Vt`` by randomized subspace iteration (Halko et al., 2011).

    The range of ``X`` is found with ``n_iter`` power iterations on ``l = n_components +
    n_oversamples`` random vectors, each re-orthonormalised by Cholesky QR; the products with
    ``X`` run in ``dtype`` (float32 by default: half the memory traffic of float64, with
    singular values accurate far beyond what LSA needs).  For a sparse ``X`` each power step is
    one pass of ``X^T X`` over blocks of rows (:func:`_sparse_randomized_svd`): memory ``X`` plus
    two dense ``d x l`` blocks (and ``U``, ``n x k``, at the end); when ``n < d``, of ``X X^T``
    over the rows of a CSR copy of ``X^T`` with two ``n x l`` blocks instead (the same result
    in exact arithmetic; see :func:`_svd_by_columns`).  For a dense ``X``: ``X`` plus
    an ``n x l`` and a ``d x l`` block.  Nothing ``n x d`` is ever dense.

    Parameters
    ----------
    X : sparse or dense matrix (n, d)
    n_components : int
    n_oversamples, n_iter : int
    seed : int or numpy Generator
    dtype : numpy dtype of the dense blocks
    desc : str
        Label of the progress bar over the passes.
    compute_u : bool
        Return ``U``; with False (sparse ``X`` only) ``U`` is None and the last pass over ``X``
        is saved.
    u_scaled : bool
        Return ``U diag(s)`` instead of ``U``.
    u_out : array (n, k), optional
        Sparse ``X`` only: write ``U`` there (it may be a memory-mapped array, whose pages are
        released block by block).

    Returns
    -------
    U : array (n, k), s : array (k,), Vt : array (k, d)
        Signs fixed by :func:`svd_flip`; ``U`` and ``Vt`` in ``dtype``, ``s`` descending,
        float64.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> X = rng.standard_normal((40, 6)) @ np.diag([9, 5, 3, 1, .5, .1])
    >>> U, s, Vt = randomized_svd(X, 3, n_iter=4, dtype=np.float64)
    >>> bool(np.allclose(s, np.linalg.svd(X, compute_uv=False)[:3]))
    True
    >>> U, s2, Vt = randomized_svd(sp.csr_matrix(X), 3, n_iter=4, dtype=np.float64)
    >>> bool(np.allclose(s2, s)), bool(np.allclose(U * s2 @ Vt, U * s @ Vt))
    (True, True)
    """
    check_positive("n_components", n_components, integer=True)
    check_positive("n_iter", n_iter, integer=True, allow_zero=True)
    check_positive("n_oversamples", n_oversamples, integer=True, allow_zero=True)
    n, d = X.shape
    if n_components > min(n, d):
        raise ParameterError(f"n_components={n_components} is more than the matrix allows "
                             f"({n} x {d})")
    rng = np.random.default_rng(seed)
    width = min(n_components + n_oversamples, n, d)
    if sp.issparse(X) and X.dtype != dtype:
        X = X.astype(dtype)
    elif not sp.issparse(X):
        X = np.asarray(X, dtype=dtype)
    if sp.issparse(X) and X.dtype in (np.float32, np.float64):
        X = sp.csr_matrix(X)
        state = rng.bit_generator.state
        try:
            return _sparse_randomized_svd(X, n_components, width, n_iter, rng, X.dtype, desc,
                                          compute_u, u_scaled, u_out)
        except np.linalg.LinAlgError:       # a rank-deficient sample: the two-sided iteration
            logger.info("randomized SVD: rank-deficient sample, alternating iteration instead")
            rng.bit_generator.state = state
        from ._linalg_kernels import csr_times_dense, csr_transpose_times_dense

        times, times_t = (lambda block, out=None: csr_times_dense(X, block, out),
                          lambda block, out=None: csr_transpose_times_dense(X, block, out))
    else:
        X_t = X.T
        times, times_t = (lambda block, out=None: np.matmul(X, block, out=out),
                          lambda block, out=None: np.matmul(X_t, block, out=out))
    bar = progress(total=2 * n_iter + 2, desc=desc, unit=" passes")
    # one n x l and one d x l block, each product written over the block it replaces
    cobasis = rng.standard_normal((d, width), dtype=np.float32).astype(dtype, copy=False)
    basis = orthonormalize(times(cobasis), overwrite=True)              # n x l
    bar.update()
    for _ in range(n_iter):
        cobasis = orthonormalize(times_t(basis, out=cobasis), 1, overwrite=True)   # d x l
        bar.update()
        basis = orthonormalize(times(cobasis, out=basis), overwrite=True)          # n x l
        bar.update()
    # B = Q^T X (l x d); B^T = P R (thin QR of a tall block), so B = R^T P^T and the SVD of
    # the small l x l matrix R^T gives B's: U_B S (P W)^T
    projected_t = times_t(basis, out=cobasis)        # d x l = B^T
    bar.update()
    bar.close()
    cobasis = orthonormalize(projected_t.copy(), overwrite=True)
    small = _gram(cobasis, projected_t)                        # R (l x l), B^T = P R
    del projected_t
    U_small, s, W_t = np.linalg.svd(small.T, full_matrices=False)
    Vt = np.ascontiguousarray((cobasis @ W_t[:n_components].T.astype(cobasis.dtype)).T)
    del cobasis
    U = basis @ U_small[:, :n_components].astype(basis.dtype)    # n x k in the blocks' dtype
    del basis
    U, Vt = svd_flip(U, Vt)
    if u_scaled:
        U *= s[:n_components].astype(U.dtype)
    return U, s[:n_components], Vt
