"""Tests of wordspace.lecture: every figure is made, its files are valid, its numbers are right.

One quick run of the whole lecture (smaller models, fewer epochs) is shared by the tests.
"""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
from click.testing import CliRunner

from wordspace.cli import cli
from wordspace.errors import ParameterError
from wordspace.lecture import FIGURES, _text_classifier, lecture
from wordspace.models import linalg

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lecture")
    report = lecture(folder, quick=True, seed=0)
    return folder, report, {entry["name"]: entry for entry in report["figures"]}


def _numbers(figures, name) -> dict:
    entry = figures[name]
    assert entry["status"] == "made", entry.get("reason")
    return entry["numbers"]


def test_every_figure_is_made_with_a_valid_png(run):
    folder, report, figures = run
    assert [entry["number"] for entry in report["figures"]] == [s.number for s in FIGURES]
    for spec in FIGURES:
        entry = figures[spec.name]
        if spec.name == "first_layer" and _text_classifier()[0] is None:
            assert entry["status"] == "skipped"
            assert "TextClassifier" in entry["reason"]
            assert "png" not in entry
            continue
        assert entry["status"] == "made", entry.get("reason")
        data = (folder / entry["png"]).read_bytes()
        assert data[:8] == PNG_MAGIC
        width, height = struct.unpack(">II", data[16:24])      # the IHDR chunk
        assert width >= 600 and height >= 400
        assert entry["caption"] and "\n" not in entry["caption"]


