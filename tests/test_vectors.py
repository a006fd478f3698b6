"""Embeddings: construction, queries on planted vectors, caching, model-file persistence."""

from __future__ import annotations

import numpy as np
import pytest

from wordspace import _store
from wordspace.errors import ModelFormatError, ParameterError, UnknownWordError
from wordspace.vectors import Embeddings, load


def planted(seed: int = 0, dim: int = 20, noise_words: int = 50):
    """Exact parallelograms on the sphere: king - man + woman = queen, paris - france + italy ...

    Each word is a sum of two orthonormal vectors (an entity and a role), so all words have
    the same norm and the offsets stay exact after unit normalisation.
    """
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(rng.normal(size=(dim, dim)))[0]
    royal, person, france, italy, spain, male, female, country, capital = basis[:9]
    vectors = {
        "man": person + male,
        "woman": person + female,
        "king": royal + male,
        "queen": royal + female,
        "france": france + country,
        "paris": france + capital,
        "italy": italy + country,
        "rome": italy + capital,
        "spain": spain + country,
        "madrid": spain + capital,
    }
    vectors["monarch"] = vectors["king"] + 0.01 * rng.normal(size=dim)  # planted synonym
    for i in range(noise_words):
        vectors[f"noise{i}"] = rng.normal(size=dim) * np.sqrt(2 / dim)
    return Embeddings(list(vectors), np.array(list(vectors.values())))


def test_mapping_protocol():
    emb = planted()
    assert len(emb) == 61 and emb.dim == 20
    assert "king" in emb and "kaiser" not in emb
    assert emb.tokens[0] == "man" and emb.index["king"] == 2 and emb.get_index("king") == 2
    np.testing.assert_array_equal(emb["queen"], emb.vectors[3])
    assert emb.vectors.dtype == np.float32
    assert list(emb)[:2] == ["man", "woman"]


def test_float32_input_is_not_copied():
    matrix = np.ones((3, 4), dtype=np.float32)
    emb = Embeddings(["a", "b", "c"], matrix)
    assert emb.vectors is matrix


def test_bad_construction():
    with pytest.raises(ParameterError, match="occurs twice"):
        Embeddings(["a", "b", "a"], np.zeros((3, 2)))
    with pytest.raises(ParameterError, match="2 tokens but 3 vectors"):
        Embeddings(["a", "b"], np.zeros((3, 2)))
    with pytest.raises(ParameterError, match="one entry per token"):
        Embeddings(["a", "b"], np.zeros((2, 2)), counts=[1])


def test_unknown_word_suggests_close_words():
    emb = planted()
    with pytest.raises(UnknownWordError) as caught:
        emb["kingg"]
    assert isinstance(caught.value, KeyError)
    assert "king" in caught.value.suggestions
    assert "did you mean" in str(caught.value)
    with pytest.raises(KeyError):
        emb.most_similar("kingg")
    with pytest.raises(KeyError):
        emb.similarity("king", "kingg")


@pytest.mark.parametrize("method", ["3cosadd", "3cosmul"])
def test_planted_analogies(method):
    emb = planted()
    assert emb.analogy("man", "king", "woman", method=method)[0][0] == "queen"
    assert emb.analogy("france", "paris", "italy", method=method)[0][0] == "rome"
    assert emb.analogy("italy", "rome", "spain", method=method)[0][0] == "madrid"
    answers = emb.analogy("man", "king", "woman", method=method, topn=5)
    assert len(answers) == 5
    assert not {"man", "king", "woman"} & {word for word, _ in answers}
    scores = [score for _, score in answers]
    assert scores == sorted(scores, reverse=True)


def test_3cosmul_formula():
    emb = planted()
    unit = emb.vectors / np.linalg.norm(emb.vectors, axis=1, keepdims=True)

    def shifted(x, word):
        return (unit[emb.index[x]] @ unit[emb.index[word]] + 1) / 2

    word, score = emb.analogy("man", "king", "woman", method="3cosmul")[0]
    expected = shifted("queen", "king") * shifted("queen", "woman") / (
        shifted("queen", "man") + 1e-3)
    assert score == pytest.approx(expected, rel=1e-5)


def test_planted_synonym_is_nearest():
    emb = planted()
    word, score = emb.most_similar("king", topn=1)[0]
    assert word == "monarch" and score > 0.99
    assert emb.most_similar(positive=["king"])[0][0] == "monarch"
    # a vector query is not excluded from its own results
    assert emb.most_similar(positive=[emb["king"]], topn=1)[0][0] == "king"
    assert emb.nearest(emb["queen"], topn=1)[0][0] == "queen"
    both = emb.nearest(np.stack([emb["paris"], emb["rome"]]), topn=2)
    assert [row[0][0] for row in both] == ["paris", "rome"]


