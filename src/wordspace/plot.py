"""Pictures of embeddings: arrows, word maps, analogy maps, document maps and loss curves.

Every drawing function returns a :class:`matplotlib.figure.Figure` and, given ``path=``, saves
it as PNG, SVG or PDF (chosen by the file extension; written atomically).  Figures are built on
:class:`~matplotlib.figure.Figure` with an Agg canvas, never through ``pyplot``: importing this
module does not touch the global backend or any open notebook figures, and no display is needed.

The functions take numpy arrays or duck-typed objects: anything with ``.tokens`` and ``.vectors``
(an :class:`~wordspace.vectors.Embeddings`), a model with ``.wv`` (word2vec) or ``.word_vectors``
(LSA, autoencoder), and anything with ``loss_history_`` for :func:`loss_curve`.

Projections
-----------
:func:`project` turns vectors into 2-D (or ``dims``-D) coordinates, which it returns so that they
can be plotted elsewhere:

* ``method="pca"`` -- principal components, by an SVD of the centred rows: the coordinates are
  ``U[:, :dims] * s[:dims]``, the same as scikit-learn's ``PCA(dims).fit_transform`` up to the
  sign of each axis.  The sign is fixed so that the largest entry (in absolute value) of each
  principal direction is positive, so the picture does not flip between runs.
* ``method="pca", center=False`` -- the *uncentred* projection on the top right singular vectors
  (signed so that the points' mean coordinate on each is positive).
  :func:`arrows` uses it: a linear map keeps the origin at the origin, so an arrow from ``0`` to
  a word still means "this word's vector", and the angle between two arrows stays close to the
  angle between the vectors when the two directions hold most of their energy.
* ``method="tsne"`` -- scikit-learn's t-SNE, seeded, initialised by PCA, with the perplexity
  lowered to ``(n - 1) / 3`` for small inputs (t-SNE needs perplexity < n); exact gradients up
  to 300 points (faster there), Barnes-Hut above.

Examples
--------
>>> import numpy as np
>>> from wordspace.vectors import Embeddings
>>> emb = Embeddings(["king", "queen", "man", "woman"],
...                  [[2.0, 1.0], [2.0, -1.0], [1.0, 0.5], [1.0, -0.5]])
>>> fig = arrows(emb, ["king", "queen", "man", "woman"])   # 2-D already: drawn as it is
>>> type(fig).__name__
'Figure'
>>> project(emb.vectors).shape
(4, 2)
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from ._store import atomic_write
from .errors import ParameterError, UnknownWordError, check_choice, check_positive

__all__ = [
    "project",
    "arrows",
    "word_map",
    "analogy_map",
    "document_map",
    "loss_curve",
    "svd_optimum",
    "save_figure",
    "read_pairs",
    "read_labels",
    "FORMATS",
]

logger = logging.getLogger(__name__)

#: file formats :func:`save_figure` writes, chosen by extension
FORMATS = ("png", "svg", "pdf")
METHODS = ("pca", "tsne")
_DEFAULT_FIGSIZE = (8.0, 6.0)
_DEFAULT_DPI = 100
# metadata that would make two saves of the same figure differ
_NO_DATES = {"png": None, "svg": {"Date": None}, "pdf": {"CreationDate": None}}


# ------------------------------------------------------------------------------ projection ---
def _principal_axes(matrix: np.ndarray, dims: int, center: bool):
    """Top ``dims`` right singular vectors (rows) of ``matrix`` (centred or not), sign-fixed."""
    data = matrix - matrix.mean(axis=0) if center else matrix
    _, _, vt = np.linalg.svd(data, full_matrices=False)
    axes = vt[:dims]
    if center:
        # deterministic sign: the largest |entry| of each direction is positive
        biggest = np.argmax(np.abs(axes), axis=1)
        signs = np.sign(axes[np.arange(axes.shape[0]), biggest])
    else:
        # the points lie on the positive side of each direction, on average
        signs = np.sign((data @ axes.T).sum(axis=0))
    signs[signs == 0] = 1.0
    axes = axes * signs[:, None]
    return data, axes


def project(vectors, method: str = "pca", dims: int = 2, seed: int = 0, *,
            center: bool = True, perplexity: float | None = None) -> np.ndarray:
    """Coordinates of ``vectors`` in ``dims`` dimensions, by PCA or t-SNE.

    Parameters
    ----------
    vectors : array-like of shape (n, d)
        One row per point.
    method : {"pca", "tsne"}
        Principal components (an SVD; exact, linear) or t-SNE (scikit-learn; non-linear, keeps
        neighbourhoods, distorts distances).
    dims : int
        Number of output dimensions.
    seed : int
        Random seed of t-SNE (PCA is deterministic).
    center : bool
        PCA only: subtract the mean first (principal components).  ``False`` projects on the top
        right singular vectors of the raw rows, a linear map that keeps the origin in place.
    perplexity : float, optional
        t-SNE perplexity; by default ``min(30, (n - 1) / 3)``.

    Returns
    -------
    ndarray of shape (n, dims), float64

    Raises
    ------
    ParameterError
        Fewer than two points (three for t-SNE), fewer than ``dims`` input dimensions, or
        non-finite values.

    Examples
    --------
    >>> points = np.array([[0.0, 0.0, 1.0], [2.0, 0.0, 1.0], [4.0, 0.0, 1.0], [2.0, 1.0, 1.0]])
    >>> project(points).round(3).tolist()   # x spreads most; the third column is constant
    [[-2.0, -0.25], [0.0, -0.25], [2.0, -0.25], [-0.0, 0.75]]
    """
    check_choice("method", method, METHODS)
    check_positive("dims", dims, integer=True)
    matrix = np.asarray(vectors, dtype=np.float64)
    if matrix.ndim != 2:
        raise ParameterError(f"vectors must be a 2-d matrix, got shape {matrix.shape}")
    n, d = matrix.shape
    least = 3 if method == "tsne" else 2
    if n < least:
        raise ParameterError(f"need at least {least} points to project by {method}, got {n}")
    if d < dims:
        raise ParameterError(f"cannot project {d}-dimensional vectors to {dims} dimensions")
    if not np.isfinite(matrix).all():
        raise ParameterError("vectors contain NaN or infinite values")
    if method == "pca":
        if dims > min(n, d):
            raise ParameterError(f"PCA to {dims} dimensions needs at least {dims} points, got {n}")
        data, axes = _principal_axes(matrix, dims, center)
        return data @ axes.T
    from sklearn.manifold import TSNE

    if perplexity is None:
        perplexity = min(30.0, (n - 1) / 3.0)
    check_positive("perplexity", perplexity)
    if perplexity >= n:
        raise ParameterError(f"t-SNE perplexity must be below the number of points ({n}), "
                             f"got {perplexity}")
    tsne = TSNE(n_components=dims, perplexity=perplexity, init="pca", random_state=seed,
                method="barnes_hut" if dims < 4 and n > 300 else "exact")
    return np.asarray(tsne.fit_transform(matrix), dtype=np.float64)


# --------------------------------------------------------------------------- input helpers ---
def _as_embeddings(obj):
    """The token/vector object behind ``obj``: embeddings, a model's ``wv``/``word_vectors``."""
    if hasattr(obj, "tokens") and hasattr(obj, "vectors"):
        return obj
    for name in ("wv", "word_vectors"):
        if hasattr(obj, name):
            inner = getattr(obj, name)
            inner = inner() if callable(inner) else inner
            if hasattr(inner, "tokens") and hasattr(inner, "vectors"):
                return inner
    raise ParameterError(f"expected embeddings (an object with .tokens and .vectors) or a model "
                         f"with word vectors, got {type(obj).__name__}")


