"""The lecture, reproduced: one figure per idea, each from a real run of wordspace's own models.

:func:`lecture` writes, into one folder, a PNG per figure, ``lecture.json`` with the numbers
behind every figure, and ``lecture.pdf`` gathering the figures with a one-line caption each.
``wordspace lecture -o DIR`` on the command line and ``examples/lecture.py`` both call it.

The figures, in the lecture's order:

1. ``arrows`` -- embeddings as arrows in R^2: the 2-D LSA vectors of a handful of words (the
   first two components of the LSA of figure 2; a truncated SVD nests, so they are LSA with k=2).
2. ``bag_of_words`` -- "cranberry melon" as a bag of words: ``x``, ``u = V x`` and
   ``x_hat = W V x`` of an LSA, and the reconstruction error ``||x - x_hat||^2``.
3. ``autoencoder_1d`` -- the 1-unit linear autoencoder on a 2-D cloud: ``w_1`` found by SGD
   (:class:`~wordspace.models.autoencoder.LinearAutoencoder`) and by the SVD, on the long axis.
4. ``ambiguity`` -- a cloud spread equally in two directions: several seeds, several ``w_1``,
   one error.
5. ``best_plane`` -- the best plane (k = 2) of a 3-D cloud; two bases of it with equal error;
   ``V = W^T`` for an orthonormal basis; ``V = W^+`` the best encoder for any ``W``
   (:func:`~wordspace.models.linalg.best_encoder_for`).
6. ``projection`` -- dot product and projection of ``x`` on a unit and a non-unit ``y``.
7. ``document_map`` -- LSA document vectors of the Brown corpus coloured by genre.
8. ``masked_token`` -- "the quick brown fox [???] over the lazy dog": a CBOW model's top
   predictions with their probabilities.
9. ``sgd_step`` -- one SGD step of a 2-D exact-softmax word2vec: the query, the masked word's
   output vector and its rivals', before and after, with their dot products with the query.
10. ``capitals`` -- countries and capitals after a 2-D projection (Mikolov et al., 2013).
11. ``first_layer`` -- the true task's first layer: the same words embedded by a text classifier
    trained from scratch, on pre-trained vectors, and jointly.  It needs
    ``wordspace.TextClassifier``; without it the figure is listed as skipped, with the reason.

Figures 1, 2, 8 and 10 are drawn from the corpus given as ``corpus=`` (the embedded Brown corpus
by default).  Two are better on a large one such as big.txt: on Brown (one million tokens)
"cranberry" does not occur, so figure 2 uses "apple orange"; and only 7 of Mikolov's 11
country-capital pairs are frequent enough, so figure 10 adds 4 other pairs that Brown has, and
its offsets are far from parallel (on big.txt all 11 pairs are there and the countries and
capitals fall on two sides).  Figures 7 and 11 always use Brown (they need its genre labels);
figures 3-6 and 9 are small planted or sliced problems.

Examples
--------
>>> import tempfile
>>> report = lecture(tempfile.mkdtemp(), quick=True, only=["best_plane"])
>>> figure = report["figures"][0]
>>> figure["name"], figure["status"], figure["png"]
('best_plane', 'made', '05-best-plane.png')
>>> figure["numbers"]["relative_difference"] < 1e-9     # two bases of one plane, one error
True
"""

from __future__ import annotations

import json
import logging
import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import plot
from ._progress import progress
from ._store import atomic_write
from .errors import ParameterError, check_choice

__all__ = ["lecture", "FIGURES", "MIKOLOV_CAPITALS", "BROWN_EXTRA_CAPITALS", "big_txt_path"]

logger = logging.getLogger(__name__)

#: the country-capital pairs of Mikolov et al. (2013), "Distributed representations ...", fig. 2
MIKOLOV_CAPITALS = (("china", "beijing"), ("russia", "moscow"), ("japan", "tokyo"),
                    ("turkey", "ankara"), ("poland", "warsaw"), ("germany", "berlin"),
                    ("france", "paris"), ("italy", "rome"), ("greece", "athens"),
                    ("spain", "madrid"), ("portugal", "lisbon"))
#: more pairs tried on a small corpus where few of Mikolov's are frequent enough
BROWN_EXTRA_CAPITALS = (("england", "london"), ("cuba", "havana"), ("egypt", "cairo"),
                        ("india", "delhi"), ("austria", "vienna"), ("hungary", "budapest"))
#: the two words of figure 2, and the pairs tried when a corpus lacks them
BAG_WORDS = ("cranberry", "melon")
BAG_FALLBACKS = (("apple", "orange"), ("fruit", "juice"), ("bread", "butter"))
#: the sentence of figure 8: the masked word is ``[???]``
MASKED_SENTENCE = "the quick brown fox [???] over the lazy dog"
#: plain SGD's peak rate (a fraction of 1 / lambda_max) in figures 3 and 4: the default 0.5
#: diverges with batches of 20 points of a 2-D cloud
SGD_RATE = 0.1
#: the words drawn as arrows in figure 1
ARROW_WORDS = ("government", "president", "war", "school", "church", "god", "music", "eyes")
#: figure 11's learning rate: fastText's recommended 0.5 (at the default 0.1 and 10 epochs the
#: classifier from scratch stays at the majority class's accuracy on Brown, 0.16)
CLASSIFIER_RATE = 0.5
#: the words drawn in figure 11, by group
CLASSIFIER_WORDS = {"religion": ["god", "church", "faith", "christ", "lord", "spirit"],
                    "government": ["government", "congress", "president", "state", "federal",
                                   "committee"],
                    "fiction": ["eyes", "door", "girl", "looked", "room", "night"]}


def big_txt_path() -> Path:
    """Where the shared data keeps big.txt (``../shared/data/corpus/big.txt.gz`` of the repo)."""
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "corpus" / \
        "big.txt.gz"


# ------------------------------------------------------------------------------- helpers ----
def _figure(width: float = 8.0, height: float = 6.0, dpi: int = 100) -> Figure:
    figure = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(figure)
    return figure


