"""The explorer: embeddings in the browser, served from the Python process that holds them.

:func:`explore` starts an ASGI server (Starlette on uvicorn) on ``127.0.0.1`` that serves one page
(``explore_static/``: HTML, CSS and a WebGL scatter written for this package -- nothing is fetched
from the internet) and a JSON API under ``/api/``.  The server holds the vectors, so everything
heavy happens there and is cached per model: projections (PCA on all points; t-SNE and UMAP on
the most frequent ``limit`` points, run in a background thread whose progress the page shows),
nearest neighbours in the original space, analogies, custom axes from word formulas, and the
alignment of a second model by orthogonal Procrustes.

The module is callable, so ``wordspace.explore(model)`` works as well as
``wordspace.explore.explore(model)``.

API
---
Every endpoint answers JSON; coordinates can also come as raw little-endian float32
(``format=f32``, row-major, ``points x dims``), which is what the page asks for.  Every parameter
is bounded; a bad one is answered ``400 {"error": ...}``, an unknown word ``404 {"error": ...,
"suggestions": [...]}``.  No parameter names a file.

=====================================================  =========================================
``GET /api/info``                                       models, sizes, methods, colour legends
``GET /api/tokens?model=0``                             the point names, one per line (text)
``GET /api/groups?by=frequency|label&model=0``          a colour group per point (uint8 bytes)
``GET /api/projection?method=pca|tsne|umap&dims=2|3``   coordinates (``limit=N``, ``model``,
                                                        ``format=json|f32``); 202 with
                                                        ``progress`` while t-SNE/UMAP run
``GET /api/axes?x=FORMULA&y=FORMULA[&z=FORMULA]``       cosine of each point with each formula
``GET /api/neighbors?word=W&topn=K&metric=cosine|dot``  ``{"word": W, "neighbors": [...]}``
``GET /api/analogy?a=A&b=B&c=C&topn=K``                 ``a : b :: c : ?`` (3CosAdd)
``GET /api/moved?topn=K&restrict=N``                    with two models: the words that moved most
=====================================================  =========================================

Examples
--------
>>> from starlette.testclient import TestClient
>>> from wordspace.vectors import Embeddings
>>> emb = Embeddings(["king", "queen", "man", "woman", "apple"],
...                  [[1, 1, 0], [1, 0, 1], [0, 1, 0], [0, 0, 1], [-1, 0, 0]])
>>> client = TestClient(create_app(emb))
>>> answer = client.get("/api/neighbors", params={"word": "king", "topn": 2}).json()
>>> [(item["word"], round(item["score"], 4)) for item in answer["neighbors"]]
[('man', 0.7071), ('queen', 0.5)]
>>> client.get("/api/neighbors", params={"word": "kingg"}).status_code
404
>>> client.get("/api/projection", params={"method": "pca", "dims": 7}).status_code
400
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import socket
import sys
import threading
import time
import types
import webbrowser
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path

import numpy as np

from .errors import ParameterError, UnknownWordError, WordspaceError
from .vectors import Embeddings

__all__ = ["explore", "create_app", "ExplorerServer", "Space", "parse_formula", "free_port",
           "check_port", "LIMITS"]

logger = logging.getLogger(__name__)

#: upper bounds of the request parameters
LIMITS = {
    "topn": 1000,          # neighbours, analogy answers, moved words
    "word": 200,           # characters of a word
    "formula": 200,        # characters of an axis formula
    "terms": 20,           # words in a formula
    "points": 5_000_000,   # points a projection may hold
    "tsne": 20_000,        # points t-SNE may run on (Barnes-Hut; ~minutes at the bound)
    "umap": 200_000,       # points UMAP may run on
    "cache": 24,           # projections kept per model
}
#: default number of points of each projection method (None: all)
DEFAULT_LIMITS = {"pca": None, "axes": None, "tsne": 5000, "umap": 20000}
METHODS = ("pca", "tsne", "umap")
MAX_GROUPS = 20
STATIC = "explore_static"


class BadRequest(WordspaceError):
    """A request parameter is missing, malformed or out of bounds (answered with 400)."""


# ------------------------------------------------------------------------ request parameters ----
def _int_param(params, name: str, default, low: int, high: int):
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if len(raw) > 20 or not re.fullmatch(r"[+-]?\d+", raw.strip()):
        raise BadRequest(f"{name} must be an integer, got {raw[:40]!r}")
    value = int(raw)
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}, got {value}")
    return value


def _choice_param(params, name: str, default, choices: Sequence[str]):
    value = params.get(name, default)
    if value is None or value == "":
        value = default
    if value not in choices:
        raise BadRequest(f"{name} must be one of {', '.join(choices)}, got {str(value)[:40]!r}")
    return value


def _text_param(params, name: str, max_chars: int, required: bool = True):
    value = params.get(name)
    if value is None or not value.strip():
        if required:
            raise BadRequest(f"parameter {name!r} is required")
        return None
    if len(value) > max_chars:
        raise BadRequest(f"{name} is longer than {max_chars} characters")
    return value.strip()


def parse_formula(formula: str) -> list[tuple[str, float]]:
    """Split an axis formula such as ``"king - queen + 0.5*prince"`` into (word, weight) terms.

    Terms are words with an optional ``weight*`` prefix, joined by ``+`` or ``-`` written with
    spaces around them (so ``well-known`` stays one word); a leading ``-`` negates the first term.

    Examples
    --------
    >>> parse_formula("king - queen")
    [('king', 1.0), ('queen', -1.0)]
    >>> parse_formula("-man + 2*woman")
    [('man', -1.0), ('woman', 2.0)]
    """
    text = formula.strip()
    if not text:
        raise ParameterError("an axis formula needs at least one word")
    if len(text) > LIMITS["formula"]:
        raise ParameterError(f"an axis formula may hold at most {LIMITS['formula']} characters")
    sign = 1.0
    if text[0] in "+-" and (len(text) == 1 or text[1].isspace() or text[0] == "-"):
        sign, text = (-1.0 if text[0] == "-" else 1.0), text[1:].strip()
    parts = re.split(r"\s+([+-])\s+", text)
    terms = []
    for position in range(0, len(parts), 2):
        if position:
            sign = -1.0 if parts[position - 1] == "-" else 1.0
        term = parts[position].strip()
        weight = 1.0
        match = re.fullmatch(r"([0-9]*\.?[0-9]+)\s*\*\s*(\S+)", term)
        if match:
            weight, term = float(match.group(1)), match.group(2)
        if not term or any(ch.isspace() for ch in term):
            raise ParameterError(f"cannot read the axis formula {formula!r}: write words joined "
                                 "by ' + ' and ' - ' (spaces around the signs)")
        terms.append((term, sign * weight))
    if len(terms) > LIMITS["terms"]:
        raise ParameterError(f"an axis formula may hold at most {LIMITS['terms']} words")
    return terms


# ------------------------------------------------------------------------------- projections ----
def _pca_basis(matrix: np.ndarray, dims: int, chunk_rows: int = 65536):
    """Mean and top ``dims`` principal directions of ``matrix``'s rows (eigenvectors of the
    covariance, summed in float64 over chunks), each signed so its largest entry is positive."""
    n, dim = matrix.shape
    mean = np.zeros(dim)
    for start in range(0, n, chunk_rows):
        mean += np.asarray(matrix[start:start + chunk_rows], dtype=np.float64).sum(axis=0)
    mean /= max(n, 1)
    covariance = np.zeros((dim, dim))
    for start in range(0, n, chunk_rows):
        block = np.asarray(matrix[start:start + chunk_rows], dtype=np.float32) - mean.astype(
            np.float32)
        covariance += (block.T @ block).astype(np.float64)
    values, vectors = np.linalg.eigh(covariance)
    order = np.argsort(-values, kind="stable")[:dims]
    directions = vectors[:, order]
    if directions.shape[1] < dims:  # fewer dimensions than asked: pad with zero axes
        directions = np.hstack([directions, np.zeros((dim, dims - directions.shape[1]))])
    signs = np.sign(directions[np.argmax(np.abs(directions), axis=0), range(dims)])
    signs[signs == 0] = 1
    return mean.astype(np.float32), (directions * signs).astype(np.float32)


def _project_pca(matrix, mean, directions, chunk_rows: int = 65536) -> np.ndarray:
    out = np.empty((matrix.shape[0], directions.shape[1]), dtype=np.float32)
    for start in range(0, matrix.shape[0], chunk_rows):
        block = np.asarray(matrix[start:start + chunk_rows], dtype=np.float32)
        out[start:start + chunk_rows] = (block - mean) @ directions
    return out


class _Progress:
    """What a running projection job reports: a stage and a fraction, parsed from the verbose
    output that scikit-learn's t-SNE prints and from UMAP's epoch bar."""

    def __init__(self, total_iterations: int):
        self.total = total_iterations
        self.fraction = 0.0
        self.stage = "starting"

    def write(self, text: str) -> int:
        # print() writes its arguments one by one: read the last few hundred characters
        self._tail = (getattr(self, "_tail", "") + text)[-400:]
        iterations = re.findall(r"\[t-SNE\] Iteration (\d+)", self._tail)
        epochs = re.findall(r"(\d+)\s*/\s*(\d+)", self._tail)
        if iterations:
            self.stage = "optimising"
            self.fraction = min(int(iterations[-1]) / self.total, 0.99)
        elif epochs and int(epochs[-1][1]) > 0:
            self.stage = "optimising"
            self.fraction = min(int(epochs[-1][0]) / int(epochs[-1][1]), 0.99)
        elif "neighbor" in self._tail.lower():
            self.stage = "nearest neighbours"
        return len(text)

    def flush(self) -> None:
        pass


class _ThreadStdout(io.TextIOBase):
    """Stands in for ``sys.stdout``: text printed by one thread goes to its sink, the rest on."""

    def __init__(self, original):
        self.original = original
        self.sinks: dict[int, _Progress] = {}

    def write(self, text):
        sink = self.sinks.get(threading.get_ident())
        return sink.write(text) if sink is not None else self.original.write(text)

    def flush(self):
        if threading.get_ident() not in self.sinks:
            self.original.flush()


_stdout_lock = threading.Lock()


@contextlib.contextmanager
def _capture_stdout(sink: _Progress):
    """Route this thread's prints to ``sink`` (other threads print as before)."""
    with _stdout_lock:
        if not isinstance(sys.stdout, _ThreadStdout):
            sys.stdout = _ThreadStdout(sys.stdout)
        router = sys.stdout
        router.sinks[threading.get_ident()] = sink
    try:
        yield
    finally:
        with _stdout_lock:
            router.sinks.pop(threading.get_ident(), None)
            if not router.sinks and sys.stdout is router:
                sys.stdout = router.original


