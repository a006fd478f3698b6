"""Bad input, as a new user meets it: every user error is one line ``wordspace: error: ...`` and
exit status 1 (never a traceback), bad usage exits 2, and the Python API raises a
:class:`~wordspace.errors.WordspaceError` subclass with a clear message.
"""

import codecs
import errno
import json
import os
import struct
import subprocess
import sys
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest
from click.testing import CliRunner

from wordspace import Corpus, Embeddings, LinearAutoencoder, Vocabulary, load
from wordspace.cli import cli
from wordspace.errors import (
    CorpusError,
    ModelFormatError,
    NotFittedError,
    ParameterError,
    UnknownWordError,
    WordspaceError,
)
from wordspace.models.lsa import LSA
from wordspace.vectors import load as load_vectors
from wordspace.vectors import load_word2vec_format

WORDS = ["king", "queen", "man", "woman", "prince", "princess"]
TINY = ("the king rules the land\nthe queen rules the land\nthe man walks the road\n"
        "the woman walks the road\n") * 20


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_user_error(result, *fragments):
    """Exit 1, exactly one stderr line ``wordspace: error: ...`` holding every fragment."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exc_info  # not an uncaught crash
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("wordspace: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.output


def assert_usage_error(result, *fragments):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def png_bytes():
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I",
                                                                        zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


@pytest.fixture
def vectors_files(tmp_path):
    """A good model file, text and binary word2vec files of 6 words in 4 dimensions."""
    rng = np.random.default_rng(0)
    emb = Embeddings(WORDS, rng.standard_normal((len(WORDS), 4)).astype(np.float32))
    emb.save(tmp_path / "good.ws")
    emb.save_word2vec_format(tmp_path / "good.txt")
    emb.save_word2vec_format(tmp_path / "good.bin", binary=True)
    return tmp_path


# -- corpora --------------------------------------------------------------------------------------
def test_missing_corpus(tmp_path):
    assert_user_error(run("vocab", tmp_path / "absent.txt"), "does not exist", "absent.txt")
    assert_user_error(run("train", tmp_path / "absent.txt", "-o", tmp_path / "m.ws"),
                      "does not exist")


def test_folder_without_text_files(tmp_path):
    (tmp_path / "empty").mkdir()
    assert_user_error(run("vocab", tmp_path / "empty"), "contains no text files")
    (tmp_path / "binary").mkdir()
    (tmp_path / "binary" / "picture.png").write_bytes(png_bytes())
    assert_user_error(run("vocab", tmp_path / "binary"), "no text files", "1 binary file skipped")


def test_folder_of_binary_files_is_one_line_in_a_real_process(tmp_path):
    (tmp_path / "picture.png").write_bytes(png_bytes())
    (tmp_path / "ls").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(200))
    done = subprocess.run([sys.executable, "-m", "wordspace", "vocab", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"wordspace: error: folder {tmp_path} contains no text files (2 binary files skipped)"]


def test_empty_file(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    assert_user_error(run("vocab", tmp_path / "empty.txt"), "contains no tokens")
    (tmp_path / "blank.txt").write_text("\n \n\t\n-- !!\n")
    assert_user_error(run("vocab", tmp_path / "blank.txt"), "contains no tokens")
    assert_user_error(run("train", tmp_path / "empty.txt", "--method", "lsa", "-o",
                          tmp_path / "m.ws"), "no tokens")
    assert not (tmp_path / "m.ws").exists()


@pytest.mark.parametrize("name", ["picture.png", "program", "picture.txt.gz"])
def test_binary_file(tmp_path, name):
    data = png_bytes() if name != "program" else b"\x7fELF\x02\x01\x01\x00" + bytes(500)
    if name.endswith(".gz"):
        import gzip

        data = gzip.compress(data)
    (tmp_path / name).write_bytes(data)
    assert_user_error(run("vocab", tmp_path / name), "binary file", name)
    with pytest.raises(CorpusError, match="binary"):
        Corpus(tmp_path / name)


def test_corrupt_gzip_is_a_corpus_error(tmp_path):
    (tmp_path / "broken.txt.gz").write_bytes(b"\x1f\x8b\x08\x00" + os.urandom(64))
    assert_user_error(run("vocab", tmp_path / "broken.txt.gz"), "cannot read", "broken.txt.gz")


def test_invalid_utf8_is_replaced_and_counted(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("caf\xe9 cr\xe8me\nplain words here\nna\xefve\n".encode("latin-1"))
    result = run("vocab", path, "--json", "--encoding", "utf-8")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["documents"] == 3
    tokens = {token for token, _ in summary["top"]}
    assert {"plain", "words", "here", "caf", "cr", "me", "na", "ve"} <= tokens
    assert not any("\ufffd" in token for token in tokens)
    corpus = Corpus(path, encoding="utf-8")
    list(corpus)
    assert corpus.n_decode_errors == 2
    with pytest.raises(CorpusError, match="latin1.txt.*invalid utf-8"):
        list(Corpus(path, encoding="utf-8", errors="strict"))
    # the count reaches the user as a warning in a real process
    done = subprocess.run([sys.executable, "-m", "wordspace", "vocab", str(path), "--encoding",
                           "utf-8"], capture_output=True, text=True)
    assert done.returncode == 0 and "2 lines had invalid utf-8 bytes" in done.stderr


def test_text_in_other_encodings_is_read_as_written(tmp_path):
    text = "café crème naïve\nplain words here\n"
    expected = {"café", "crème", "naïve", "plain", "words", "here"}
    files = {"latin1.txt": text.encode("latin-1"), "utf16.txt": text.encode("utf-16"),
             "utf16be.txt": codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
             "utf8bom.txt": codecs.BOM_UTF8 + text.encode("utf-8"),
             "utf32.txt": text.encode("utf-32"), "utf8.txt": text.encode("utf-8")}
    for name, raw in files.items():
        (tmp_path / name).write_bytes(raw)
        result = run("vocab", tmp_path / name, "--json", "--top", "10")
        assert result.exit_code == 0, (name, result.output)
        assert {token for token, _ in json.loads(result.stdout)["top"]} == expected, name
    # the guess reaches the user as a warning in a real process
    done = subprocess.run([sys.executable, "-m", "wordspace", "vocab",
                           str(tmp_path / "latin1.txt")], capture_output=True, text=True)
    assert done.returncode == 0 and "latin1.txt is not UTF-8 text" in done.stderr
    assert "--encoding" in done.stderr
    # encoding= and --encoding are honoured, BOM or not
    (tmp_path / "nobom.txt").write_bytes(text.encode("utf-16-le"))
    assert_user_error(run("vocab", tmp_path / "nobom.txt"), "binary")
    for encoding in ("utf-16-le", "utf-16le"):
        assert {t for d in Corpus(tmp_path / "nobom.txt", encoding=encoding) for t in d} == \
            expected
    result = run("vocab", tmp_path / "nobom.txt", "--encoding", "utf-16-le", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["vocabulary"] == 6
    assert {t for d in Corpus(tmp_path / "utf16.txt", encoding="utf-16") for t in d} == expected
    model = tmp_path / "m.ws"
    result = run("train", tmp_path / "nobom.txt", "--method", "lsa", "--dim", "1", "--min-count",
                 "1", "--encoding", "utf-16-le", "-o", model)
    assert result.exit_code == 0, result.output
    assert "café" in load_vectors(model)
    assert_usage_error(run("vocab", tmp_path / "utf8.txt", "--encoding", "klingon"), "klingon")
    with pytest.raises(ParameterError, match="unknown encoding 'klingon'"):
        Corpus(tmp_path / "utf8.txt", encoding="klingon")


def test_one_huge_line_is_cut_at_whitespace_in_bounded_memory(tmp_path):
    rng = np.random.default_rng(1)
    words = np.array([f"w{i}" for i in range(2000)])
    chosen = words[rng.integers(0, len(words), 600_000)]
    path = tmp_path / "one-line.txt"
    path.write_text(" ".join(chosen))  # ~3.5 MB, no newline at all
    max_chars = 1 << 16
    tracemalloc.start()
    try:
        lengths, n_tokens, first = [], 0, None
        for text in Corpus(path, max_chars=max_chars).texts():
            lengths.append(len(text))
            tokens = text.split()
            n_tokens += len(tokens)
            first = first or tokens[:3]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert max(lengths) <= max_chars and len(lengths) >= path.stat().st_size // max_chars
    assert n_tokens == len(chosen) and first == list(chosen[:3])  # cut at spaces: nothing lost
    assert peak < 8 * max_chars * 4 + (2 << 20), peak  # a few pieces, never the whole line
    vocab = Vocabulary.build(Corpus(path, max_chars=max_chars))
    assert vocab.n_raw_tokens == len(chosen)
    assert vocab.n_documents == len(lengths)
    result = run("vocab", path, "--json")  # the CLI's default cut (16 Mi characters)
    assert result.exit_code == 0 and json.loads(result.stdout)["tokens"] == len(chosen)


# -- word2vec vectors files -----------------------------------------------------------------------
TEXT_CASES = {
    "more rows": (b"2 3\na 1 2 3\nb 1 2 3\nc 1 2 3\n", "announces 2 rows but the file holds more"),
    "fewer rows": (b"3 3\na 1 2 3\nb 1 2 3\n", "after 2 whole rows"),
    "short row": (b"3 3\na 1 2 3\nb 1 2\nc 1 2 3\n", "row 2 (line 3): 2 values"),
    "long row": (b"3 3\na 1 2 3\nb 1 2 3 4\nc 1 2 3\n", "row 2 (line 3): more than the 3"),
    "nan": (b"2 3\na 1 2 3\nb 1 nan 3\n", "row 2 (line 3): value 2 is NaN or infinite"),
    "inf": (b"2 3\na -inf 2 3\nb 1 2 3\n", "row 1 (line 2): value 1 is NaN or infinite"),
    "not a number": (b"2 3\na 1 2 3\nb 1 2 x\n", "value 3 is not a number"),
    "no header": (b"a 1 2 3\nb 1 2 3\n", "header must be two integers"),
    "plain text": (b"the king rules the land\n", "header must be two integers"),
}


@pytest.mark.parametrize("case", list(TEXT_CASES))
def test_bad_word2vec_text_file(tmp_path, case):
    content, message = TEXT_CASES[case]
    path = tmp_path / "bad.vec"
    path.write_bytes(content)
    for command in (["info", path], ["neighbors", path, "a"], ["convert", path,
                                                                tmp_path / "o.bin",
                                                                "--format", "word2vec-binary"]):
        assert_user_error(run(*command), message)
    assert not (tmp_path / "o.bin").exists()
    with pytest.raises(ModelFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_word2vec_format(path)


def test_extra_rows_are_fine_with_a_limit(tmp_path):
    path = tmp_path / "more.vec"
    path.write_bytes(TEXT_CASES["more rows"][0])
    assert load_word2vec_format(path, limit=2).tokens == ["a", "b"]
    assert load_word2vec_format(path, limit=1).tokens == ["a"]


def test_truncated_and_overlong_binary_word2vec(vectors_files):
    data = (vectors_files / "good.bin").read_bytes()
    truncated = vectors_files / "truncated.bin"
    truncated.write_bytes(data[:-7])
    assert_user_error(run("info", truncated), "announces 6 rows", "truncated")
    longer = vectors_files / "longer.bin"
    longer.write_bytes(data.replace(b"6 4", b"5 4", 1))
    assert_user_error(run("neighbors", longer, "king"), "announces 5 rows but the file holds more")
    assert len(load_word2vec_format(longer, limit=5)) == 5
    nan = vectors_files / "nan.bin"
    start = data.index(b"queen ") + len(b"queen ")
    nan.write_bytes(data[:start] + np.float32(np.nan).tobytes() + data[start + 4:])
    assert_user_error(run("info", nan), "row 2", "NaN")


@pytest.mark.parametrize("raw", [b"    ", b"1 2 ", b"abcd", b" 1 x"])
def test_binary_rows_that_look_like_text_are_still_binary(tmp_path, raw):
    # float32 values whose 4 bytes are printable characters (found by the round-trip property)
    vector = np.frombuffer(raw, dtype=np.float32).reshape(1, 1)
    Embeddings(["tok"], vector).save_word2vec_format(tmp_path / "v.bin", binary=True)
    assert load_word2vec_format(tmp_path / "v.bin").vectors.tobytes() == raw


def test_good_files_still_load(vectors_files):
    for name in ("good.ws", "good.txt", "good.bin"):
        result = run("info", vectors_files / name, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["vocabulary"] == len(WORDS)


# -- wordspace model files ------------------------------------------------------------------------
def _rezip(source, target, header_change=None, drop=()):
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            if name in drop:
                continue
            data = old.read(name)
            if name == "header.json" and header_change:
                header = json.loads(data)
                header.update(header_change)
                data = json.dumps(header).encode()
            new.writestr(name, data)


def test_corrupt_model_files(vectors_files):
    good = vectors_files / "good.ws"
    data = good.read_bytes()
    cases = {}
    (vectors_files / "truncated.ws").write_bytes(data[: len(data) // 2])
    cases["truncated.ws"] = "truncated"
    (vectors_files / "random.ws").write_bytes(np.random.default_rng(0).bytes(5000))
    cases["random.ws"] = "not a wordspace model file"
    _rezip(good, vectors_files / "noheader.ws", drop=("header.json",))
    cases["noheader.ws"] = "no header.json"
    _rezip(good, vectors_files / "future.ws", header_change={"format_version": 99})
    cases["future.ws"] = "newer wordspace (format version 99"
    _rezip(good, vectors_files / "noarray.ws", drop=("vectors.npy",))
    cases["noarray.ws"] = "'vectors' is missing"
    _rezip(good, vectors_files / "alien.ws", header_change={"format": "other"})
    cases["alien.ws"] = "not a wordspace model file"
    for name, message in cases.items():
        path = vectors_files / name
        for command in (["info", path], ["neighbors", path, "king"],
                        ["analogy", path, "man", "king", "woman"]):
            assert_user_error(run(*command), message, name)
        with pytest.raises(ModelFormatError, match=message.replace("(", r"\(")):
            load(path)


def test_truncated_array_inside_a_whole_zip(vectors_files):
    good = vectors_files / "good.ws"
    with zipfile.ZipFile(good) as old, zipfile.ZipFile(vectors_files / "short.ws", "w") as new:
        for name in old.namelist():
            data = old.read(name)
            new.writestr(name, data[:-8] if name == "vectors.npy" else data)
    assert_user_error(run("neighbors", vectors_files / "short.ws", "king"), "truncated")


def test_all_stopwords_says_so(tmp_path):
    path = tmp_path / "stop.txt"
    path.write_text("the a of\nand the\n")
    assert_user_error(run("vocab", path, "--stopwords", "english"), "every token", "stopword")
    with pytest.raises(CorpusError, match="every token .* is a stopword"):
        Vocabulary.build(Corpus(path), stopwords="english")
    assert_user_error(run("vocab", path, "--min-count", "10"), "lower min_count")


# -- evaluation files -----------------------------------------------------------------------------
def test_bad_evaluation_files(vectors_files):
    model = vectors_files / "good.ws"
    (vectors_files / "picture.png").write_bytes(png_bytes())
    (vectors_files / "nopairs.tsv").write_text("king queen\n# a comment\n")
    for option in ("--pairs", "--analogies"):
        assert_user_error(run("evaluate", model, option, vectors_files / "picture.png"),
                          "picture.png, line 1: not UTF-8 text")
        assert_user_error(run("evaluate", model, option, vectors_files / "absent.tsv"),
                          "does not exist")
    assert_user_error(run("evaluate", model, "--pairs", vectors_files / "nopairs.tsv"),
                      "holds no word pairs")
    assert_user_error(run("evaluate", model, "--analogies", vectors_files / "nopairs.tsv"),
                      "holds no analogy questions")
    # a readable file whose words are all unknown is a score of nothing, not an error
    (vectors_files / "oov.tsv").write_text("zebra yak 3.5\n")
    result = run("evaluate", model, "--pairs", vectors_files / "oov.tsv", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["coverage"] == 0.0


# -- queries --------------------------------------------------------------------------------------
def test_unknown_words_are_named_with_suggestions(vectors_files):
    model = vectors_files / "good.ws"
    assert_user_error(run("neighbors", model, "kingg"), "'kingg'", "did you mean: king")
    assert_user_error(run("neighbors", model, "king", "--negative", "queeen"), "'queeen'",
                      "queen")
    assert_user_error(run("analogy", model, "man", "king", "womann"), "'womann'", "woman")
    assert_user_error(run("analogy", vectors_files / "good.bin", "zzz", "king", "woman"),
                      "'zzz' is not in the vocabulary")
    with pytest.raises(UnknownWordError) as caught:
        load(model).most_similar("princes")
    assert isinstance(caught.value, KeyError) and caught.value.word == "princes"
    assert caught.value.suggestions[0] in ("prince", "princess")


# -- parameters -----------------------------------------------------------------------------------
@pytest.mark.parametrize("args,option", [
    (["--dim", "0"], "--dim"), (["--epochs", "-1"], "--epochs"), (["--method", "foo"], "--method"),
    (["--window", "0"], "--window"), (["--sample", "-1"], "--sample"),
    (["--negative", "0"], "--negative"), (["--min-count", "0"], "--min-count"),
    (["--alpha", "0"], "--alpha"), (["--masks", "0"], "--masks"),
    (["--method", "word2vec", "--weighting", "tfidf"], "--weighting does not apply"),
    (["--method", "lsa", "--epochs", "3", "--loss", "softmax"], "--epochs, --loss do not apply"),
    (["--method", "autoencoder", "--window", "5"], "--window does not apply"),
])
def test_nonsense_parameters_are_bad_usage(tmp_path, args, option):
    corpus = tmp_path / "tiny.txt"
    corpus.write_text(TINY)
    assert_usage_error(run("train", corpus, *args, "-o", tmp_path / "m.ws"), option)
    assert not (tmp_path / "m.ws").exists()


@pytest.mark.parametrize("args,message", [
    (["--weighting", "foo"], "weighting must be one of"),
    (["--granularity", "window"], "needs window"),
    (["--dim", "500"], "n_components=500"),
    (["--min-count", "1000"], "lower min_count"),
    (["--stopwords", "/no/such/list.txt"], "does not exist"),
])
def test_nonsense_values_for_the_model_are_user_errors(tmp_path, args, message):
    corpus = tmp_path / "tiny.txt"
    corpus.write_text(TINY)
    assert_user_error(run("train", corpus, "--method", "lsa", *args, "-o", tmp_path / "m.ws"),
                      message)


def test_query_options_are_checked(vectors_files):
    model = vectors_files / "good.ws"
    assert_usage_error(run("neighbors", model, "king", "--topn", "0"), "--topn")
    assert_usage_error(run("neighbors", model, "king", "--metric", "l1"), "--metric")
    assert_usage_error(run("analogy", model, "man", "king"), "Missing argument")
    assert_usage_error(run("convert", model, vectors_files / "x", "--format", "csv"), "--format")


# -- output files ---------------------------------------------------------------------------------
def test_output_in_a_missing_folder(vectors_files):
    corpus = vectors_files / "tiny.txt"
    corpus.write_text(TINY)
    missing = vectors_files / "no" / "such" / "folder"
    assert_user_error(run("train", corpus, "--method", "lsa", "-o", missing / "m.ws"),
                      "does not exist", "folder")
    assert_user_error(run("convert", vectors_files / "good.ws", missing / "v.txt", "--format",
                          "word2vec"), "does not exist")
    assert_user_error(run("plot", vectors_files / "good.ws", "--words", "king,queen", "-o",
                          missing / "p.png"), "does not exist")
    # a file used as a folder
    assert_user_error(run("convert", vectors_files / "good.ws", corpus / "v.txt", "--format",
                          "npz"), "does not exist")


def test_output_that_cannot_be_written(vectors_files):
    model = vectors_files / "good.ws"
    folder = vectors_files / "afolder"
    folder.mkdir()
    assert_user_error(run("convert", model, folder, "--format", "word2vec"), "not a file name")
    assert_user_error(run("convert", model, "", "--format", "npz"), "not a file name")
    assert list(folder.iterdir()) == []
    if os.path.exists("/dev/full"):  # a device is written to, never replaced by a file
        assert_user_error(run("convert", model, "/dev/full", "--format", "word2vec"),
                          "No space left on device", "/dev/full")
        assert not os.path.isfile("/dev/full")
    result = run("convert", model, os.devnull, "--format", "word2vec-binary")
    assert result.exit_code == 0 and not os.path.isfile(os.devnull)
    if os.geteuid() != 0:  # root writes anywhere
        locked = vectors_files / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        try:
            assert_user_error(run("convert", model, locked / "v.txt", "--format", "word2vec"),
                              "cannot write", "v.txt")
        finally:
            locked.chmod(0o755)


def test_train_replaces_an_existing_model_atomically(tmp_path, monkeypatch):
    corpus = tmp_path / "tiny.txt"
    corpus.write_text(TINY)
    model = tmp_path / "m.ws"
    result = run("train", corpus, "--method", "lsa", "--dim", "2", "--min-count", "1", "-o",
                 model)
    assert result.exit_code == 0, result.output
    before = model.read_bytes()
    calls = []
    real = np.lib.format.write_array

    def fail_midway(member, array, **kwargs):  # the disk fills after the first array
        calls.append(1)
        if len(calls) > 1:
            member.write(b"\x00" * 100)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(member, array, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", fail_midway)
    result = run("train", corpus, "--method", "lsa", "--dim", "3", "--min-count", "1", "-o",
                 model)
    assert_user_error(result, "No space left on device", "m.ws")
    assert len(calls) == 2
    assert model.read_bytes() == before  # the old model, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.ws", "tiny.txt"]  # no temp file
    monkeypatch.undo()
    result = run("train", corpus, "--method", "lsa", "--dim", "3", "--min-count", "1", "-o",
                 model)
    assert result.exit_code == 0
    assert load_vectors(model).dim == 3  # and a good write does replace it


# -- the Python API -------------------------------------------------------------------------------
def test_python_api_errors_are_wordspace_errors(tmp_path):
    checks = [
        (lambda: Corpus(tmp_path / "absent.txt"), CorpusError, "does not exist"),
        (lambda: Corpus(b"bytes"), CorpusError, "not bytes"),
        (lambda: Corpus(42), CorpusError, "int"),
        (lambda: Corpus(["a"], granularity="sentence"), ParameterError, "granularity"),
        (lambda: Corpus(["a"], granularity="window", window=0), ParameterError, "window"),
        (lambda: Vocabulary.build(Corpus(["", "  "])), CorpusError, "no tokens"),
        (lambda: Vocabulary.build(Corpus(["a b"]), min_count=0), ParameterError, "min_count"),
        (lambda: Vocabulary.build(Corpus([1, 2])), CorpusError, "string or a list"),
        (lambda: Embeddings(["a", "a"], np.eye(2)), ParameterError, "twice"),
        (lambda: Embeddings(["a"], np.eye(2)), ParameterError, "1 tokens but 2 vectors"),
        (lambda: LSA(n_components=0).fit(["a b c", "b c d"]), ParameterError, "n_components"),
        (lambda: LSA().transform(["a b"]), NotFittedError, "not fitted"),
        (lambda: LSA().save(tmp_path / "x.ws"), NotFittedError, "not fitted"),
        (lambda: LinearAutoencoder(epochs=-1).fit(["a b c"]), ParameterError, "epochs"),
        (lambda: LinearAutoencoder().transform(["a"]), NotFittedError, "not fitted"),
        (lambda: load(tmp_path / "absent.ws"), ModelFormatError, "does not exist"),
    ]
    for call, kind, message in checks:
        with pytest.raises(kind, match=message) as caught:
            call()
        assert isinstance(caught.value, WordspaceError)
        assert "\n" not in str(caught.value)
    # parameter errors are ValueErrors too, unknown words KeyErrors, not-fitted AttributeErrors
    assert issubclass(ParameterError, ValueError) and issubclass(UnknownWordError, KeyError)
    assert issubclass(NotFittedError, AttributeError)
    emb = Embeddings(WORDS, np.eye(len(WORDS), dtype=np.float32))
    with pytest.raises(ParameterError, match="metric"):
        emb.most_similar("king", metric="l2")
    with pytest.raises(ParameterError, match="method"):
        emb.analogy("man", "king", "woman", method="3cos")
    one_shot = Corpus(doc for doc in ["a b", "c d"])
    list(one_shot)
    with pytest.raises(CorpusError, match="one-shot"):
        list(one_shot)


def test_word2vec_parameters_are_checked_before_training():
    from wordspace import Word2Vec

    for params, name in [({"vector_size": 0}, "vector_size"), ({"window": 0}, "window"),
                         ({"negative": 0}, "negative"), ({"sample": -1}, "sample"),
                         ({"loss": "foo"}, "loss"), ({"epochs": 0}, "epochs")]:
        with pytest.raises(ParameterError, match=name):
            Word2Vec(**params).fit(["a b c d"] * 10)
    with pytest.raises(NotFittedError):
        _ = Word2Vec().wv


def test_lsa_on_stopwords_only_names_the_stopwords(tmp_path):
    from click.testing import CliRunner

    from wordspace.cli import cli

    corpus = tmp_path / "stop.txt"
    corpus.write_text("a a a a\nthe a\n")
    result = CliRunner().invoke(cli, ["train", str(corpus), "--method", "lsa", "--min-count", "1",
                                      "-o", str(tmp_path / "m.ws")])
    assert result.exit_code == 1
    assert "stopword" in result.output and "Traceback" not in result.output


# -- issue 14: a new user's first hour -----------------------------------------------------------
def test_a_diverging_autoencoder_stops_with_one_line_and_writes_nothing(tmp_path):
    import warnings

    corpus = tmp_path / "tiny.txt"
    corpus.write_text(TINY)
    model = tmp_path / "m.ws"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run("train", corpus, "--method", "autoencoder", "--dim", "2", "--min-count", "1",
                     "--alpha", "1e12", "-o", model)
    assert_user_error(result, "diverged", "learning_rate=1e+12", "--alpha")
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)], caught
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.txt"]
    from wordspace.errors import TrainingError

    for optimizer in ("adam", "sgd", "momentum"):
        with pytest.raises(TrainingError, match="learning_rate=1e\\+12"):
            LinearAutoencoder(2, min_count=1, optimizer=optimizer, learning_rate=1e12,
                              epochs=3).fit(TINY.splitlines())
    # a sane rate still trains
    assert np.isfinite(LinearAutoencoder(2, min_count=1).fit(TINY.splitlines())
                       .loss_history_).all()


def _flip_a_byte_inside(path, member):
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    with open(path, "r+b") as handle:
        handle.seek(info.header_offset + 26)
        name_len, extra_len = struct.unpack("<HH", handle.read(4))
        data = info.header_offset + 30 + name_len + extra_len
        handle.seek(data + info.file_size - 3)  # inside the array, past the npy header
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0x10]))


def test_flipped_bytes_inside_an_array_are_caught_at_load(vectors_files, tmp_path):
    corpus = tmp_path / "tiny.txt"
    corpus.write_text(TINY)
    model = tmp_path / "lsa.ws"
    assert run("train", corpus, "--method", "lsa", "--dim", "2", "--min-count", "1",
               "--stopwords", "none", "-o", model).exit_code == 0
    for path, member in ((vectors_files / "good.ws", "vectors.npy"), (model, "components.npy")):
        assert run("neighbors", path, "king" if "good" in path.name else "the").exit_code == 0
        _flip_a_byte_inside(path, member)
        assert_user_error(run("neighbors", path, "king"), "damaged", member[:-4])
        assert_user_error(run("info", path), "damaged")
        for mmap in (True, False):
            with pytest.raises(ModelFormatError, match="damaged|CRC"):
                load(path, mmap=mmap)


def test_written_files_honour_the_umask(vectors_files):
    old = os.umask(0o022)
    try:
        for umask, mode in ((0o022, 0o644), (0o077, 0o600), (0o002, 0o664)):
            os.umask(umask)
            out = vectors_files / f"v{umask:o}.txt"
            assert run("convert", vectors_files / "good.ws", out, "--format",
                       "word2vec").exit_code == 0
            assert out.stat().st_mode & 0o777 == mode
    finally:
        os.umask(old)


_HALF_WRITTEN = """
import sys, time
from wordspace._store import atomic_write
with atomic_write(sys.argv[1]) as handle:
    handle.write(b"x" * 100000)
    handle.flush()
    print("writing", flush=True)
    time.sleep(60)