def _lookup(emb, words: Iterable[str], skip_unknown: bool) -> tuple[list[str], np.ndarray]:
    """The known ``words`` (in order, without repeats) and their vectors as float64 rows."""
    index = getattr(emb, "index", None)
    if not isinstance(index, Mapping):
        index = {token: row for row, token in enumerate(emb.tokens)}
    known, rows, unknown = [], [], []
    for word in dict.fromkeys(words):
        if word in index:
            known.append(word)
            rows.append(index[word])
        elif skip_unknown:
            unknown.append(word)
        else:
            raise UnknownWordError(word, list(emb.tokens[:50_000]))
    if unknown and not known:
        raise ParameterError(f"none of the {len(unknown)} word(s) is in the vocabulary: "
                             f"{', '.join(unknown[:10])}{' ...' if len(unknown) > 10 else ''}")
    if unknown:
        warnings.warn(f"skipping {len(unknown)} word(s) not in the vocabulary: "
                      f"{', '.join(unknown[:10])}{' ...' if len(unknown) > 10 else ''}",
                      UserWarning, stacklevel=3)
    vectors = np.asarray(emb.vectors[np.asarray(rows, dtype=np.int64)], dtype=np.float64)
    return known, vectors.reshape(len(rows), np.shape(emb.vectors)[1])


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def _need(count: int, least: int, what: str) -> None:
    if count < least:
        raise ParameterError(f"need at least {least} {what} to draw, got {count}")


def read_pairs(path, section: str | None = None) -> list[tuple[str, str]]:
    """Word pairs from a file, for :func:`analogy_map`.

    One pair a line (``a b``, separated by spaces or tabs); a line of four words ``a b c d`` (an
    analogy question, as in the Google set) gives the two pairs ``(a, b)`` and ``(c, d)``.
    Lines ``: name`` start a section; ``section`` keeps only that one.  Blank lines and lines
    starting with ``#`` are skipped; repeated pairs are kept once, in file order.

    Raises
    ------
    ParameterError
        A line that is not 2 or 4 words, an unknown section, or no pairs at all.
    """
    from .corpus import open_text

    pairs: dict[tuple[str, str], None] = {}
    sections: list[str] = []
    current = None
    with open_text(path) as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith(":"):
                current = line[1:].strip()
                sections.append(current)
                continue
            if section is not None and current != section:
                continue
            fields = line.split()
            if len(fields) not in (2, 4):
                raise ParameterError(f"{path}, line {number}: expected 2 words (a pair) or 4 (an "
                                     f"analogy), got {len(fields)}")
            pairs[(fields[0], fields[1])] = None
            if len(fields) == 4:
                pairs[(fields[2], fields[3])] = None
    if section is not None and section not in sections:
        raise ParameterError(f"{path} has no section {section!r}"
                             + (f" (sections: {', '.join(sections)})" if sections else ""))
    if not pairs:
        raise ParameterError(f"{path} holds no word pairs")
    return list(pairs)


def read_labels(path) -> list[str]:
    """One label a line (blank lines count as the label ``""``; a final newline does not).

    An empty file holds no labels.
    """
    from .corpus import open_text

    with open_text(path) as handle:
        text = handle.read()
    if not text:
        return []
    return [label.strip() for label in text.rstrip("\n").split("\n")]


