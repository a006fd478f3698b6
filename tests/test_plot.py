"""Tests of wordspace.plot: coordinates, what the figures hold, and the image files they write."""

from __future__ import annotations

import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

import matplotlib.image
import numpy as np
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.quiver import Quiver
from matplotlib.text import Annotation, Text

from wordspace.errors import ParameterError, UnknownWordError
from wordspace.plot import (
    analogy_map,
    arrows,
    document_map,
    loss_curve,
    project,
    save_figure,
    svd_optimum,
    word_map,
)
from wordspace.vectors import Embeddings


def _match_up_to_sign(ours: np.ndarray, theirs: np.ndarray) -> None:
    for column in range(theirs.shape[1]):
        sign = np.sign(ours[:, column] @ theirs[:, column])
        np.testing.assert_allclose(ours[:, column], sign * theirs[:, column], atol=1e-9)


def _planted_embeddings(seed: int = 0) -> Embeddings:
    """Three tight clusters of 6 words each in 10 dimensions, plus frequent stopwords."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((3, 10)) * 5
    tokens, rows = [], []
    for cluster, name in enumerate(("fruit", "animal", "tool")):
        for member in range(6):
            tokens.append(f"{name}{member}")
            rows.append(centres[cluster] + 0.05 * rng.standard_normal(10))
    stop = ["the", "of", "and"]
    vectors = np.vstack([rng.standard_normal((3, 10)), np.array(rows)])
    return Embeddings(stop + tokens, vectors)


def _annotations(ax) -> list[Annotation]:
    return [t for t in ax.texts if isinstance(t, Annotation)]


def _label_boxes(figure, ax) -> dict[str, object]:
    """Pixel boxes of the label texts (without their leader lines)."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    return {t.get_text(): Text.get_window_extent(t, renderer) for t in _annotations(ax)}


# ------------------------------------------------------------------------------- project ---
def test_pca_coordinates_are_the_top_principal_projections():
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(1)
    data = rng.standard_normal((40, 6)) @ np.diag([5, 3, 1, 0.5, 0.2, 0.1]) + 7.0
    ours = project(data)
    theirs = PCA(n_components=2).fit_transform(data)
    assert ours.shape == (40, 2)
    _match_up_to_sign(ours, theirs)
    # three dimensions too, and the first axis spreads the most
    _match_up_to_sign(project(data, dims=3), PCA(n_components=3).fit_transform(data))
    assert ours[:, 0].var() > ours[:, 1].var()


def test_pca_sign_is_deterministic_and_order_free():
    rng = np.random.default_rng(2)
    data = rng.standard_normal((25, 5))
    order = rng.permutation(25)
    np.testing.assert_allclose(project(data)[order], project(data[order]), atol=1e-9)


def test_uncentred_projection_is_linear_and_keeps_the_origin():
    rng = np.random.default_rng(3)
    data = rng.standard_normal((20, 7)) + 3.0
    _, _, vt = np.linalg.svd(data, full_matrices=False)
    ours = project(data, center=False)
    _match_up_to_sign(ours, data @ vt[:2].T)
    with_origin = project(np.vstack([data, np.zeros(7)]), center=False)
    np.testing.assert_allclose(with_origin[-1], 0.0, atol=1e-12)


