"""LSA: the linear autoencoder solved by SVD -- identities, planted topics, persistence, quality."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from wordspace.errors import ModelFormatError, NotFittedError, ParameterError
from wordspace.models import lsa as lsa_module
from wordspace.models.linalg import (
    best_decoder_for,
    best_encoder_for,
    captured_energy,
    frobenius_norm_squared,
    randomized_svd,
    reconstruction_error,
    subspace_angles,
)
from wordspace.models.lsa import LSA

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"

PETS = "cat dog kitten puppy fur paw purr bark leash vet".split()
MONEY = "stock bond market price trade bank loan fund share yield".split()
FILLER = "day time year people thing".split()


def planted_corpus(n_per_topic=40, seed=0, length=30):
    """Documents drawn from one of two disjoint topic vocabularies, plus shared filler words."""
    rng = np.random.default_rng(seed)
    docs, labels = [], []
    for label, words in enumerate((PETS, MONEY)):
        for _ in range(n_per_topic):
            tokens = list(rng.choice(words, length)) + list(rng.choice(FILLER, length // 3))
            docs.append(" ".join(tokens))
            labels.append(label)
    order = rng.permutation(len(docs))
    return [docs[i] for i in order], np.array(labels)[order]


@pytest.fixture(scope="module")
def planted():
    docs, labels = planted_corpus()
    # many power iterations: the identities below hold for the exact SVD, to 1e-4
    model = LSA(n_components=6, min_count=1, stopwords=None, n_iter=30, seed=0).fit(docs)
    return model, docs, labels


def unit(rows):
    rows = np.asarray(rows, dtype=np.float64)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


# -- planted structure ------------------------------------------------------------------------
def test_two_planted_topics_separate(planted):
    model, docs, labels = planted
    two = LSA(n_components=2, min_count=1, stopwords=None, seed=1).fit(docs)
    codes = unit(two.document_vectors_)
    cosine = codes @ codes.T
    same = labels[:, None] == labels[None, :]
    assert cosine[same].min() > cosine[~same].max()
    # and new documents land with their topic
    new = unit(two.transform(["kitten purr paw fur vet day", "loan bank yield market year"]))
    centroids = np.array([codes[labels == t].mean(0) for t in (0, 1)])
    assert np.argmax(new @ centroids.T, axis=1).tolist() == [0, 1]
    # no mean subtraction: the first component is the shared direction (one sign), the second
    # is the contrast of the topics, one sign per topic
    first, second = two.topics(topn=len(two.vocabulary_))
    assert len({np.sign(weight) for _, weight in first}) == 1
    signs = {word: np.sign(weight) for word, weight in second}
    assert len({signs[w] for w in PETS}) == 1 and len({signs[w] for w in MONEY}) == 1
    assert signs[PETS[0]] != signs[MONEY[0]]


def test_word_vectors_group_topic_words(planted):
    model, _, _ = planted
    emb = model.word_vectors
    assert emb.vectors.shape == (len(model.vocabulary_), model.n_components)
    np.testing.assert_allclose(emb.vectors, model.components_.T * model.singular_values_,
                               rtol=1e-5, atol=1e-6)
    neighbours = [w for w, _ in emb.most_similar("kitten", topn=5)]
    assert set(neighbours) <= set(PETS)
    plain = LSA(n_components=6, min_count=1, stopwords=None, vector_scaling="none").fit(
        planted_corpus()[0])
    np.testing.assert_allclose(plain.word_vectors.vectors, plain.components_.T, atol=1e-7)


# -- the linear autoencoder -------------------------------------------------------------------
def test_svd_solution_is_tied_and_each_half_is_the_others_best_response(planted):
    model, docs, _ = planted
    X = model.bags(docs)
    V = model.components_.astype(np.float64)                 # encoder, k x d
    np.testing.assert_allclose(V @ V.T, np.eye(len(V)), atol=1e-5)   # orthonormal rows
    W = best_decoder_for(V, X)                              # data-driven best decoder ...
    np.testing.assert_allclose(W, V.T, atol=1e-4)           # ... is V^T (tied weights)
    np.testing.assert_allclose(best_decoder_for(V), V.T, atol=1e-5)  # = V^+
    np.testing.assert_allclose(best_encoder_for(V.T), V, atol=1e-5)  # and V = W^+
    np.testing.assert_allclose(model.decoder_, model.encoder_.T)


def test_reconstruction_error_is_the_discarded_energy(planted):
    model, docs, _ = planted
    X = model.bags(docs)
    s_all = np.linalg.svd(X.toarray().astype(np.float64), compute_uv=False)
    k = model.n_components
    np.testing.assert_allclose(model.singular_values_, s_all[:k], rtol=1e-4)
    discarded = float((s_all[k:] ** 2).sum())
    assert model.reconstruction_error(docs) == pytest.approx(discarded, rel=1e-3)
    assert model.reconstruction_error(X) == pytest.approx(discarded, rel=1e-3)
    assert model.explained_energy_ == pytest.approx(1 - discarded / (s_all ** 2).sum(), rel=1e-4)
    assert model.reconstruction_error(docs, relative=True) == pytest.approx(
        1 - model.explained_energy_, rel=1e-3)
    # the same through inverse_transform, densely
    x_hat = model.inverse_transform(model.transform(docs))
    assert ((X.toarray() - x_hat) ** 2).sum() == pytest.approx(discarded, rel=1e-3)


def test_any_basis_of_the_plane_reconstructs_the_same(planted):
    model, docs, _ = planted
    X = model.bags(docs)
    V = model.components_.astype(np.float64)
    optimum = reconstruction_error(X, V.T, V)
    rng = np.random.default_rng(3)
    for _ in range(5):
        A = rng.standard_normal((len(V), len(V)))           # invertible almost surely
        V_other, W_other = A @ V, V.T @ np.linalg.inv(A)
        assert reconstruction_error(X, W_other, V_other) == pytest.approx(optimum, rel=1e-6)
        np.testing.assert_allclose(X @ V_other.T @ W_other.T, X @ V.T @ V, atol=1e-5)
        assert subspace_angles(V.T, V_other.T).max() < 1e-6
        # the best responses of the other basis are each other's pseudo-inverses
        np.testing.assert_allclose(best_decoder_for(V_other, X), W_other, atol=1e-4)
        np.testing.assert_allclose(best_encoder_for(W_other), V_other, atol=1e-4)


def test_no_other_rank_k_pair_does_better(planted):
    model, docs, _ = planted
    X = model.bags(docs)
    V = model.components_.astype(np.float64)
    optimum = reconstruction_error(X, V.T, V)
    k, d = V.shape
    rng = np.random.default_rng(4)
    candidates = []
    for _ in range(10):                                      # random pairs
        candidates.append((rng.standard_normal((d, k)), rng.standard_normal((k, d))))
    for scale in (1e-3, 1e-2, 1e-1):                         # perturbed optimum, untied
        candidates.append((V.T + scale * rng.standard_normal((d, k)),
                           V + scale * rng.standard_normal((k, d))))
    for W, V_try in candidates:
        assert reconstruction_error(X, W, V_try) >= optimum * (1 - 1e-6)
    # alternating best responses from a random start descend towards, never below, the optimum
    V_try = rng.standard_normal((k, d))
    errors = []
    for _ in range(30):
        W = best_decoder_for(V_try, X)
        V_try = best_encoder_for(W)
        errors.append(reconstruction_error(X, W, V_try))
    assert all(b <= a * (1 + 1e-9) for a, b in zip(errors, errors[1:], strict=False))
    assert min(errors) >= optimum * (1 - 1e-6)
    assert errors[-1] == pytest.approx(optimum, rel=1e-2)   # it converges to the same plane


def test_captured_energy_and_randomized_svd_against_dense():
    rng = np.random.default_rng(0)
    left = np.linalg.qr(rng.standard_normal((300, 120)))[0]
    right = np.linalg.qr(rng.standard_normal((120, 120)))[0]
    X = sp.csr_matrix(left @ np.diag(0.8 ** np.arange(120)) @ right.T, dtype=np.float32)
    U, s, Vt = randomized_svd(X, 10, n_iter=6, seed=rng)
    np.testing.assert_allclose(s, 0.8 ** np.arange(10), rtol=1e-3)
    assert subspace_angles(Vt.T, right[:, :10]).max() < 1e-2
    noisy = sp.random(300, 120, density=0.05, random_state=1, format="csr", dtype=np.float32)
    _, s_noisy, _ = randomized_svd(noisy, 10, n_iter=6, seed=1)
    exact = np.linalg.svd(noisy.toarray().astype(np.float64), compute_uv=False)
    assert np.all(s_noisy <= exact[:10] * (1 + 1e-5))      # a flat spectrum: never above
    np.testing.assert_allclose(s_noisy, exact[:10], rtol=2e-2)
    assert captured_energy(X, Vt) == pytest.approx((s ** 2).sum() / frobenius_norm_squared(X),
                                                   rel=1e-4)


def test_arpack_and_randomized_find_the_same_plane(planted):
    model, docs, _ = planted
    other = LSA(n_components=2, min_count=1, stopwords=None, algorithm="arpack").fit(docs)
    fast = LSA(n_components=2, min_count=1, stopwords=None).fit(docs)
    assert subspace_angles(fast.components_.T.astype(float),
                           other.components_.T.astype(float), degrees=True).max() < 1.0
    np.testing.assert_allclose(fast.singular_values_, other.singular_values_, rtol=1e-4)


def test_transform_of_training_documents_equals_document_vectors(planted):
    model, docs, _ = planted
    np.testing.assert_allclose(model.transform(docs), model.document_vectors_, atol=1e-4)
    assert model.fit_transform(docs).shape == (len(docs), model.n_components)


def test_same_seed_same_model():
    docs, _ = planted_corpus(seed=5)
    a = LSA(n_components=4, min_count=1, seed=7).fit(docs)
    b = LSA(n_components=4, min_count=1, seed=7).fit(docs)
    assert np.array_equal(a.components_, b.components_)


def test_paragraph_granularity():
    text = "cat dog kitten\nstock bond market\ncat kitten puppy\nbond loan market"
    model = LSA(n_components=2, min_count=1, granularity="paragraph").fit([text])
    assert model.document_vectors_.shape == (4, 2)


# -- persistence ------------------------------------------------------------------------------
def test_save_load_round_trip(planted, tmp_path):
    model, docs, _ = planted
    path = tmp_path / "lsa.ws"
    model.save(path)
    for loaded in (LSA.load(path), LSA.load(path, mmap=False)):
        assert loaded.get_params() == model.get_params()
        assert loaded.vocabulary_.tokens == model.vocabulary_.tokens
        np.testing.assert_array_equal(loaded.components_, model.components_)
        np.testing.assert_array_equal(loaded.singular_values_, model.singular_values_)
        np.testing.assert_array_equal(loaded.idf_, model.idf_)
        assert loaded.explained_energy_ == model.explained_energy_
        np.testing.assert_allclose(loaded.transform(docs[:5]), model.transform(docs[:5]))
        np.testing.assert_array_equal(loaded.word_vectors.vectors, model.word_vectors.vectors)
    from wordspace.models import load
    from wordspace.vectors import Embeddings

    assert isinstance(load(path), LSA)
    emb = Embeddings.load(path)
    assert emb.tokens == model.vocabulary_.tokens
    np.testing.assert_array_equal(emb.vectors, model.word_vectors.vectors)


def test_load_rejects_other_kinds_and_incomplete_files(tmp_path):
    from wordspace import _store

    path = tmp_path / "other.ws"
    _store.save(path, "word2vec", {"vectors": np.zeros((1, 2), np.float32)}, tokens=["a"])
    with pytest.raises(ModelFormatError):
        LSA.load(path)
    _store.save(path, "lsa", {"vectors": np.zeros((1, 2), np.float32)}, tokens=["a"],
                params={})
    with pytest.raises(ModelFormatError):
        LSA.load(path)


# -- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [
    {"n_components": 0}, {"n_components": 2.5}, {"weighting": "bm25"}, {"idf": "nope"},
    {"min_count": 0}, {"max_size": 0}, {"granularity": "sentence"}, {"algorithm": "lanczos"},
    {"n_iter": -1}, {"vector_scaling": "cube"}, {"seed": "x"}, {"normalize": "yes"},
    {"n_components": 500},
])
def test_bad_parameters(kwargs):
    docs, _ = planted_corpus(n_per_topic=5)
    params = {"n_components": 2, "min_count": 1, **kwargs}
    with pytest.raises(ParameterError):
        LSA(**params).fit(docs)


def test_not_fitted_and_shape_errors(planted):
    with pytest.raises(NotFittedError):
        LSA().transform(["cat"])
    with pytest.raises(NotFittedError):
        LSA().word_vectors  # noqa: B018
    model, _, _ = planted
    with pytest.raises(ParameterError):
        model.transform(sp.csr_matrix((1, 3)))
    with pytest.raises(ParameterError):
        model.inverse_transform(np.zeros((1, 99)))
    # scikit-learn's repr: the parameters that differ from the defaults
    assert repr(LSA()) == "LSA()" and repr(LSA(3, seed=1)) == "LSA(n_components=3, seed=1)"


# -- quality on real data ---------------------------------------------------------------------
@pytest.mark.skipif(not (DATA / "eval" / "lee").is_dir(), reason="shared data not available")
def test_lee_document_similarity_matches_gensim_threshold():
    """Lee et al. (2005): cosine of LSA codes vs human ratings, Pearson r >= 0.6 (gensim's bar).

    Same preprocessing as gensim's own test_lee (its preprocess_string, which stems), log-entropy
    weighting, k = 200 by the exact (ARPACK) SVD so the figure does not hang on a random start,
    trained on the 300 background documents only (r = 0.609 here).
    """
    from gensim.parsing.preprocessing import preprocess_string
    from scipy.stats import pearsonr

    from wordspace.corpus import Corpus

    lee = DATA / "eval" / "lee"
    options = dict(tokenizer=preprocess_string, encoding="latin-1")
    background = Corpus(lee / "lee_background.cor", **options)
    documents = Corpus(lee / "lee.cor", **options)
    ratings = np.loadtxt(lee / "similarities0-1.txt")
    upper = np.triu_indices(len(ratings), 1)
    model = LSA(n_components=200, weighting="log-entropy", min_count=1,
                algorithm="arpack").fit(background)
    codes = unit(model.transform(documents))
    r = pearsonr((codes @ codes.T)[upper], ratings[upper])[0]
    assert r >= 0.6, r


@pytest.mark.skipif(not (DATA / "eval" / "lee").is_dir(), reason="shared data not available")
def test_lee_with_our_own_tokeniser_and_stemmer():
    """The same bar with wordspace's own pipeline: words split at apostrophes and hyphens,
    English Snowball stemming, numbers and stopwords dropped, log-entropy, k = 200 (README)."""
    from scipy.stats import pearsonr

    from wordspace.corpus import Corpus

    lee = DATA / "eval" / "lee"
    options = dict(inner="", encoding="latin-1")
    ratings = np.loadtxt(lee / "similarities0-1.txt")
    upper = np.triu_indices(len(ratings), 1)
    model = LSA(n_components=200, weighting="log-entropy", min_count=1, stemmer="english",
                algorithm="arpack").fit(Corpus(lee / "lee_background.cor", **options))
    codes = unit(model.transform(Corpus(lee / "lee.cor", **options)))
    r = pearsonr((codes @ codes.T)[upper], ratings[upper])[0]
    assert r >= 0.6, r


def test_document_vectors_survive_save_and_load(planted, tmp_path):
    model, docs, _ = planted
    model.save(tmp_path / "m.ws")
    loaded = LSA.load(tmp_path / "m.ws")
    np.testing.assert_array_equal(loaded.document_vectors_, model.document_vectors_)
    assert loaded.get_params() == model.get_params()
    assert abs(loaded.bags(docs) - model.bags(docs)).max() == 0


def test_stemmer_merges_forms_and_shows_the_most_frequent(tmp_path):
    docs = (["the runners were running in races", "a runner runs a race", "runners race"] * 5
            + ["stocks fell as markets slid", "stock markets rallied", "a market slid"] * 5)
    model = LSA(n_components=2, min_count=1, stemmer="english", seed=0).fit(docs)
    tokens, labels = model.vocabulary_.tokens, model.vocabulary_.labels
    assert "runner" in tokens and "runners" not in tokens          # the columns are stems
    assert labels[tokens.index("runner")] == "runners"            # 10 "runners" vs 5 "runner"
    assert labels[tokens.index("race")] == "race"                 # "race" 10, "races" 5
    assert labels[tokens.index("market")] == "markets"
    shown = {word for topic in model.topics(topn=5) for word, _ in topic}
    assert shown <= set(labels) and "runners" in shown
    assert model.word_vectors.tokens == labels
    # a new document's inflections land on the same columns
    x = model.bags(["Running RUNNERS raced"]).toarray()[0]
    assert x[tokens.index("runner")] > 0 and x[tokens.index("run")] > 0
    model.save(tmp_path / "s.ws")
    loaded = LSA.load(tmp_path / "s.ws")
    assert loaded.vocabulary_.tokens == tokens and loaded.vocabulary_.labels == labels
    assert abs(loaded.bags(docs) - model.bags(docs)).max() == 0
    with pytest.raises(ParameterError, match="stemmer"):
        LSA(stemmer="klingon").fit(docs)


def test_topics_have_no_contraction_fragments_or_numbers():
    docs = (["i don't know, it's 2000 dollars and 000 more: don t", "we didn t pay 100 s"] * 20
            + ["cats purr and cats meow 3d", "kittens meow and purr"] * 20)
    model = LSA(n_components=2, min_count=1, seed=0).fit(docs)
    tokens = set(model.vocabulary_.tokens)
    assert not tokens & {"don't", "it's", "don", "t", "didn", "s", "2000", "000", "100"}
    assert {"dollars", "cats", "3d"} <= tokens
    kept = LSA(n_components=2, min_count=1, keep_numbers=True, seed=0).fit(docs)
    assert {"2000", "000", "100"} <= set(kept.vocabulary_.tokens)


def test_module_exports():
    assert lsa_module.__all__ == ["LSA"]


def test_deferred_module_is_imported_on_first_use(monkeypatch):
    """models/_base.py defers scipy.stats (imported by scikit-learn's base, used in functions)
    with this placeholder: ``import`` of it loads nothing, the first attribute loads it."""
    import sys

    from wordspace.models._base import _DeferredModule

    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    placeholder = _DeferredModule("colorsys")
    monkeypatch.setitem(sys.modules, "colorsys", placeholder)
    import colorsys

    assert colorsys is placeholder and "rgb_to_hsv" not in vars(placeholder)
    assert colorsys.rgb_to_hsv(1.0, 0.0, 0.0) == (0.0, 1.0, 1.0)
    assert sys.modules["colorsys"] is not placeholder
    assert sys.modules["colorsys"].rgb_to_hsv is colorsys.rgb_to_hsv


def test_scipy_stats_deferred_only_while_sklearn_base_is_imported():
    """After wordspace is imported, ``sys.modules`` holds no placeholder: scipy.stats was not
    executed by that import, and a later ``import scipy.stats`` is the real module."""
    import subprocess
    import sys

    code = ("import sys, wordspace.models; "
            "print('scipy.stats' in sys.modules); "
            "import scipy.stats; "
            "print(type(sys.modules['scipy.stats']).__name__, "
            "round(scipy.stats.spearmanr([1, 2, 3], [1, 3, 2])[0], 2))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[0] == "False"
    assert out[1] == "module 0.5"