# ---------------------------------------------------------------------------- figure helpers ---
#: the most pixels a side that the Agg renderer draws
MAX_PIXELS = 1 << 16


def _new_figure(figsize, dpi):
    width, height = figsize or _DEFAULT_FIGSIZE
    dpi = dpi or _DEFAULT_DPI
    if max(width, height) * dpi > MAX_PIXELS:
        raise ParameterError(f"dpi {dpi:g} makes a {width * dpi:,.0f} x {height * dpi:,.0f}-pixel "
                             f"picture; at most {MAX_PIXELS:,} pixels a side: lower the dpi "
                             f"(at most {int(MAX_PIXELS // max(width, height)):,} at this size)")
    figure = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    return figure, ax


def save_figure(figure: Figure, path) -> Path:
    """Save ``figure`` to ``path`` as PNG, SVG or PDF (by extension), atomically.

    The image has exactly the figure's size (``figsize * dpi`` pixels for PNG); dates are left
    out of the SVG and PDF metadata, so saving the same figure twice gives the same bytes.

    Raises
    ------
    ParameterError
        If the extension is not ``.png``, ``.svg`` or ``.pdf``.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ParameterError(f"cannot tell the image format of {path}: use a .png, .svg or .pdf "
                             f"file name")
    # a fixed salt for the SVG element ids, so the same figure gives the same file
    with rc_context({"svg.hashsalt": "wordspace"}), atomic_write(path, "wb") as handle:
        figure.savefig(handle, format=fmt, metadata=_NO_DATES[fmt])
    logger.info("wrote %s", path)
    return path


def _finish(figure: Figure, path) -> Figure:
    if path is not None:
        save_figure(figure, path)
    return figure


def _set_limits(ax, xy: np.ndarray, margin: float = 0.08, include_origin: bool = False) -> None:
    points = np.vstack([xy, np.zeros((1, 2))]) if include_origin else xy
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    ax.set_xlim(low[0] - margin * span[0], high[0] + margin * span[0])
    ax.set_ylim(low[1] - margin * span[1], high[1] + margin * span[1])


def _overlap(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Overlap areas of one box (x0, y0, x1, y1) with each row of ``boxes``."""
    if boxes.size == 0:
        return np.zeros(0)
    width = np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0])
    height = np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1])
    return np.clip(width, 0, None) * np.clip(height, 0, None)


def _place_labels(ax, xy: np.ndarray, labels: Sequence[str], colors=None, fontsize: float = 9,
                  point_radius: float = 3.0, avoid_points: bool = True,
                  obstacles: np.ndarray | None = None, **text_props) -> list:
    """Write ``labels`` beside the points ``xy`` (data coordinates), avoiding overlaps greedily.

    Each label in turn tries positions around its point -- right, left, above, below and the
    diagonals, at growing distances -- and takes the first that overlaps no label placed before,
    no other point and stays inside the axes; when none is free it takes the least-overlapping
    one.  Labels moved further than a few pixels get a thin leader line to their point.
    ``obstacles`` are more points (data coordinates) that labels should not cover, such as
    points along arrows.
    Call it after the axis limits are final: it works in display (pixel) coordinates.
    """
    figure = ax.figure
    renderer = figure.canvas.get_renderer()
    to_pixels = ax.transData.transform
    pixels = to_pixels(xy)
    frame = ax.get_window_extent(renderer)
    # the size of each label, measured once with a throwaway text
    probe = ax.text(0, 0, "", fontsize=fontsize, **text_props)
    padding = 0.6 * fontsize * figure.dpi / 72.0 if "bbox" in text_props else 0.0
    sizes = []
    for label in labels:
        probe.set_text(label)
        extent = probe.get_window_extent(renderer)
        sizes.append((extent.width + padding, extent.height + padding))
    probe.remove()
    r = point_radius
    point_boxes = np.column_stack([pixels - r, pixels + r]) if avoid_points else np.zeros((0, 4))
    if obstacles is not None and len(obstacles):
        extra = to_pixels(np.asarray(obstacles, dtype=np.float64))
        extra_boxes = np.column_stack([extra - r, extra + r])
    else:
        extra_boxes = np.zeros((0, 4))
    placed = np.zeros((0, 4))
    directions = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1)]
    distances = (3, 8, 15, 24, 36, 50, 68)
    tries = [(d, direction) for d in distances for direction in directions]
    points_per_pixel = 72.0 / figure.dpi
    artists = []
    for i, label in enumerate(labels):
        width, height = sizes[i]
        px, py = pixels[i]
        best, best_cost = None, np.inf
        others = np.delete(point_boxes, i, axis=0) if avoid_points else point_boxes
        for distance, (dx, dy) in tries:
            # the box's lower-left corner for this direction and distance
            x0 = px + distance if dx > 0 else px - distance - width if dx < 0 else px - width / 2
            y0 = py + distance if dy > 0 else py - distance - height if dy < 0 else py - height / 2
            box = np.array([x0, y0, x0 + width, y0 + height])
            cost = (_overlap(box, placed).sum() + 0.5 * _overlap(box, others).sum()
                    + 0.5 * _overlap(box, extra_boxes).sum())
            outside = (max(frame.x0 - box[0], 0) + max(box[2] - frame.x1, 0)) * height + \
                      (max(frame.y0 - box[1], 0) + max(box[3] - frame.y1, 0)) * width
            cost += 2.0 * outside
            if cost < best_cost - 1e-9:
                best, best_cost = (box, distance), cost
            if best_cost == 0:
                break
        box, distance = best
        placed = np.vstack([placed, box])
        inset = padding / 2
        offset = ((box[0] + inset - px) * points_per_pixel,
                  (box[1] + inset - py) * points_per_pixel)
        color = None if colors is None else colors[i]
        leader = dict(arrowstyle="-", lw=0.5, color="0.5", shrinkA=0, shrinkB=2) \
            if distance > 10 else None
        artists.append(ax.annotate(label, xy=tuple(xy[i]), xytext=offset,
                                   textcoords="offset points", ha="left", va="bottom",
                                   fontsize=fontsize, color=color, arrowprops=leader,
                                   **text_props))
    return artists