def test_tsne_separates_planted_clusters():
    rng = np.random.default_rng(4)
    data = np.vstack([rng.standard_normal((8, 5)) * 0.1, rng.standard_normal((8, 5)) * 0.1 + 10])
    coordinates = project(data, method="tsne", seed=0)
    assert coordinates.shape == (16, 2)
    distances = np.linalg.norm(coordinates[:, None] - coordinates[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    nearest = distances.argmin(axis=1)
    assert ((nearest < 8) == (np.arange(16) < 8)).all()
    np.testing.assert_allclose(project(data, method="tsne", seed=0), coordinates)


@pytest.mark.parametrize("kwargs, data", [
    ({}, np.ones((1, 4))),                         # one point
    ({"method": "tsne"}, np.eye(2)),               # t-SNE needs three
    ({"dims": 3}, np.eye(5)[:, :2]),               # fewer input dimensions than dims
    ({"method": "umap"}, np.eye(4)),
    ({}, np.array([[1.0, np.nan], [0.0, 1.0], [2.0, 2.0]])),
    ({}, np.ones(5)),
])
def test_project_rejects_bad_input(kwargs, data):
    with pytest.raises(ParameterError):
        project(data, **kwargs)


# -------------------------------------------------------------------------------- arrows ---
def test_arrows_in_two_dimensions_start_at_the_origin_and_end_at_the_vectors():
    emb = Embeddings(["king", "queen", "man", "woman"],
                     [[3.0, 2.0], [3.0, -1.0], [1.0, 1.5], [1.0, -1.5]])
    figure = arrows(emb, ["king", "queen", "man", "woman"])
    ax = figure.axes[0]
    (quiver,) = [c for c in ax.collections if isinstance(c, Quiver)]
    np.testing.assert_array_equal(quiver.X, 0)
    np.testing.assert_array_equal(quiver.Y, 0)
    np.testing.assert_allclose(np.column_stack([quiver.U, quiver.V]), emb.vectors)
    # drawn to scale: one data unit is one unit of arrow length
    assert quiver.scale == 1 and quiver.scale_units == "xy" and quiver.angles == "xy"
    # one label per word, anchored at the arrow's tip, and the origin inside the axes
    anchors = {t.get_text(): t.xy for t in _annotations(ax)}
    assert set(anchors) == {"king", "queen", "man", "woman"}
    np.testing.assert_allclose(anchors["queen"], (3.0, -1.0))
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert x0 < 0 < x1 and y0 < -1.5 < 2.0 < y1 and x1 > 3.0


def test_arrows_project_longer_vectors_without_centring():
    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((5, 8)) + 1.0
    emb = Embeddings([f"w{i}" for i in range(5)], vectors)
    figure = arrows(emb, emb.tokens)
    (quiver,) = [c for c in figure.axes[0].collections if isinstance(c, Quiver)]
    np.testing.assert_array_equal(quiver.X, 0)
    np.testing.assert_array_equal(quiver.Y, 0)
    _, _, vt = np.linalg.svd(vectors.astype(np.float32).astype(np.float64))
    _match_up_to_sign(np.column_stack([quiver.U, quiver.V]), vectors.astype(np.float32) @ vt[:2].T)


def test_arrows_unknown_and_too_few_words():
    emb = _planted_embeddings()
    with pytest.raises(UnknownWordError, match="fruit"):
        arrows(emb, ["fruit0", "fruitt0"])
    with pytest.warns(UserWarning, match="zzz"):
        figure = arrows(emb, ["fruit0", "tool1", "zzz"], skip_unknown=True)
    assert {t.get_text() for t in _annotations(figure.axes[0])} == {"fruit0", "tool1"}
    with pytest.raises(ParameterError):
        arrows(emb, ["fruit0"])                      # 10-d: a plane needs two words
    with pytest.raises(ParameterError), pytest.warns(UserWarning):
        arrows(emb, ["nope", "fruit0"], skip_unknown=True)


# ------------------------------------------------------------------------------ word map ---
def test_word_map_places_every_label_without_overlaps():
    emb = _planted_embeddings()
    words = [t for t in emb.tokens if t not in ("the", "of", "and")]
    figure = word_map(emb, words)
    ax = figure.axes[0]
    boxes = _label_boxes(figure, ax)
    assert set(boxes) == set(words)
    names = sorted(boxes)
    overlapping = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]
                   if boxes[a].overlaps(boxes[b])]
    # each cluster's six words sit within a few pixels of each other: naive labels would collide
    assert overlapping == []
    # the points are the (normalised) PCA coordinates
    offsets = np.vstack([c.get_offsets() for c in ax.collections if isinstance(c, PathCollection)])
    vectors = np.asarray(emb.vectors[3:], dtype=np.float64)
    expected = project(vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
    np.testing.assert_allclose(np.sort(offsets, axis=0), np.sort(expected, axis=0), atol=1e-5)


def test_word_map_default_words_skip_stopwords_and_groups_get_colours():
    emb = _planted_embeddings()
    figure = word_map(emb, topn=5)
    labels = {t.get_text() for t in _annotations(figure.axes[0])}
    assert labels == {"fruit0", "fruit1", "fruit2", "fruit3", "fruit4"}
    groups = {"fruit": ["fruit0", "fruit1"], "tool": ["tool0", "tool1", "tool2"]}
    figure = word_map(emb, groups=groups)
    ax = figure.axes[0]
    scatters = {c.get_label(): c for c in ax.collections if isinstance(c, PathCollection)}
    assert len(scatters["fruit"].get_offsets()) == 2 and len(scatters["tool"].get_offsets()) == 3
    assert not np.allclose(scatters["fruit"].get_facecolor(), scatters["tool"].get_facecolor())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["fruit", "tool"]


def test_word_map_with_tsne_and_errors():
    emb = _planted_embeddings()
    figure = word_map(emb, [t for t in emb.tokens[3:]], method="tsne")
    assert len(_annotations(figure.axes[0])) == 18
    with pytest.raises(ParameterError):
        word_map(emb, ["fruit0"])
    with pytest.raises(UnknownWordError):
        word_map(emb, ["fruit0", "banana"])
    with pytest.raises(ParameterError):
        word_map(object())


# --------------------------------------------------------------------------- analogy map ---
def test_analogy_map_joins_pairs_after_a_projection_of_the_pairs():
    rng = np.random.default_rng(6)
    countries = rng.standard_normal((4, 12))
    offset = rng.standard_normal(12) * 3
    tokens = ["france", "italy", "japan", "spain", "paris", "rome", "tokyo", "madrid", "noise"]
    vectors = np.vstack([countries, countries + offset, rng.standard_normal((1, 12)) * 50])
    emb = Embeddings(tokens, vectors)
    pairs = [("france", "paris"), ("italy", "rome"), ("japan", "tokyo"), ("spain", "madrid")]
    figure = analogy_map(emb, pairs, normalize=False)
    (lines,) = [c for c in figure.axes[0].collections if isinstance(c, LineCollection)]
    segments = np.array(lines.get_segments())
    assert segments.shape == (4, 2, 2)
    # the projection is fitted on the eight pair words only (not on "noise")
    pair_words = [w for pair in pairs for w in pair]
    expected = project(np.asarray(emb.vectors[[emb.index[w] for w in pair_words]], np.float64))
    np.testing.assert_allclose(segments.reshape(8, 2), expected, atol=1e-4)
    # a shared offset projects to parallel lines of equal length
    deltas = segments[:, 1] - segments[:, 0]
    np.testing.assert_allclose(deltas, np.broadcast_to(deltas[0], deltas.shape), atol=1e-4)


def test_analogy_map_unknown_and_too_few_pairs():
    emb = _planted_embeddings()
    with pytest.raises(UnknownWordError):
        analogy_map(emb, [("fruit0", "tool0"), ("fruit1", "nowhere")])
    with pytest.warns(UserWarning, match="nowhere"):
        figure = analogy_map(emb, [("fruit0", "tool0"), ("fruit1", "tool1"), ("x", "nowhere")],
                             skip_unknown=True)
    (lines,) = [c for c in figure.axes[0].collections if isinstance(c, LineCollection)]
    assert len(lines.get_segments()) == 2
    with pytest.raises(ParameterError):
        analogy_map(emb, [("fruit0", "tool0")])
    with pytest.raises(ParameterError):
        analogy_map(emb, [("fruit0", "tool0", "animal0"), ("fruit1", "tool1")])


# -------------------------------------------------------------------------- document map ---
def test_document_map_colours_documents_by_label_with_a_legend():
    rng = np.random.default_rng(7)
    vectors = np.vstack([rng.standard_normal((30, 6)) + [5, 0, 0, 0, 0, 0],
                         rng.standard_normal((20, 6)) + [0, 5, 0, 0, 0, 0]])
    labels = ["sport"] * 30 + ["politics"] * 20
    figure = document_map(vectors, labels)
    ax = figure.axes[0]
    scatters = [c for c in ax.collections
                if isinstance(c, PathCollection) and not c.get_label().startswith("_")]
    counts = {c.get_label(): len(c.get_offsets()) for c in scatters}
    assert counts == {"politics (20)": 20, "sport (30)": 30}
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["politics (20)", "sport (30)"]
    # the topics separate along the first principal component
    expected = project(vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
    sport = next(c for c in scatters if c.get_label().startswith("sport")).get_offsets()
    assert np.allclose(np.sort(sport[:, 0]), np.sort(expected[:30, 0]))
    assert (expected[:30, 0].max() < expected[30:, 0].min()
            or expected[:30, 0].min() > expected[30:, 0].max())
    # the legend fits inside the figure, long names and all
    figure.canvas.draw()
    legend_box = ax.get_legend().get_window_extent(figure.canvas.get_renderer())
    assert legend_box.x1 <= figure.bbox.width and legend_box.x0 > ax.bbox.x1
    # each label's name is written at the mean of its documents (nudged off the marker)
    names = {t.get_text(): t.xy for t in _annotations(ax)}
    np.testing.assert_allclose(names["politics"], expected[30:].mean(axis=0))
    np.testing.assert_allclose(names["sport"], expected[:30].mean(axis=0))
    with pytest.raises(ParameterError, match="labels"):
        document_map(vectors, labels[:-1])


# ---------------------------------------------------------------------------- loss curve ---
def test_loss_curve_draws_the_history_and_the_optimum():
    class Fitted:
        loss_history_ = [10.0, 6.0, 5.2, 5.05]

    figure = loss_curve(Fitted(), optimum=5.0)
    ax = figure.axes[0]
    curve, reference = ax.lines
    np.testing.assert_allclose(curve.get_ydata(), Fitted.loss_history_)
    np.testing.assert_allclose(curve.get_xdata(), [1, 2, 3, 4])
    np.testing.assert_allclose(reference.get_ydata(), [5.0, 5.0])
    assert "optimum" in reference.get_label()
    with pytest.raises(ParameterError):
        loss_curve(type("Unfitted", (), {"loss_history_": []})())
    with pytest.raises(ParameterError):
        loss_curve("not a model")


# --------------------------------------------------------------------------------- files ---
def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_png_svg_pdf_files_are_valid_images_of_the_figure_size(tmp_path):
    emb = Embeddings(["a", "b", "c"], [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    png = tmp_path / "arrows.png"
    figure = arrows(emb, ["a", "b", "c"], path=png, figsize=(5, 4), dpi=80)
    assert _png_size(png.read_bytes()) == (400, 320)
    pixels = matplotlib.image.imread(png)
    assert pixels.shape[:2] == (320, 400)
    assert pixels[..., :3].std() > 0.01                      # something is drawn
    svg = tmp_path / "arrows.svg"
    save_figure(figure, svg)
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg") and root.get("width") == "360pt"   # 5 in at 72 pt/in
    pdf = tmp_path / "arrows.pdf"
    save_figure(figure, pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    # saving twice gives the same bytes (no dates in the metadata)
    save_figure(figure, tmp_path / "again.svg")
    assert (tmp_path / "again.svg").read_bytes() == svg.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "again.svg", "arrows.pdf", "arrows.png", "arrows.svg"]        # no temporary files left


def test_unknown_extension_and_missing_folder(tmp_path):
    figure = loss_curve([3.0, 2.0])
    with pytest.raises(ParameterError, match=".png"):
        save_figure(figure, tmp_path / "curve.jpg")
    with pytest.raises(Exception, match="does not exist"):
        save_figure(figure, tmp_path / "missing" / "curve.png")
    assert list(tmp_path.iterdir()) == []


def test_importing_plot_leaves_pyplot_and_the_backend_alone(tmp_path):
    code = "\n".join([
        "import sys, matplotlib",
        "before = matplotlib.rcParams._get_backend_or_none()",   # None: not chosen yet
        "import numpy as np",
        "from wordspace.plot import word_map",
        "from wordspace.vectors import Embeddings",
        "word_map(Embeddings(['a', 'b', 'c'], np.eye(3)), ['a', 'b', 'c'], path=sys.argv[1])",
        "assert 'matplotlib.pyplot' not in sys.modules",
        "assert matplotlib.rcParams._get_backend_or_none() == before",
    ])
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "map.png")], check=True)
    assert _png_size((tmp_path / "map.png").read_bytes()) == (800, 600)


def test_svd_optimum_is_the_rank_k_truncation_error_and_a_floor_of_the_autoencoder_loss():
    import scipy.sparse as sp

    from wordspace.models.autoencoder import LinearAutoencoder

    rng = np.random.default_rng(8)
    dense = rng.random((60, 12)) * (rng.random((60, 12)) < 0.4)
    for center in (False, True):
        data = dense - dense.mean(axis=0) if center else dense
        u, s, vt = np.linalg.svd(data, full_matrices=False)
        truncated = (u[:, :3] * s[:3]) @ vt[:3]
        expected = np.sum((data - truncated) ** 2) / 60
        assert svd_optimum(dense, 3, center=center) == pytest.approx(expected, rel=1e-10)
        assert svd_optimum(sp.csr_matrix(dense), 3, center=center) == pytest.approx(expected,
                                                                                    rel=1e-10)
    # a larger sparse matrix goes through scipy's svds (with a centring operator): compare with
    # the eigenvalues of the small Gram matrix
    big = sp.random(40_000, 120, density=0.02, random_state=9, format="csr")
    for center in (False, True):
        gram = (big.T @ big).toarray()
        total = big.multiply(big).sum()
        if center:
            mean = np.asarray(big.mean(axis=0)).ravel()
            gram -= 40_000 * np.outer(mean, mean)
            total -= 40_000 * mean @ mean
        expected = (total - np.sort(np.linalg.eigvalsh(gram))[-5:].sum()) / 40_000
        assert svd_optimum(big, 5, center=center) == pytest.approx(expected, rel=1e-8)
    # the autoencoder's losses are on the same scale, and never below the optimum
    planted = (rng.standard_normal((80, 3)) * [3.0, 2.0, 1.0]) @ rng.standard_normal((3, 15))
    planted += 0.01 * rng.standard_normal((80, 15))
    ae = LinearAutoencoder(n_components=3, epochs=40, batch_size=8, seed=0).fit(planted)
    optimum = svd_optimum(planted, 3)
    assert (ae.loss_history_ >= optimum).all()            # a floor no autoencoder goes below
    assert ae.loss_history_[-1] < 0.1 * ae.loss_history_[0]
    figure = loss_curve(ae, optimum=optimum)
    curve, reference = figure.axes[0].lines
    assert curve.get_xdata()[0] == 0 and curve.get_xdata()[-1] == 40     # epoch 0: before training
    np.testing.assert_allclose(curve.get_ydata(), ae.loss_history_)
    np.testing.assert_allclose(reference.get_ydata(), optimum)


# ---------------------------------------------------------------------------------- CLI ----
def _run(*args):
    from click.testing import CliRunner

    from wordspace.cli import cli

    return CliRunner().invoke(cli, [str(arg) for arg in args])


@pytest.fixture(scope="module")
def lsa_file(tmp_path_factory):
    """An LSA model of a planted two-topic corpus (pets vs markets), and its documents."""
    from wordspace.models.lsa import LSA

    folder = tmp_path_factory.mktemp("plot_cli")
    rng = np.random.default_rng(10)
    topics = {"pets": "cat dog kitten puppy leash fur vet bark purr".split(),
              "markets": "stock bond market price trade share yield broker fund".split()}
    texts, labels = [], []
    for number in range(40):
        label = "pets" if number % 2 == 0 else "markets"
        texts.append(" ".join(rng.choice(topics[label], size=12)))
        labels.append(label)
    (folder / "docs.txt").write_text("\n".join(texts) + "\n")
    (folder / "labels.txt").write_text("\n".join(labels) + "\n")
    with open(folder / "docs.tsv", "w") as handle:
        handle.write("label\tid\ttext\n")
        handle.writelines(f"{label}\t{i}\t{text}\n"
                          for i, (label, text) in enumerate(zip(labels, texts, strict=True)))
    model = LSA(n_components=4, stopwords=None, min_count=1).fit(texts)
    model.save(folder / "lsa.ws")
    return folder


def test_cli_plot_words_arrows_and_pairs(lsa_file, tmp_path):
    model = lsa_file / "lsa.ws"
    result = _run("plot", model, "--words", "cat,dog,stock,bond", "--arrows", "-o",
                  tmp_path / "arrows.png", "--size", "6x5", "--dpi", 50)
    assert result.exit_code == 0, result.output
    assert "4 words" in result.output
    assert _png_size((tmp_path / "arrows.png").read_bytes()) == (300, 250)
    result = _run("plot", model, "--topn", 8, "-o", tmp_path / "words.svg")
    assert result.exit_code == 0, result.output
    ET.parse(tmp_path / "words.svg")
    (tmp_path / "pairs.txt").write_text(": animals\nCat Dog\nkitten puppy fur vet\n"
                                        ": money\nstock bond\n")
    result = _run("plot", model, "--analogies", tmp_path / "pairs.txt", "--section", "animals",
                  "-o", tmp_path / "pairs.pdf")
    assert result.exit_code == 0, result.output
    assert "3 pairs" in result.output                      # Cat Dog found lowercased
    assert (tmp_path / "pairs.pdf").read_bytes().startswith(b"%PDF")


def test_cli_plot_documents_with_labels_or_a_tsv(lsa_file, tmp_path):
    model = lsa_file / "lsa.ws"
    result = _run("plot", model, "--documents", lsa_file / "docs.txt", "--labels",
                  lsa_file / "labels.txt", "-o", tmp_path / "docs.png")
    assert result.exit_code == 0, result.output
    assert "40 documents, 2 labels" in result.output
    assert matplotlib.image.imread(tmp_path / "docs.png").shape[:2] == (600, 900)
    result = _run("plot", model, "--documents", lsa_file / "docs.tsv", "--max-documents", 10,
                  "-o", tmp_path / "sample.png")
    assert result.exit_code == 0, result.output
    assert "10 documents" in result.output


@pytest.mark.parametrize("args, code, message", [
    (["--words", "cat,zebra"], 1, "'zebra' is not in the vocabulary"),
    (["--words", "cat", "--analogies", "x.txt"], 2, "cannot be combined"),
    (["--arrows"], 2, "--arrows needs --words"),
    (["--words", "cat,dog", "--size", "big"], 2, "WIDTHxHEIGHT"),
    (["--documents", "DOCS"], 2, "needs --labels"),
    (["--documents", "DOCS", "--labels", "SHORT"], 1, "40 documents but 3 labels"),
    (["--analogies", "BAD"], 1, "expected 2 words"),
])
def test_cli_plot_errors(lsa_file, tmp_path, args, code, message):
    (tmp_path / "short.txt").write_text("a\nb\nc\n")
    (tmp_path / "bad.txt").write_text("cat dog bark\n")
    replace = {"DOCS": lsa_file / "docs.txt", "SHORT": tmp_path / "short.txt",
               "BAD": tmp_path / "bad.txt"}
    args = [replace.get(arg, arg) for arg in args]
    result = _run("plot", lsa_file / "lsa.ws", *args, "-o", tmp_path / "out.png")
    assert result.exit_code == code, result.output
    assert message in result.output
    assert not (tmp_path / "out.png").exists()


def test_cli_plot_documents_needs_a_document_model(tmp_path):
    emb = Embeddings(["a", "b", "c"], np.eye(3))
    emb.save(tmp_path / "emb.ws")
    result = _run("plot", tmp_path / "emb.ws", "--documents", "brown", "-o", tmp_path / "x.png")
    assert result.exit_code == 1
    assert "LSA or autoencoder" in result.output
    result = _run("plot", tmp_path / "emb.ws", "--words", "a,b", "-o", tmp_path / "x.jpg")
    assert result.exit_code == 2 and ".png, .svg or .pdf" in result.output
