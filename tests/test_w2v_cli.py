"""word2vec through the command line: a diverged run and out-of-bound settings."""

from __future__ import annotations

import logging
import warnings

import pytest
from click.testing import CliRunner
from test_word2vec import CORPUS

from wordspace.cli import cli


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "planted.txt"
    path.write_text("\n".join(" ".join(doc) for doc in CORPUS[:100]) + "\n")
    return path


def train(corpus, output, *options):
    args = ["train", corpus, "-o", output, "--dim", 8, "--min-count", 1, "--epochs", 1,
            "--workers", 1, *options]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy RuntimeWarning would fail the test
        return CliRunner().invoke(cli, list(map(str, args)))


@pytest.mark.parametrize("options", [("--alpha", "1e12"), ("--alpha", "1e12", "--loss",
                                     "hierarchical"), ("--alpha", "1e12", "--loss", "softmax")])
def test_a_diverged_run_stops_with_one_line_naming_the_learning_rate(corpus, tmp_path, options):
    output = tmp_path / "model.ws"
    result = train(corpus, output, *options)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wordspace: error: training diverged")
    assert "alpha=1e+12 is too large" in lines[0]
    assert not output.exists() and list(tmp_path.iterdir()) == [corpus]


def test_negatives_must_be_fewer_than_the_vocabulary(corpus, tmp_path):
    result = train(corpus, tmp_path / "model.ws", "--negative", 1_000_000)
    assert result.exit_code == 1
    assert result.output.strip() == ("wordspace: error: negative (1000000) must be smaller than "
                                     "the vocabulary (24 words)")
    assert not (tmp_path / "model.ws").exists()


def test_a_window_longer_than_every_document_is_clamped_with_a_warning(corpus, tmp_path, caplog):
    output = tmp_path / "model.ws"
    with caplog.at_level(logging.WARNING, logger="wordspace"):
        result = train(corpus, output, "--window", 1_000_000)
    assert result.exit_code == 0, result.output
    assert output.exists()
    assert ("window 1000000 is longer than the longest document (30 tokens): using window 29"
            in caplog.text)