def _palette(n: int) -> list:
    """``n`` distinguishable colours: tab10, tab20, then evenly spaced hues."""
    from matplotlib import colormaps

    if n <= 10:
        return [colormaps["tab10"](i) for i in range(n)]
    if n <= 20:
        return [colormaps["tab20"](i) for i in range(n)]
    return [colormaps["hsv"](i / n) for i in range(n)]


def _finish_axes(ax, title, xlabel, ylabel) -> None:
    if title:
        ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def _axis_names(method: str, prefix: str = "") -> tuple[str, str]:
    if method == "tsne":
        return "t-SNE 1", "t-SNE 2"
    return f"{prefix}PC 1", f"{prefix}PC 2"


# --------------------------------------------------------------------------------- figures ---
def arrows(emb, words: Iterable[str], *, path=None, skip_unknown: bool = False,
           title: str | None = None, figsize=None, dpi=None, fontsize: float = 10) -> Figure:
    """Each word an arrow from the origin to its vector, labelled at the tip (the lecture picture).

    Two-dimensional embeddings are drawn as they are.  Longer vectors are first projected on the
    top two right singular vectors of the chosen words' vectors, *without* centring (see
    :func:`project`): the projection is linear, so the origin stays where it is and an arrow is
    still the word's vector, seen from the plane that holds most of the words' energy.

    Parameters
    ----------
    emb : Embeddings or model
        Anything with ``.tokens`` and ``.vectors`` (or a model with word vectors).
    words : iterable of str
        The words to draw.
    path : str or Path, optional
        Save the figure there (``.png``, ``.svg`` or ``.pdf``).
    skip_unknown : bool
        Leave out words not in the vocabulary (with a warning) instead of raising.
    title, figsize, dpi, fontsize
        Look of the figure (default size 8 x 6 inches at 100 dpi).

    Returns
    -------
    matplotlib.figure.Figure
        The arrows are one :class:`~matplotlib.quiver.Quiver` (``X``, ``Y`` all zero; ``U``,
        ``V`` the tips).

    Raises
    ------
    UnknownWordError
        A word is not in the vocabulary (and ``skip_unknown`` is false).
    ParameterError
        No word to draw (two are needed when a projection is).

    Examples
    --------
    >>> from wordspace.vectors import Embeddings
    >>> emb = Embeddings(["up", "right"], [[0.0, 1.0], [1.0, 0.0]])
    >>> quiver = arrows(emb, ["up", "right"]).axes[0].collections[0]
    >>> quiver.U.tolist(), quiver.V.tolist()
    ([0.0, 1.0], [1.0, 0.0])
    """
    emb = _as_embeddings(emb)
    tokens, vectors = _lookup(emb, words, skip_unknown)
    dim = vectors.shape[1] if vectors.size else int(np.asarray(emb.vectors).shape[1])
    if dim == 2:
        _need(len(tokens), 1, "words")
        xy = vectors
        names = ("dimension 1", "dimension 2")
    else:
        _need(len(tokens), 2, "words (to find a plane for vectors of more than 2 dimensions)")
        xy = project(vectors, "pca", center=False)
        names = ("singular direction 1", "singular direction 2")
    figure, ax = _new_figure(figsize, dpi)
    figure.subplots_adjust(left=0.1, right=0.97, bottom=0.1, top=0.93)
    colors = _palette(len(tokens))
    ax.axhline(0, color="0.85", lw=0.8, zorder=0)
    ax.axvline(0, color="0.85", lw=0.8, zorder=0)
    ax.quiver(np.zeros(len(tokens)), np.zeros(len(tokens)), xy[:, 0], xy[:, 1], color=colors,
              angles="xy", scale_units="xy", scale=1, width=0.004, zorder=2)
    _set_limits(ax, xy, margin=0.15, include_origin=True)
    ax.set_aspect("equal", adjustable="box")
    figure.canvas.draw()  # fixes the equal-aspect limits before labels are placed
    # labels keep off the arrows' shafts too
    shafts = (xy[:, None, :] * np.linspace(0.05, 0.95, 19)[None, :, None]).reshape(-1, 2)
    _place_labels(ax, xy, tokens, colors=colors, fontsize=fontsize, obstacles=shafts)
    _finish_axes(ax, title, *names)
    return _finish(figure, path)


