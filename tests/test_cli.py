"""The command line: exit codes, one-line errors, and the commands of the foundation."""

import gzip
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from wordspace.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


def test_vocab_on_the_embedded_corpus_as_json():
    result = run("vocab", "brown", "--min-count", 5, "--top", 3, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["documents"] == 500
    assert summary["tokens"] > 1_000_000
    assert [token for token, _ in summary["top"]] == ["the", "of", "and"]
    assert 0.9 < summary["coverage"] < 1.0


def test_vocab_reads_gzip_files(tmp_path):
    path = tmp_path / "tiny.txt.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("a b a\nc a\n")
    result = run("vocab", path)
    assert result.exit_code == 0
    assert "vocabulary  3" in result.output and "a (3)" in result.output


@pytest.mark.parametrize("args,message", [
    (["vocab", "/no/such/file.txt"], "does not exist"),
    (["vocab", "EMPTY"], "contains no tokens"),
    (["vocab", "BINARY"], "binary"),
    (["vocab", "EMPTY", "--stopwords", "/no/list.txt"], "stopwords"),
])
def test_user_errors_are_one_line_and_exit_1(tmp_path, args, message):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "data.bin").write_bytes(b"\x00\x01\x02" * 100)
    args = [str(tmp_path / "empty.txt") if a == "EMPTY" else
            str(tmp_path / "data.bin") if a == "BINARY" else a for a in args]
    result = run(*args)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wordspace: error: ")
    assert message in lines[0]
    assert "Traceback" not in result.output


def test_bad_usage_exits_2():
    assert run("vocab").exit_code == 2
    assert run("vocab", "brown", "--min-count", "0").exit_code == 2
    assert run("no-such-command").exit_code == 2


@pytest.mark.parametrize("command", ["vocab", "train", "neighbors", "analogy", "info", "convert"])
def test_every_help_ends_with_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    tail = result.output.strip().splitlines()[-2:]
    assert any(line.strip().startswith("wordspace ") for line in tail), result.output


def test_runs_as_a_module():
    completed = subprocess.run([sys.executable, "-m", "wordspace", "--help"], capture_output=True,
                               text=True, check=True)
    assert "Learn and query" in completed.stdout


def test_evaluate_without_data_uses_the_sets_shipped_in_the_package(tmp_path, monkeypatch):
    import numpy as np

    from wordspace import Embeddings

    words = ["king", "queen", "man", "woman", "tiger", "cat", "old", "new", "athens", "greece",
             "baghdad", "iraq"]
    Embeddings(words, np.random.default_rng(0).standard_normal((len(words), 5))).save(
        tmp_path / "m.ws")
    monkeypatch.delenv("WORDSPACE_DATA", raising=False)
    monkeypatch.chdir(tmp_path)  # nothing to find around us
    result = CliRunner().invoke(cli, ["evaluate", "m.ws", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["set"]: row for row in json.loads(result.stdout)}
    assert set(rows) == {"ws353", "simlex999", "google_analogies"}
    assert all(0 < row["coverage"] < 1 for row in rows.values())


def test_neighbors_of_several_words_are_one_headed_list_each(tmp_path):
    import numpy as np

    from wordspace import Embeddings

    words = ["king", "queen", "man", "woman", "apple", "pear"]
    vectors = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0.1, 0.9, 0], [0, 0, 1],
                        [0, 0.1, 0.9]])
    Embeddings(words, vectors).save(tmp_path / "m.ws")
    result = run("neighbors", tmp_path / "m.ws", "king", "apple", "--topn", 1)
    assert result.exit_code == 0, result.output
    blocks = result.stdout.strip().split("\n\n")
    assert [block.splitlines()[0] for block in blocks] == ["king:", "apple:"]
    assert [block.splitlines()[1].split()[1] for block in blocks] == ["queen", "pear"]
    # the sum stays available
    result = run("neighbors", tmp_path / "m.ws", "king", "man", "--topn", 2, "--sum")
    assert result.exit_code == 0 and ":" not in result.stdout
    assert {line.split()[1] for line in result.stdout.splitlines()} == {"queen", "woman"}
    # an unknown word fails before anything is printed
    result = run("neighbors", tmp_path / "m.ws", "king", "xyzzy")
    assert result.exit_code == 1 and result.stdout == ""
