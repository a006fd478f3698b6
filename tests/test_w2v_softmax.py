"""The exact-softmax and multi-mask kernels of word2vec, checked against numpy references."""

import numpy as np
import pytest

from wordspace._vocab_kernels import build_huffman
from wordspace.models import _w2v_core as C
from wordspace.models import _w2v_kernels as K
from wordspace.models import _w2v_softmax as M


def finite_difference(function, array, eps=1e-6):
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        saved = array[index]
        array[index] = saved + eps
        up = function()
        array[index] = saved - eps
        down = function()
        array[index] = saved
        grad[index] = (up - down) / (2 * eps)
    return grad


@pytest.mark.parametrize("cbow_mean", [True, False])
def test_exact_softmax_gradient_passes_a_finite_difference_check(cbow_mean):
    rng = np.random.default_rng(0)
    syn0 = rng.normal(size=(7, 4))
    syn1 = rng.normal(size=(7, 4))
    context, target = np.array([1, 3, 3, 5]), 2
    loss, grad0, grad1 = M.softmax_loss_and_grad(syn0, syn1, context, target, cbow_mean)
    objective = lambda: M.softmax_loss_and_grad(syn0, syn1, context, target, cbow_mean)[0]  # noqa
    np.testing.assert_allclose(grad0, finite_difference(objective, syn0), atol=1e-7)
    np.testing.assert_allclose(grad1, finite_difference(objective, syn1), atol=1e-7)
    assert loss > 0


def run_block(kernel_args, ids, window, syn0, syn1, loss_kind=0, masks=1, cbow_mean=True,
              alpha=0.05, seed=3):
    n = len(ids)
    block = (ids, np.array([0, n], np.int64), 0, 1)
    keep = np.ones(syn0.shape[0], np.float32)
    lut = C.make_tables()
    ns = C.negative_tables(np.full(syn0.shape[0], 1.0 / syn0.shape[0]), 3, lut)
    hs = C.tree_tables(np.arange(syn0.shape[0], 0, -1), lut)
    hot = (np.zeros((2, 0, syn0.shape[1]), np.float32), 0, 0, 0, 1 << 30)
    bufs = K.work_buffers(n, syn0.shape[1], window, 3, syn1.shape[0], hs[0].shape[1])
    setup = ((keep, window, False), (syn0, syn1), hot, bufs, ns, hs,
             (cbow_mean, masks, loss_kind, 1, 1))
    return K.cbow_block(block, C.seed_state(seed, 0), np.float32(alpha), setup)


@pytest.mark.parametrize("cbow_mean", [True, False])
def test_softmax_kernel_takes_the_reference_sgd_steps(cbow_mean):
    """The kernel's steps are those of the numpy reference, one window after another."""
    rng = np.random.default_rng(1)
    syn0 = rng.normal(scale=0.3, size=(6, 5)).astype(np.float32)
    syn1 = rng.normal(scale=0.3, size=(6, 5)).astype(np.float32)
    ids = np.array([0, 3, 1, 5, 2, 3], np.int32)
    window, alpha = 2, 0.05
    ref0, ref1 = syn0.astype(np.float64), syn1.astype(np.float64)
    expected_loss = 0.0
    for i in range(len(ids)):
        context = [ids[j] for j in range(max(0, i - window), min(len(ids), i + window + 1))
                   if j != i]
        loss, g0, g1 = M.softmax_loss_and_grad(ref0, ref1, context, ids[i], cbow_mean)
        expected_loss += loss
        # word2vec's convention (the C tool, gensim, our fast kernels): each context word takes
        # the step of dloss/dz itself -- the true gradient times count with a mean, over count
        # with a sum.  The output side is the exact gradient.
        convention = len(context) if cbow_mean else 1.0 / len(context)
        ref0, ref1 = ref0 - alpha * convention * g0, ref1 - alpha * g1
    loss, predictions = run_block(None, ids, window, syn0, syn1, cbow_mean=cbow_mean, alpha=alpha)
    assert predictions == len(ids)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    np.testing.assert_allclose(syn0, ref0, atol=1e-5)
    np.testing.assert_allclose(syn1, ref1, atol=1e-5)


