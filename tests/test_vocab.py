"""The vocabulary: counting, ordering, pruning, stopwords, sampling tables, encoding."""

from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wordspace.corpus import Corpus
from wordspace.errors import CorpusError, ParameterError, UnknownWordError
from wordspace.vocab import Vocabulary, load_stopwords

DOCS = ["b a c a", "c a d", "", "e b"]


def test_ids_by_frequency_ties_alphabetical():
    vocab = Vocabulary.build(DOCS)
    assert vocab.tokens == ["a", "b", "c", "d", "e"]
    assert vocab.counts.tolist() == [3, 2, 2, 1, 1]
    assert vocab.n_raw_tokens == 9 and vocab.n_documents == 4
    assert vocab["c"] == 2 and "z" not in vocab


def test_min_count_max_size_and_stopwords():
    assert Vocabulary.build(DOCS, min_count=2).tokens == ["a", "b", "c"]
    assert Vocabulary.build(DOCS, max_size=2).tokens == ["a", "b"]
    assert Vocabulary.build(DOCS, stopwords=["a", "e"]).tokens == ["b", "c", "d"]
    vocab = Vocabulary.build(["the cat and the hat"], stopwords="english")
    assert vocab.tokens == ["cat", "hat"]


def test_stopword_file(tmp_path):
    path = tmp_path / "stop.txt"
    path.write_text("# my list\nCat\n\n")
    assert load_stopwords(path) == {"cat"}
    with pytest.raises(ParameterError):
        load_stopwords(tmp_path / "missing.txt")


def test_pruning_bounds_the_counter_and_keeps_frequent_tokens():
    frequent = ["common"] * 3000
    rare = [f"rare{i}" for i in range(3000)]
    documents = [" ".join(frequent[i:i + 3] + rare[i:i + 3]) for i in range(0, 3000, 3)]
    vocab = Vocabulary.build(documents, max_vocab_size=100)
    assert vocab.tokens[0] == "common" and vocab.counts[0] == 3000
    assert len(vocab) == 100


def test_pruning_returns_the_number_of_words_asked_for():
    # Zipf-like: word i occurs about 2000 / (i + 1) times, in a shuffled stream of documents;
    # gensim's rising-threshold pruning (max_vocab_size=200) ends far below 200 words here
    rng = np.random.default_rng(0)
    stream = np.repeat(np.arange(1000), 2000 // (np.arange(1000) + 1))
    rng.shuffle(stream)
    documents = [" ".join(f"w{i}" for i in stream[k:k + 20]) for k in range(0, len(stream), 20)]
    vocab = Vocabulary.build(documents, max_vocab_size=200, min_count=2)
    exact = Vocabulary.build(documents, min_count=2)
    assert len(vocab) == 200 and len(exact) > 200
    # the most frequent words and their counts survive pruning exactly
    assert vocab.tokens[:20] == exact.tokens[:20]
    assert vocab.counts[:20].tolist() == exact.counts[:20].tolist()


def test_empty_corpus_and_nothing_frequent_enough(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n  \n")
    with pytest.raises(CorpusError, match="no tokens"):
        Vocabulary.build(Corpus(empty))
    with pytest.raises(CorpusError, match="min_count"):
        Vocabulary.build(["a b c"], min_count=2)


def test_unknown_word_suggests_close_tokens():
    vocab = Vocabulary.build(["king kings queen"])
    with pytest.raises(UnknownWordError, match="did you mean: king") as error:
        vocab["kingg"]
    assert isinstance(error.value, KeyError)


def test_keep_probabilities_match_the_word2vec_formula():
    vocab = Vocabulary(["a", "b", "c"], [900, 90, 10])
    keep = vocab.keep_probabilities(1e-2)
    t = 1e-2 * 1000
    expected = [min(1.0, (np.sqrt(c / t) + 1) * t / c) for c in (900, 90, 10)]
    np.testing.assert_allclose(keep, expected, rtol=1e-6)
    assert vocab.keep_probabilities(0).tolist() == [1.0, 1.0, 1.0]


def test_noise_distribution():
    vocab = Vocabulary(["a", "b"], [16, 1])
    np.testing.assert_allclose(vocab.noise_distribution(0.75), [8 / 9, 1 / 9])


def test_encode_chunks_keep_unit_positions():
    vocab = Vocabulary.build(DOCS, min_count=2)
    chunks = list(vocab.encode_chunks(DOCS, chunk_tokens=4))
    ids = np.concatenate([c.ids for c in chunks])
    documents = [c.document(i).tolist() for c in chunks for i in range(c.n_documents)]
    assert documents == [[1, 0, 2, 0], [2, 0], [], [1]]
    assert ids.dtype == np.int32


def test_encode_corpus_in_memory_and_memory_mapped(tmp_path):
    vocab = Vocabulary.build(DOCS)
    in_memory = vocab.encode_corpus(DOCS, chunk_tokens=3)
    mapped = vocab.encode_corpus(DOCS, path=tmp_path / "ids.bin", chunk_tokens=3)
    assert isinstance(mapped.ids, np.memmap)
    np.testing.assert_array_equal(in_memory.ids, mapped.ids)
    np.testing.assert_array_equal(in_memory.offsets, [0, 4, 7, 7, 9])
    assert in_memory.n_raw_tokens == 9


@given(st.lists(st.lists(st.sampled_from("abcdefgh"), max_size=12), min_size=1, max_size=30),
       st.integers(1, 3), st.integers(1, 50))
def test_encoding_agrees_with_a_plain_lookup(documents, min_count, chunk_tokens):
    counts = Counter(t for d in documents for t in d)
    if not counts or max(counts.values()) < min_count:
        return
    vocab = Vocabulary.build(documents, min_count=min_count)
    encoded = vocab.encode_corpus(documents, chunk_tokens=chunk_tokens)
    expected = [[vocab.index[t] for t in d if t in vocab.index] for d in documents]
    assert [encoded.document(i).tolist() for i in range(encoded.n_documents)] == expected
    assert sorted(vocab.counts.tolist(), reverse=True) == vocab.counts.tolist()


@given(st.lists(st.lists(st.sampled_from("abcdefgh"), max_size=12), min_size=1, max_size=30),
       st.integers(1, 3), st.integers(1, 20), st.booleans())
def test_one_pass_build_encoded_equals_build_then_encode(tmp_path_factory, documents, min_count,
                                                          chunk_tokens, to_file):
    counts = Counter(t for d in documents for t in d)
    if not counts or max(counts.values()) < min_count:
        return
    path = tmp_path_factory.mktemp("ids") / "ids.bin" if to_file else None
    vocab, encoded = Vocabulary.build_encoded(documents, min_count=min_count, path=path,
                                              chunk_tokens=chunk_tokens)
    reference = Vocabulary.build(documents, min_count=min_count)
    assert vocab.tokens == reference.tokens
    assert vocab.counts.tolist() == reference.counts.tolist()
    expected = reference.encode_corpus(documents)
    np.testing.assert_array_equal(encoded.ids, expected.ids)
    np.testing.assert_array_equal(encoded.offsets, expected.offsets)