def _tsne(matrix: np.ndarray, dims: int, seed: int, progress: _Progress, init=None):
    from sklearn.manifold import TSNE

    n = matrix.shape[0]
    perplexity = float(min(30.0, max(1.0, (n - 1) / 3.0)))
    model = TSNE(n_components=dims, perplexity=perplexity, init="pca" if init is None else init,
                 learning_rate="auto", random_state=seed, max_iter=progress.total,
                 method="barnes_hut" if n > 300 and dims < 4 else "exact", verbose=2)
    with _capture_stdout(progress):
        return model.fit_transform(np.asarray(matrix, dtype=np.float32)).astype(np.float32)


def _umap(matrix: np.ndarray, dims: int, seed: int, progress: _Progress, init=None):
    try:
        import umap
    except ImportError:  # pragma: no cover - CI installs it
        raise BadRequest("method=umap needs the umap-learn package (pip install "
                         "'wordspace[umap]'); use pca or tsne") from None
    n = matrix.shape[0]
    if n < 4:
        raise BadRequest("UMAP needs at least 4 points")
    reducer = umap.UMAP(n_components=dims, n_neighbors=min(15, n - 1), random_state=seed, n_jobs=1,
                        metric="cosine", init="spectral" if init is None else init,
                        verbose=True, tqdm_kwds={"file": progress, "disable": False,
                                                 "mininterval": 0.1})
    with _capture_stdout(progress):
        return np.asarray(reducer.fit_transform(np.asarray(matrix, dtype=np.float32)),
                          dtype=np.float32)