def word_map(emb, words: Iterable[str] | None = None, topn: int = 60, groups=None, *,
             method: str = "pca", seed: int = 0, normalize: bool = True, path=None,
             skip_unknown: bool = False, stopwords="english", title: str | None = None,
             figsize=None, dpi=None, fontsize: float = 9) -> Figure:
    """A labelled scatter of words after a 2-D projection, optionally coloured by group.

    Parameters
    ----------
    emb : Embeddings or model
        Anything with ``.tokens`` and ``.vectors`` (or a model with word vectors).
    words : iterable of str, optional
        The words to draw.  By default the ``topn`` most frequent tokens that are not stopwords
        (tokens are taken in the embeddings' order, most frequent first for our models).
    topn : int
        How many words to take when ``words`` and ``groups`` are not given.
    groups : mapping of str to list of str, optional
        Named groups of words, each drawn in its own colour with a legend.  Words in ``words``
        but in no group are drawn in grey.
    method : {"pca", "tsne"}
        The projection (see :func:`project`).
    seed : int
        t-SNE seed.
    normalize : bool
        Scale vectors to unit length first, so that points close in the picture are words with
        a high cosine similarity (and frequent words do not dominate the first component).
    path, skip_unknown, title, figsize, dpi, fontsize
        As in :func:`arrows`.
    stopwords : "english", None or iterable
        Skipped when choosing the default words.

    Returns
    -------
    matplotlib.figure.Figure
        One scatter per group (named by the group), labels as annotations.

    Raises
    ------
    UnknownWordError, ParameterError
        An unknown word; fewer than 2 words (3 for t-SNE).

    Notes
    -----
    Labels are placed greedily: each tries 56 positions around its point (8 directions, 7
    distances) and takes the first that covers no earlier label, no other point and stays
    inside the axes, else the least bad one; far-moved labels get a thin leader line.  In
    clusters denser than the labels can fit, some overlap remains; draw fewer words, a larger
    ``figsize`` or a smaller ``fontsize`` then.

    Examples
    --------
    >>> from wordspace.vectors import Embeddings
    >>> emb = Embeddings(["cat", "dog", "stock", "bond"],
    ...                  [[1.0, 0.1, 0.0], [0.9, 0.2, 0.0], [0.0, 0.1, 1.0], [0.1, 0.0, 0.9]])
    >>> fig = word_map(emb, groups={"pets": ["cat", "dog"], "finance": ["stock", "bond"]})
    >>> sorted(text.get_text() for text in fig.axes[0].texts)
    ['bond', 'cat', 'dog', 'stock']
    """
    emb = _as_embeddings(emb)
    check_choice("method", method, METHODS)
    group_of: dict[str, str] = {}
    if groups is not None:
        for name, members in groups.items():
            for word in members:
                group_of.setdefault(word, str(name))
    if words is None and not group_of:
        check_positive("topn", topn, integer=True)
        from .vocab import load_stopwords

        stop = load_stopwords(stopwords)
        words = []
        for token in emb.tokens:
            if token not in stop:
                words.append(token)
                if len(words) == topn:
                    break
    chosen = list(dict.fromkeys([*(words or []), *group_of]))
    tokens, vectors = _lookup(emb, chosen, skip_unknown)
    _need(len(tokens), 3 if method == "tsne" else 2, "words")
    xy = project(_unit(vectors) if normalize else vectors, method, seed=seed)
    figure, ax = _new_figure(figsize, dpi)
    figure.subplots_adjust(left=0.08, right=0.97, bottom=0.08, top=0.93)
    names = list(dict.fromkeys(group_of[t] for t in tokens if t in group_of))
    palette = dict(zip(names, _palette(len(names)), strict=True))
    colors = [palette[group_of[t]] if t in group_of else (0.35, 0.35, 0.35, 1.0) for t in tokens]
    for name in names:
        rows = [i for i, t in enumerate(tokens) if group_of.get(t) == name]
        ax.scatter(xy[rows, 0], xy[rows, 1], s=18, color=palette[name], label=name, zorder=2)
    rest = [i for i, t in enumerate(tokens) if t not in group_of]
    if rest:
        ax.scatter(xy[rest, 0], xy[rest, 1], s=14, color=(0.35, 0.35, 0.35, 1.0), zorder=2,
                   label="other" if names else None)
    _set_limits(ax, xy, margin=0.1)
    _place_labels(ax, xy, tokens, colors=colors, fontsize=fontsize)
    if names:
        ax.legend(loc="best", fontsize=fontsize, framealpha=0.8)
    _finish_axes(ax, title, *_axis_names(method))
    return _finish(figure, path)