@pytest.mark.parametrize("loss_kind", [0, 1, 2])
def test_several_masks_predict_several_tokens_per_window(loss_kind):
    rng = np.random.default_rng(2)
    syn0 = rng.normal(scale=0.1, size=(8, 4)).astype(np.float32)
    syn1 = np.zeros((8, 4), np.float32)
    ids = rng.integers(0, 8, size=40).astype(np.int32)
    loss, predictions = run_block(None, ids, 3, syn0, syn1, loss_kind=loss_kind, masks=3)
    assert predictions == 3 * len(ids)
    assert np.isfinite(loss) and loss > 0
    again0 = rng.normal(scale=0.1, size=(8, 4)).astype(np.float32)
    first = run_block(None, ids, 3, again0.copy(), np.zeros((8, 4), np.float32), loss_kind, 3)
    second = run_block(None, ids, 3, again0.copy(), np.zeros((8, 4), np.float32), loss_kind, 3)
    assert first == second  # same seed, same result


def test_held_out_scores_are_normalised_probabilities():
    rng = np.random.default_rng(3)
    n_words, dim = 9, 4
    syn0 = rng.normal(size=(n_words, dim)).astype(np.float32)
    ids = rng.integers(0, n_words, size=30).astype(np.int32)
    offsets = np.array([0, 30], np.int64)
    counts = np.arange(n_words, 0, -1).astype(np.int64)
    hierarchical = build_huffman(counts)
    for tree, syn1 in ((None, rng.normal(size=(n_words, dim)).astype(np.float32)),
                       (hierarchical, rng.normal(size=(n_words - 1, dim)).astype(np.float32))):
        log_probs, ranks = M.masked_log_probabilities(ids, offsets, syn0, syn1, 2, tree)
        assert len(log_probs) == 30 and np.all(log_probs < 0)
        assert np.all((ranks >= 0) & (ranks < n_words))
        # the probabilities of all candidate tokens for one position sum to one
        candidates = np.zeros(n_words)
        for candidate in range(n_words):
            probe = ids.copy()
            probe[5] = candidate
            candidates[candidate] = M.masked_log_probabilities(probe, offsets, syn0, syn1, 2,
                                                               tree)[0][5]
        # position 5's context is unchanged by its own token, so this is the full distribution
        assert np.exp(candidates).sum() == pytest.approx(1.0, rel=1e-5)
        assert ranks[5] == np.sum(candidates > candidates[ids[5]])
        every_third = M.masked_log_probabilities(ids, offsets, syn0, syn1, 2, tree, stride=3,
                                                 limit=4)
        np.testing.assert_allclose(every_third[0], log_probs[:12:3])


# -- through the model --------------------------------------------------------------------------
from test_word2vec import CORPUS, SMALL, partner_hits  # noqa: E402

from wordspace import Word2Vec  # noqa: E402


@pytest.mark.parametrize("architecture,loss,tied,masks", [
    ("cbow", "softmax", False, 1),
    ("cbow", "softmax", True, 1),
    ("skipgram", "softmax", False, 1),
    ("skipgram", "softmax", True, 1),
    ("cbow", "softmax", False, 2),
    ("cbow", "negative", False, 2),
    ("cbow", "hierarchical", False, 3),
])
def test_planted_synonyms_with_exact_softmax_and_several_masks(architecture, loss, tied, masks):
    model = Word2Vec(architecture=architecture, loss=loss, tied=tied, masks=masks,
                     **SMALL).fit(CORPUS)
    assert partner_hits(model) == 1.0
    assert model.loss_history_[-1] < model.loss_history_[0]


def test_exact_softmax_is_deterministic_with_one_worker():
    first = Word2Vec(loss="softmax", masks=2, **SMALL).fit(CORPUS)
    second = Word2Vec(loss="softmax", masks=2, **SMALL).fit(CORPUS)
    np.testing.assert_array_equal(first.input_vectors_, second.input_vectors_)