class _Job:
    def __init__(self, key, progress: _Progress):
        self.key = key
        self.progress = progress
        self.started = time.monotonic()
        self.future = None


class Space:
    """One model's points as the explorer serves them.

    Parameters
    ----------
    embeddings : Embeddings
        The points' names (``tokens``) and vectors; neighbours are searched among them.
    labels : sequence of str, optional
        A label per point (documents): the page can colour by it.
    name : str
        Shown above the plot.
    kind : {"words", "documents"}
    seed : int
        Seed of t-SNE and UMAP.

    Attributes
    ----------
    aligned_ : ndarray or None
        With a reference space (see :meth:`align_to`): this space's unit vectors rotated onto
        the reference's, padded to a common dimension.
    """

    def __init__(self, embeddings: Embeddings, labels=None, name: str = "model",
                 kind: str = "words", seed: int = 0):
        if labels is not None and len(labels) != len(embeddings):
            raise ParameterError(f"{len(embeddings)} points but {len(labels)} labels")
        if len(embeddings) < 2:
            raise ParameterError("the explorer needs at least 2 points")
        self.embeddings = embeddings
        self.labels = None if labels is None else [str(label) for label in labels]
        self.name = name
        self.kind = kind
        self.seed = seed
        self.reference: Space | None = None
        self.aligned_ = None
        self.shared_ = None
        self._cache: OrderedDict = OrderedDict()
        self._jobs: dict = {}
        self._lock = threading.Lock()
        self._groups: dict = {}
        self.executor: ThreadPoolExecutor | None = None  # runs t-SNE and UMAP; set by the app

    def __len__(self) -> int:
        return len(self.embeddings)

    # -- alignment ----------------------------------------------------------------------------
    def align_to(self, reference: Space) -> Space:
        """Rotate this space onto ``reference`` by orthogonal Procrustes on their shared words.

        Both are taken as unit vectors (cosine geometry) and zero-padded to the larger of the two
        dimensions, so models of different sizes align too; the rotation ``R`` minimises
        ``||B R - A||`` over the shared rows.  Afterwards both are projected from those vectors
        (``reference`` gets ``aligned_`` too, unrotated), on the reference's principal axes.
        """
        from scipy.linalg import orthogonal_procrustes

        mine, theirs = self.embeddings, reference.embeddings
        shared = [token for token in theirs.tokens if token in mine.index]
        if len(shared) < 2:
            raise ParameterError(f"the two models share {len(shared)} words; Procrustes "
                                 "alignment needs at least 2")
        dim = max(mine.dim, theirs.dim)
        a = _padded(theirs.unit_vectors, dim)
        b = _padded(mine.unit_vectors, dim)
        rows_a = np.fromiter((theirs.index[t] for t in shared), dtype=np.int64, count=len(shared))
        rows_b = np.fromiter((mine.index[t] for t in shared), dtype=np.int64, count=len(shared))
        rotation, _ = orthogonal_procrustes(b[rows_b], a[rows_a])
        self.aligned_ = (b @ rotation.astype(np.float32)).astype(np.float32)
        reference.aligned_ = a
        moved = 1.0 - np.einsum("ij,ij->i", a[rows_a], self.aligned_[rows_b])
        self.shared_ = (shared, rows_a, rows_b, moved)
        self.reference = reference
        reference._cache.clear()
        self._cache.clear()
        return self

    def moved(self, topn: int, restrict: int | None):
        """The shared words that moved most (cosine distance after alignment), with their rows
        in both models; only the first ``restrict`` shared words (most frequent) are ranked."""
        shared, rows_a, rows_b, moved = self.shared_
        end = len(shared) if restrict is None else min(restrict, len(shared))
        order = np.argsort(-moved[:end], kind="stable")[:topn]
        return [{"word": shared[i], "distance": float(moved[i]), "rows": [int(rows_a[i]),
                                                                           int(rows_b[i])]}
                for i in order]

    # -- what projections start from ----------------------------------------------------------
    @property
    def _matrix(self) -> np.ndarray:
        return self.embeddings.vectors if self.aligned_ is None else self.aligned_

    def _basis_space(self) -> Space:
        return self.reference if self.reference is not None else self

    def projection(self, method: str, dims: int, limit: int):
        """Coordinates of the first ``limit`` points: an array, or a :class:`_Job` that is
        still running (t-SNE, UMAP).  Cached."""
        key = (method, dims, limit)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            if method == "pca":
                coordinates = self._pca(dims, limit)
                self._remember(key, coordinates)
                return coordinates
            job = self._jobs.get(key)
            if job is None:
                job = self._start(key)
        if job.future.done():
            with self._lock:
                self._jobs.pop(key, None)
                error = job.future.exception()
                if error is not None:
                    if isinstance(error, WordspaceError):
                        raise error
                    raise ParameterError(f"{method} failed on {limit} points: {error}")
                self._remember(key, job.future.result())
                return self._cache[key]
        return job

    def _remember(self, key, coordinates):
        self._cache[key] = coordinates
        while len(self._cache) > LIMITS["cache"]:
            self._cache.popitem(last=False)

    def _pca(self, dims: int, limit: int) -> np.ndarray:
        basis = self._basis_space()
        basis_key = ("pca-basis", dims, min(limit, len(basis)))
        if basis_key not in basis._cache:
            basis._cache[basis_key] = _pca_basis(basis._matrix[:basis_key[2]], dims)
        mean, directions = basis._cache[basis_key]
        return _project_pca(self._matrix[:limit], mean, directions)

    def _start(self, key) -> _Job:
        method, dims, limit = key
        progress = _Progress(1000 if method == "tsne" else 1)
        job = _Job(key, progress)
        init = None
        if self.reference is not None:  # start from the aligned PCA: the pictures match
            init = self._pca(dims, limit).astype(np.float64)
            init = init / (init[:, 0].std() or 1.0) * (1e-4 if method == "tsne" else 10.0)
        run = _tsne if method == "tsne" else _umap
        job.future = self.executor.submit(run, self._matrix[:limit], dims, self.seed, progress,
                                          init)
        self._jobs[key] = job
        return job

    def axes(self, formulas: Sequence[str], limit: int) -> np.ndarray:
        """Cosine of each of the first ``limit`` points with each formula's vector."""
        columns = []
        unit = self.embeddings.unit_vectors[:limit]
        for formula in formulas:
            direction = np.zeros(self.embeddings.dim, dtype=np.float32)
            for word, weight in parse_formula(formula):
                direction += weight * self.embeddings.unit_vectors[self.embeddings.get_index(word)]
            norm = np.linalg.norm(direction)
            if norm == 0:
                raise ParameterError(f"the axis {formula!r} is the zero vector")
            columns.append(unit @ (direction / norm))
        return np.ascontiguousarray(np.stack(columns, axis=1), dtype=np.float32)

    # -- colours ------------------------------------------------------------------------------
    def groupings(self) -> dict[str, list[str]]:
        """Legend of each way of colouring the points (``frequency``, ``label``)."""
        legends = {"frequency": self.groups("frequency")[1]}
        if self.labels is not None:
            legends["label"] = self.groups("label")[1]
        return legends

    def groups(self, by: str):
        """(uint8 group per point, legend)."""
        if by in self._groups:
            return self._groups[by]
        n = len(self)
        if by == "label":
            if self.labels is None:
                raise BadRequest(f"{self.name} has no labels; colour by frequency")
            names, inverse, counts = np.unique(np.asarray(self.labels, dtype=object).astype(str),
                                               return_inverse=True, return_counts=True)
            order = np.argsort(-counts, kind="stable")
            if len(order) > MAX_GROUPS:
                order = order[:MAX_GROUPS - 1]
            rank = np.full(len(names), len(order), dtype=np.int64)
            rank[order] = np.arange(len(order))
            legend = [str(names[i]) for i in order]
            if len(names) > len(order):
                legend.append("other")
            result = (rank[inverse].astype(np.uint8), legend)
        else:
            counts = self.embeddings.counts
            ranks = np.empty(n, dtype=np.int64)
            order = (np.argsort(-counts, kind="stable") if counts is not None
                     else np.arange(n))
            ranks[order] = np.arange(n)
            edges = [0, 100, 1000, 10_000, 100_000, 1_000_000]
            edges = [edge for edge in edges if edge < n] + [n]
            legend = [f"rank {low + 1:,}-{high:,}" for low, high in zip(edges, edges[1:],
                                                                           strict=False)]
            bands = np.searchsorted(np.asarray(edges[1:]), ranks, side="right")
            result = (bands.astype(np.uint8), legend)
        self._groups[by] = result
        return result

    def describe(self) -> dict:
        return {"name": self.name, "kind": self.kind, "points": len(self),
                "dim": self.embeddings.dim, "groupings": self.groupings(),
                "has_counts": self.embeddings.counts is not None}


