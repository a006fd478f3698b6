"""The word2vec text and binary formats: round trips, gensim interop, corrupt files."""

from __future__ import annotations

import re
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from wordspace.errors import ModelFormatError, ParameterError
from wordspace.vectors import Embeddings, load, load_word2vec_format, save_word2vec_format

gensim = pytest.importorskip("gensim")
KeyedVectors = gensim.models.KeyedVectors


@pytest.fixture
def emb():
    rng = np.random.default_rng(7)
    tokens = ["the", "king", "queen", "café", "naïve", "東京", "x-ray", "a.b"]
    return Embeddings(tokens, rng.normal(size=(len(tokens), 5)).astype(np.float32))


@pytest.mark.parametrize("binary", [False, True])
def test_round_trip(tmp_path, emb, binary):
    path = tmp_path / "vectors.bin"
    emb.save_word2vec_format(path, binary=binary)
    back = Embeddings.load_word2vec_format(path)  # binary detected
    assert back.tokens == emb.tokens
    np.testing.assert_array_equal(back.vectors, emb.vectors)
    assert back.vectors.dtype == np.float32
    explicit = load_word2vec_format(path, binary=binary, limit=3)
    assert explicit.tokens == emb.tokens[:3]
    np.testing.assert_array_equal(explicit.vectors, emb.vectors[:3])
    assert load(path).tokens == emb.tokens


def test_text_layout(tmp_path):
    path = tmp_path / "v.txt"
    save_word2vec_format(Embeddings(["a", "b"], [[0.5, -1.25], [1e-5, 3]]), path)
    assert path.read_text() == "2 2\na 0.5 -1.25\nb 1e-05 3.0\n"


def test_binary_layout(tmp_path):
    path = tmp_path / "v.bin"
    save_word2vec_format(Embeddings(["a", "bé"], [[0.5, -1.25], [2, 3]]), path, binary=True)
    expected = (b"2 2\n" + b"a " + struct.pack("<2f", 0.5, -1.25) + b"\n"
                + "bé ".encode() + struct.pack("<2f", 2, 3) + b"\n")
    assert path.read_bytes() == expected


@pytest.mark.parametrize("binary", [False, True])
def test_gensim_reads_ours(tmp_path, emb, binary):
    path = tmp_path / "ours"
    emb.save_word2vec_format(path, binary=binary)
    kv = KeyedVectors.load_word2vec_format(str(path), binary=binary)
    assert kv.index_to_key == emb.tokens
    np.testing.assert_array_equal(kv.vectors, emb.vectors)


@pytest.mark.parametrize("binary", [False, True])
def test_we_read_gensim(tmp_path, emb, binary):
    kv = KeyedVectors(emb.dim)
    kv.add_vectors(emb.tokens, emb.vectors)
    path = tmp_path / "theirs"
    kv.save_word2vec_format(str(path), binary=binary)
    back = load_word2vec_format(path)
    assert back.tokens == emb.tokens
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    if not binary:  # text files are byte-identical
        ours = tmp_path / "ours"
        emb.save_word2vec_format(ours)
        assert ours.read_bytes() == path.read_bytes()


def test_gensim_trained_model_interop(tmp_path):
    sentences = [["king", "queen", "man", "woman", "royal"][i % 5:] + ["the"] * 3
                 for i in range(200)]
    model = gensim.models.Word2Vec(sentences, vector_size=16, min_count=1, workers=1,
                                   seed=3, epochs=2)
    for binary in (False, True):
        path = tmp_path / f"trained{binary}"
        model.wv.save_word2vec_format(str(path), binary=binary)
        back = load_word2vec_format(path)
        assert back.tokens == model.wv.index_to_key
        np.testing.assert_array_equal(back.vectors, model.wv.vectors)


