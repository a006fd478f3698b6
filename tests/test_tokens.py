"""The compiled tokenise-and-count path gives exactly the regex tokeniser's units and tokens."""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordspace._tokens import TokenCounter, counter_for, word_table
from wordspace.bow import count_matrix, count_matrix_and_vocabulary
from wordspace.corpus import Corpus, make_tokenizer
from wordspace.vocab import Vocabulary

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"

#: letters, digits, the inner characters and their neighbours, non-ASCII letters that lowercase
#: oddly (İ into two characters, final sigma), combining marks, non-ASCII digits, line breaks
ALPHABET = ("abcXYZ019 '\u2019-_.,!\t\n\r\x0b\x0c\x1c\x85\u2028\u2029"
            "éÉßΣσςΑİıÅ\u0301\u0307\u0663\u00b2\u00bd\u4e2d\ufffd\u200d\U0001d400")


def regex_units(documents, lowercase=True, inner="'\u2019-", paragraphs=False):
    """The units of the old path: the regex tokeniser through a Corpus."""
    corpus = Corpus(list(documents), tokenizer=make_tokenizer(lowercase, inner),
                    granularity="paragraph" if paragraphs else "document")
    return list(corpus)


def fast_units(documents, lowercase=True, inner="'\u2019-", paragraphs=False, chunk_chars=7,
               threads=None):
    counter = TokenCounter(lowercase, inner, paragraphs)
    pieces = list(counter.chunks(documents, "test", chunk_chars=chunk_chars, threads=threads))
    tokens = counter.tokens()
    units = []
    for ids, lengths in pieces:
        ends = np.cumsum(lengths)
        units += [[tokens[i] for i in ids[end - n:end]]
                  for n, end in zip(lengths, ends, strict=True)]
    # ids are in order of first sight and the counts add up
    all_ids = np.concatenate([ids for ids, _ in pieces]) if pieces else np.zeros(0, int)
    assert np.array_equal(np.bincount(all_ids, minlength=len(tokens)), counter.counts)
    if len(all_ids):
        first_seen = np.maximum.accumulate(all_ids)
        assert first_seen[-1] == len(tokens) - 1 and np.all(np.diff(first_seen) <= 1)
    assert len(set(tokens)) == len(tokens)
    return units


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=ALPHABET, max_size=40), max_size=6), st.booleans(),
       st.sampled_from(["'\u2019-", "", "-", "._"]), st.booleans(),
       st.integers(min_value=1, max_value=60), st.sampled_from([1, 2]))
def test_same_units_as_the_regex(documents, lowercase, inner, paragraphs, chunk_chars, threads):
    # threads=2: each chunk counted on a second thread while the next is encoded
    assert fast_units(documents, lowercase, inner, paragraphs, chunk_chars, threads) == \
        regex_units(documents, lowercase, inner, paragraphs)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=4), st.booleans())
def test_same_units_on_any_unicode(documents, paragraphs):
    assert fast_units(documents, paragraphs=paragraphs) == \
        regex_units(documents, paragraphs=paragraphs)


def test_word_table_is_the_regex():
    small = word_table(256)
    assert small[ord("a")] and small[ord("7")] and small[0xE9] and not small[ord("_")]
    assert np.array_equal(word_table()[:256], small)
    assert word_table()[0x4E2D] and not word_table()[0x0301]   # 中 yes, a combining mark no


def test_which_corpora_take_the_fast_path(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("one two\nthree\n")
    assert counter_for(Corpus(path)) is not None
    assert counter_for(Corpus(["a b"], granularity="paragraph")).paragraphs
    assert counter_for(Corpus(["a b"], tokenizer=str.split)) is None
    assert counter_for(Corpus([["a", "b"]])) is None
    assert counter_for(Corpus(["a b"], stemmer="english")) is None
    assert counter_for(Corpus(["a b"], granularity="window", window=2)) is None
    assert counter_for(Corpus(iter(["a b"]))) is None


def slow(corpus: Corpus) -> Corpus:
    """The same corpus read through the regex tokeniser (the old path)."""
    options = corpus._source_options
    return Corpus(corpus, granularity=corpus.granularity, **{
        **options, "tokenizer": make_tokenizer(options["lowercase"], options["inner"])})


def assert_same_bags(corpus, **options):
    fast_matrix, fast_vocab = count_matrix_and_vocabulary(corpus, **options)
    slow_matrix, slow_vocab = count_matrix_and_vocabulary(slow(corpus), **options)
    assert fast_vocab.tokens == slow_vocab.tokens
    assert np.array_equal(fast_vocab.counts, slow_vocab.counts)
    assert fast_vocab.n_raw_tokens == slow_vocab.n_raw_tokens
    assert fast_vocab.n_documents == slow_vocab.n_documents
    assert fast_matrix.shape == slow_matrix.shape
    assert (fast_matrix != slow_matrix).nnz == 0
    assert np.array_equal(count_matrix(corpus, fast_vocab).toarray(),
                          count_matrix(slow(corpus), fast_vocab).toarray())


def test_bags_of_mixed_text_and_a_stemmer():
    documents = ["Don't STOP the cafés' well-known Σοφία ΑΣ", "x--y 3D_printing İstanbul\nnew line",
                 "", "-- ...", "the the The cafés"]
    for granularity in ("document", "paragraph"):
        assert_same_bags(Corpus(documents, granularity=granularity), min_count=1)
        assert_same_bags(Corpus(documents, granularity=granularity), min_count=2,
                         stopwords="english", keep_numbers=False, stemmer="english")


@pytest.mark.skipif(not (DATA / "corpus" / "big.txt.gz").is_file(), reason="no shared data")
def test_a_slice_of_big_txt(tmp_path):
    with gzip.open(DATA / "corpus" / "big.txt.gz", "rt", encoding="utf-8") as handle:
        lines = list(itertools.islice(handle, 150_000, 153_000))
    path = tmp_path / "slice.txt"
    path.write_text("".join(lines), encoding="utf-8")
    assert_same_bags(Corpus(path, granularity="paragraph"), min_count=2, stopwords="english")


@pytest.mark.skipif(not (DATA / "docs" / "20ng_bydate.tsv.gz").is_file(),
                    reason="no shared data")
def test_a_slice_of_20_newsgroups():
    with gzip.open(DATA / "docs" / "20ng_bydate.tsv.gz", "rt", encoding="utf-8") as handle:
        rows = [line.split("\t") for line in itertools.islice(handle, 1, 1500)]
    documents = [row[-1].replace("\\n", "\n") for row in rows]
    assert_same_bags(Corpus(documents), min_count=2, stopwords="english", keep_numbers=False)
    vocabulary = Vocabulary.build(slow(Corpus(documents)), min_count=2)
    assert len(vocabulary) > 1000