def analogy_map(emb, pairs: Iterable[tuple[str, str]], *, method: str = "pca", seed: int = 0,
                normalize: bool = True, path=None, skip_unknown: bool = False,
                title: str | None = None, figsize=None, dpi=None, fontsize: float = 9) -> Figure:
    """Pairs of words (country -> capital, ...) joined by lines, after a projection of the pairs.

    The projection is fitted on the pairs' words only (Mikolov et al., 2013, figure 2), so the
    plane shows how they differ.  When the embeddings have learnt the relation, the lines are
    roughly parallel and of equal length: the offset ``b - a`` is the same for every pair.

    Parameters
    ----------
    emb : Embeddings or model
    pairs : iterable of (str, str)
        ``(a, b)`` pairs; each is drawn as a line from ``a`` (blue) to ``b`` (red).
    method, seed, normalize
        As in :func:`word_map`.
    skip_unknown : bool
        Leave out pairs with a word not in the vocabulary (with a warning) instead of raising.
    path, title, figsize, dpi, fontsize
        As in :func:`arrows`.

    Returns
    -------
    matplotlib.figure.Figure
        The lines are one :class:`~matplotlib.collections.LineCollection`, one segment a pair.

    Raises
    ------
    UnknownWordError, ParameterError
        An unknown word; fewer than two pairs; a pair that is not two words.
    """
    emb = _as_embeddings(emb)
    pairs = [tuple(pair) for pair in pairs]
    for pair in pairs:
        if len(pair) != 2:
            raise ParameterError(f"each analogy pair must be two words, got {pair!r}")
    known, dropped = [], []
    vocabulary = getattr(emb, "index", None)
    if not isinstance(vocabulary, Mapping):
        vocabulary = set(emb.tokens)
    for a, b in pairs:
        missing = [w for w in (a, b) if w not in vocabulary]
        if missing and not skip_unknown:
            raise UnknownWordError(missing[0], list(emb.tokens[:50_000]))
        (dropped if missing else known).append((a, b))
    if dropped:
        warnings.warn(f"skipping {len(dropped)} pair(s) with a word not in the vocabulary: "
                      + ", ".join(f"{a}-{b}" for a, b in dropped[:10]), UserWarning,
                      stacklevel=2)
    _need(len(known), 2, "pairs")
    tokens, vectors = _lookup(emb, [w for pair in known for w in pair], False)
    xy_of = dict(zip(tokens, project(_unit(vectors) if normalize else vectors, method, seed=seed),
                     strict=True))
    xy = np.array([xy_of[t] for t in tokens])
    figure, ax = _new_figure(figsize, dpi)
    figure.subplots_adjust(left=0.08, right=0.97, bottom=0.08, top=0.93)
    segments = [[xy_of[a], xy_of[b]] for a, b in known]
    ax.add_collection(LineCollection(segments, colors="0.55", linewidths=0.9, linestyles="--",
                                     zorder=1))
    sources = {a for a, _ in known}
    blue, red = (0.12, 0.35, 0.7, 1.0), (0.8, 0.15, 0.1, 1.0)
    colors = [blue if t in sources else red for t in tokens]
    ax.scatter(xy[:, 0], xy[:, 1], s=18, color=colors, zorder=2)
    _set_limits(ax, xy, margin=0.1)
    _place_labels(ax, xy, tokens, colors=colors, fontsize=fontsize)
    _finish_axes(ax, title, *_axis_names(method))
    return _finish(figure, path)


def document_map(doc_vectors, labels: Sequence, *, method: str = "pca", seed: int = 0,
                 normalize: bool = True, centroids: bool = True, path=None,
                 title: str | None = None, figsize=None, dpi=None, point_size: float = 14,
                 fontsize: float = 9) -> Figure:
    """Documents as points coloured by their label, with a legend (the LSA topic picture).

    Parameters
    ----------
    doc_vectors : array-like of shape (n_documents, k)
        Document embeddings, e.g. ``LSA.document_vectors_`` or ``model.transform(texts)``.
    labels : sequence
        One label per document (genre, newsgroup, topic ...).
    method, seed, normalize
        As in :func:`word_map`; with ``normalize`` documents close in the picture have a high
        cosine similarity, which is how LSA compares documents.
    centroids : bool
        Write each label's name at the mean position of its documents.
    path, title, figsize, dpi, fontsize
        As in :func:`arrows`.
    point_size : float
        Marker area in points^2.

    Returns
    -------
    matplotlib.figure.Figure
        One scatter (``PathCollection``) per label, in sorted label order, named by the label.

    Raises
    ------
    ParameterError
        Labels and vectors differ in number, or fewer than 2 documents (3 for t-SNE).
    """
    check_choice("method", method, METHODS)
    matrix = np.asarray(doc_vectors, dtype=np.float64)
    labels = [str(label) for label in labels]
    if matrix.ndim != 2:
        raise ParameterError(f"doc_vectors must be a 2-d matrix, got shape {matrix.shape}")
    if len(labels) != matrix.shape[0]:
        raise ParameterError(f"{matrix.shape[0]} document vectors but {len(labels)} labels; "
                             f"need one label per document")
    _need(matrix.shape[0], 3 if method == "tsne" else 2, "documents")
    xy = project(_unit(matrix) if normalize else matrix, method, seed=seed)
    names = sorted(set(labels))
    colors = dict(zip(names, _palette(len(names)), strict=True))
    markers = "os^Dv<>ph*"
    figure, ax = _new_figure(figsize or (9.0, 6.0), dpi)
    figure.subplots_adjust(left=0.08, right=0.78 if len(names) > 1 else 0.97, bottom=0.08,
                           top=0.93)
    label_array = np.array(labels)
    # draw in a shuffled order so that no label hides the others just by being drawn last
    order = np.random.default_rng(seed).permutation(len(labels))
    for number, name in enumerate(names):
        rows = order[label_array[order] == name]
        ax.scatter(xy[rows, 0], xy[rows, 1], s=point_size, color=colors[name],
                   marker=markers[number % len(markers)], alpha=0.75, linewidths=0,
                   label=f"{name} ({len(rows)})", zorder=2 + number / len(names))
    _set_limits(ax, xy, margin=0.05)
    _finish_axes(ax, title, *_axis_names(method))
    if len(names) > 1:
        legend = ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=fontsize,
                           markerscale=1.5, frameon=False, title="label")
        # make room on the right for the whole legend, however long the names
        renderer = figure.canvas.get_renderer()
        for _ in range(2):  # the legend moves with the axes: measure again after adjusting
            overshoot = legend.get_window_extent(renderer).x1 + 8.0 - figure.bbox.width
            right = figure.subplotpars.right - overshoot / figure.bbox.width
            figure.subplots_adjust(right=float(np.clip(right, 0.45, 0.95)))
    if centroids and len(names) > 1:
        # each label's name at the mean of its documents, nudged apart when names collide
        # (placed last: label placement works in pixels, so the axes must not move after it)
        centres = np.array([xy[label_array == name].mean(axis=0) for name in names])
        ax.scatter(centres[:, 0], centres[:, 1], s=40, marker="X", color=[colors[n] for n in names],
                   edgecolors="black", linewidths=0.6, zorder=9, label="_centroids")
        darker = [tuple(0.65 * np.asarray(colors[n][:3])) for n in names]  # readable on white
        _place_labels(ax, centres, names, colors=darker, fontsize=fontsize, weight="bold",
                      zorder=10, bbox=dict(boxstyle="round,pad=0.2", fc="white", alpha=0.8,
                                           lw=0.6, ec="0.6"))
    return _finish(figure, path)