def test_c_tool_quirks(tmp_path):
    """Trailing spaces and CRLF in text rows; a newline after each binary row (C) or none."""
    text = tmp_path / "c.txt"
    text.write_bytes(b"2 3\r\nfoo 1 2 3 \r\nbar -1.5e2 +2 .5 \r\n")
    back = load_word2vec_format(text)
    assert back.tokens == ["foo", "bar"]
    np.testing.assert_array_equal(back.vectors, [[1, 2, 3], [-150, 2, 0.5]])
    rows = [("foo", [1, 2]), ("bar", [3, 4])]
    for separator in (b"\n", b""):
        binary = tmp_path / "c.bin"
        binary.write_bytes(b"2 2\n" + b"".join(w.encode() + b" " + struct.pack("<2f", *v)
                                               + separator for w, v in rows))
        back = load_word2vec_format(binary)
        assert back.tokens == ["foo", "bar"]
        np.testing.assert_array_equal(back.vectors, [[1, 2], [3, 4]])


def test_duplicate_tokens_keep_first(tmp_path):
    path = tmp_path / "dup.txt"
    path.write_text("3 1\na 1\nb 2\na 3\n")
    back = load_word2vec_format(path)
    assert back.tokens == ["a", "b"]
    np.testing.assert_array_equal(back.vectors[:, 0], [1, 2])


def test_tokens_with_whitespace_cannot_be_written(tmp_path):
    for bad in ("new york", "tab\there", "line\nbreak", ""):
        with pytest.raises(ParameterError, match="whitespace"):
            save_word2vec_format(Embeddings([bad], [[1.0]]), tmp_path / "x.txt")
    assert not (tmp_path / "x.txt").exists()


def test_failed_write_leaves_old_file(tmp_path, emb):
    path = tmp_path / "v.txt"
    emb.save_word2vec_format(path)
    before = path.read_bytes()

    class Exploding(np.ndarray):
        def __getitem__(self, item):
            if isinstance(item, slice) and (item.start or 0) >= 4096:
                raise OSError("disk gone")
            return super().__getitem__(item)

    big = np.zeros((5000, 2), dtype=np.float32).view(Exploding)
    with pytest.raises(OSError, match="disk gone"):
        save_word2vec_format(Embeddings([f"w{i}" for i in range(5000)], big), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["v.txt"]


# -- corrupt files ---------------------------------------------------------------------------------
def _vector_bytes(*values):
    return struct.pack(f"<{len(values)}f", *values)


CORRUPT = {
    "empty": (b"", "is empty"),
    "header words": (b"three four\na 1 2 3 4\n", "two integers"),
    "header one int": (b"3\na 1 2 3\n", "two integers"),
    "header three ints": (b"1 2 3\na 1 2\n", "two integers"),
    "header negative": (b"-1 2\n", "two integers"),
    "dim zero": (b"1 0\na\n", "dimension 0"),
    "no newline": (b"1 2", "no header line"),
    "too few rows": (b"3 2\na 1 2\nb 3 4\n", "announces 3 rows but the file ends in row 3"),
    "short row": (b"2 3\na 1 2 3\nb 4 5\n", "row 2 (line 3): 2 values, the header says 3"),
    "long row": (b"2 2\na 1 2\nb 3 4 5\n", "row 2 (line 3): more than the 2 values"),
    "not a number": (b"1 2\na 1 x\n", "value 2 is not a number"),
    "glued number": (b"1 2\na 1 2x\n", "value 2 is not a number"),
    "nan text": (b"1 2\na nan 1\n", "NaN or infinite"),
    "inf text": (b"1 2\na 1 -inf\n", "NaN or infinite"),
    "overflow text": (b"1 2\na 1 1e39\n", "NaN or infinite"),
    "empty token": (b"1 2\n 1 2\n", "no token"),
    "bad utf8 text": (b"1 1\n\xff\xfe 1\n", "not valid UTF-8"),
    "truncated binary": (b"2 2\na " + _vector_bytes(1, 2) + b"\nb " + _vector_bytes(3)[:3],
                         "truncated"),
    "nan binary": (b"1 2\na " + _vector_bytes(1, float("nan")) + b"\n", "NaN or infinite"),
    "bad utf8 binary": (b"1 2\n\xff " + _vector_bytes(1, 2) + b"\n", "not valid UTF-8"),
}


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_corrupt_files(tmp_path, case):
    content, message = CORRUPT[case]
    path = tmp_path / "bad.vec"
    path.write_bytes(content)
    with pytest.raises(ModelFormatError, match=re.escape(message)):
        load_word2vec_format(path)
    with pytest.raises(ModelFormatError):
        load(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ModelFormatError, match="does not exist"):
        load_word2vec_format(tmp_path / "absent.txt")
    with pytest.raises(ModelFormatError, match="folder"):
        load_word2vec_format(tmp_path)


def test_unicode_errors_replace(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"2 1\ncaf\xe9 1\nok 2\n")
    back = load_word2vec_format(path, unicode_errors="replace")
    assert back.tokens == ["caf\ufffd", "ok"]


# -- properties ------------------------------------------------------------------------------------
token_strategy = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
    min_size=1, max_size=12).filter(lambda t: not any(ch.isspace() for ch in t))


