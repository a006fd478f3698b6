"""Sparse bags of words: counts, weightings against hand computations and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from wordspace.bow import (
    BagOfWords,
    count_matrix,
    count_matrix_and_vocabulary,
    entropy_weights,
    parse_weighting,
)
from wordspace.corpus import Corpus, tokenize
from wordspace.errors import CorpusError, NotFittedError, ParameterError
from wordspace.vocab import Vocabulary

DOCS = ["the cat sat on the mat", "the dog sat", "a cat and a dog and a cat", "mat mat mat"]


def dense(bow, docs=DOCS):
    return bow.fit_transform(docs).toarray().astype(np.float64)


def hand_counts(docs, tokens):
    index = {t: i for i, t in enumerate(tokens)}
    out = np.zeros((len(docs), len(tokens)))
    for row, doc in enumerate(docs):
        for token in tokenize(doc):
            if token in index:
                out[row, index[token]] += 1
    return out


def test_one_pass_vocabulary_equals_vocabulary_build():
    for min_count, max_size, stop in [(1, None, None), (2, None, "english"), (1, 3, ["the"])]:
        matrix, vocab = count_matrix_and_vocabulary(DOCS, min_count, max_size, stop,
                                                    chunk_tokens=4)
        reference = Vocabulary.build(DOCS, min_count=min_count, max_size=max_size,
                                     stopwords=stop)
        assert vocab.tokens == reference.tokens
        assert vocab.counts.tolist() == reference.counts.tolist()
        assert matrix.dtype == np.float32 and sp.isspmatrix_csr(matrix)
        assert np.array_equal(matrix.toarray(), hand_counts(DOCS, vocab.tokens))


def test_count_matrix_with_given_vocabulary_keeps_empty_rows():
    vocab = Vocabulary(["cat", "dog"])
    matrix = count_matrix(DOCS + ["zzz unknown"], vocab, chunk_tokens=3)
    assert matrix.shape == (5, 2)
    assert matrix.toarray().tolist() == [[1, 0], [0, 1], [2, 1], [0, 0], [0, 0]]


def test_paragraph_granularity_rows():
    corpus = Corpus(["cat dog\ndog dog\n\ncat"], granularity="paragraph")
    matrix, vocab = count_matrix_and_vocabulary(corpus)
    assert vocab.tokens == ["dog", "cat"]
    assert matrix.toarray().tolist() == [[1, 1], [2, 0], [0, 1]]


@pytest.mark.parametrize("weighting", ["count", "binary", "tf", "log", "tfidf", "binary-idf",
                                       "tf-idf", "log-idf", "log-entropy"])
@pytest.mark.parametrize("idf", ["smooth", "plain"])
@pytest.mark.parametrize("normalize", [False, True])
def test_weightings_by_hand(weighting, idf, normalize):
    bow = BagOfWords(weighting=weighting, idf=idf, normalize=normalize)
    got = dense(bow)
    counts = hand_counts(DOCS, bow.vocabulary_.tokens)
    n = len(DOCS)
    tf, global_weight = parse_weighting(weighting)
    local = {"count": counts, "binary": (counts > 0).astype(float),
             "tf": counts / counts.sum(1, keepdims=True),
             "log": np.where(counts > 0, 1 + np.log(np.maximum(counts, 1)), 0)}[tf]
    df = (counts > 0).sum(0)
    if global_weight == "idf":
        weight = (np.log((1 + n) / (1 + df)) + 1 if idf == "smooth" else np.log(n / df) + 1)
    elif global_weight == "entropy":
        p = counts / counts.sum(0)
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0)
        weight = 1 + plogp.sum(0) / np.log(n)
    else:
        weight = np.ones(len(df))
    expected = local * weight
    if normalize:
        expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bow.idf_, weight, rtol=1e-12)


@pytest.mark.parametrize("sublinear", [False, True])
@pytest.mark.parametrize("smooth", [False, True])
def test_matches_scikit_learn_tfidf_vectorizer(sublinear, smooth):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from wordspace.datasets import brown

    texts = brown().texts[:60]
    bow = BagOfWords(weighting="log-idf" if sublinear else "tfidf",
                     idf="smooth" if smooth else "plain", min_count=2, stopwords="english")
    ours = bow.fit_transform(texts)
    vectorizer = TfidfVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None,
                                 vocabulary={t: i for i, t in enumerate(bow.vocabulary_.tokens)},
                                 sublinear_tf=sublinear, smooth_idf=smooth)
    theirs = vectorizer.fit_transform(texts)
    assert ours.shape == theirs.shape and ours.nnz == theirs.nnz
    np.testing.assert_allclose(bow.idf_, vectorizer.idf_, rtol=1e-12)
    assert abs(ours - theirs).max() < 1e-6


def test_transform_new_documents_and_count_matrix_input():
    bow = BagOfWords(weighting="tfidf").fit(DOCS)
    new = bow.transform(["cat cat zebra", "zebra"])
    assert new.shape == (2, len(bow.vocabulary_))
    assert new.toarray()[1].sum() == 0                       # all-unknown row stays zero
    again = bow.transform(bow.counts(["cat cat zebra", "zebra"]))
    assert abs(new - again).max() == 0
    # transform of the training corpus equals fit_transform
    assert abs(bow.transform(DOCS) - BagOfWords(weighting="tfidf").fit_transform(DOCS)).max() < 1e-7


def test_entropy_weights_extremes():
    counts = sp.csr_matrix(np.array([[3, 1, 0], [0, 1, 0], [0, 1, 0], [0, 1, 0]], float))
    weights = entropy_weights(counts)
    assert weights[0] == pytest.approx(1.0)                  # in one unit only
    assert weights[1] == pytest.approx(0.0)                  # spread evenly over all units
    assert weights[2] == 1.0                                 # absent


@pytest.mark.parametrize("kwargs", [{"weighting": "bm25"}, {"weighting": "log-idff"},
                                    {"weighting": 3}, {"idf": "probabilistic"},
                                    {"min_count": 0}, {"max_size": -1}, {"chunk_tokens": 0},
                                    {"vocabulary": ["a", "b"]}])
def test_bad_parameters(kwargs):
    with pytest.raises(ParameterError):
        BagOfWords(**kwargs).fit(DOCS)


def test_errors():
    with pytest.raises(NotFittedError):
        BagOfWords().transform(DOCS)
    with pytest.raises(CorpusError):
        BagOfWords().fit(["", "  "])
    with pytest.raises(CorpusError):
        BagOfWords(min_count=100).fit(DOCS)
    bow = BagOfWords().fit(DOCS)
    with pytest.raises(ParameterError):
        bow.transform(sp.csr_matrix((2, 3)))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(list("abcdefg")), max_size=12), min_size=1,
                max_size=12), st.integers(1, 7))
def test_counts_property(docs, chunk_tokens):
    if not any(docs):
        return
    matrix, vocab = count_matrix_and_vocabulary(docs, chunk_tokens=chunk_tokens)
    assert np.array_equal(matrix.toarray(), hand_counts([" ".join(d) for d in docs],
                                                        vocab.tokens))
    assert matrix.sum(axis=0).A1.tolist() == vocab.counts.tolist()


def test_vectoriser_saves_and_loads_itself(tmp_path):
    bow = BagOfWords(weighting="log-entropy", stemmer="english", stopwords="english",
                     granularity="paragraph").fit(["cats purr\nthe cat purrs", "dogs bark 42"])
    bow.save(tmp_path / "bow.ws")
    loaded = BagOfWords.load(tmp_path / "bow.ws")
    assert loaded.get_params(deep=False).keys() == bow.get_params().keys()
    assert {n: getattr(loaded, n) for n in BagOfWords.PARAMS} == \
        {n: getattr(bow, n) for n in BagOfWords.PARAMS}
    assert loaded.vocabulary_.tokens == bow.vocabulary_.tokens
    assert loaded.vocabulary_.labels == bow.vocabulary_.labels == ["cats", "purr", "bark", "dogs"]
    new = ["a cat purrs\ndogs", "42 barking"]
    assert abs(loaded.transform(new) - bow.transform(new)).max() == 0
    assert loaded.transform(new).shape == (3, 4)                 # paragraphs are the rows


def test_stemmed_corpus_and_tokeniser():
    from wordspace.corpus import Corpus, make_stemmer

    corpus = Corpus(["Runners running", ["cats", "purrs"]], stemmer="english")
    assert list(corpus) == [["runner", "run"], ["cat", "purr"]]
    assert list(corpus.without_stemming()) == [["runners", "running"], ["cats", "purrs"]]
    with pytest.raises(ParameterError):
        make_stemmer("nope")


def test_weight_counts_is_blockwise():
    """Weighting blocks of counts with the corpus-wide idf and stacking equals weighting all."""
    from wordspace.bow import idf_weights, weight_counts

    bow = BagOfWords(weighting="count", normalize=False, min_count=1)
    counts = bow.fit_transform(DOCS)
    idf = idf_weights(bow.document_frequency_, counts.shape[0], "smooth")
    whole = weight_counts(counts, idf, tf="log")
    half = counts.shape[0] // 2
    parts = sp.vstack([weight_counts(counts[:half], idf, tf="log"),
                       weight_counts(counts[half:], idf, tf="log")])
    assert abs(whole - parts).max() < 1e-7