def _optimum_of(model):
    for name in ("optimum_loss_", "svd_loss_", "optimal_loss_"):
        value = getattr(model, name, None)
        if value is not None and not callable(value):
            return float(value)
    return None


def svd_optimum(X, n_components: int, *, center: bool = False) -> float:
    """The least mean squared reconstruction error of any rank-``k`` linear autoencoder on ``X``.

    By Eckart-Young it is the energy outside the top ``k`` singular directions, per row:
    ``(||X||_F^2 - s_1^2 - ... - s_k^2) / n`` (of the centred ``X`` when ``center``), the loss
    that :class:`~wordspace.models.autoencoder.LinearAutoencoder` reports in
    ``loss_history_`` -- so ``loss_curve(ae, optimum=svd_optimum(X, k, center=ae.center))``
    shows how close training came.

    Parameters
    ----------
    X : array or scipy sparse matrix of shape (n, d)
        The bags the autoencoder was trained on (e.g. ``ae.bow_.transform(corpus)``).
    n_components : int
        ``k``.
    center : bool
        Measure around the mean row (PCA) instead of around the origin.

    Examples
    --------
    >>> X = np.diag([3.0, 2.0, 1.0])
    >>> svd_optimum(X, 1)      # (9 + 4 + 1 - 9) / 3
    1.6666666666666667
    """
    import scipy.sparse as sp
    from scipy.sparse.linalg import LinearOperator, svds

    check_positive("n_components", n_components, integer=True)
    n, d = X.shape
    if n == 0:
        raise ParameterError("X has no rows")
    mean = np.asarray(X.mean(axis=0), dtype=np.float64).ravel() if center else None
    if sp.issparse(X):
        data = X.tocsr().astype(np.float64)
        total = float(data.data @ data.data)
    else:
        data = np.asarray(X, dtype=np.float64)
        total = float(np.einsum("ij,ij->", data, data))
    if center:
        total -= n * float(mean @ mean)
    k = min(n_components, n, d)
    if k >= min(n, d) - 1 or n * d <= 4_000_000:
        dense = data.toarray() if sp.issparse(data) else data
        if center:
            dense = dense - mean
        top = np.linalg.svd(dense, compute_uv=False)[:k]
    else:
        operator = data
        if center:
            def matvec(v):
                v = np.ravel(v)
                return data @ v - float(mean @ v)

            def rmatvec(u):
                u = np.ravel(u)
                return data.T @ u - mean * float(u.sum())

            operator = LinearOperator((n, d), dtype=np.float64, matvec=matvec, rmatvec=rmatvec)
        top = svds(operator, k=k, return_singular_vectors=False, random_state=0)
    return max(total - float(np.sum(np.square(top))), 0.0) / n


def loss_curve(model, optimum: float | None = None, *, label: str | None = None,
               start: int | None = None, log_scale: bool = False, path=None,
               title: str | None = None, figsize=None, dpi=None) -> Figure:
    """The training loss per epoch, with an optional horizontal line at the optimum.

    Parameters
    ----------
    model : object with ``loss_history_``, or a sequence of numbers
        A fitted :class:`~wordspace.models.autoencoder.LinearAutoencoder` or
        :class:`~wordspace.models.word2vec.Word2Vec`, or the losses themselves.
    optimum : float, optional
        The best reachable loss, drawn as a dashed line -- for the linear autoencoder, the
        reconstruction error of the truncated SVD (Eckart-Young), see :func:`svd_optimum`.
        By default taken from the model's ``optimum_loss_`` (or ``svd_loss_``) if it has one.
    label : str, optional
        Legend name of the curve.
    start : int, optional
        Epoch number of the first loss.  By default 0 when the model has one more loss than
        ``epochs`` (the autoencoder records the loss before training), else 1.
    log_scale : bool
        A logarithmic loss axis.
    path, title, figsize, dpi
        As in :func:`arrows`.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ParameterError
        No losses to draw (an unfitted model), or non-finite losses.

    Examples
    --------
    >>> fig = loss_curve([4.0, 2.5, 2.1, 2.0], optimum=1.9)
    >>> fig.axes[0].lines[0].get_ydata().tolist()
    [4.0, 2.5, 2.1, 2.0]
    """
    if hasattr(model, "loss_history_"):
        history = model.loss_history_
        if optimum is None:
            optimum = _optimum_of(model)
        name = label or type(model).__name__
    elif isinstance(model, str) or not isinstance(model, Iterable):
        raise ParameterError(f"loss_curve needs a fitted model with loss_history_ or a sequence "
                             f"of losses, got {type(model).__name__}")
    else:
        history = model
        name = label or "loss"
    losses = np.asarray(list(history), dtype=np.float64).ravel()
    if losses.size == 0:
        raise ParameterError("no losses to draw: the model has no loss history (is it fitted?)")
    finite = np.isfinite(losses)
    if not finite.all():
        logger.warning("%d non-finite loss value(s) left out of the curve", int((~finite).sum()))
    if start is None:
        planned = getattr(model, "epochs", None)
        start = 0 if isinstance(planned, int) and losses.size == planned + 1 else 1
    epochs = np.arange(start, start + losses.size)
    figure, ax = _new_figure(figsize or (7.0, 4.5), dpi)
    figure.subplots_adjust(left=0.12, right=0.97, bottom=0.12, top=0.92)
    ax.plot(epochs[finite], losses[finite], marker="o" if losses.size <= 50 else None,
            markersize=3, lw=1.4, label=name)
    if optimum is not None:
        ax.axhline(float(optimum), color="0.3", ls="--", lw=1.0,
                   label=f"optimum (SVD) {float(optimum):.4g}")
        last = losses[finite][-1] if finite.any() else np.nan
        if np.isfinite(last) and optimum:
            ax.text(0.99, 0.97, f"final gap {100 * (last - optimum) / abs(optimum):+.2f}%",
                    transform=ax.transAxes, ha="right", va="top", fontsize=9, color="0.3")
    if log_scale:
        ax.set_yscale("log")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="best")
    _finish_axes(ax, title, "epoch", "loss")
    return _finish(figure, path)


