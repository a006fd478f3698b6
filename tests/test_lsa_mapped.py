"""LSA and bags of words in memory-mapped files: the same result as in memory, pages released."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from wordspace import _mapped
from wordspace.bow import BagOfWords, _CountBuilder, count_matrix_and_vocabulary
from wordspace.errors import ParameterError
from wordspace.models.linalg import randomized_svd, sparse_times
from wordspace.models.lsa import LSA

WORDS = ("cat dog kitten puppy fur paw purr bark leash vet stock bond market price trade bank "
         "loan fund share yield day time year people thing").split()


def corpus(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS[(i % 2) * 10:(i % 2) * 10 + 10] + WORDS[20:],
                                rng.integers(3, 30))) for i in range(n)]


def rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 512 nonzeros, so a small matrix is read in many blocks."""
    monkeypatch.setattr(_mapped.RowBlocks.__init__, "__defaults__", (512,))


def test_temporary_array_is_removed_and_released(tmp_path):
    array = _mapped.temporary_array((1 << 20,), np.float32, tmp_path)
    assert list(tmp_path.iterdir()) == []            # the file is gone, the mapping holds it
    assert _mapped.is_mapped(array) and _mapped.is_mapped(array[10:])
    assert not _mapped.is_mapped(np.ones(3))
    before = rss_kb()
    array[:] = 1.5
    assert rss_kb() - before > 3000                  # 4 MB touched
    _mapped.release(array[100:])
    assert rss_kb() - before < 1000                  # ... and released
    assert array[5] == 1.5 and array[-1] == 1.5 and float(array.sum()) == 1.5 * (1 << 20)


def test_spilled_builder_gives_the_same_matrix(tmp_path, small_blocks):
    docs = corpus()
    in_memory, vocab = count_matrix_and_vocabulary(docs, min_count=2, chunk_tokens=200)
    spilled, vocab2 = count_matrix_and_vocabulary(docs, min_count=2, chunk_tokens=200,
                                                  cache_dir=tmp_path)
    assert vocab.tokens == vocab2.tokens
    assert _mapped.is_mapped(spilled.data) and not _mapped.is_mapped(in_memory.data)
    assert (in_memory != spilled).nnz == 0
    np.testing.assert_array_equal(in_memory.indptr, spilled.indptr)
    # spilling in the middle of the corpus (a limit of 2,000 bytes), not from the start
    builder = _CountBuilder(limit=2000)
    ids = np.array([0, 1, 0, 2, -1, 1] * 200, np.int32)
    for _ in range(3):
        builder.add(ids, np.full(100, 12), 3)
    assert builder.files is not None
    middle = builder.finish(np.array([1, -1, 0], np.int32), 2)   # token 1 dropped
    np.testing.assert_array_equal(middle.toarray(), np.tile([[2.0, 4.0]], (300, 1)))


def test_mapped_lsa_equals_in_memory_lsa(tmp_path, small_blocks):
    docs = corpus(400)
    memory = LSA(5, min_count=1, seed=3).fit(docs)
    mapped = LSA(5, min_count=1, seed=3, cache_dir=tmp_path).fit(docs)
    assert _mapped.is_mapped(mapped.document_vectors_)
    assert list(tmp_path.iterdir()) == []
    assert mapped.explained_energy_ == pytest.approx(memory.explained_energy_, abs=1e-6)
    np.testing.assert_allclose(mapped.components_, memory.components_, atol=1e-6)
    np.testing.assert_allclose(mapped.document_vectors_, memory.document_vectors_, atol=1e-6)
    for weighting in ("log-entropy", "binary-idf"):
        a = BagOfWords(weighting=weighting, min_count=1).fit_transform(docs)
        b = BagOfWords(weighting=weighting, min_count=1, cache_dir=tmp_path).fit_transform(docs)
        assert abs(a - b).max() < 1e-6
    with pytest.raises(ParameterError, match="cache_dir"):
        LSA(5, cache_dir=tmp_path / "missing").fit(docs)