"""


def test_temporaries_of_a_writer_killed_by_sigkill_are_removed_by_the_next_write(
        vectors_files):
    import signal

    folder = vectors_files / "out"
    folder.mkdir()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    writers = [subprocess.Popen([sys.executable, "-c", _HALF_WRITTEN, str(folder / name)],
                                stdout=subprocess.PIPE, env=env) for name in ("a.ws", "b.ws")]
    try:
        for writer in writers:
            assert writer.stdout.readline() == b"writing\n"
        killed, alive = writers
        killed.send_signal(signal.SIGKILL)
        killed.wait(10)
        temporaries = sorted(p.name for p in folder.iterdir())
        assert len(temporaries) == 2 and all(n.endswith(".tmp") for n in temporaries)
        assert run("convert", vectors_files / "good.ws", folder / "v.txt", "--format",
                   "word2vec").exit_code == 0
        left = sorted(p.name for p in folder.iterdir())
        # the dead writer's temporary is gone; the live writer's is not touched
        assert len(left) == 2 and "v.txt" in left
        assert [n for n in left if n.startswith(".a.ws.")] == []
        assert [n for n in left if n.startswith(".b.ws.")]
    finally:
        for writer in writers:
            writer.kill()
            writer.wait(10)
            writer.stdout.close()


def test_evaluate_counts_and_reports_malformed_lines(vectors_files):
    model = vectors_files / "good.ws"
    pairs = vectors_files / "mostly-bad.tsv"
    pairs.write_text("king queen 9\nman woman 8\nking man 2\n" + "bad\nx y\nz,z,1\n" * 10)
    questions = vectors_files / "mostly-bad.txt"
    questions.write_text(": s\nman king woman queen\n" + "x y\n1,2,3,4\n" * 5)
    result = run("evaluate", model, "--pairs", pairs, "--analogies", questions, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["skipped_lines"] for row in rows] == [30, 10]
    assert "mostly-bad: 30 malformed lines skipped" in result.stderr
    assert "mostly-bad: 10 malformed lines skipped" in result.stderr
    # nothing well formed at all: an error that says so
    (vectors_files / "all-bad.tsv").write_text("x y\nfoo\n")
    assert_user_error(run("evaluate", model, "--pairs", vectors_files / "all-bad.tsv"),
                      "holds no word pairs", "2 malformed lines")
    # questions none of which the model can answer: no score, not an accuracy of 0
    (vectors_files / "oov.txt").write_text(": s\nzz yy xx ww\n")
    result = run("evaluate", model, "--analogies", vectors_files / "oov.txt", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["score"] is None


def test_plot_bad_requests_are_one_line(vectors_files):
    model = vectors_files / "good.ws"
    out = vectors_files / "p.png"
    assert_user_error(run("plot", model, "--words", "xyzzy,qqqq", "--skip-unknown", "-o", out),
                      "none of the 2 word(s) is in the vocabulary", "xyzzy")
    result = run("plot", model, "--words", "king,queen,xyzzy", "--skip-unknown", "-o", out)
    assert result.exit_code == 0 and "drew 2 words" in result.stdout
    assert_user_error(run("plot", model, "--words", "king,queen", "--dpi", "100000", "-o", out),
                      "dpi 100000", "65,536 pixels")
    assert "--dim" not in run("plot", model, "--words", "king,queen", "--dpi", "100000", "-o",
                              out).stderr


def test_an_empty_labels_file_holds_no_labels(tmp_path):
    from wordspace.plot import read_labels

    corpus = tmp_path / "docs.txt"
    corpus.write_text("cats purr and meow\ndogs bark and growl\n" * 3)
    labels = tmp_path / "labels.txt"
    labels.write_text("")
    assert read_labels(labels) == []
    model = tmp_path / "lsa.ws"
    assert run("train", corpus, "--method", "lsa", "--dim", "2", "--min-count", "1", "-o",
               model).exit_code == 0
    assert_user_error(run("plot", model, "--documents", corpus, "--labels", labels, "-o",
                          tmp_path / "d.png"), "6 documents but 0 labels")


def test_a_binary_file_as_stopwords_is_refused(tmp_path):
    corpus = tmp_path / "tiny.txt"
    corpus.write_text(TINY)
    for name in ("python", "vocab"):
        binary = tmp_path / name
        binary.write_bytes(open(sys.executable, "rb").read(20000) if name == "python"
                           else b"caf\xe9 \xff\xfe\n" * 10)
        for command in (("vocab", corpus, "--stopwords", binary),
                        ("train", corpus, "--method", "lsa", "--stopwords", binary, "-o",
                         tmp_path / "m.ws")):
            assert_user_error(run(*command), "stopwords file", str(binary))


def test_an_unwritable_output_is_reported_before_training(tmp_path, monkeypatch):
    corpus = tmp_path / "tiny.txt"
    corpus.write_text(TINY)

    def no_training(*args, **kwargs):
        raise AssertionError("trained although the output cannot be written")

    monkeypatch.setattr(LSA, "fit", no_training)
    real_statvfs = os.statvfs

    class Full:
        def __init__(self, path):
            self.f_blocks, self.f_bavail = real_statvfs(path).f_blocks, 0

    monkeypatch.setattr(os, "statvfs", Full)
    assert_user_error(run("train", corpus, "--method", "lsa", "-o", tmp_path / "m.ws"),
                      "no space left", "m.ws")
    monkeypatch.setattr(os, "statvfs", real_statvfs)
    import tempfile

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    with monkeypatch.context() as patch:
        patch.setattr(tempfile, "mkstemp", read_only)
        assert_user_error(run("train", corpus, "--method", "lsa", "-o", tmp_path / "m.ws"),
                          "cannot write", "Read-only file system")
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        try:
            assert_user_error(run("train", corpus, "--method", "lsa", "-o", locked / "m.ws"),
                              "cannot write", "Permission denied")
        finally:
            locked.chmod(0o755)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "locked") == ["tiny.txt"]


_INTERRUPTED_AFTER_SAVE = """
import os, signal, sys
from wordspace.cli import main
from wordspace.models.lsa import LSA

real_save = LSA.save


def save_then_interrupt(self, path):
    real_save(self, path)
    os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C just after the file is whole


LSA.save = save_then_interrupt
main(sys.argv[1:])
"""


def test_sigint_after_the_save_completed_exits_0(tmp_path):
    corpus = tmp_path / "tiny.txt"
    corpus.write_text(TINY)
    model = tmp_path / "m.ws"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    done = subprocess.run([sys.executable, "-c", _INTERRUPTED_AFTER_SAVE, "train", str(corpus),
                           "--method", "lsa", "--dim", "2", "--min-count", "1", "-o",
                           str(model)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "interrupted after" in done.stderr and "Traceback" not in done.stderr
    assert load(model).components_.shape[0] == 2