def test_most_similar_matches_gensim_semantics():
    gensim = pytest.importorskip("gensim")
    emb = planted()
    kv = gensim.models.KeyedVectors(emb.dim)
    kv.add_vectors(emb.tokens, emb.vectors)
    ours = emb.most_similar(positive=["woman", "king"], negative=["man"], topn=8)
    theirs = kv.most_similar(positive=["woman", "king"], negative=["man"], topn=8)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)
    ours = emb.most_similar("paris", topn=5, restrict_vocab=20)
    theirs = kv.most_similar("paris", topn=5, restrict_vocab=20)
    # france, rome and madrid tie at exactly 0.5: compare as sets, and the scores in order
    assert {w for w, _ in ours} == {w for w, _ in theirs}
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)
    assert emb.similarity("king", "queen") == pytest.approx(kv.similarity("king", "queen"),
                                                           abs=1e-6)
    words = ["paris", "rome", "madrid", "king"]
    assert emb.doesnt_match(words) == kv.doesnt_match(words) == "king"
    all_scores = emb.most_similar("king", topn=None)
    np.testing.assert_allclose(all_scores, kv.most_similar("king", topn=None), atol=1e-5)


def test_restrict_vocab_and_dot_metric():
    emb = planted()
    restricted = emb.most_similar("king", topn=100, restrict_vocab=5)
    assert {w for w, _ in restricted} <= set(emb.tokens[:5])
    dot = emb.most_similar("king", topn=3, metric="dot")
    raw = emb.vectors @ emb["king"]
    raw[emb.index["king"]] = -np.inf
    assert [w for w, _ in dot] == [emb.tokens[i] for i in np.argsort(-raw)[:3]]
    with pytest.raises(ParameterError):
        emb.most_similar("king", metric="euclid")


def test_zero_vectors_do_not_produce_nan():
    emb = Embeddings(["zero", "a", "b"], [[0, 0], [1, 0], [0, 1]])
    assert np.isfinite(emb.unit_vectors).all()
    assert emb.similarity("zero", "a") == 0.0
    results = emb.most_similar("zero")
    assert all(np.isfinite(score) for _, score in results)
    assert np.isfinite(emb.nearest([0.0, 0.0], topn=3)[0][1])


def test_unit_vectors_cached_float32():
    emb = planted()
    first = emb.unit_vectors
    assert first.dtype == np.float32
    assert emb.unit_vectors is first
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-6)
    emb.most_similar("king")
    assert emb.unit_vectors is first


def test_save_load_mmap(tmp_path):
    emb = planted()
    emb.counts = np.arange(len(emb), 0, -1, dtype=np.int64)
    path = tmp_path / "emb.wsm"
    emb.save(path)
    loaded = Embeddings.load(path)
    assert isinstance(loaded.vectors, np.memmap)
    assert loaded.tokens == emb.tokens
    np.testing.assert_array_equal(loaded.vectors, emb.vectors)
    np.testing.assert_array_equal(loaded.counts, emb.counts)
    assert loaded.most_similar("king", topn=1)[0][0] == "monarch"
    in_memory = Embeddings.load(path, mmap=False)
    assert not isinstance(in_memory.vectors, np.memmap)
    assert load(path).tokens == emb.tokens


def test_load_any_model_file(tmp_path):
    """Every model kind stores 'vectors' and header 'tokens'; Embeddings.load reads them."""
    path = tmp_path / "lsa.wsm"
    vectors = np.random.default_rng(1).normal(size=(3, 4)).astype(np.float32)
    _store.save(path, "lsa", {"vectors": vectors, "components": np.eye(4)},
                tokens=["x", "y", "z"], n_components=4)
    emb = Embeddings.load(path)
    assert emb.tokens == ["x", "y", "z"]
    np.testing.assert_array_equal(emb.vectors, vectors)
    _store.save(tmp_path / "bad.wsm", "lsa", {"components": np.eye(2)})
    with pytest.raises(ModelFormatError, match="no word vectors"):
        Embeddings.load(tmp_path / "bad.wsm")


def test_failed_save_leaves_old_file(tmp_path, monkeypatch):
    emb = planted()
    path = tmp_path / "emb.wsm"
    emb.save(path)
    before = path.read_bytes()
    broken = Embeddings(["a"], np.zeros((1, 2), dtype=np.float32))

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np.lib.format, "write_array", explode)
    with pytest.raises(OSError):
        broken.save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["emb.wsm"]


def test_load_missing(tmp_path):
    with pytest.raises(ModelFormatError, match="does not exist"):
        load(tmp_path / "nothing.bin")


def test_model_file_with_nan_is_rejected(tmp_path):
    vectors = np.ones((3, 2), dtype=np.float32)
    vectors[2, 1] = np.nan
    _store.save(tmp_path / "nan.wsm", "embeddings", {"vectors": vectors}, tokens=["a", "b", "c"])
    with pytest.raises(ModelFormatError, match="row 3 holds NaN"):
        Embeddings.load(tmp_path / "nan.wsm")