def test_fused_randomized_svd_matches_the_exact_svd(small_blocks):
    rng = np.random.default_rng(0)
    X = sp.random(200, 80, density=0.1, random_state=2, format="csr", dtype=np.float32)
    X = sp.csr_matrix(X.toarray() + np.outer(rng.random(200), rng.random(80)) * (X.toarray() > 0))
    X = X.astype(np.float32)
    U, s, Vt = randomized_svd(X, 8, n_iter=8, seed=0)
    exact = np.linalg.svd(X.toarray().astype(np.float64), compute_uv=False)
    np.testing.assert_allclose(s, exact[:8], rtol=1e-3)
    np.testing.assert_allclose(Vt @ Vt.T, np.eye(8), atol=1e-5)
    np.testing.assert_allclose(U.T @ U, np.eye(8), atol=1e-4)
    projected = sparse_times(X, Vt.T)               # X V: U S up to what lies outside the range
    assert np.linalg.norm(U * s - projected) < 0.02 * np.linalg.norm(projected)
    scaled, _, _ = randomized_svd(X, 8, n_iter=8, seed=0, u_scaled=True)
    np.testing.assert_allclose(scaled, U * s, rtol=1e-5, atol=1e-6)
    _, s_no_u, Vt_no_u = randomized_svd(X, 8, n_iter=8, seed=0, compute_u=False)
    np.testing.assert_array_equal(s_no_u, s)
    np.testing.assert_array_equal(Vt_no_u, Vt)


@pytest.mark.parametrize("shape", [(60, 240), (240, 60)])
def test_randomized_svd_on_either_side_gives_the_same_decomposition(shape, small_blocks):
    """The range finder on X^T (n x l blocks, the default when n < d) and on X (d x l blocks)
    find the same singular values and subspace, whichever side is the smaller."""
    from wordspace.models.linalg import _sparse_randomized_svd, subspace_angles

    rng = np.random.default_rng(4)
    X = sp.random(*shape, density=0.15, random_state=5, format="csr", dtype=np.float64)
    X = sp.csr_matrix(X.multiply(np.outer(np.ones(shape[0]), 0.8 ** np.arange(shape[1]))
                                 + rng.random(shape) * 0.01).astype(np.float32))
    exact = np.linalg.svd(X.toarray().astype(np.float64), compute_uv=False)
    result = {side: _sparse_randomized_svd(X, 6, 16, 6, np.random.default_rng(0), np.float32,
                                           "svd", True, True, None, side)
              for side in (False, True)}
    for U, s, Vt in result.values():
        np.testing.assert_allclose(s, exact[:6], rtol=1e-4)
        np.testing.assert_allclose(Vt @ Vt.T, np.eye(6), atol=1e-5)
        assert np.all(Vt[np.arange(6), np.abs(Vt).argmax(axis=1)] > 0)
        np.testing.assert_allclose(U, X @ Vt.T, atol=1e-3 * s[0])
    np.testing.assert_allclose(result[True][1], result[False][1], rtol=1e-4)
    assert subspace_angles(result[True][2].T, result[False][2].T).max() < 1e-2
    # randomized_svd takes the rows' side when n < d
    _, s, Vt = randomized_svd(X, 6, n_oversamples=10, n_iter=6, seed=0, u_scaled=True)
    chosen = result[shape[0] < shape[1]]
    np.testing.assert_array_equal(s, chosen[1])
    np.testing.assert_array_equal(Vt, chosen[2])


def test_csr_times_dense_transposed_matches_numpy():
    from wordspace.models._linalg_kernels import csr_times_dense_transposed

    A = sp.random(150, 40, density=0.2, random_state=6, format="csr", dtype=np.float32)
    dense = np.random.default_rng(6).standard_normal((40, 9)).astype(np.float32)
    out = csr_times_dense_transposed(A, dense, 7)
    assert out.shape == (7, 150) and out.flags.c_contiguous
    np.testing.assert_allclose(out, (A.toarray() @ dense[:, :7]).T, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("extra_threads", [0, 1, 3])
def test_csr_gram_rows_split_matches_numpy(extra_threads):
    from wordspace.models._linalg_kernels import csr_gram_rows_split

    A = sp.random(90, 30, density=0.2, random_state=7, format="csr", dtype=np.float32)
    dense = np.random.default_rng(7).standard_normal((30, 5)).astype(np.float32)
    out = np.full((30, 5), np.nan, np.float32)          # overwritten, not added to
    partials = np.full((extra_threads, 30, 5), np.nan, np.float32)
    csr_gram_rows_split(A.indptr, A.indices, A.data, dense, out, partials)
    X = A.toarray().astype(np.float64)
    np.testing.assert_allclose(out, X.T @ (X @ dense), rtol=1e-4, atol=1e-5)
