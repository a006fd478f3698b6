"""The reusable steps of the word2vec kernels against numpy references of a few lines."""

import numba
import numpy as np

from wordspace.models import _w2v_core as C


@numba.njit
def _negative(neu1, target, syn1, alpha, state, ns, neu1e):
    return C.negative_step(neu1, target, syn1, alpha, state, ns, neu1e)


def _log_sigmoid(x):
    return -np.log1p(np.exp(-x))


def test_negative_step_is_a_gradient_step_of_the_sampled_loss():
    """With all noise on one word the negatives are known: the step is -alpha * gradient."""
    rng = np.random.default_rng(0)
    syn1 = (rng.normal(size=(5, 4)) * 0.3).astype(np.float32)
    neu1 = (rng.normal(size=4) * 0.3).astype(np.float32)
    negative, target, noise_word, alpha = 3, 1, 4, 0.01
    ns = C.negative_tables(np.eye(5)[noise_word], negative)
    neu1e = np.full(4, 0.5, np.float32)  # the step ADDS to what is there
    moved = syn1.copy()
    loss = _negative(neu1, target, moved, np.float32(alpha), C.seed_state(1, 0), ns, neu1e)

    h, u = neu1.astype(np.float64), syn1.astype(np.float64)
    expected = -_log_sigmoid(u[target] @ h) - negative * _log_sigmoid(-u[noise_word] @ h)
    assert abs(loss - expected) < 0.02  # table lookups
    g_pos = 1 - 1 / (1 + np.exp(-u[target] @ h))
    g_neg = -1 / (1 + np.exp(-u[noise_word] @ h))
    # the negatives are taken one after another: each sees the row the previous one moved
    row = u[noise_word].copy()
    grad_h = g_pos * u[target]
    for _ in range(negative):
        g = -1 / (1 + np.exp(-row @ h))
        grad_h += g * row
        row += alpha * g * h
    np.testing.assert_allclose(neu1e - 0.5, alpha * grad_h, rtol=0.02, atol=1e-6)
    np.testing.assert_allclose(moved[target] - syn1[target], alpha * g_pos * h, rtol=0.02)
    np.testing.assert_allclose(moved[noise_word] - syn1[noise_word], alpha * 3 * g_neg * h,
                               rtol=0.02)
    untouched = [w for w in range(5) if w not in (target, noise_word)]
    assert (moved[untouched] == syn1[untouched]).all()


def test_negative_step_skips_a_draw_equal_to_the_target():
    syn1 = np.full((3, 2), 0.1, np.float32)
    neu1e = np.zeros(2, np.float32)
    ns = C.negative_tables(np.eye(3)[2], 5)
    loss = _negative(np.ones(2, np.float32), 2, syn1, np.float32(0.1), C.seed_state(1, 0), ns,
                     neu1e)
    assert abs(loss - np.log1p(np.exp(-0.2))) < 0.01  # the target only
