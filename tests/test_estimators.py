"""One estimator contract for every model: scikit-learn's BaseEstimator, check_is_fitted,
``fit(X, y=None)``, and a ``wv`` built once per fit or load."""

import pytest
from sklearn.base import BaseEstimator, clone

from wordspace import LSA, LinearAutoencoder, Word2Vec
from wordspace.errors import NotFittedError, ParameterError

DOCS = ["the cat sat on the mat", "the dog sat on the rug", "cats and dogs are pets",
        "stocks fell as markets slid", "markets rallied and stocks rose"] * 8
MODELS = [
    (LSA, dict(n_components=2, min_count=1)),
    (LinearAutoencoder, dict(n_components=2, min_count=1, epochs=3)),
    (Word2Vec, dict(vector_size=4, window=2, min_count=1, epochs=1, workers=1)),
]


@pytest.mark.parametrize("cls, params", MODELS, ids=lambda x: getattr(x, "__name__", ""))
def test_the_scikit_learn_contract(cls, params):
    assert issubclass(cls, BaseEstimator)
    for own in ("get_params", "set_params", "__repr__"):  # no hand-made versions left
        assert own not in cls.__dict__, own
    model = cls(**params)
    assert model.get_params()["min_count"] == 1
    twin = clone(model)
    assert twin is not model and twin.get_params() == model.get_params()
    assert repr(model).startswith(cls.__name__ + "(") and "min_count=1" in repr(model)
    assert model.set_params(seed=7) is model and model.seed == 7
    with pytest.raises(ParameterError, match="no parameter 'sedd'"):
        model.set_params(sedd=1)
    with pytest.raises(NotFittedError, match="not fitted"):
        _ = model.wv
    assert model.fit(DOCS, None) is model  # fit(X, y=None)


@pytest.mark.parametrize("cls, params", MODELS, ids=lambda x: getattr(x, "__name__", ""))
def test_wv_is_built_once_per_fit_and_load(cls, params, tmp_path):
    model = cls(**params).fit(DOCS)
    first = model.wv
    assert model.wv is first  # not rebuilt at every access
    if hasattr(type(model), "word_vectors"):  # the older name is the same object
        assert model.word_vectors is first
    model.fit(DOCS)
    assert model.wv is not first and model.wv is model.wv
    model.save(tmp_path / "m.ws")
    loaded = cls.load(tmp_path / "m.ws")
    assert loaded.wv is loaded.wv and loaded.wv.tokens == model.wv.tokens


def test_more_word2vec_training_gives_fresh_vectors():
    model = Word2Vec(**dict(MODELS[2][1])).fit(DOCS)
    before = model.wv
    model.train(epochs=1)
    assert model.wv is not before


def test_the_classifier_shares_the_contract(tmp_path):
    from wordspace import TextClassifier

    assert issubclass(TextClassifier, BaseEstimator)
    for own in ("get_params", "set_params", "__repr__"):
        assert own not in TextClassifier.__dict__, own
    model = TextClassifier(vector_size=8, epochs=2, workers=1)
    assert clone(model).get_params() == model.get_params()
    assert repr(model).startswith("TextClassifier(") and "vector_size=8" in repr(model)
    with pytest.raises(ParameterError, match="no parameter 'sedd'"):
        model.set_params(sedd=1)
    with pytest.raises(NotFittedError, match="not fitted"):
        _ = model.wv
    labels = ["pets", "pets", "pets", "money", "money"] * 8
    assert model.fit(DOCS, labels) is model
    assert model.wv is model.wv
    model.save(tmp_path / "c.ws")
    loaded = TextClassifier.load(tmp_path / "c.ws")
    assert loaded.wv is loaded.wv and loaded.wv.tokens == model.wv.tokens
