"""Reading corpora: sources, compression, granularity, tokenising and bad input."""

import bz2
import gzip
import logging
import lzma

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wordspace.corpus import Corpus, as_corpus, make_tokenizer, tokenize
from wordspace.errors import CorpusError, ParameterError

TEXT = "The cat sat on the mat.\nA dog barked!\n\nBirds sing, don't they?\n"


def write(path, text, opener=open):
    with opener(path, "wt", encoding="utf-8") as handle:
        handle.write(text)
    return path


@pytest.mark.parametrize("suffix,opener", [("", open), (".gz", gzip.open), (".bz2", bz2.open),
                                           (".xz", lzma.open)])
def test_reads_plain_and_compressed_files_alike(tmp_path, suffix, opener):
    path = write(tmp_path / f"corpus.txt{suffix}", TEXT, opener)
    assert list(Corpus(path)) == [["the", "cat", "sat", "on", "the", "mat"], ["a", "dog", "barked"],
                                  ["birds", "sing", "don't", "they"]]


def test_corpus_is_restartable(tmp_path):
    corpus = Corpus(write(tmp_path / "c.txt", TEXT))
    assert list(corpus) == list(corpus)


def test_blank_line_separator_makes_documents_of_paragraphs(tmp_path):
    path = write(tmp_path / "c.txt", TEXT)
    documents = list(Corpus(path, separator="blank"))
    assert documents == [["the", "cat", "sat", "on", "the", "mat", "a", "dog", "barked"],
                         ["birds", "sing", "don't", "they"]]
    paragraphs = list(Corpus(path, separator="blank", granularity="paragraph"))
    assert len(paragraphs) == 3 and paragraphs[1] == ["a", "dog", "barked"]


def test_windows_tile_each_document_and_keep_the_tail():
    corpus = Corpus(["a b c d e f g", "h i"], granularity="window", window=3)
    assert list(corpus) == [["a", "b", "c"], ["d", "e", "f"], ["g"], ["h", "i"]]
    overlapping = Corpus(["a b c d e"], granularity="window", window=3, stride=1)
    assert list(overlapping) == [["a", "b", "c"], ["b", "c", "d"], ["c", "d", "e"]]


def test_with_granularity_keeps_the_source():
    corpus = Corpus(["a b c d"])
    assert list(corpus.with_granularity("window", window=2)) == [["a", "b"], ["c", "d"]]
    assert list(as_corpus(corpus, granularity="window", window=3)) == [["a", "b", "c"], ["d"]]


def test_folder_reads_all_text_files_in_order_and_skips_binary(tmp_path, caplog):
    (tmp_path / "sub").mkdir()
    write(tmp_path / "b.txt", "second file\n")
    write(tmp_path / "a.txt", "first file\n")
    write(tmp_path / "sub" / "c.txt.gz", "third file\n", gzip.open)
    write(tmp_path / ".hidden", "never read\n")
    (tmp_path / "image.bin").write_bytes(b"\x89PNG\x00\x00\x01")
    with caplog.at_level(logging.WARNING):
        tokens = list(Corpus(tmp_path))
    assert tokens == [["first", "file"], ["second", "file"], ["third", "file"]]
    assert "image.bin" in caplog.text


def test_list_of_files(tmp_path):
    a = write(tmp_path / "a.txt", "one\n")
    b = write(tmp_path / "b.txt", "two\n")
    assert list(Corpus([a, b])) == [["one"], ["two"]]
    assert list(Corpus([str(a), str(b)])) == [["one"], ["two"]]


def test_in_memory_strings_and_token_lists():
    assert list(Corpus(["Hello World"])) == [["hello", "world"]]
    assert list(Corpus([["Already", "split"]])) == [["Already", "split"]]


def test_generator_can_be_read_once():
    corpus = Corpus(line for line in ["a b", "c"])
    assert list(corpus) == [["a", "b"], ["c"]]
    with pytest.raises(CorpusError, match="one-shot"):
        list(corpus)


def test_custom_tokenizer():
    assert list(Corpus(["a,b;c"], tokenizer=lambda text: text.split(","))) == [["a", "b;c"]]


def test_missing_file_and_empty_folder(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        Corpus(tmp_path / "nope.txt")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="no text files"):
        Corpus(tmp_path / "empty")


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(CorpusError, match="binary"):
        Corpus(path)


def test_invalid_utf8_is_replaced_and_counted(tmp_path, caplog):
    path = tmp_path / "latin1.txt"
    path.write_bytes("caf\xe9 ok\nfine line\n".encode("latin-1"))
    corpus = Corpus(path, encoding="utf-8")  # asked for UTF-8: bad bytes are replaced
    with caplog.at_level(logging.WARNING):
        assert list(corpus) == [["caf", "ok"], ["fine", "line"]]
    assert corpus.n_decode_errors == 1
    assert "invalid utf-8" in caplog.text
    with pytest.raises(CorpusError, match="invalid utf-8"):
        list(Corpus(path, encoding="utf-8", errors="strict"))
    caplog.clear()
    with caplog.at_level(logging.WARNING):  # by default, a file that is not UTF-8 is Latin-1
        assert list(Corpus(path)) == [["café", "ok"], ["fine", "line"]]
    assert "latin1.txt is not UTF-8" in caplog.text


def test_a_huge_line_is_cut_at_whitespace_into_documents(tmp_path):
    words = [f"w{i}" for i in range(5000)]
    path = write(tmp_path / "long.txt", " ".join(words) + "\nshort line\n")
    documents = list(Corpus(path, max_chars=1000))
    assert all(len(" ".join(d)) <= 1000 for d in documents)
    assert [t for d in documents[:-1] for t in d] == words
    assert documents[-1] == ["short", "line"]


def test_bad_parameters():
    with pytest.raises(ParameterError, match="granularity"):
        Corpus(["x"], granularity="sentence")
    with pytest.raises(ParameterError, match="window"):
        Corpus(["x"], granularity="window")
    with pytest.raises(ParameterError, match="window must be"):
        Corpus(["x"], granularity="window", window=0)
    with pytest.raises(CorpusError):
        Corpus(42)


def test_embedded_brown_sample():
    corpus = Corpus("brown")
    first = next(iter(corpus))
    assert first[:4] == ["the", "fulton", "county", "grand"]


# -- tokeniser properties ---------------------------------------------------------------------
lower_words = st.text(alphabet=st.characters(categories=["Ll", "Nd"]), min_size=1, max_size=8)


@given(st.lists(lower_words, min_size=0, max_size=20),
       st.lists(st.sampled_from([" ", ", ", ". ", "\t", " -- ", "! ", "_", "\n"]), min_size=20,
                max_size=20))
def test_tokenizer_recovers_words_joined_by_punctuation(tokens, separators):
    text = "".join(t + s for t, s in zip(tokens, separators, strict=False))
    assert tokenize(text) == [t.lower() for t in tokens]


@given(st.text(max_size=200))
def test_tokens_are_nonempty_words_without_spaces(text):
    for token in tokenize(text):
        assert token and not any(ch.isspace() for ch in token)
        assert token == token.lower()
        assert token[0].isalnum() and token[-1].isalnum()


@given(st.text(max_size=200))
def test_tokenizing_is_idempotent_on_its_own_output(text):
    tokens = tokenize(text)
    assert tokenize(" ".join(tokens)) == tokens


def test_inner_characters_are_configurable():
    assert make_tokenizer(inner="")("rock-n-roll isn't") == ["rock", "n", "roll", "isn", "t"]
    assert make_tokenizer(lowercase=False)("Hello World") == ["Hello", "World"]
