"""Tests of the explorer's server (wordspace.explore): the JSON API through Starlette's TestClient,
a fuzz test of bad parameters, the command line, and a real uvicorn server.

The page itself is driven in headless Chromium by tests/test_explore_browser.py.
"""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from click.testing import CliRunner  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

import wordspace  # noqa: E402
from wordspace import explore as explore_module  # noqa: E402
from wordspace.cli import cli  # noqa: E402
from wordspace.errors import ParameterError  # noqa: E402
from wordspace.explore import LIMITS, create_app, parse_formula  # noqa: E402
from wordspace.vectors import Embeddings  # noqa: E402


def _planted(seed: int = 0, n_filler: int = 300, dim: int = 12) -> Embeddings:
    """Royal / fruit / animal clusters plus random filler words, with counts (frequent first)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((3, dim)) * 4
    groups = [["king", "queen", "prince", "princess", "man", "woman"],
              ["apple", "pear", "plum", "cherry", "grape", "melon"],
              ["dog", "cat", "horse", "cow", "sheep", "goat"]]
    tokens, rows = [], []
    for centre, words in zip(centres, groups, strict=True):
        for word in words:
            tokens.append(word)
            rows.append(centre + rng.standard_normal(dim) * 0.5)
    for i in range(n_filler):
        tokens.append(f"filler{i}")
        rows.append(rng.standard_normal(dim))
    counts = np.arange(len(tokens), 0, -1) * 7
    return Embeddings(tokens, np.asarray(rows, dtype=np.float32), counts=counts)


@pytest.fixture(scope="module")
def embeddings():
    return _planted()


@pytest.fixture(scope="module")
def client(embeddings):
    with TestClient(create_app(embeddings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def pair_client(embeddings):
    """Model 2: model 1 rotated by a random orthogonal matrix, with 'cat' moved far away."""
    rng = np.random.default_rng(1)
    rotation, _ = np.linalg.qr(rng.standard_normal((embeddings.dim, embeddings.dim)))
    vectors = np.asarray(embeddings.vectors) @ rotation.astype(np.float32)
    vectors[embeddings.index["cat"]] = -vectors[embeddings.index["cat"]]
    second = Embeddings(embeddings.tokens[::-1], vectors[::-1].copy())  # other row order
    with TestClient(create_app(embeddings, second, names=["one", "two"])) as test_client:
        yield test_client


def _wait(client, params, path="/api/projection", timeout=600.0):
    """Poll a projection until it is ready; returns the final response and the 202s seen."""
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(path, params=params)
        if response.status_code != 202:
            return response, seen
        seen.append(response.json())
        assert time.monotonic() < deadline, "projection did not finish"
        time.sleep(0.1)


# ------------------------------------------------------------------------------ neighbours ----
@pytest.mark.parametrize("metric", ["cosine", "dot"])
def test_neighbors_are_most_similar(client, embeddings, metric):
    response = client.get("/api/neighbors", params={"word": "king", "topn": 7, "metric": metric})
    assert response.status_code == 200
    body = response.json()
    assert body["word"] == "king"
    expected = embeddings.most_similar("king", topn=7, metric=metric)
    assert [(item["word"], item["score"]) for item in body["neighbors"]] == \
        [(word, pytest.approx(score, abs=1e-6)) for word, score in expected]
    assert [item["row"] for item in body["neighbors"]] == \
        [embeddings.index[word] for word, _ in expected]
    if metric == "cosine":  # the planted cluster comes first
        assert {item["word"] for item in body["neighbors"][:5]} == \
            {"queen", "prince", "princess", "man", "woman"}


def test_neighbors_same_as_command_line(tmp_path, embeddings, client):
    path = tmp_path / "planted.ws"
    embeddings.save(path)
    result = CliRunner().invoke(cli, ["neighbors", str(path), "apple", "--topn", "5"])
    assert result.exit_code == 0, result.output
    cli_words = [line.split()[1] for line in result.output.splitlines()]
    api_words = [item["word"] for item in
                 client.get("/api/neighbors", params={"word": "apple", "topn": 5}).json()[
                     "neighbors"]]
    assert api_words == cli_words


def test_unknown_word_is_404_with_suggestions(client):
    response = client.get("/api/neighbors", params={"word": "kingg"})
    assert response.status_code == 404
    body = response.json()
    assert "kingg" in body["error"] and "king" in body["suggestions"]


@pytest.mark.parametrize("params", [
    {}, {"word": ""}, {"word": "king", "topn": "0"}, {"word": "king", "topn": "abc"},
    {"word": "king", "topn": str(LIMITS["topn"] + 1)}, {"word": "king", "metric": "euclid"},
    {"word": "k" * (LIMITS["word"] + 1)}, {"word": "king", "model": "1"},
    {"word": "king", "topn": "1e3"}, {"word": "king", "topn": "9" * 40},
])
def test_bad_neighbor_requests_are_400(client, params):
    response = client.get("/api/neighbors", params=params)
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"error"}


def test_analogy(client, embeddings):
    body = client.get("/api/analogy", params={"a": "man", "b": "king", "c": "woman",
                                              "topn": 3}).json()
    expected = embeddings.analogy("man", "king", "woman", topn=3)
    assert [item["word"] for item in body["answers"]] == [word for word, _ in expected]
    assert client.get("/api/analogy", params={"a": "man", "b": "king"}).status_code == 400
    assert client.get("/api/analogy", params={"a": "man", "b": "kinggg",
                                              "c": "woman"}).status_code == 404


# ----------------------------------------------------------------------------- projections ----
def test_pca_projection_matches_scikit_learn(client, embeddings):
    from sklearn.decomposition import PCA

    for dims in (2, 3):
        response = client.get("/api/projection", params={"method": "pca", "dims": dims})
        assert response.status_code == 200
        body = response.json()
        assert body["points"] == len(embeddings) and body["dims"] == dims
        ours = np.asarray(body["coordinates"])
        theirs = PCA(dims).fit_transform(np.asarray(embeddings.vectors, dtype=np.float64))
        for column in range(dims):
            sign = np.sign(ours[:, column] @ theirs[:, column])
            np.testing.assert_allclose(ours[:, column], sign * theirs[:, column], atol=1e-4)


def test_binary_projection_is_the_json_one(client, embeddings):
    params = {"method": "pca", "dims": 3, "limit": 50}
    as_json = np.asarray(client.get("/api/projection", params=params).json()["coordinates"])
    response = client.get("/api/projection", params=dict(params, format="f32"))
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["x-points"] == "50" and response.headers["x-dims"] == "3"
    as_bytes = np.frombuffer(response.content, dtype="<f4").reshape(50, 3)
    np.testing.assert_allclose(as_bytes, as_json, atol=1e-5)


@pytest.mark.parametrize("params", [
    {"method": "lda"}, {"dims": "4"}, {"dims": "1"}, {"dims": "two"}, {"limit": "1"},
    {"limit": str(10**9)}, {"format": "xml"}, {"model": "-1"},
    {"method": "tsne", "limit": str(LIMITS["tsne"] + 1)},
])
def test_bad_projection_requests_are_400(client, params):
    response = client.get("/api/projection", params=params)
    assert response.status_code == 400, response.text
    assert "error" in response.json()


@pytest.mark.parametrize("method", ["tsne", "umap"])
def test_slow_projections_run_in_the_background_and_report_progress(client, method):
    if method == "umap":
        pytest.importorskip("umap")
    params = {"method": method, "dims": 2, "limit": 60}
    response, pending = _wait(client, params)
    assert response.status_code == 200, response.text
    coordinates = np.asarray(response.json()["coordinates"])
    assert coordinates.shape == (60, 2) and np.isfinite(coordinates).all()
    for job in pending:
        assert job["status"] == "running" and job["method"] == method and job["points"] == 60
        assert 0.0 <= job["progress"] <= 1.0
    # cached: the same request answers at once
    assert client.get("/api/projection", params=params).status_code == 200


def test_tsne_keeps_the_clusters_apart(client, embeddings):
    response, _ = _wait(client, {"method": "tsne", "dims": 2, "limit": 18})
    coordinates = np.asarray(response.json()["coordinates"])
    clusters = coordinates.reshape(3, 6, 2)
    centres = clusters.mean(axis=1)
    spread = np.linalg.norm(clusters - centres[:, None], axis=2).max()
    gaps = [np.linalg.norm(centres[i] - centres[j]) for i in range(3) for j in range(i)]
    assert min(gaps) > spread


def test_umap_missing_is_a_clear_400(client, monkeypatch):
    monkeypatch.setattr(explore_module, "_have_umap", lambda: False)
    response = client.get("/api/projection", params={"method": "umap"})
    assert response.status_code == 400
    assert "umap-learn" in response.json()["error"]
    assert client.get("/api/info").json()["umap"] is False


# ------------------------------------------------------------------------------ custom axes ----
def test_parse_formula():
    assert parse_formula("king - queen") == [("king", 1.0), ("queen", -1.0)]
    assert parse_formula(" -man + 0.5*woman ") == [("man", -1.0), ("woman", 0.5)]
    assert parse_formula("well-known") == [("well-known", 1.0)]
    for bad in ["", "king queen", "x" * (LIMITS["formula"] + 1),
                " + ".join(["a"] * (LIMITS["terms"] + 1))]:
        with pytest.raises(ParameterError):
            parse_formula(bad)


def test_axes_are_cosines_with_the_formulas(client, embeddings):
    response = client.get("/api/axes", params={"x": "king - queen", "y": "apple", "limit": 40})
    assert response.status_code == 200
    coordinates = np.asarray(response.json()["coordinates"])
    unit = embeddings.unit_vectors
    direction = unit[embeddings.index["king"]] - unit[embeddings.index["queen"]]
    direction /= np.linalg.norm(direction)
    np.testing.assert_allclose(coordinates[:, 0], unit[:40] @ direction, atol=1e-5)
    np.testing.assert_allclose(coordinates[:, 1], unit[:40] @ unit[embeddings.index["apple"]],
                               atol=1e-5)
    assert coordinates[embeddings.index["apple"], 1] == pytest.approx(1.0, abs=1e-5)
    three = client.get("/api/axes", params={"x": "king", "y": "apple", "z": "dog"}).json()
    assert three["dims"] == 3


@pytest.mark.parametrize("params, status", [
    ({"x": "king - queen"}, 400), ({"x": "king", "y": "king - king"}, 400),
    ({"x": "king", "y": "appel"}, 404), ({"x": "king queen", "y": "apple"}, 400),
    ({"x": "k" * 500, "y": "apple"}, 400),
])
def test_bad_axes(client, params, status):
    response = client.get("/api/axes", params=params)
    assert response.status_code == status, response.text
    assert "error" in response.json()


# ------------------------------------------------------------------------- colours, tokens ----
def test_info_tokens_and_frequency_bands(client, embeddings):
    info = client.get("/api/info").json()
    assert info["models"][0]["points"] == len(embeddings)
    assert info["models"][0]["groupings"]["frequency"] == ["rank 1-100", "rank 101-318"]
    assert client.get("/api/tokens").text.split("\n") == embeddings.tokens
    bands = np.frombuffer(client.get("/api/groups", params={"by": "frequency"}).content,
                          dtype=np.uint8)
    assert bands.tolist() == [0] * 100 + [1] * (len(embeddings) - 100)
    assert client.get("/api/groups", params={"by": "label"}).status_code == 400


def test_document_labels(embeddings):
    labels = ["royal"] * 6 + ["fruit"] * 6 + ["animal"] * 6 + ["other"] * 300
    app = create_app(embeddings, labels=labels, kind="documents")
    with TestClient(app) as test_client:
        model = test_client.get("/api/info").json()["models"][0]
        assert model["kind"] == "documents"
        assert model["groupings"]["label"] == ["other", "animal", "fruit", "royal"]
        codes = np.frombuffer(test_client.get("/api/groups", params={"by": "label"}).content,
                              dtype=np.uint8)
        assert codes[:18].tolist() == [3] * 6 + [2] * 6 + [1] * 6 and set(codes[18:]) == {0}
    with pytest.raises(ParameterError):
        create_app(embeddings, labels=["a", "b"])


# ------------------------------------------------------------------------------ two models ----
def test_procrustes_finds_the_word_that_moved(pair_client, embeddings):
    body = pair_client.get("/api/moved", params={"topn": 3}).json()
    assert body["shared"] == len(embeddings)
    assert body["words"][0]["word"] == "cat"
    assert body["words"][0]["distance"] > 1.5      # flipped: cosine about -1
    assert body["words"][1]["distance"] < 1e-3     # the rest is a pure rotation
    # aligned: both models' PCA coordinates agree on every other word
    one = np.asarray(pair_client.get("/api/projection", params={"model": 0}).json()[
        "coordinates"])
    two = np.asarray(pair_client.get("/api/projection", params={"model": 1}).json()[
        "coordinates"])
    rows_two = [len(embeddings) - 1 - i for i in range(len(embeddings))]
    keep = [i for i, token in enumerate(embeddings.tokens) if token != "cat"]
    np.testing.assert_allclose(two[rows_two][keep], one[keep], atol=1e-4)
    # neighbours are asked of each model in its own space
    second = pair_client.get("/api/neighbors", params={"word": "king", "model": 1}).json()
    assert second["neighbors"][0]["row"] == len(embeddings) - 1 - embeddings.index[
        second["neighbors"][0]["word"]]


def test_moved_needs_two_models(client):
    response = client.get("/api/moved")
    assert response.status_code == 400 and "second model" in response.json()["error"]


# ------------------------------------------------------------------------------- security ----
@pytest.mark.parametrize("path", [
    "/static/../explore.py", "/static/..%2f..%2fpyproject.toml", "/static/%2e%2e/explore.py",
    "/api/nothing", "/etc/passwd", "/api/tokens/../../x",
])
def test_no_request_reads_a_file_outside_the_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "import" not in response.text


def test_page_and_its_files_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and "<canvas" in page.text and "http" not in page.text
    script = client.get("/static/explorer.js")
    assert script.status_code == 200 and "getContext(\"webgl" in script.text
    assert client.get("/static/explorer.css").status_code == 200


def test_wrong_method_is_405_json(client):
    response = client.post("/api/neighbors", params={"word": "king"})
    assert response.status_code == 405 and "error" in response.json()


_ENDPOINTS = ["/api/neighbors", "/api/projection", "/api/axes", "/api/analogy", "/api/moved",
              "/api/groups", "/api/tokens", "/api/info"]
_NAMES = ["word", "topn", "metric", "method", "dims", "limit", "format", "model", "x", "y", "z",
          "a", "b", "c", "by", "restrict"]
_VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "0", "-1", "1", "2", "3", "4", "10", "1e9", "nan", "inf", "99999999999",
                     "king", "kingg", "king - queen", "pca", "tsne", "cosine", "dot", "f32",
                     "label", "frequency", " - ", "+", "*", "0.5*", "\x00", "%", "../x"]),
    st.integers(-10**12, 10**12).map(str),
)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(endpoint=st.sampled_from(_ENDPOINTS),
       params=st.dictionaries(st.sampled_from(_NAMES), _VALUES, max_size=5))
def test_fuzz_never_5xx(client, endpoint, params):
    if endpoint == "/api/projection" and params.get("method") in ("tsne", "umap"):
        params["limit"] = "40"  # background jobs stay small (their bounds are tested above)
    response = client.get(endpoint, params=params)
    assert response.status_code < 500, (endpoint, params, response.text)
    if response.status_code >= 400:
        assert "error" in response.json()


# --------------------------------------------------------------- command line and server ----
def test_module_is_callable():
    assert callable(wordspace.explore)
    assert wordspace.explore.create_app is create_app


def test_real_server_answers(embeddings):
    import httpx

    server = wordspace.explore(embeddings, port=0, open_browser=False, block=False)
    try:
        assert server.url.startswith("http://127.0.0.1:")
        response = httpx.get(server.url + "api/neighbors", params={"word": "dog", "topn": 3})
        assert response.status_code == 200
        assert json.loads(response.text)["neighbors"][0]["word"] in {"cat", "horse", "cow",
                                                                      "sheep", "goat"}
    finally:
        server.stop()


def test_cli_explore(tmp_path, embeddings, monkeypatch):
    path = tmp_path / "planted.ws"
    embeddings.save(path)
    calls = []
    monkeypatch.setattr(explore_module, "explore", lambda **kwargs: calls.append(kwargs))
    runner = CliRunner()
    result = runner.invoke(cli, ["explore", str(path), str(path), "--no-browser",
                                 "--host", "0.0.0.0", "--port", "9999"])
    assert result.exit_code == 0, result.output
    assert "warning" in result.output and "0.0.0.0" in result.output
    assert calls[0]["host"] == "0.0.0.0" and calls[0]["port"] == 9999
    assert calls[0]["open_browser"] is False and len(calls[0]["second"]) == len(embeddings)
    assert "Example" in runner.invoke(cli, ["explore", "--help"]).output
    missing = runner.invoke(cli, ["explore", str(tmp_path / "missing.ws")])
    assert missing.exit_code == 1 and "Traceback" not in missing.output
    assert runner.invoke(cli, ["explore", str(path), "--labels", "x.txt"]).exit_code == 2
    assert runner.invoke(cli, ["explore", str(path), "--port", "70000"]).exit_code == 2


def test_explore_refuses_a_bad_port(embeddings, tmp_path):
    import socket

    with pytest.raises(ParameterError):
        wordspace.explore(embeddings, port=-1, block=False, open_browser=False)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ParameterError, match="cannot listen"):
            wordspace.explore(embeddings, port=port, block=False, open_browser=False)
        path = tmp_path / "planted.ws"
        embeddings.save(path)
        result = CliRunner().invoke(cli, ["explore", str(path), "--no-browser", "--port",
                                          str(port)])
        assert result.exit_code == 1 and "cannot listen" in result.output