def _padded(matrix: np.ndarray, dim: int) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.shape[1] == dim:
        return matrix
    return np.hstack([matrix, np.zeros((matrix.shape[0], dim - matrix.shape[1]), np.float32)])


# ---------------------------------------------------------------------------------- the app ----
def _as_embeddings(model) -> Embeddings:
    """Embeddings from an Embeddings, a fitted model (``.wv`` / ``.word_vectors``) or a path."""
    if isinstance(model, Embeddings):
        return model
    if isinstance(model, str | Path):
        from .vectors import load

        return load(model)
    for attribute in ("wv", "word_vectors"):
        if hasattr(type(model), attribute):
            return getattr(model, attribute)
    if hasattr(model, "tokens") and hasattr(model, "vectors"):
        return Embeddings(model.tokens, model.vectors, getattr(model, "counts", None))
    raise ParameterError(f"cannot explore a {type(model).__name__}: give Embeddings, a fitted "
                         "model or a model file")


def create_app(model, second=None, *, labels=None, names: Sequence[str] | None = None,
               kind: str = "words", seed: int = 0):
    """The explorer as a Starlette application (serve it with uvicorn, or test it with
    ``starlette.testclient.TestClient``).

    Parameters
    ----------
    model : Embeddings, fitted model, or path
        The points.  For documents, give ``Embeddings(names, document_vectors)`` and ``labels``.
    second : same types, optional
        A second model, aligned onto the first by orthogonal Procrustes and shown beside it.
    labels : sequence of str, optional
        A label per point of ``model`` (colours).
    names : two str, optional
        Titles of the models.
    kind : {"words", "documents"}
    seed : int
        Seed of t-SNE and UMAP.
    """
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    names = list(names or ["model", "model 2"])
    spaces = [Space(_as_embeddings(model), labels=labels, name=names[0], kind=kind, seed=seed)]
    if second is not None:
        spaces.append(Space(_as_embeddings(second), name=names[1], seed=seed).align_to(spaces[0]))
    # one worker thread runs the app's t-SNE and UMAP jobs, one after another (each uses all
    # cores itself)
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wordspace-explore")
    for space in spaces:
        space.executor = executor
        _ = space.embeddings.unit_vectors  # computed now, not in the first query
    static = Path(str(resources.files("wordspace") / STATIC))

    def space_of(params) -> Space:
        return spaces[_int_param(params, "model", 0, 0, len(spaces) - 1)]

    def limit_of(params, space: Space, method: str) -> int:
        bound = min(len(space), LIMITS.get(method, LIMITS["points"]))
        default = DEFAULT_LIMITS.get(method) or bound
        return _int_param(params, "limit", min(default, bound), 2, bound) if bound >= 2 else bound

    def coordinates_response(params, coordinates: np.ndarray, method: str):
        fmt = _choice_param(params, "format", "json", ("json", "f32"))
        headers = {"X-Points": str(coordinates.shape[0]), "X-Dims": str(coordinates.shape[1]),
                   "Cache-Control": "no-store"}
        if fmt == "f32":
            data = np.ascontiguousarray(coordinates, dtype="<f4").tobytes()
            return Response(data, media_type="application/octet-stream", headers=headers)
        return JSONResponse({"method": method, "dims": int(coordinates.shape[1]),
                             "points": int(coordinates.shape[0]),
                             "coordinates": np.round(coordinates.astype(np.float64), 6).tolist()},
                            headers=headers)

    def index(request):
        return FileResponse(static / "index.html", headers={"Cache-Control": "no-store"})

    def info(request):
        return JSONResponse({"models": [space.describe() for space in spaces],
                             "methods": list(METHODS), "umap": _have_umap(),
                             "limits": LIMITS, "default_limits": DEFAULT_LIMITS})

    def tokens(request):
        space = space_of(request.query_params)
        text = "\n".join(token.replace("\n", " ") for token in space.embeddings.tokens)
        return PlainTextResponse(text, headers={"X-Points": str(len(space))})

    def groups(request):
        params = request.query_params
        space = space_of(params)
        by = _choice_param(params, "by", "frequency", ("frequency", "label"))
        codes, legend = space.groups(by)
        return Response(codes.tobytes(), media_type="application/octet-stream",
                        headers={"X-Groups": str(len(legend))})

    def projection(request):
        params = request.query_params
        space = space_of(params)
        method = _choice_param(params, "method", "pca", METHODS)
        dims = _int_param(params, "dims", 2, 2, 3)
        if method == "umap" and not _have_umap():
            return JSONResponse({"error": "method=umap needs the umap-learn package (pip "
                                          "install 'wordspace[umap]'); use pca or tsne"},
                                status_code=400)
        limit = limit_of(params, space, method)
        _choice_param(params, "format", "json", ("json", "f32"))
        result = space.projection(method, dims, limit)
        if isinstance(result, _Job):
            return JSONResponse({"status": "running", "method": method, "points": limit,
                                 "stage": result.progress.stage,
                                 "progress": round(result.progress.fraction, 3),
                                 "elapsed": round(time.monotonic() - result.started, 1)},
                                status_code=202)
        return coordinates_response(params, result, method)

    def axes(request):
        params = request.query_params
        space = space_of(params)
        formulas = [_text_param(params, "x", LIMITS["formula"]),
                    _text_param(params, "y", LIMITS["formula"])]
        third = _text_param(params, "z", LIMITS["formula"], required=False)
        if third:
            formulas.append(third)
        limit = limit_of(params, space, "axes")
        _choice_param(params, "format", "json", ("json", "f32"))
        return coordinates_response(params, space.axes(formulas, limit), "axes")

    def neighbors(request):
        params = request.query_params
        space = space_of(params)
        word = _text_param(params, "word", LIMITS["word"])
        topn = _int_param(params, "topn", 10, 1, LIMITS["topn"])
        metric = _choice_param(params, "metric", "cosine", ("cosine", "dot"))
        started = time.perf_counter()
        with _one_blas_thread():
            found = space.embeddings.most_similar(positive=[word], topn=topn, metric=metric)
        seconds = time.perf_counter() - started
        index = space.embeddings.index
        return JSONResponse({"word": word, "metric": metric,
                             "neighbors": [{"word": w, "score": s, "row": index[w]}
                                           for w, s in found]},
                            headers={"Server-Timing": f"query;dur={seconds * 1000:.2f}"})

    def analogy(request):
        params = request.query_params
        space = space_of(params)
        a, b, c = (_text_param(params, name, LIMITS["word"]) for name in "abc")
        topn = _int_param(params, "topn", 10, 1, LIMITS["topn"])
        with _one_blas_thread():
            found = space.embeddings.analogy(a, b, c, topn=topn)
        index = space.embeddings.index
        return JSONResponse({"a": a, "b": b, "c": c,
                             "answers": [{"word": w, "score": s, "row": index[w]}
                                         for w, s in found]})

    def moved(request):
        params = request.query_params
        if len(spaces) < 2:
            raise BadRequest("/api/moved needs a second model (wordspace explore MODEL MODEL2)")
        topn = _int_param(params, "topn", 50, 1, LIMITS["topn"])
        restrict = _int_param(params, "restrict", 5000, 1, LIMITS["points"])
        return JSONResponse({"words": spaces[1].moved(topn, restrict),
                             "shared": len(spaces[1].shared_[0])})

    async def bad_request(request, error):
        return JSONResponse({"error": str(error)}, status_code=400)

    async def unknown_word(request, error):
        return JSONResponse({"error": str(error), "suggestions": error.suggestions},
                            status_code=404)

    async def http_error(request, error):
        return JSONResponse({"error": error.detail or "error"}, status_code=error.status_code,
                            headers=getattr(error, "headers", None))

    async def server_error(request, error):  # a bug: logged here, one line for the client
        logger.exception("explorer: %s failed", request.url.path)
        return JSONResponse({"error": f"internal error: {type(error).__name__}"},
                            status_code=500)

    routes = [
        Route("/", index),
        Route("/api/info", info),
        Route("/api/tokens", tokens),
        Route("/api/groups", groups),
        Route("/api/projection", projection),
        Route("/api/axes", axes),
        Route("/api/neighbors", neighbors),
        Route("/api/analogy", analogy),
        Route("/api/moved", moved),
        Mount("/static", app=StaticFiles(directory=static), name="static"),
    ]
    handlers = {UnknownWordError: unknown_word, WordspaceError: bad_request,
                HTTPException: http_error, Exception: server_error}
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.state.spaces = spaces
    return app