@st.composite
def embeddings(draw):
    tokens = draw(st.lists(token_strategy, min_size=1, max_size=12, unique=True))
    dim = draw(st.integers(1, 6))
    vectors = draw(hnp.arrays(np.float32, (len(tokens), dim),
                              elements=st.floats(width=32, allow_nan=False,
                                                 allow_infinity=False)))
    return Embeddings(tokens, vectors)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(emb=embeddings(), binary=st.booleans())
def test_round_trip_property(tmp_path, emb, binary):
    path = tmp_path / "prop.vec"
    emb.save_word2vec_format(path, binary=binary)
    back = load_word2vec_format(path)
    assert back.tokens == emb.tokens
    np.testing.assert_array_equal(back.vectors, emb.vectors)
    kv = KeyedVectors.load_word2vec_format(str(path), binary=binary)
    assert kv.index_to_key == emb.tokens
    np.testing.assert_array_equal(kv.vectors, emb.vectors)


def test_extreme_values_round_trip_bitwise(tmp_path):
    rng = np.random.default_rng(0)
    bits = rng.integers(0, 2**32, size=20_000, dtype=np.uint64).astype(np.uint32)
    values = bits.view(np.float32)
    values = values[np.isfinite(values)][:19_000]
    extremes = np.array([3.4028235e38, -3.4028235e38, 1e-45, -1e-45, 1.1754944e-38, 0.0,
                         -0.0, 0.1, 123456789.0, 1.17549421e-38], dtype=np.float32)
    matrix = np.concatenate([values, np.tile(extremes, 100)]).reshape(-1, 100)
    emb = Embeddings([f"w{i}" for i in range(len(matrix))], matrix)
    path = tmp_path / "extreme.txt"
    emb.save_word2vec_format(path)
    back = load_word2vec_format(path)
    np.testing.assert_array_equal(back.vectors.view(np.uint32), matrix.view(np.uint32))


@pytest.mark.parametrize("bits", [0x15430A34, 0x290A2E30])
def test_a_binary_row_that_looks_like_text_is_read_as_binary(tmp_path, bits):
    """A float32 whose bytes hold a newline made the first binary row look like a text row
    (hypothesis found it: one token, dimension 1); the format is now the one the file reads
    whole in."""
    vectors = np.array([[bits]], np.uint32).view(np.float32)
    path = tmp_path / "one.bin"
    Embeddings(["a"], vectors).save_word2vec_format(path, binary=True)
    back = load_word2vec_format(path)
    assert back.tokens == ["a"]
    np.testing.assert_array_equal(back.vectors.view(np.uint32), vectors.view(np.uint32))