def test_pdf_and_json(run):
    folder, report, figures = run
    pdf = (folder / "lecture.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    made = sum(entry["status"] == "made" for entry in report["figures"])
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + \
        pdf.count(b"/Type /Page>") >= made + 1        # a cover page, then one per figure
    assert json.loads((folder / "lecture.json").read_text()) == json.loads(json.dumps(report))
    assert report["corpus"] == "brown (embedded)" and report["notes"] == []


def test_sgd_and_svd_agree_on_the_long_axis(run):
    numbers = _numbers(run[2], "autoencoder_1d")
    assert numbers["angle_degrees"] < 1.0
    w_sgd, w_svd = np.array(numbers["w_sgd"]), np.array(numbers["w_svd"])
    cosine = abs(w_sgd @ w_svd) / np.linalg.norm(w_sgd) / np.linalg.norm(w_svd)
    assert np.degrees(np.arccos(min(cosine, 1.0))) == pytest.approx(numbers["angle_degrees"],
                                                                    abs=1e-6)
    assert numbers["relative_excess"] < 1e-3


def test_equal_spread_gives_different_directions_with_equal_error(run):
    numbers = _numbers(run[2], "ambiguity")
    np.testing.assert_allclose(numbers["covariance"], 2.25 * np.eye(2), atol=1e-9)
    assert numbers["angle_range_degrees"] > 30
    assert numbers["error_spread_relative"] < 1e-4


def test_two_bases_of_the_best_plane(run):
    numbers = _numbers(run[2], "best_plane")
    assert numbers["relative_difference"] < 1e-6
    assert abs(numbers["error_basis1"] - numbers["error_basis2"]) < 1e-6 * numbers["error_basis1"]
    assert numbers["error_basis1"] == pytest.approx(numbers["eckart_young_optimum"], rel=1e-9)
    assert max(numbers["subspace_angles_degrees"]) < 1e-6
    W1, W2 = np.array(numbers["W1"]), np.array(numbers["W2"])
    V1, V2 = np.array(numbers["V1"]), np.array(numbers["V2"])
    # the two decoders span the same plane: each is the other times an invertible 2 x 2 matrix
    change, *_ = np.linalg.lstsq(W1, W2, rcond=None)
    np.testing.assert_allclose(W1 @ change, W2, atol=1e-10)
    assert abs(np.linalg.det(change)) > 0.1
    # an orthonormal basis: V = W^T is W^+; any basis: V = W^+ is its best encoder
    assert numbers["W1_transpose_is_pinv"] and numbers["V2_equals_A_V1"]
    np.testing.assert_allclose(linalg.best_encoder_for(W2), V2, atol=1e-10)
    np.testing.assert_allclose(W1.T, V1, atol=1e-12)
    assert numbers["error_W2_with_pinv"] < numbers["error_W2_with_transpose"]
    assert numbers["error_W2_with_pinv"] <= min(numbers["errors_W2_with_perturbed_pinv"])


def test_projection_formulas(run):
    numbers = _numbers(run[2], "projection")
    for panel in ("unit_y", "non_unit_y"):
        values = numbers[panel]
        x, y = np.array(values["x"]), np.array(values["y"])
        assert values["dot"] == pytest.approx(float(x @ y), abs=1e-12)
        np.testing.assert_allclose(values["projection"], (x @ y) / (y @ y) * y, atol=1e-12)
        assert values["residual_dot_y"] == pytest.approx(0.0, abs=1e-12)
        assert values["scalar_projection"] == pytest.approx((x @ y) / np.linalg.norm(y))
    unit = numbers["unit_y"]
    assert unit["norm_y"] == pytest.approx(1.0)
    np.testing.assert_allclose(unit["projection"], unit["dot"] * np.array(unit["y"]), atol=1e-12)
    assert numbers["non_unit_y"]["norm_y"] != pytest.approx(1.0)
    # the same x and direction: the shadow's length does not depend on |y|
    assert unit["scalar_projection"] == pytest.approx(numbers["non_unit_y"]["scalar_projection"])


def test_bag_of_words_numbers(run):
    numbers = _numbers(run[2], "bag_of_words")
    assert numbers["reconstruction_error"] == pytest.approx(
        numbers["reconstruction_error_linalg"], rel=1e-4, abs=1e-6)
    assert abs(numbers["pythagoras_gap"]) < 1e-4       # ||x - x_hat||^2 = ||x||^2 - ||u||^2
    assert len(numbers["x"]) == 2
    if numbers["fallback_reason"] is None:
        assert numbers["document"] == "cranberry melon"


def test_masked_token_probabilities(run):
    numbers = _numbers(run[2], "masked_token")
    probabilities = [p for _, p in numbers["top"]]
    assert len(probabilities) == 10
    assert probabilities == sorted(probabilities, reverse=True)
    assert sum(probabilities) <= 1.0 and min(probabilities) > 0
    assert numbers["total_probability"] == pytest.approx(1.0, abs=1e-6)
    assert numbers["context_used"]


def test_sgd_step_of_word2vec(run):
    numbers = _numbers(run[2], "sgd_step")
    assert numbers["step_is_minus_alpha_gradient"]
    assert numbers["probability_after"] > numbers["probability_before"]
    target = numbers["rows"][numbers["target"]]
    assert target["dot_after"] > target["dot_before"]
    assert len(numbers["rows"]) == 5


def test_first_layer(run):
    entry = run[2]["first_layer"]
    if _text_classifier()[0] is None:
        pytest.skip("wordspace.TextClassifier is not in this installation")
    numbers = _numbers(run[2], "first_layer")
    assert len(numbers["models"]) == 3
    for model in numbers["models"].values():
        assert 0.0 <= model["test_accuracy"] <= 1.0
        assert len(model["words"]) == len(model["xy"]) >= 6
    assert entry["png"] == "11-first-layer.png"


def test_document_map_and_capitals(run):
    documents = _numbers(run[2], "document_map")
    assert documents["documents"] == 500
    assert documents["knn5_accuracy"] > documents["majority_baseline"]
    capitals = _numbers(run[2], "capitals")
    assert len(capitals["pairs"]) >= 2
    assert set(map(tuple, capitals["mikolov_pairs_used"])) <= set(map(tuple, capitals["pairs"]))


def test_missing_corpus_falls_back_and_bad_names_fail(tmp_path):
    with pytest.warns(UserWarning, match="not found"):
        report = lecture(tmp_path / "out", corpus=tmp_path / "absent.txt.gz", quick=True,
                         only=["ambiguity"])
    assert report["corpus"] == "brown (embedded)" and "not found" in report["notes"][0]
    assert [entry["name"] for entry in report["figures"]] == ["ambiguity"]
    with pytest.raises(ParameterError, match="figure must be one of"):
        lecture(tmp_path / "out", only=["nonsense"])


def test_cli(tmp_path):
    result = CliRunner().invoke(cli, ["lecture", "-o", str(tmp_path / "cli"), "--quick",
                                      "--only", "best_plane,ambiguity"])
    assert result.exit_code == 0, result.output
    assert "05-best-plane.png" in result.output
    assert (tmp_path / "cli" / "lecture.pdf").is_file()
    bad = CliRunner().invoke(cli, ["lecture", "-o", str(tmp_path / "x"), "--only", "nope"])
    assert bad.exit_code == 1 and "figure must be one of" in bad.output