_BLAS = None


def _one_blas_thread():
    """BLAS on one thread for a query: a matrix-vector product is bound by memory, and on a busy
    machine a second BLAS thread waits for a core (100,000 x 100 under load: 15 ms on one
    thread, 32 ms on two).  ~10 microseconds to enter."""
    global _BLAS
    if _BLAS is None:
        try:
            from threadpoolctl import ThreadpoolController

            _BLAS = ThreadpoolController()
        except ImportError:  # pragma: no cover - scikit-learn depends on it
            _BLAS = False
    if not _BLAS:
        return contextlib.nullcontext()
    return _BLAS.limit(limits=1, user_api="blas")


def _have_umap() -> bool:
    try:
        import importlib.util

        return importlib.util.find_spec("umap") is not None
    except (ImportError, ValueError):  # pragma: no cover
        return False


# ------------------------------------------------------------------------------- the server ----
class ExplorerServer:
    """A running explorer (uvicorn in a background thread); :meth:`stop` ends it.

    Attributes
    ----------
    url : str
        Where the page is, e.g. ``http://127.0.0.1:8765/``.
    app : starlette.applications.Starlette
    """

    def __init__(self, app, host: str, port: int):
        import uvicorn

        self.app = app
        self.host = host
        self.port = port
        config = uvicorn.Config(app, host=host, port=port, log_level="warning",
                                access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self, timeout: float = 20.0) -> ExplorerServer:
        self._thread = threading.Thread(target=self._server.run, name="wordspace-explorer",
                                        daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise ParameterError(f"the explorer could not listen on {self.host}:{self.port}"
                                     " (port in use?)")
            time.sleep(0.02)
        return self

    def serve_forever(self) -> None:
        """Run in this thread until interrupted (Ctrl-C)."""
        self._server.run()
        if not self._server.started:
            raise ParameterError(f"the explorer could not listen on {self.host}:{self.port} "
                                 "(port in use?)")

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def check_port(host: str, port: int) -> None:
    """Raise :class:`ParameterError` if nothing can listen on ``host:port`` now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise ParameterError(f"cannot listen on {host}:{port}: {error.strerror or error} "
                                 "(another port: --port N, or --port 0 for any free one)"
                                 ) from None


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def explore(model, second=None, *, labels=None, names: Sequence[str] | None = None,
            kind: str = "words", host: str = "127.0.0.1", port: int = 8765,
            open_browser: bool = True, block: bool = True, seed: int = 0):
    """Serve the explorer for ``model`` (and ``second``) and open it in the browser.

    Parameters
    ----------
    model, second, labels, names, kind, seed
        As :func:`create_app`.
    host : str
        Interface to listen on; anything but ``127.0.0.1`` / ``localhost`` logs a warning (the
        API answers anyone who can reach it).
    port : int
        0 picks a free port.
    open_browser : bool
    block : bool
        Serve until interrupted (the command line); with False, serve from a background thread
        and return the :class:`ExplorerServer` at once (notebooks, tests).

    Returns
    -------
    ExplorerServer
    """
    if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
        raise ParameterError(f"port must be an integer between 0 and 65535, got {port!r}")
    if host not in ("127.0.0.1", "localhost", "::1"):
        logger.warning("the explorer listens on %s: anyone who can reach this address can query "
                       "the model", host)
    port = port or free_port(host)
    check_port(host, port)
    app = create_app(model, second, labels=labels, names=names, kind=kind, seed=seed)
    server = ExplorerServer(app, host, port)
    if block:
        if open_browser:
            threading.Timer(1.0, webbrowser.open, args=(server.url,)).start()
        server.serve_forever()
        return server
    server.start()
    if open_browser:
        webbrowser.open(server.url)
    return server


class _CallableModule(types.ModuleType):
    """``wordspace.explore`` is this module; calling it calls :func:`explore`."""

    def __call__(self, *args, **kwargs):
        return explore(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