# ------------------------------------------------------------------------- classification ---
def learning_curve(results: Mapping[str, Mapping[int, float]], *, log_x: bool = True,
                   reference: str | None = None, path=None, title: str | None = None,
                   xlabel: str = "labelled training documents", ylabel: str = "test accuracy",
                   figsize=None, dpi=None) -> Figure:
    """Accuracy against the number of labels: one line per regime (the semi-supervised picture).

    Parameters
    ----------
    results : mapping of name -> mapping of n_labels -> accuracy
        E.g. ``{"from scratch": {113: 0.08, 565: 0.3}, "pre-trained": {...}}``.
    log_x : bool
        A logarithmic axis of labels (fractions 1 % .. 100 % spread evenly).
    reference : str, optional
        The name of one line to draw dashed (a baseline such as TF-IDF + LR).
    path, title, figsize, dpi
        As in :func:`arrows`.

    Returns
    -------
    matplotlib.figure.Figure
        One line per regime, in the order given, named by the regime.

    Examples
    --------
    >>> fig = learning_curve({"scratch": {10: 0.3, 100: 0.7}, "pretrained": {10: 0.6, 100: 0.8}})
    >>> [line.get_label() for line in fig.axes[0].lines]
    ['scratch', 'pretrained']
    """
    if not results:
        raise ParameterError("learning_curve needs at least one regime")
    figure, ax = _new_figure(figsize or (8.0, 5.0), dpi)
    figure.subplots_adjust(left=0.1, right=0.7, bottom=0.12, top=0.92)
    colors = _palette(len(results))
    markers = "os^Dv<>ph*"
    for number, (name, points) in enumerate(results.items()):
        if not points:
            raise ParameterError(f"regime {name!r} has no points")
        xs = sorted(points)
        ys = [float(points[x]) for x in xs]
        dashed = name == reference
        ax.plot(xs, ys, marker=markers[number % len(markers)], markersize=4,
                lw=1.2 if dashed else 1.6, ls="--" if dashed else "-",
                color="0.3" if dashed else colors[number], label=str(name))
    if log_x:
        ax.set_xscale("log")
    ax.grid(True, which="major", color="0.9", lw=0.6)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    _finish_axes(ax, title, xlabel, ylabel)
    return _finish(figure, path)


def confusion_matrix(matrix, labels: Sequence, *, normalize: bool = True, path=None,
                     title: str | None = None, figsize=None, dpi=None) -> Figure:
    """A confusion matrix as a heat map: true labels down, predicted labels across.

    Parameters
    ----------
    matrix : array-like of shape (n_labels, n_labels)
        Counts, ``matrix[i, j]`` = documents of label ``i`` predicted as ``j`` (scikit-learn's
        :func:`~sklearn.metrics.confusion_matrix`).
    labels : sequence of str
        The labels, in the order of the rows.
    normalize : bool
        Colour by the share of each row (recall), and write the counts in the cells.
    path, title, figsize, dpi
        As in :func:`arrows`.

    Examples
    --------
    >>> fig = confusion_matrix([[5, 1], [0, 4]], ["ham", "spam"])
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['ham', 'spam']
    """
    counts = np.asarray(matrix, dtype=np.float64)
    labels = [str(label) for label in labels]
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] != len(labels):
        raise ParameterError(f"a confusion matrix must be square with one row per label; got "
                             f"shape {counts.shape} and {len(labels)} labels")
    n = len(labels)
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1) if normalize else counts
    side = max(4.5, 0.45 * n + 2.5)
    figure, ax = _new_figure(figsize or (side + 1.0, side), dpi)
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04,
                    label="share of the true label" if normalize else "documents")
    ax.set_xticks(range(n), labels, rotation=90 if n > 6 else 0, fontsize=8)
    ax.set_yticks(range(n), labels, fontsize=8)
    if n <= 25:
        for i in range(n):
            for j in range(n):
                if counts[i, j]:
                    ax.text(j, i, f"{int(counts[i, j])}", ha="center", va="center",
                            fontsize=7 if n > 10 else 9,
                            color="white" if shares[i, j] > 0.5 * shares.max() else "black")
    _finish_axes(ax, title, "predicted label", "true label")
    figure.tight_layout()
    return _finish(figure, path)
