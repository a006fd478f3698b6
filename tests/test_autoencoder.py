"""The linear autoencoder trained by gradient descent ends where the SVD (or PCA) is."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from wordspace.errors import ModelFormatError, NotFittedError, ParameterError
from wordspace.models.autoencoder import LinearAutoencoder, relative_excess_error, subspace_angles
from wordspace.models.linalg import best_encoder_for, reconstruction_error

N_TOPICS = 5


def planted_documents(n_documents=300, seed=0):
    """Documents drawn from 5 topics of 12 words each, plus a few words common to all.

    Each document mixes one main topic with a little of a second, so the weighted matrix has
    5 strong directions and a clear gap after them.
    """
    rng = np.random.default_rng(seed)
    topics = [[f"t{t}w{w}" for w in range(12)] for t in range(N_TOPICS)]
    common = [f"common{w}" for w in range(8)]
    documents = []
    for i in range(n_documents):
        main, other = i % N_TOPICS, rng.integers(N_TOPICS)
        words = list(rng.choice(topics[main], 30)) + list(rng.choice(topics[other], 4))
        words += list(rng.choice(common, 6))
        rng.shuffle(words)
        documents.append(" ".join(words))
    return documents


def top_subspace(X, k):
    """Top-k right singular vectors (k x d), the optimal squared error, and singular values.

    From the eigenvectors of the small n x n Gram matrix ``X X^T``, in float64.
    """
    dense = X.toarray() if sp.issparse(X) else np.asarray(X)
    dense = dense.astype(np.float64)
    eigenvalues, eigenvectors = np.linalg.eigh(dense @ dense.T)
    order = np.argsort(eigenvalues)[::-1]
    s = np.sqrt(np.clip(eigenvalues[order], 0.0, None))
    Vt = (eigenvectors[:, order[:k]].T @ dense) / s[:k, None]
    optimum = float((dense ** 2).sum() - (s[:k] ** 2).sum())
    return Vt, optimum, s


@pytest.fixture(scope="module")
def planted():
    from wordspace.bow import BagOfWords

    documents = planted_documents()
    X = BagOfWords(min_count=1).fit_transform(documents)
    return documents, X


def test_planted_matrix_has_a_spectral_gap(planted):
    _, X = planted
    _, _, s = top_subspace(X, N_TOPICS)
    assert s[N_TOPICS - 1] > 1.5 * s[N_TOPICS]


@pytest.mark.parametrize("optimizer", ["adam", "momentum", "sgd"])
def test_tied_training_finds_the_svd_subspace(planted, optimizer):
    _, X = planted
    Vt, optimum, _ = top_subspace(X, N_TOPICS)
    ae = LinearAutoencoder(N_TOPICS, optimizer=optimizer, seed=1).fit(X)
    angles = subspace_angles(ae.components_.T, Vt.T)
    assert angles.max() < 5.0, angles
    assert relative_excess_error(ae, optimum, X) < 0.01
    assert ae.loss_history_[-1] < 0.9 * ae.loss_history_[0]


def test_corpus_input_matches_lsa(planted):
    from wordspace.models.lsa import LSA

    documents, _ = planted
    lsa = LSA(N_TOPICS, min_count=1, n_iter=20).fit(documents)
    ae = LinearAutoencoder(N_TOPICS, min_count=1).fit(documents)
    assert ae.vocabulary_.tokens == lsa.vocabulary_.tokens
    X = lsa.bags(documents)
    assert abs(X - ae.bags(documents)).max() == 0
    assert subspace_angles(ae.components_.T, lsa.components_.T).max() < 5.0
    assert relative_excess_error(ae, lsa, X) < 0.01
    # a corpus and its bags give the same codes
    np.testing.assert_allclose(ae.transform(documents[:7]), ae.transform(X[:7]), atol=1e-5)
    assert ae.fit_transform(documents).shape == (len(documents), N_TOPICS)


def test_untied_encoder_ends_as_pseudo_inverse_of_decoder(planted):
    _, X = planted
    Vt, optimum, _ = top_subspace(X, N_TOPICS)
    ae = LinearAutoencoder(N_TOPICS, tied=False, seed=2).fit(X)
    assert ae.decoder_.shape == (X.shape[1], N_TOPICS)
    assert subspace_angles(ae.decoder_, Vt.T).max() < 5.0
    assert relative_excess_error(ae, optimum, X) < 0.01
    # the encoder gives the codes of the best encoder for the decoder, W^+ x, on every bag
    best = best_encoder_for(ae.decoder_.astype(np.float64))
    codes_gap = np.linalg.norm(X @ (ae.components_ - best).T) / np.linalg.norm(X @ best.T)
    assert codes_gap < 0.03, codes_gap
    # the two layers are not tied: the decoder is not simply the encoder transposed
    assert not np.allclose(ae.decoder_, ae.components_.T, atol=1e-2)
    # directions the bags barely use are learned slowly; a little weight decay clears them,
    # and then V itself is W^+ and spans the SVD subspace
    ae = LinearAutoencoder(N_TOPICS, tied=False, seed=2, weight_decay=1e-3).fit(X)
    best = best_encoder_for(ae.decoder_.astype(np.float64))
    gap = np.linalg.norm(ae.components_ - best) / np.linalg.norm(best)
    assert gap < 0.05, gap
    assert subspace_angles(ae.components_.T, Vt.T).max() < 5.0


def test_centering_gives_pca_and_differs_from_uncentred():
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(3)
    data = (rng.standard_normal((400, 4)) * [5.0, 3.0, 2.0, 1.5]) @ rng.standard_normal((4, 30))
    data += 0.1 * rng.standard_normal((400, 30)) + 4.0 * rng.standard_normal(30)  # a big mean
    k = 3
    pca = PCA(k).fit(data)
    centred = LinearAutoencoder(k, center=True, seed=0).fit(data)
    plain = LinearAutoencoder(k, seed=0).fit(data)
    assert subspace_angles(centred.components_.T, pca.components_.T).max() < 1.0
    np.testing.assert_allclose(centred.mean_, pca.mean_, atol=1e-9)
    # without centring it is the SVD of the raw data, whose first direction is the mean
    Vt, optimum, _ = top_subspace(data, k)
    assert subspace_angles(plain.components_.T, Vt.T).max() < 1.0
    assert subspace_angles(plain.components_.T, pca.components_.T).max() > 20.0
    # centred reconstruction error is PCA's (the variance left out)
    expected = pca.noise_variance_ * (data.shape[1] - k) * (data.shape[0] - 1)   # PCA: n - 1
    assert centred.reconstruction_error(data) == pytest.approx(expected, rel=1e-3)


def test_centering_on_sparse_bags_never_densifies_and_matches_dense(planted):
    _, X = planted
    sparse_model = LinearAutoencoder(3, center=True, seed=4).fit(X)
    dense_model = LinearAutoencoder(3, center=True, seed=4).fit(X.toarray())
    assert subspace_angles(sparse_model.components_.T, dense_model.components_.T).max() < 1.0
    np.testing.assert_allclose(sparse_model.loss_history_, dense_model.loss_history_, rtol=1e-3)
    dense = X.toarray().astype(np.float64)
    centred = dense - dense.mean(axis=0)
    V = sparse_model.components_.astype(np.float64)
    direct = ((centred - centred @ V.T @ V) ** 2).sum()
    assert sparse_model.reconstruction_error(X) == pytest.approx(direct, rel=1e-5)


@pytest.mark.parametrize("batch_size", [1000, 64])
def test_loss_history_is_the_exact_loss(planted, batch_size):
    _, X = planted
    ae = LinearAutoencoder(N_TOPICS, tied=False, batch_size=batch_size, epochs=4, seed=5).fit(X)
    assert ae.loss_history_.dtype == np.float64
    assert len(ae.loss_history_) == 5
    n = X.shape[0]
    direct = reconstruction_error(X, ae.decoder_.astype(np.float64),
                                  ae.components_.astype(np.float64))
    assert ae.loss_history_[-1] == pytest.approx(direct / n, rel=1e-5)
    assert ae.reconstruction_error(X) == pytest.approx(direct, rel=1e-5)
    dense = X.toarray().astype(np.float64)
    reconstruction = ae.inverse_transform(ae.transform(X)).astype(np.float64)
    assert ((dense - reconstruction) ** 2).sum() == pytest.approx(direct, rel=1e-4)


def test_same_seed_same_model_and_seed_matters(planted):
    _, X = planted
    first = LinearAutoencoder(3, epochs=5, batch_size=50, seed=7).fit(X)
    again = LinearAutoencoder(3, epochs=5, batch_size=50, seed=7).fit(X)
    other = LinearAutoencoder(3, epochs=5, batch_size=50, seed=8).fit(X)
    np.testing.assert_array_equal(first.components_, again.components_)
    assert not np.allclose(first.components_, other.components_)


def test_weight_decay_shrinks_the_weights(planted):
    _, X = planted
    plain = LinearAutoencoder(3, seed=0).fit(X)
    decayed = LinearAutoencoder(3, seed=0, weight_decay=0.05).fit(X)
    assert np.linalg.norm(decayed.components_) < 0.95 * np.linalg.norm(plain.components_)


def test_brown_gets_within_one_percent_of_svd():
    """Real text: the embedded Brown corpus (500 documents, 3000 words), 20 hidden units."""
    from wordspace.datasets import brown

    texts = brown().texts
    ae = LinearAutoencoder(20, max_size=3000).fit(texts)
    X = ae.bags(texts)
    Vt, optimum, _ = top_subspace(X, 20)
    excess = relative_excess_error(ae, optimum, X)
    assert -1e-6 < excess < 0.01, excess
    angles = subspace_angles(ae.components_.T, Vt.T)
    assert np.median(angles) < 5.0, angles


def test_save_load_round_trip(tmp_path):
    from wordspace.models import load
    from wordspace.vectors import Embeddings

    documents = planted_documents(100)
    ae = LinearAutoencoder(4, center=True, tied=False, epochs=20, min_count=1).fit(documents)
    path = tmp_path / "ae.ws"
    ae.save(path)
    again = LinearAutoencoder.load(path)
    assert isinstance(load(path), LinearAutoencoder)
    np.testing.assert_array_equal(again.components_, ae.components_)
    np.testing.assert_array_equal(again.decoder_, ae.decoder_)
    np.testing.assert_array_equal(again.loss_history_, ae.loss_history_)
    np.testing.assert_allclose(again.transform(documents[:5]), ae.transform(documents[:5]))
    assert again.get_params() == ae.get_params()
    embeddings = Embeddings.load(path)
    assert embeddings.tokens == ae.vocabulary_.tokens
    np.testing.assert_array_equal(embeddings.vectors, ae.word_vectors.vectors)
    assert embeddings.most_similar("t1w3", topn=1)[0][0].startswith("t1w")


def test_word_vectors_put_topic_words_together():
    documents = planted_documents()
    ae = LinearAutoencoder(N_TOPICS, min_count=1).fit(documents)
    neighbours = [t for t, _ in ae.word_vectors.most_similar("t2w0", topn=5)]
    assert all(t.startswith("t2w") for t in neighbours), neighbours


def test_user_errors(planted, tmp_path):
    _, X = planted
    with pytest.raises(ParameterError, match="optimizer"):
        LinearAutoencoder(2, optimizer="lbfgs").fit(X)
    with pytest.raises(ParameterError, match="n_components"):
        LinearAutoencoder(10_000).fit(X)
    with pytest.raises(ParameterError, match="learning_rate"):
        LinearAutoencoder(2, learning_rate=-1.0).fit(X)
    with pytest.raises(NotFittedError):
        LinearAutoencoder(2).transform(X)
    ae = LinearAutoencoder(2, epochs=2).fit(X)
    with pytest.raises(ParameterError, match="columns"):
        ae.transform(X[:, :5])
    with pytest.raises(ParameterError, match="documents"):
        ae.transform(["a matrix-fitted model cannot read text"])
    with pytest.raises(NotFittedError, match="vocabulary"):
        _ = ae.word_vectors
    (tmp_path / "bad.ws").write_bytes(b"not a zip")
    with pytest.raises(ModelFormatError):
        LinearAutoencoder.load(tmp_path / "bad.ws")


def test_relative_excess_error_and_angles():
    assert relative_excess_error(101.0, 100.0) == pytest.approx(0.01)
    assert relative_excess_error(0.0, 0.0) == 0.0
    with pytest.raises(ParameterError):
        relative_excess_error(LinearAutoencoder(2), 1.0)
    basis = np.eye(4)[:, :2]
    rotated = basis @ np.array([[np.cos(0.3), -np.sin(0.3)], [np.sin(0.3), np.cos(0.3)]])
    assert subspace_angles(basis, rotated).max() < 1e-6
    assert subspace_angles(basis, np.eye(4)[:, 1:3]).tolist() == pytest.approx([90.0, 0.0])


def test_cli_trains_an_autoencoder(tmp_path):
    from click.testing import CliRunner

    from wordspace.cli import cli

    corpus = tmp_path / "planted.txt"
    corpus.write_text("\n".join(planted_documents(100)) + "\n")
    out = tmp_path / "ae.ws"
    result = CliRunner().invoke(cli, ["train", str(corpus), "--method", "autoencoder", "--dim",
                                      "5", "--min-count", "1", "--epochs", "50", "--untied",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    model = LinearAutoencoder.load(out)
    assert model.tied is False and model.components_.shape[0] == 5
    assert len(model.loss_history_) == 51