def _jsonable(value):
    """Numbers, arrays and containers as plain JSON values (floats kept at full precision)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def _angle_degrees(a, b, unsigned: bool = True) -> float:
    """Angle between two vectors; ``unsigned`` treats a line and its opposite as the same."""
    a = np.asarray(a, np.float64).ravel()
    b = np.asarray(b, np.float64).ravel()
    cosine = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
    if unsigned:
        cosine = abs(cosine)
    return float(np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0))))


def _centred_cloud(rng, n: int, scales, rotation_degrees: float) -> np.ndarray:
    """``n`` 2-D points with standard deviations ``scales`` along axes rotated by an angle."""
    theta = np.radians(rotation_degrees)
    rotation = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    points = rng.standard_normal((n, 2)) * np.asarray(scales)
    points -= points.mean(axis=0)
    return points @ rotation.T


def _axis_line(ax, direction, length: float, **style) -> None:
    direction = np.asarray(direction, np.float64)
    direction = direction / np.linalg.norm(direction)
    ends = np.array([-length * direction, length * direction])
    ax.plot(ends[:, 0], ends[:, 1], **style)


# ------------------------------------------------------------------------- shared models ----
@dataclass
class _Session:
    """The data and the models the figures share, trained once, when first needed."""

    corpus_path: Path | None
    quick: bool
    seed: int
    dpi: int
    notes: list = field(default_factory=list)
    _cache: dict = field(default_factory=dict)

    def _once(self, key: str, build: Callable):
        if key not in self._cache:
            started = time.perf_counter()
            self._cache[key] = build()
            self._cache[f"{key}_seconds"] = time.perf_counter() - started
        return self._cache[key]

    @property
    def corpus_name(self) -> str:
        return self.corpus_path.name if self.corpus_path else "brown (embedded)"

    @property
    def brown(self):
        from .datasets import brown

        return self._once("brown", brown)

    def texts(self) -> list[str] | Path:
        """The corpus of the word figures: big.txt (a path) or the Brown texts."""
        return self.corpus_path if self.corpus_path else self.brown.texts

    @property
    def lsa(self):
        """LSA of the word corpus (k = 50; 20 in quick mode)."""
        from .models.lsa import LSA

        k = 20 if self.quick else 50
        return self._once("lsa", lambda: LSA(k, seed=self.seed).fit(self.texts()))

    @property
    def brown_lsa(self):
        """LSA of the Brown texts (the same model as :attr:`lsa` when the corpus is Brown)."""
        if self.corpus_path is None:
            return self.lsa
        from .models.lsa import LSA

        k = 20 if self.quick else 50
        return self._once("brown_lsa", lambda: LSA(k, seed=self.seed).fit(self.brown.texts))

    @property
    def word2vec(self):
        """CBOW with hierarchical softmax on the word corpus: the tree gives normalised
        probabilities over the whole vocabulary (figure 8) at the cost of a fast model."""
        from .models.word2vec import Word2Vec

        def build():
            if self.quick:
                model = Word2Vec(vector_size=50, window=5, loss="hierarchical", epochs=3,
                                 min_count=5, seed=self.seed + 1)
                return model.fit(self.texts() if self.corpus_path else self.brown.texts[:200])
            return Word2Vec(vector_size=100, window=5, loss="hierarchical",
                            epochs=3 if self.corpus_path else 10, min_count=5,
                            seed=self.seed + 1).fit(self.texts())

        return self._once("word2vec", build)


# ------------------------------------------------------------------------------ figures ----
def _fig_arrows(session: _Session):
    lsa = session.lsa
    words = [w for w in ARROW_WORDS if w in lsa.vocabulary_]
    missing = [w for w in ARROW_WORDS if w not in lsa.vocabulary_]
    from .vectors import Embeddings

    full = lsa.word_vectors
    plane = Embeddings(full.tokens, np.ascontiguousarray(full.vectors[:, :2]))
    figure = plot.arrows(plane, words, title=f"Words as arrows: 2-D LSA of {session.corpus_name}",
                         dpi=session.dpi)
    vectors = {w: plane[w] for w in words}
    pairs = {f"{a}~{b}": float(plane.similarity(a, b))
             for i, a in enumerate(words) for b in words[i + 1:]}
    return figure, {"words": words, "missing": missing, "vectors": vectors,
                    "cosine": pairs, "components": 2,
                    "explained_energy_2d": float(lsa.explained_energy_ratio_[:2].sum())}


def _bag_words(vocabulary) -> tuple[tuple[str, str], str | None]:
    if all(w in vocabulary for w in BAG_WORDS):
        return BAG_WORDS, None
    missing = [w for w in BAG_WORDS if w not in vocabulary]
    for pair in BAG_FALLBACKS:
        if all(w in vocabulary for w in pair):
            return pair, (f"{' and '.join(repr(w) for w in missing)} not in the vocabulary "
                          f"of {len(vocabulary)} tokens")
    raise ParameterError("none of the bag-of-words examples is in the vocabulary")


def _fig_bag_of_words(session: _Session):
    from .models import linalg

    lsa = session.lsa
    (first, second), reason = _bag_words(lsa.vocabulary_)
    document = f"{first} {second}"
    x = lsa.bags([document])                                  # 1 x d, sparse, unit length
    V = lsa.encoder_.astype(np.float64)                       # k x d
    W = lsa.decoder_.astype(np.float64)                       # d x k
    u = np.asarray(x @ V.T).ravel()
    x_dense = np.asarray(x.todense()).ravel()
    x_hat = W @ u
    error = float(np.sum((x_dense - x_hat) ** 2))
    error_linalg = linalg.reconstruction_error(x, W, V)
    tokens = lsa.vocabulary_.tokens
    nonzero = list(np.flatnonzero(x_dense))
    top = [i for i in np.argsort(-x_hat)[:12] if i not in nonzero][:10]
    shown = nonzero + top
    figure = _figure(13.0, 5.2, session.dpi)
    grid = figure.add_gridspec(1, 3, width_ratios=[0.5, 1.0, 1.3], left=0.05, right=0.99,
                               bottom=0.2, top=0.8, wspace=0.3)
    first_ax = figure.add_subplot(grid[0])
    first_ax.bar(range(len(nonzero)), x_dense[nonzero], 0.6, color="tab:blue")
    first_ax.set_xticks(range(len(nonzero)), [tokens[i] for i in nonzero], rotation=45,
                        ha="right")
    first_ax.set_xlim(-0.8, len(nonzero) - 0.2)
    first_ax.set_title(f"x: the bag\n({len(tokens)} entries, {len(nonzero)} not zero)",
                       fontsize=10)
    first_ax.set_ylabel("tf-idf weight (unit length)")
    middle = figure.add_subplot(grid[1])
    middle.bar(np.arange(len(u)), u, color="tab:green")
    middle.axhline(0, color="0.5", lw=0.6)
    middle.set_xlabel("hidden unit")
    middle.set_title(f"u = V x: the code ({len(u)} numbers)", fontsize=10)
    last = figure.add_subplot(grid[2])
    colors = ["tab:blue" if i in nonzero else "tab:orange" for i in shown]
    last.bar(range(len(shown)), x_hat[shown], 0.6, color=colors)
    last.axhline(0, color="0.5", lw=0.6)
    last.set_xticks(range(len(shown)), [tokens[i] for i in shown], rotation=45, ha="right")
    last.set_title("x_hat = W u: the reconstruction (x's tokens in blue,\nthen its largest "
                   "other entries; note the scale)", fontsize=10)
    note = (f"\n{reason}: the corpus lacks the lecture's 'cranberry melon', so "
            f"'{document}' stands in" if reason else "")
    figure.suptitle(f"'{document}' through LSA (k = {len(u)}) on {session.corpus_name}:  "
                    f"||x - x_hat||^2 = {error:.6g} of ||x||^2 = {float(x_dense @ x_dense):.6g} "
                    f"(the code keeps {100 * float(u @ u) / float(x_dense @ x_dense):.3g}% of it)"
                    + note, fontsize=11)
    numbers = {
        "document": document, "requested": " ".join(BAG_WORDS), "fallback_reason": reason,
        "x": {tokens[i]: float(x_dense[i]) for i in nonzero},
        "u": u, "x_hat_top": {tokens[i]: float(x_hat[i]) for i in shown},
        "reconstruction_error": error, "reconstruction_error_linalg": error_linalg,
        "norm_x_squared": float(x_dense @ x_dense), "norm_u_squared": float(u @ u),
        # with orthonormal V and W = V^T: ||x - x_hat||^2 = ||x||^2 - ||u||^2
        "pythagoras_gap": float(x_dense @ x_dense - u @ u - error),
    }
    return figure, numbers


def _fig_autoencoder_1d(session: _Session):
    from .models.autoencoder import LinearAutoencoder
    from .models.linalg import reconstruction_error

    rng = np.random.default_rng(session.seed)
    cloud = _centred_cloud(rng, 400, (3.0, 0.8), 30.0)
    model = LinearAutoencoder(1, optimizer="sgd", learning_rate=SGD_RATE, batch_size=20,
                              epochs=10 if session.quick else 30, seed=session.seed).fit(cloud)
    w_sgd = model.components_[0].astype(np.float64)
    _, s, Vt = np.linalg.svd(cloud, full_matrices=False)
    w_svd = Vt[0] * np.sign(Vt[0] @ w_sgd or 1.0)
    angle = _angle_degrees(w_sgd, w_svd)
    error_sgd = reconstruction_error(cloud, model.decoder_.astype(np.float64),
                                     model.components_.astype(np.float64))
    error_svd = reconstruction_error(cloud, w_svd[:, None], w_svd[None, :])
    figure = _figure(7.5, 6.5, session.dpi)
    ax = figure.add_subplot()
    figure.subplots_adjust(left=0.1, right=0.97, bottom=0.1, top=0.9)
    ax.scatter(cloud[:, 0], cloud[:, 1], s=8, color="0.6", alpha=0.7, label="points x")
    # a few reconstructions: each point dropped onto the line
    for point in cloud[:12]:
        foot = (point @ w_svd) * w_svd
        ax.plot([point[0], foot[0]], [point[1], foot[1]], color="tab:red", lw=0.7, alpha=0.8)
    _axis_line(ax, w_svd, 10.0, color="tab:blue", lw=2.5, alpha=0.5, label="SVD: top singular "
               "direction")
    length = 3 * s[0] / np.sqrt(len(cloud))
    ax.annotate("", xy=length * w_sgd / np.linalg.norm(w_sgd), xytext=(0, 0),
                arrowprops=dict(arrowstyle="-|>", color="tab:orange", lw=2))
    ax.plot([], [], color="tab:orange", lw=2, label=f"SGD: w_1 (|w_1| = "
            f"{np.linalg.norm(w_sgd):.3f})")
    ax.plot([], [], color="tab:red", lw=0.7, label="x - x_hat for a few points")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("x_1")
    ax.set_ylabel("x_2")
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(f"The 1-unit autoencoder: SGD and SVD agree to {angle:.3f} degrees\n"
                 f"error: SGD {error_sgd:.2f}, SVD {error_svd:.2f}", fontsize=11)
    return figure, {"n_points": len(cloud), "w_sgd": w_sgd, "w_svd": w_svd,
                    "angle_degrees": angle, "error_sgd": error_sgd, "error_svd": error_svd,
                    "relative_excess": error_sgd / error_svd - 1.0,
                    "singular_values": s, "epochs": model.n_epochs_,
                    "loss_history": model.loss_history_}


def _fig_ambiguity(session: _Session):
    from .models.autoencoder import LinearAutoencoder
    from .models.linalg import reconstruction_error

    rng = np.random.default_rng(session.seed + 1)
    cloud = rng.standard_normal((400, 2))
    cloud -= cloud.mean(axis=0)
    # make the spread exactly equal in every direction: X^T X = n I
    factor = np.linalg.cholesky(cloud.T @ cloud / len(cloud))
    cloud = np.linalg.solve(factor, cloud.T).T * 1.5
    seeds = list(range(6))
    directions, errors = [], []
    for seed in seeds:
        model = LinearAutoencoder(1, optimizer="sgd", learning_rate=SGD_RATE, batch_size=20,
                                  epochs=5 if session.quick else 15, seed=seed).fit(cloud)
        w = model.components_[0].astype(np.float64)
        w = w * (1 if w[0] >= 0 else -1)
        directions.append(w)
        errors.append(reconstruction_error(cloud, model.decoder_.astype(np.float64),
                                           model.components_.astype(np.float64)))
    spread = np.degrees(np.arctan2([w[1] for w in directions], [w[0] for w in directions]))
    figure = _figure(7.5, 6.5, session.dpi)
    figure.subplots_adjust(left=0.1, right=0.97, bottom=0.1, top=0.9)
    ax = figure.add_subplot()
    ax.scatter(cloud[:, 0], cloud[:, 1], s=8, color="0.65", alpha=0.7)
    colors = plot._palette(len(seeds))
    for seed, w, error, color in zip(seeds, directions, errors, colors, strict=True):
        _axis_line(ax, w, 5.0, color=color, lw=1.8,
                   label=f"seed {seed}: w_1 at {np.degrees(np.arctan2(w[1], w[0])):+6.1f} deg, "
                         f"error {error:.2f}")
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlim(-5.5, 5.5)
    ax.set_ylim(-5.5, 5.5)
    ax.set_xlabel("x_1")
    ax.set_ylabel("x_2")
    ax.legend(loc="lower right", fontsize=8.5, framealpha=0.9)
    ax.set_title("Equal spread in two directions: every w_1 is optimal\n"
                 "six seeds, six directions, one reconstruction error", fontsize=11)
    return figure, {"covariance": cloud.T @ cloud / len(cloud), "seeds": seeds,
                    "directions": directions, "angles_degrees": spread, "errors": errors,
                    "error_spread_relative": (max(errors) - min(errors)) / min(errors),
                    "angle_range_degrees": float(spread.max() - spread.min())}


def _fig_best_plane(session: _Session):
    from matplotlib.ticker import MaxNLocator
    from mpl_toolkits.mplot3d import Axes3D  # noqa: F401 -- registers the 3-D projection

    from .models import linalg

    rng = np.random.default_rng(session.seed + 2)
    rotation = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    cloud = (rng.standard_normal((300, 3)) * [3.0, 1.5, 0.3]) @ rotation.T
    _, s, Vt = np.linalg.svd(cloud, full_matrices=False)
    V1 = Vt[:2]                                   # encoder: orthonormal rows
    W1 = linalg.best_decoder_for(V1, cloud)       # the best decoder on the data: V1^T
    A = np.array([[1.0, 0.8], [-0.3, 1.2]])       # any invertible change of basis
    W2 = W1 @ np.linalg.inv(A)
    V2 = linalg.best_encoder_for(W2)              # W2^+ = A V1
    error1 = linalg.reconstruction_error(cloud, W1, V1)
    error2 = linalg.reconstruction_error(cloud, W2, V2)
    error_tied_wrong = linalg.reconstruction_error(cloud, W2, W2.T)
    angles = linalg.subspace_angles(W1, W2, degrees=True)
    perturbed = [linalg.reconstruction_error(cloud, W2, V2 + 0.05 * rng.standard_normal(V2.shape))
                 for _ in range(20)]
    optimum = float(np.sum(s[2:] ** 2))
    figure = _figure(12.5, 5.0, session.dpi)
    grid = figure.add_gridspec(1, 2, width_ratios=[1.1, 1.0], left=0.0, right=0.98,
                               bottom=0.14, top=0.9, wspace=0.12)
    ax = figure.add_subplot(grid[0], projection="3d")
    ax.scatter(*cloud.T, s=5, color="0.5", alpha=0.5)
    corners = np.linspace(-7, 7, 2)
    a, b = np.meshgrid(corners, corners * 0.5)
    plane = a[..., None] * V1[0] + b[..., None] * V1[1]
    ax.plot_surface(plane[..., 0], plane[..., 1], plane[..., 2], color="tab:blue", alpha=0.15)
    for basis, color, name in ((W1, "tab:blue", "basis 1: W = V^T (orthonormal)"),
                               (W2, "tab:red", "basis 2: W A^-1")):
        for j in range(2):
            tip = 4.0 * basis[:, j]
            ax.quiver(0, 0, 0, *tip, color=color, lw=2, arrow_length_ratio=0.12,
                      label=name if j == 0 else None)
    ax.set_box_aspect(np.ptp(cloud, axis=0))      # equal scales: the geometry is true
    ax.set_title("The best plane of a 3-D cloud, two bases of it", fontsize=11)
    ax.legend(loc="upper left", fontsize=8.5)
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_major_locator(MaxNLocator(4))
        axis.set_tick_params(labelsize=8)
    ax.set_xlabel("x_1")
    ax.set_ylabel("x_2")
    ax.set_zlabel("x_3")
    bars = figure.add_subplot(grid[1])
    names = ["W = V^T,\nV (SVD)", "W A^-1,\nV = (W A^-1)^+", "W A^-1,\nV = (W A^-1)^T",
             "W A^-1, V = W^+\n+ noise (best of 20)"]
    values = [error1, error2, error_tied_wrong, min(perturbed)]
    colors = ["tab:blue", "tab:red", "0.55", "0.75"]
    ceiling = 1.8 * optimum                       # the bar far above is cut, its value written
    bars.bar(range(4), np.minimum(values, ceiling), color=colors)
    for i, value in enumerate(values):
        bars.text(i, min(value, ceiling), f"{value:.3f}" + (" (cut)" if value > ceiling
                                                             else ""),
                  ha="center", va="bottom" if value <= ceiling else "top", fontsize=9)
    bars.set_ylim(0, ceiling * 1.08)
    bars.axhline(optimum, color="k", ls="--", lw=0.8, label="Eckart-Young: sum of s_3^2")
    bars.set_xticks(range(4), names, fontsize=8.5)
    bars.set_ylabel("||X - X V^T W^T||^2")
    bars.legend(loc="upper left", fontsize=8.5)
    bars.set_title(f"Same plane (angles {angles.max():.1e} deg), same error; "
                   f"V = W^+ is the best V", fontsize=10)
    return figure, {
        "singular_values": s, "V1": V1, "W1": W1, "A": A, "W2": W2, "V2": V2,
        "error_basis1": error1, "error_basis2": error2, "eckart_young_optimum": optimum,
        "relative_difference": abs(error1 - error2) / error1,
        "subspace_angles_degrees": angles,
        "W1_transpose_is_pinv": bool(np.allclose(linalg.best_encoder_for(W1), W1.T)),
        "error_W2_with_transpose": error_tied_wrong, "error_W2_with_pinv": error2,
        "errors_W2_with_perturbed_pinv": perturbed,
        "V2_equals_A_V1": bool(np.allclose(V2, A @ V1)),
    }


def _fig_projection(session: _Session):
    lsa = session.lsa
    first, second = "god", "government"
    if first in lsa.vocabulary_ and second in lsa.vocabulary_:
        plane = lsa.word_vectors
        x = np.asarray(plane[first][:2], np.float64)
        y = np.asarray(plane[second][:2], np.float64)
        scale = 1.0 / max(np.linalg.norm(x), np.linalg.norm(y))
        x, y = 2.0 * scale * x, 1.6 * scale * y        # a common scale keeps the angle
        source = f"2-D LSA vectors of '{first}' (x) and '{second}' (y), rescaled together"
    else:
        x, y = np.array([1.9, 0.5]), np.array([1.0, -0.9])
        source = "fixed vectors (the LSA words are missing)"
    figure = _figure(11.0, 5.6, session.dpi)
    figure.subplots_adjust(left=0.06, right=0.98, bottom=0.12, top=0.85, wspace=0.18)
    panels = {}
    for column, (name, direction) in enumerate((("unit y", y / np.linalg.norm(y)),
                                                ("non-unit y", y))):
        ax = figure.add_subplot(1, 2, column + 1)
        dot = float(x @ direction)
        projection = dot / float(direction @ direction) * direction
        residual = x - projection
        for vector, color, label in ((x, "tab:blue", "x"), (direction, "tab:green", "y"),
                                     (projection, "tab:orange", "projection of x on y")):
            ax.annotate("", xy=vector, xytext=(0, 0),
                        arrowprops=dict(arrowstyle="-|>", color=color, lw=2, shrinkA=0,
                                        shrinkB=0))
            ax.plot([], [], color=color, lw=2, label=label)
        ax.plot([x[0], projection[0]], [x[1], projection[1]], ls=":", color="0.3",
                label="x - projection (perpendicular to y)")
        ax.text(*(x * 1.04), "x", color="tab:blue", fontsize=12)
        ax.text(*(direction * 1.06), "y", color="tab:green", fontsize=12)
        ax.set_aspect("equal", adjustable="box")
        points = np.array([[0, 0], x, direction, projection])
        low, high = points.min(axis=0) - 0.4, points.max(axis=0) + 0.4
        ax.set_xlim(low[0], high[0])
        ax.set_ylim(low[1], high[1])
        ax.axhline(0, color="0.85", lw=0.8, zorder=0)
        ax.axvline(0, color="0.85", lw=0.8, zorder=0)
        formula = ("proj = (x . y) y" if column == 0 else "proj = (x . y / y . y) y")
        ax.set_title(f"{name}: |y| = {np.linalg.norm(direction):.2f}, x . y = {dot:.3f}\n"
                     f"{formula};  |proj| = x . y / |y| = {dot / np.linalg.norm(direction):.3f}",
                     fontsize=10)
        ax.legend(loc="upper left", fontsize=8.5)
        panels[name.replace(" ", "_").replace("-", "_")] = {
            "x": x, "y": direction, "dot": dot, "norm_y": float(np.linalg.norm(direction)),
            "projection": projection, "scalar_projection": dot / float(np.linalg.norm(direction)),
            "residual_dot_y": float(residual @ direction),
            "cosine": dot / float(np.linalg.norm(x) * np.linalg.norm(direction))}
    figure.suptitle("Dot product and projection (" + source + ")", fontsize=11)
    return figure, {"source": source, **panels}


def _knn_accuracy(vectors: np.ndarray, labels: Sequence[str], k: int = 5) -> float:
    """Leave-one-out k-nearest-neighbour accuracy (cosine) of the labels."""
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, -np.inf)
    labels = np.asarray(labels)
    neighbours = np.argsort(-similarity, axis=1)[:, :k]
    correct = 0
    for i, row in enumerate(neighbours):
        names, counts = np.unique(labels[row], return_counts=True)
        correct += names[np.argmax(counts)] == labels[i]
    return correct / len(labels)


def _fig_document_map(session: _Session):
    lsa = session.brown_lsa
    labels = session.brown.labels
    vectors = np.asarray(lsa.document_vectors_, np.float64)
    figure = plot.document_map(vectors, labels, title=f"Brown texts by LSA (k = "
                               f"{vectors.shape[1]}), first two principal components",
                               dpi=session.dpi)
    counts = {name: labels.count(name) for name in sorted(set(labels))}
    majority = max(counts.values()) / len(labels)
    return figure, {"documents": len(labels), "components": vectors.shape[1],
                    "explained_energy": lsa.explained_energy_, "genres": counts,
                    "knn5_accuracy": _knn_accuracy(vectors, labels),
                    "majority_baseline": majority}


def _tree_probabilities(model, context_ids) -> np.ndarray:
    """P(y | context) for every token y of a hierarchical-softmax CBOW model (sums to 1)."""
    from ._vocab_kernels import build_huffman

    codes, points, lengths = build_huffman(np.asarray(model.vocabulary_.counts))
    query = np.asarray(model.input_vectors_, np.float64)[context_ids].mean(axis=0)
    node_scores = np.asarray(model.output_vectors_, np.float64) @ query
    on_path = np.arange(codes.shape[1])[None, :] < lengths[:, None]
    turns = np.where(codes == 0, node_scores[points], -node_scores[points])
    log_probabilities = np.where(on_path, -np.logaddexp(0.0, -turns), 0.0).sum(axis=1)
    return np.exp(log_probabilities)


def _fig_masked_token(session: _Session):
    model = session.word2vec
    words = MASKED_SENTENCE.split()
    mask = words.index("[???]")
    context = [w for i, w in enumerate(words) if i != mask and abs(i - mask) <= model.window]
    known = [w for w in context if w in model.vocabulary_]
    missing = [w for w in context if w not in model.vocabulary_]
    if not known:
        raise ParameterError("no word of the masked sentence is in the vocabulary")
    probabilities = _tree_probabilities(model, [model.vocabulary_[w] for w in known])
    order = np.argsort(-probabilities, kind="stable")[:10]
    tokens = model.vocabulary_.tokens
    top = [(tokens[i], float(probabilities[i])) for i in order]
    truth = {}
    for word in ("jumps", "jumped", "jump"):
        if word in model.vocabulary_:
            index = model.vocabulary_[word]
            truth[word] = {"probability": float(probabilities[index]),
                           "rank": int((probabilities > probabilities[index]).sum()) + 1}
    figure = _figure(8.0, 5.6, session.dpi)
    figure.subplots_adjust(left=0.2, right=0.95, bottom=0.12, top=0.86)
    ax = figure.add_subplot()
    names = [name for name, _ in top][::-1]
    values = [value for _, value in top][::-1]
    ax.barh(range(len(top)), values, color="tab:blue")
    for i, value in enumerate(values):
        ax.text(value, i, f" {value:.3f}", va="center", fontsize=9)
    ax.set_yticks(range(len(top)), names)
    ax.set_xlim(0, max(values) * 1.18)
    ax.set_xlabel("P(word | context)")
    shown = " ".join(w if w in known or w == "[???]" else f"({w})" for w in words)
    truth_line = "; ".join(f"'{w}': rank {t['rank']}, P = {t['probability']:.4f}"
                           for w, t in truth.items())
    ax.set_title(f"{shown}\nCBOW, hierarchical softmax, {session.corpus_name}"
                 + (f"\n{truth_line}" if truth_line else ""), fontsize=10)
    if missing:
        ax.text(0.99, 0.02, "(words) not in the vocabulary", transform=ax.transAxes,
                ha="right", fontsize=8, color="0.4")
    return figure, {"sentence": MASKED_SENTENCE, "context_used": known,
                    "context_missing": missing, "top": top,
                    "total_probability": float(probabilities.sum()), "truth": truth,
                    "vocabulary": len(tokens), "loss": "hierarchical"}


def _fig_sgd_step(session: _Session):
    from .corpus import tokenize
    from .models._w2v_softmax import softmax_loss_and_grad
    from .models.word2vec import Word2Vec
    from .vocab import load_stopwords

    # the news texts without stopwords and fragments ("u", "s" of "u.s."), so that the picture
    # is about content words (in 2-D the frequent function words otherwise take every prediction)
    stop = load_stopwords("english")
    news = [[token for token in tokenize(text)
             if token not in stop and len(token) > 2 and token.isalpha()]
            for text, label in zip(session.brown.texts, session.brown.labels, strict=True)
            if label == "news"]
    model = Word2Vec(vector_size=2, window=2, loss="softmax", min_count=25, sample=0,
                     epochs=3 if session.quick else 10, workers=1, seed=session.seed + 3,
                     alpha=0.05).fit(news)
    vocabulary = model.vocabulary_
    syn0 = np.asarray(model.input_vectors_, np.float64)
    syn1 = np.asarray(model.output_vectors_, np.float64)
    # real windows of the texts whose words are all in the vocabulary;
    # the one shown is the window the model finds most likely among those it does not yet
    # predict (P < 0.2), so that the step has rivals to overtake
    windows = []
    for tokens in news:
        ids = vocabulary.encode(tokens, oov=-1)
        if len(ids) >= 5:
            spans = np.lib.stride_tricks.sliding_window_view(ids, 5)
            windows.append(spans[spans.min(axis=1) >= 0])
    windows = np.concatenate(windows)[:20_000] if windows else np.zeros((0, 5), np.int32)
    if not len(windows):
        raise ParameterError("no window of the news texts fits figure 9")
    queries = syn0[windows[:, [0, 1, 3, 4]]].mean(axis=1)
    scores = queries @ syn1.T
    scores -= scores.max(axis=1, keepdims=True)
    probabilities = np.exp(scores)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    p_target = probabilities[np.arange(len(windows)), windows[:, 2]]
    candidates = np.flatnonzero(p_target < 0.2)
    best = candidates[np.argmax(p_target[candidates])] if len(candidates) else 0
    chosen = [vocabulary.tokens[i] for i in windows[best]]
    target_word = chosen[2]
    context_words = chosen[:2] + chosen[3:]
    context = np.array([vocabulary[w] for w in context_words])
    target = vocabulary[target_word]

    def state(inputs, outputs):
        query = inputs[context].mean(axis=0)
        scores = outputs @ query
        p = np.exp(scores - scores.max())
        return query, scores, p / p.sum()

    query0, scores0, p0 = state(syn0, syn1)
    loss, grad0, grad1 = softmax_loss_and_grad(syn0, syn1, context, target)
    # a learning rate large enough to see the step: the target moves by a third of its length
    move = np.linalg.norm(grad1[target])
    alpha = float(0.33 * np.linalg.norm(syn1[target]) / move) if move else 1.0
    syn0_after, syn1_after = syn0 - alpha * grad0, syn1 - alpha * grad1
    query1, scores1, p1 = state(syn0_after, syn1_after)
    rivals = [i for i in np.argsort(-p0) if i != target][:4]
    shown = [target, *rivals]
    figure = _figure(8.0, 7.2, session.dpi)
    figure.subplots_adjust(left=0.1, right=0.97, bottom=0.3, top=0.9)
    ax = figure.add_subplot()
    ax.scatter(syn1[:, 0], syn1[:, 1], s=6, color="0.82", zorder=1,
               label=f"output vectors u_y of the other {len(syn1) - len(shown)} words")
    colors = ["tab:green", *plot._palette(10)[3:3 + len(rivals)]]
    lines = [f"masked word '{target_word}': P {p0[target]:.3f} -> {p1[target]:.3f}"]

    def arrow(start, end, color, style="-"):
        ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="-|>", color=color,
                                                              lw=1.8, ls=style, shrinkA=0,
                                                              shrinkB=0))

    arrow((0, 0), query0, "k")
    arrow((0, 0), query1, "tab:cyan", "--")
    ax.plot([], [], color="k", lw=1.8,
            label=f"query z = mean of the input vectors of {', '.join(context_words)}")
    ax.plot([], [], color="tab:cyan", lw=1.8, ls="--", label="z after the step")
    ax.plot([], [], color="0.3", lw=1.2, ls=":", label="each output vector's step (dot: "
            "after)")
    for row, color in zip(shown, colors, strict=True):
        arrow((0, 0), syn1[row], color)
        arrow(syn1[row], syn1_after[row], color, ":")
        ax.scatter(*syn1_after[row], s=18, color=color, zorder=3)
        word = vocabulary.tokens[row]
        ax.plot([], [], color=color, lw=1.8,
                label=f"u_{word}: z . u {scores0[row]:+.3f} -> {scores1[row]:+.3f}")
    everything = np.vstack([syn1[shown], syn1_after[shown], [query0, query1], [[0, 0]]])
    low, high = everything.min(axis=0), everything.max(axis=0)
    pad = 0.12 * (high - low).max()
    ax.set_xlim(low[0] - pad, high[0] + pad)
    ax.set_ylim(low[1] - pad, high[1] + pad)
    ax.set_aspect("equal", adjustable="box")
    figure.canvas.draw()
    plot._place_labels(ax, syn1[shown], [vocabulary.tokens[r] for r in shown], colors=colors,
                       fontsize=10, obstacles=np.vstack([syn1_after[shown], query0, query1]))
    ax.axhline(0, color="0.88", lw=0.8, zorder=0)
    ax.axvline(0, color="0.88", lw=0.8, zorder=0)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), fontsize=8.5, ncol=1,
              frameon=False)
    ax.set_title(f"One SGD step on '{' '.join(chosen[:2])} [???] {' '.join(chosen[3:])}' "
                 f"(alpha = {alpha:.2f})\n" + lines[0], fontsize=10)
    return figure, {
        "window": chosen, "target": target_word, "context": context_words,
        "vocabulary": len(vocabulary), "alpha": alpha, "loss_before": float(loss),
        "probability_before": float(p0[target]), "probability_after": float(p1[target]),
        "query_before": query0, "query_after": query1,
        "rows": {vocabulary.tokens[r]: {"before": syn1[r], "after": syn1_after[r],
                                        "dot_before": float(scores0[r]),
                                        "dot_after": float(scores1[r])} for r in shown},
        "step_is_minus_alpha_gradient": bool(
            np.allclose(syn1_after - syn1, -alpha * grad1)
            and np.allclose(syn0_after - syn0, -alpha * grad0)),
    }


def _fig_capitals(session: _Session):
    model = session.word2vec
    wv = model.wv
    mikolov = [p for p in MIKOLOV_CAPITALS if p[0] in wv and p[1] in wv]
    missing = [p for p in MIKOLOV_CAPITALS if p not in mikolov]
    pairs = list(mikolov)
    extra = []
    if len(pairs) < len(MIKOLOV_CAPITALS):
        extra = [p for p in BROWN_EXTRA_CAPITALS if p[0] in wv and p[1] in wv]
        pairs += extra
    if len(pairs) < 2:
        raise ParameterError("fewer than two country-capital pairs are in the vocabulary")
    offsets = np.array([wv[b] - wv[a] for a, b in pairs], np.float64)
    unit = offsets / np.linalg.norm(offsets, axis=1, keepdims=True)
    cosine = unit @ unit.T
    mean_offset_cosine = float(cosine[np.triu_indices(len(pairs), 1)].mean())
    solved, asked = 0, 0
    for a, b in pairs:
        for c, d in pairs:
            if (a, b) != (c, d):
                asked += 1
                answer = wv.analogy(a, b, c, topn=1)[0][0]
                solved += answer == d
    which = (f"{len(mikolov)} of Mikolov's {len(MIKOLOV_CAPITALS)} pairs"
             + (f" + {len(extra)} others" if extra else ""))
    figure = plot.analogy_map(
        wv, pairs, dpi=session.dpi,
        title=f"Countries and capitals: word2vec on {session.corpus_name}, {which}\n"
              f"offsets' mean cosine {mean_offset_cosine:.2f}; 'a : b :: c : ?' within the "
              f"pairs: {solved} of {asked} right")
    figure.axes[0].title.set_fontsize(10)
    figure.subplots_adjust(top=0.9)     # room for the second line (labels follow their points)
    return figure, {"pairs": pairs, "mikolov_pairs_used": mikolov,
                    "mikolov_pairs_missing": missing, "extra_pairs": extra,
                    "mean_offset_cosine": mean_offset_cosine,
                    "analogies_within_pairs": {"asked": asked, "solved": solved,
                                               "accuracy": solved / asked}}


def _text_classifier():
    """``wordspace.TextClassifier`` if this installation has it, else ``(None, reason)``."""
    import wordspace

    try:
        return wordspace.TextClassifier, None
    except (AttributeError, ImportError) as error:
        return None, f"wordspace.TextClassifier is not available ({error})"


def _fig_first_layer(session: _Session):
    classifier, reason = _text_classifier()
    if classifier is None:
        raise _Skip(reason)
    pretrained = session.word2vec.wv
    brown = session.brown
    if session.quick:                               # every other text: the same 15 genres
        from .datasets import LabelledTexts

        brown = LabelledTexts(brown.texts[::2], brown.labels[::2], name="brown[::2]")
    test = [i % 5 == 0 for i in range(len(brown))]
    train_texts = [t for t, held in zip(brown.texts, test, strict=True) if not held]
    train_labels = [y for y, held in zip(brown.labels, test, strict=True) if not held]
    test_texts = [t for t, held in zip(brown.texts, test, strict=True) if held]
    test_labels = [y for y, held in zip(brown.labels, test, strict=True) if held]
    epochs = 3 if session.quick else 10
    # the classifier alone; on word2vec's vectors, kept fixed; and alone again, but with the
    # masked-token proxy task (CBOW, negative sampling) on the same first layer in the same pass
    settings = {
        "from scratch": dict(pretrained=None, freeze=False, proxy_weight=0.0),
        "pre-trained (word2vec, frozen)": dict(pretrained=pretrained, freeze=True,
                                               proxy_weight=0.0),
        "jointly trained (+ proxy task)": dict(pretrained=None, freeze=False, proxy_weight=1.0),
    }
    groups = CLASSIFIER_WORDS
    figure = _figure(15.0, 5.4, session.dpi)
    figure.subplots_adjust(left=0.04, right=0.99, bottom=0.08, top=0.82, wspace=0.15)
    majority = max(test_labels.count(y) for y in set(test_labels)) / len(test_labels)
    numbers = {"train": len(train_texts), "test": len(test_texts), "epochs": epochs,
               "alpha": CLASSIFIER_RATE, "majority_baseline": majority,
               "models": {}}
    palette = dict(zip(groups, plot._palette(len(groups)), strict=True))
    for column, (name, options) in enumerate(settings.items()):
        model = classifier(vector_size=pretrained.dim, epochs=epochs, alpha=CLASSIFIER_RATE,
                           seed=session.seed, **options).fit(train_texts, train_labels)
        wv = model.wv
        words = [w for members in groups.values() for w in members if w in wv]
        vectors = np.asarray([wv[w] for w in words], np.float64)
        xy = plot.project(plot._unit(vectors), "pca")
        ax = figure.add_subplot(1, 3, column + 1)
        colors = [palette[g] for w in words for g, members in groups.items() if w in members]
        ax.scatter(xy[:, 0], xy[:, 1], s=18, color=colors)
        plot._set_limits(ax, xy, margin=0.15)
        plot._place_labels(ax, xy, words, colors=colors, fontsize=8.5)
        accuracy = None
        if hasattr(model, "score"):
            accuracy = float(model.score(test_texts, test_labels))
        elif hasattr(model, "predict"):
            predicted = list(model.predict(test_texts))
            accuracy = float(np.mean([a == b for a, b in zip(predicted, test_labels,
                                                             strict=True)]))
        ax.set_title(f"{name}" + (f"\ntest accuracy {accuracy:.3f}" if accuracy is not None
                                  else ""), fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        numbers["models"][name] = {"options": {k: (v if k != "pretrained" else
                                                   (None if v is None else "word2vec"))
                                               for k, v in options.items()},
                                   "test_accuracy": accuracy, "words": words, "xy": xy}
    for group, color in palette.items():
        figure.axes[0].scatter([], [], color=color, label=group)
    figure.legend(loc="upper right", fontsize=9, ncol=3)
    figure.suptitle(f"The classifier's first layer: the same words, three ways (Brown's 15 "
                    f"genres; {len(train_texts)} texts to train, {len(test_texts)} to test, "
                    f"majority class {majority:.2f})", fontsize=11, x=0.4)
    return figure, numbers


class _Skip(Exception):
    """A figure that cannot be made here, with the reason."""


@dataclass(frozen=True)
class _Spec:
    number: int
    name: str
    build: Callable
    caption: str
    better_with_big: bool = False


#: the lecture's figures, in order
FIGURES = (
    _Spec(1, "arrows", _fig_arrows,
          "Embeddings are arrows: 2-D LSA vectors of a few words; the angle between two "
          "arrows is their similarity."),
    _Spec(2, "bag_of_words", _fig_bag_of_words,
          "A two-word document as a bag x, its code u = V x and reconstruction W V x from an "
          "LSA; the error is what the k directions cannot hold.", True),
    _Spec(3, "autoencoder_1d", _fig_autoencoder_1d,
          "A 1-unit linear autoencoder on a 2-D cloud: SGD finds the long axis, the same "
          "direction as the top singular vector."),
    _Spec(4, "ambiguity", _fig_ambiguity,
          "When the cloud is spread equally, every direction is optimal: different seeds, "
          "different w_1, equal error."),
    _Spec(5, "best_plane", _fig_best_plane,
          "The best plane of a 3-D cloud: two bases with equal error; V = W^T for an "
          "orthonormal basis, V = W^+ for any basis."),
    _Spec(6, "projection", _fig_projection,
          "Dot product and projection: with a unit y, x . y is the length of x's shadow on y; "
          "otherwise divide by |y|."),
    _Spec(7, "document_map", _fig_document_map,
          "LSA document vectors of the 500 Brown texts, coloured by genre: topics emerge "
          "without labels."),
    _Spec(8, "masked_token", _fig_masked_token,
          "Masked-token prediction: a CBOW model's most probable words for the blank, with "
          "their probabilities."),
    _Spec(9, "sgd_step", _fig_sgd_step,
          "One SGD step of a 2-D softmax word2vec: the masked word's vector moves towards the "
          "query, its rivals move away."),
    _Spec(10, "capitals", _fig_capitals,
          "Countries and capitals in a 2-D projection of word2vec vectors: where the corpus "
          "is large enough the offsets are parallel, the relation 'capital of'.", True),
    _Spec(11, "first_layer", _fig_first_layer,
          "The first layer of a text classifier: the same words embedded from scratch, "
          "pre-trained, and jointly trained."),
)


def _pdf_page(png: Path, caption: str, number: int) -> Figure:
    from matplotlib.image import imread

    image = imread(png)
    height, width = image.shape[:2]
    page = _figure(11.0, 8.5, 100)
    ax = page.add_axes([0.04, 0.1, 0.92, 0.86])
    ax.imshow(image, interpolation="lanczos")
    ax.set_axis_off()
    ax.set_aspect("equal")
    page.text(0.5, 0.045, f"Figure {number}. {caption}", ha="center", va="center",
              fontsize=11, wrap=True)
    del width, height
    return page


def _write_pdf(path: Path, made: list[dict], skipped: list[dict], folder: Path,
               subtitle: str) -> None:
    from matplotlib.backends.backend_pdf import PdfPages

    with atomic_write(path, "wb") as handle, PdfPages(handle, metadata={
            "Title": "wordspace: the lecture, reproduced", "CreationDate": None}) as pdf:
        cover = _figure(11.0, 8.5, 100)
        lines = ["The lecture, reproduced with wordspace", subtitle, ""]
        lines += [f"{f['number']:2d}. {f['caption']}" for f in made]
        lines += [f"{f['number']:2d}. skipped: {f['reason']}" for f in skipped]
        cover.text(0.06, 0.92, "\n".join(lines), ha="left", va="top", fontsize=10,
                   family="monospace", wrap=True)
        pdf.savefig(cover)
        for entry in made:
            pdf.savefig(_pdf_page(folder / entry["png"], entry["caption"], entry["number"]))


def lecture(output_dir, *, corpus=None, quick: bool = False, seed: int = 0, dpi: int = 100,
            only: Sequence[str] | None = None) -> dict:
    """Make the lecture's figures: PNGs, ``lecture.json`` and ``lecture.pdf`` in ``output_dir``.

    Parameters
    ----------
    output_dir : path
        Folder to write into (made if missing).
    corpus : path, optional
        The corpus of the word figures (1, 2, 8, 10; big.txt is best).  ``None`` or
        ``"brown"`` uses the embedded Brown corpus; a path that does not exist falls back to it,
        with a warning and a note in ``lecture.json``.
    quick : bool
        Smaller models and fewer epochs (for tests): the same figures, coarser numbers.
    seed : int
        Seed of every random draw and model.
    dpi : int
        Resolution of the PNGs (their size is ``figsize * dpi`` pixels).
    only : sequence of str, optional
        Make only the figures with these names (see :data:`FIGURES`).

    Returns
    -------
    dict
        What ``lecture.json`` holds: the corpus, timings, and per figure its number, name,
        caption, status (``"made"`` or ``"skipped"`` with ``reason``), PNG file name and
        numbers.
    """
    started = time.perf_counter()
    folder = Path(output_dir)
    if folder.exists() and not folder.is_dir():
        raise ParameterError(f"{folder} exists and is not a folder")
    names = [spec.name for spec in FIGURES]
    for name in only or ():
        check_choice("figure", name, names)
    corpus_path, notes = None, []
    if corpus is not None and str(corpus) != "brown":
        if Path(corpus).exists():
            corpus_path = Path(corpus)
        else:
            notes.append(f"corpus {corpus} not found: the embedded Brown corpus is used instead")
            warnings.warn(notes[-1], UserWarning, stacklevel=2)
    folder.mkdir(parents=True, exist_ok=True)
    session = _Session(corpus_path, bool(quick), int(seed), int(dpi), notes)
    chosen = [spec for spec in FIGURES if not only or spec.name in only]
    entries = []
    bar = progress(chosen, desc="lecture", unit=" figures")
    for spec in bar:
        bar.set_postfix_str(spec.name)
        entry = {"number": spec.number, "name": spec.name, "caption": spec.caption,
                 "better_with_big_corpus": spec.better_with_big}
        figure_started = time.perf_counter()
        try:
            figure, numbers = spec.build(session)
        except _Skip as reason:
            entry.update(status="skipped", reason=str(reason))
            logger.info("figure %d (%s) skipped: %s", spec.number, spec.name, reason)
        else:
            png = f"{spec.number:02d}-{spec.name.replace('_', '-')}.png"
            plot.save_figure(figure, folder / png)
            entry.update(status="made", png=png, numbers=_jsonable(numbers))
        entry["seconds"] = round(time.perf_counter() - figure_started, 3)
        entries.append(entry)
    report = {
        "corpus": session.corpus_name, "corpus_requested": None if corpus is None else str(corpus),
        "notes": notes, "quick": bool(quick), "seed": int(seed),
        "models_seconds": {k[:-8]: round(v, 3) for k, v in session._cache.items()
                           if k.endswith("_seconds")},
        "figures": entries,
    }
    made = [e for e in entries if e["status"] == "made"]
    skipped = [e for e in entries if e["status"] == "skipped"]
    subtitle = (f"word figures on {session.corpus_name}; seed {seed}"
                + ("; quick mode" if quick else "") + "".join(f"; {note}" for note in notes))
    _write_pdf(folder / "lecture.pdf", made, skipped, folder, subtitle)
    report["pdf"] = "lecture.pdf"
    report["seconds"] = round(time.perf_counter() - started, 3)
    with atomic_write(folder / "lecture.json", "w", encoding="utf-8") as handle:
        json.dump(_jsonable(report), handle, indent=1)
    logger.info("lecture: %d figures made, %d skipped, in %.1f s", len(made), len(skipped),
                report["seconds"])
    return report
