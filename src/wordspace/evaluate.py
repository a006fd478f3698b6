"""How good are the embeddings?  Word similarity, analogies and document tasks.

* :func:`word_pairs` -- Spearman and Pearson correlation between cosine similarity and human
  ratings (WordSim-353, SimLex-999, ...), as gensim's ``evaluate_word_pairs``.
* :func:`analogies` -- accuracy on "a is to b as c is to d" questions (the Google set), equal to
  gensim's ``evaluate_word_analogies`` for 3CosAdd, plus 3CosMul; batched matrix products.
* :func:`documents` -- k-nearest-neighbour accuracy and k-means purity / adjusted mutual
  information of document vectors against labels.
* :func:`document_similarity` -- correlation with human document-similarity ratings (Lee).
* :func:`standard_sets` / :func:`evaluate_all` -- run every standard set found in a data folder.

Every result is a small dataclass with a readable ``str()`` and ``as_dict()`` for JSON.
Words are matched case-insensitively by default: a test word maps to the first (most frequent)
vocabulary token that equals it up to case, as in gensim.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ._progress import progress
from .errors import ParameterError, check_choice, check_positive
from .vectors import COSMUL_EPSILON, Embeddings

__all__ = [
    "WordPairsResult",
    "AnalogyResult",
    "DocumentsResult",
    "DocumentSimilarityResult",
    "EvaluationRow",
    "word_pairs",
    "analogies",
    "documents",
    "document_similarity",
    "load_lee_similarities",
    "standard_sets",
    "packaged_sets_folder",
    "evaluate_all",
    "format_table",
]

logger = logging.getLogger(__name__)

#: file name -> (set name, kind) of the standard sets that :func:`standard_sets` looks for
STANDARD_FILES = {
    "ws353_all.tsv": ("ws353", "pairs"),
    "ws353_sim.tsv": ("ws353_sim", "pairs"),
    "ws353_rel.tsv": ("ws353_rel", "pairs"),
    "simlex999.tsv": ("simlex999", "pairs"),
    "questions-words.txt": ("google_analogies", "analogies"),
}


class _Result:
    def as_dict(self) -> dict:
        """The result as a JSON-ready dict."""
        return _plain(asdict(self))


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(value)  # JSON has no NaN
    return value


# -- word similarity ------------------------------------------------------------------------------
@dataclass
class WordPairsResult(_Result):
    """Correlation of cosine similarity with human similarity ratings."""

    spearman: float
    pearson: float
    n_pairs: int
    n_oov: int
    oov_pairs: list = field(default_factory=list, repr=False)
    name: str = ""
    n_skipped_lines: int = 0

    @property
    def coverage(self) -> float:
        """Share of the pairs whose two words are both in the vocabulary."""
        total = self.n_pairs + self.n_oov
        return self.n_pairs / total if total else 0.0

    def __str__(self) -> str:
        return (f"{self.name or 'word pairs'}: Spearman {self.spearman:.4f}, Pearson "
                f"{self.pearson:.4f} over {self.n_pairs} pairs ({self.n_oov} with unknown words)")


def _vocab_lookup(emb: Embeddings, restrict_vocab: int | None, case_insensitive: bool) -> dict:
    """Test-set spelling -> row; the first token wins among case variants (as gensim)."""
    end = len(emb) if restrict_vocab is None else min(int(restrict_vocab), len(emb))
    tokens = emb.tokens[:end]
    if not case_insensitive:
        return dict(zip(tokens, range(end), strict=True))
    lookup: dict[str, int] = {}
    for row in range(end - 1, -1, -1):
        lookup[tokens[row].upper()] = row
    return lookup


def _read_pairs(path) -> tuple[list[tuple[str, str, float]], int]:
    """The ``(word1, word2, score)`` triples of a file, and how many lines were malformed."""
    if not Path(path).is_file():
        raise ParameterError(f"word-pairs file {path} does not exist")
    pairs = []
    skipped = 0
    with open(path, "rb") as lines:
        for line_no, raw in enumerate(lines, 1):
            line = _decode(raw, path, line_no)
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\r\n").split("\t") if "\t" in line else line.split()
            try:
                word1, word2, score = fields
                pairs.append((word1.strip(), word2.strip(), float(score)))
            except ValueError:
                skipped += 1
                logger.info("skipping invalid line %d in %s: %r", line_no, path, line)
    if not pairs:
        raise ParameterError(f"{path} holds no word pairs; expected 'word1 word2 score' lines"
                             + (f" ({skipped} malformed lines)" if skipped else ""))
    return pairs, skipped


def _decode(raw: bytes, path, line_no: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ParameterError(f"{path}, line {line_no}: not UTF-8 text") from None


def _pair_cosines(vectors: np.ndarray, rows1, rows2) -> np.ndarray:
    """Cosine of each pair of rows, with gensim's arithmetic to the last bit.

    Each vector is scaled by the reciprocal of its float64 BLAS norm (``dnrm2``), rounded to
    float32, and the two are multiplied with a float32 dot product -- what gensim's
    ``similarity`` does.  Near-ties between pairs then rank the same way as in gensim, so the
    Spearman correlation agrees to the last digit rather than to 1e-5.
    """
    from scipy.linalg import blas

    units: dict[int, np.ndarray] = {}

    def unit(row: int) -> np.ndarray:
        if row not in units:
            vector = np.asarray(vectors[row], dtype=np.float32)
            norm = blas.dnrm2(vector)
            units[row] = (vector.astype(np.float64) * (1.0 / norm)).astype(np.float32) \
                if norm > 0 else vector
        return units[row]

    return np.array([np.dot(unit(a), unit(b)) for a, b in zip(rows1, rows2, strict=True)],
                    dtype=np.float32)


def word_pairs(emb: Embeddings, path_or_pairs, case_insensitive: bool = True,
               restrict_vocab: int | None = None, name: str | None = None) -> WordPairsResult:
    """Spearman and Pearson correlation of cosine similarities with human scores.

    Parameters
    ----------
    emb : Embeddings
    path_or_pairs : path or iterable of (str, str, float)
        A file of ``word1<TAB>word2<TAB>score`` lines (whitespace-separated also works; lines
        starting with ``#`` are comments, malformed lines are skipped), or the triples.
    case_insensitive : bool
        Match words up to case (the first, most frequent, case variant is used).
    restrict_vocab : int, optional
        Only the first ``restrict_vocab`` tokens count as known.
    name : str, optional
        Name shown in the result (default: the file name).

    Returns
    -------
    WordPairsResult
        Pairs with an unknown word are left out (as gensim does) and listed in ``oov_pairs``.

    Examples
    --------
    >>> emb = Embeddings(["cat", "dog", "car"], [[1, 0.2], [1, 0.3], [0, 1]])
    >>> result = word_pairs(emb, [("cat", "dog", 9.0), ("cat", "car", 2.0),
    ...                           ("dog", "car", 2.5), ("cat", "zebra", 5.0)])
    >>> result.spearman, result.n_pairs, result.oov_pairs
    (1.0, 3, [('cat', 'zebra')])
    """
    from scipy import stats

    skipped_lines = 0
    if isinstance(path_or_pairs, str | os.PathLike):
        name = name or Path(path_or_pairs).stem
        pairs, skipped_lines = _read_pairs(path_or_pairs)
    else:
        pairs = [(str(a), str(b), float(s)) for a, b, s in path_or_pairs]
    lookup = _vocab_lookup(emb, restrict_vocab, case_insensitive)
    norm = str.upper if case_insensitive else str
    rows1, rows2, gold, oov = [], [], [], []
    for word1, word2, score in pairs:
        row1, row2 = lookup.get(norm(word1)), lookup.get(norm(word2))
        if row1 is None or row2 is None:
            oov.append((word1, word2))
            continue
        rows1.append(row1)
        rows2.append(row2)
        gold.append(score)
    if not gold:
        raise ParameterError(f"no pair of {name or 'the word pairs'} has both words in the "
                             f"vocabulary ({len(pairs)} pairs read)")
    model = _pair_cosines(emb.vectors, rows1, rows2)
    if len(gold) < 2:
        spearman = pearson = float("nan")
    else:
        spearman = float(stats.spearmanr(gold, model)[0])
        pearson = float(stats.pearsonr(gold, model.astype(np.float64))[0])
    return WordPairsResult(spearman=spearman, pearson=pearson, n_pairs=len(gold),
                           n_oov=len(oov), oov_pairs=oov, name=name or "",
                           n_skipped_lines=skipped_lines)


# -- analogies ------------------------------------------------------------------------------------
@dataclass
class AnalogyResult(_Result):
    """Accuracy on analogy questions, in total and per section."""

    accuracy: float
    n_correct: int
    n_questions: int
    n_skipped: int
    sections: dict = field(default_factory=dict)
    section_correct: dict = field(default_factory=dict, repr=False)
    section_questions: dict = field(default_factory=dict, repr=False)
    method: str = "3cosadd"
    restrict_vocab: int | None = None
    name: str = ""
    n_skipped_lines: int = 0

    @property
    def coverage(self) -> float:
        """Share of the questions whose four words are all in the (restricted) vocabulary."""
        total = self.n_questions + self.n_skipped
        return self.n_questions / total if total else 0.0

    def __str__(self) -> str:
        lines = [f"{self.name or 'analogies'} ({self.method}): accuracy {self.accuracy:.4f} "
                 f"({self.n_correct}/{self.n_questions}; {self.n_skipped} questions skipped "
                 "for unknown words)"]
        for section, accuracy in self.sections.items():
            lines.append(f"  {section}: {accuracy:.4f} ({self.section_correct[section]}/"
                         f"{self.section_questions[section]})")
        return "\n".join(lines)


def _read_analogies(path, lookup: dict, case_insensitive: bool):
    """Sections in file order, and the question rows (a, b, c, d) with their section numbers."""
    sections: list[str] = []
    questions, owners = [], []
    skipped = malformed = 0
    norm = str.upper if case_insensitive else str
    with open(path, "rb") as lines:
        for line_no, raw in enumerate(lines, 1):
            line = _decode(raw, path, line_no)
            if line.startswith(": "):
                sections.append(line.lstrip(": ").strip())
                continue
            words = line.split()
            if len(words) != 4:
                if words:
                    malformed += 1
                    logger.info("skipping invalid line %d in %s", line_no, path)
                continue
            if not sections:
                sections.append("(no section)")
            rows = [lookup.get(norm(word)) for word in words]
            if None in rows:
                skipped += 1
                continue
            questions.append(rows)
            owners.append(len(sections) - 1)
    if not questions and not skipped:
        raise ParameterError(f"{path} holds no analogy questions; expected 'a b c d' lines"
                             + (f" ({malformed} malformed lines)" if malformed else ""))
    return sections, np.array(questions, dtype=np.int64).reshape(-1, 4), \
        np.array(owners, dtype=np.int64), skipped, malformed


def _answer(unit: np.ndarray, canonical: np.ndarray, batch: np.ndarray, method: str):
    """Whether each question of ``batch`` (rows a, b, c, d) is answered correctly."""
    a, b, c, d = batch.T
    rows = np.arange(len(batch))
    # a batch repeats few words: one product for its distinct words, then gather; 3CosAdd's
    # cos(x, b - a + c) ranks as cos(x, b) - cos(x, a) + cos(x, c) (same positive scale)
    distinct, position = np.unique(batch[:, :3], return_inverse=True)
    position = position.reshape(-1, 3)
    if method == "3cosadd":
        cosines = unit[distinct] @ unit.T
        scores = cosines[position[:, 1]]
        scores += cosines[position[:, 2]]
        scores -= cosines[position[:, 0]]
        del cosines
    else:
        shifted = unit[distinct] @ unit.T
        shifted += 1.0
        shifted *= 0.5
        scores = shifted[position[:, 1]]
        scores *= shifted[position[:, 2]]
        denominator = shifted[position[:, 0]]
        denominator += COSMUL_EPSILON
        scores /= denominator
        del shifted, denominator
    for column in (a, b, c):
        scores[rows, column] = -np.inf
    best = np.argmax(scores, axis=1)
    predicted = canonical[best]
    # a case variant of a question word can win; then walk the top 5 like gensim does
    clash = np.flatnonzero((predicted == a) | (predicted == b) | (predicted == c))
    for row in clash:
        k = min(5, scores.shape[1])
        top = np.argpartition(-scores[row], k - 1)[:k]
        top = top[np.argsort(-scores[row, top], kind="stable")]
        top = top[np.isfinite(scores[row, top])]
        choice = None
        for candidate in canonical[top]:
            choice = candidate
            if candidate not in (a[row], b[row], c[row]):
                break
        predicted[row] = -1 if choice is None else choice
    predicted[~np.isfinite(scores[rows, best])] = -1
    return predicted == d


def analogies(emb: Embeddings, path, restrict_vocab: int | None = 30000,
              method: str = "3cosadd", case_insensitive: bool = True, batch_size: int = 1000,
              name: str | None = None) -> AnalogyResult:
    """Accuracy on a questions-words file (``: section`` lines, then ``a b c d`` lines).

    For each question "``a`` is to ``b`` as ``c`` is to ``d``" the answer is the token of the
    first ``restrict_vocab`` tokens that is best by ``method`` (see
    :meth:`Embeddings.analogy`), the three question words excluded; it is correct when it is
    ``d``.  Questions with a word outside the first ``restrict_vocab`` tokens are skipped and
    counted in ``n_skipped``.  With ``method="3cosadd"`` this is exactly gensim's
    ``KeyedVectors.evaluate_word_analogies`` (same restriction, same case folding, same
    exclusions).  Questions are answered in batches of ``batch_size`` with one matrix product
    against the restricted unit-normalised matrix.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "q.txt")
    >>> _ = open(path, "w").write(": royal\\nman king woman queen\\nman king woman zebra\\n")
    >>> emb = Embeddings(["king", "queen", "man", "woman", "apple"],
    ...                  [[1, 1, 0], [1, 0, 1], [0, 1, 0], [0, 0, 1], [-1, 0, 0]])
    >>> result = analogies(emb, path)
    >>> result.accuracy, result.n_questions, result.n_skipped
    (1.0, 1, 1)
    """
    check_choice("method", method, ("3cosadd", "3cosmul"))
    check_positive("batch_size", batch_size, integer=True)
    if restrict_vocab is not None:
        check_positive("restrict_vocab", restrict_vocab, integer=True)
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"analogy file {path} does not exist")
    lookup = _vocab_lookup(emb, restrict_vocab, case_insensitive)
    sections, questions, owners, skipped, malformed = _read_analogies(path, lookup,
                                                                      case_insensitive)
    end = len(emb) if restrict_vocab is None else min(int(restrict_vocab), len(emb))
    unit = np.ascontiguousarray(emb.unit_vectors[:end])
    norm = str.upper if case_insensitive else str
    canonical = np.array([lookup[norm(token)] for token in emb.tokens[:end]], dtype=np.int64)
    correct = np.zeros(len(questions), dtype=bool)
    step = batch_size if method == "3cosadd" else max(1, batch_size // 2)
    for start in progress(range(0, len(questions), step), desc="analogies", unit="batch"):
        batch = questions[start:start + step]
        correct[start:start + step] = _answer(unit, canonical, batch, method)
    n_correct = np.bincount(owners[correct], minlength=len(sections))
    n_asked = np.bincount(owners, minlength=len(sections))
    section_correct: dict[str, int] = {}
    section_questions: dict[str, int] = {}
    for section, good, asked in zip(sections, n_correct, n_asked, strict=True):
        section_correct[section] = section_correct.get(section, 0) + int(good)
        section_questions[section] = section_questions.get(section, 0) + int(asked)
    accuracies = {s: section_correct[s] / section_questions[s] if section_questions[s] else 0.0
                  for s in section_correct}
    total = int(correct.sum())
    result = AnalogyResult(
        accuracy=total / len(questions) if len(questions) else 0.0, n_correct=total,
        n_questions=len(questions), n_skipped=skipped, sections=accuracies,
        section_correct=section_correct, section_questions=section_questions, method=method,
        restrict_vocab=restrict_vocab, name=name or path.stem, n_skipped_lines=malformed)
    logger.info("%s", result)
    return result


# -- documents ------------------------------------------------------------------------------------
@dataclass
class DocumentsResult(_Result):
    """k-NN classification accuracy and k-means cluster agreement of document vectors."""

    knn_accuracy: float
    k: int
    purity: float
    adjusted_mutual_info: float
    n_clusters: int
    n_documents: int
    n_test: int

    def __str__(self) -> str:
        return (f"documents: {self.k}-NN accuracy {self.knn_accuracy:.4f} ({self.n_test} "
                f"scored), k-means ({self.n_clusters} clusters) purity {self.purity:.4f}, "
                f"AMI {self.adjusted_mutual_info:.4f}")


def _indices(selection, n: int, what: str) -> np.ndarray:
    selection = np.asarray(selection)
    if selection.dtype == bool:
        if selection.shape != (n,):
            raise ParameterError(f"{what} mask must have one entry per document ({n})")
        return np.flatnonzero(selection)
    selection = selection.astype(np.int64).ravel()
    if selection.size and (selection.min() < -n or selection.max() >= n):
        raise ParameterError(f"{what} indices out of range for {n} documents")
    return selection % n


def _knn_predict(train_unit, train_labels, test_unit, k, exclude_self_offset=None,
                 batch_size=1024):
    """Majority label of the k most cosine-similar training rows; ties go to the nearest."""
    predictions = np.empty(len(test_unit), dtype=np.int64)
    n_classes = int(train_labels.max()) + 1
    k = min(k, len(train_unit) - (1 if exclude_self_offset is not None else 0))
    for start in range(0, len(test_unit), batch_size):
        scores = test_unit[start:start + batch_size] @ train_unit.T
        rows = np.arange(len(scores))
        if exclude_self_offset is not None:
            scores[rows, rows + start + exclude_self_offset] = -np.inf
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        neighbour_labels = train_labels[top]
        votes = np.zeros((len(scores), n_classes), dtype=np.float64)
        # each vote counts 1, plus a tiny bonus for rank so that ties go to the nearest
        weights = 1.0 + (k - np.arange(k)) * 1e-6
        np.add.at(votes, (np.repeat(rows, k), neighbour_labels.ravel()),
                  np.tile(weights, len(scores)))
        predictions[start:start + len(scores)] = votes.argmax(axis=1)
    return predictions


def documents(doc_vectors, labels, train=None, test=None, k: int = 10,
              n_clusters: int | None = None, seed: int = 0) -> DocumentsResult:
    """k-NN accuracy and k-means purity / AMI of document vectors against their labels.

    Parameters
    ----------
    doc_vectors : array of shape (n_documents, dim)
    labels : sequence of hashable, one per document
    train, test : index arrays or boolean masks, optional
        With both, the k-NN classifier is fitted on ``train`` and scored on ``test``; without,
        each document is classified by its k nearest others (leave-one-out).
    k : int
        Neighbours for the (cosine) k-NN vote.
    n_clusters : int, optional
        Clusters for k-means on the unit-normalised vectors (default: the number of labels).
    seed : int
        Seed of k-means.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> vectors = np.vstack([rng.normal([5, 0], 1, (20, 2)), rng.normal([0, 5], 1, (20, 2))])
    >>> result = documents(vectors, ["a"] * 20 + ["b"] * 20, k=5)
    >>> result.knn_accuracy, result.purity
    (1.0, 1.0)
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_mutual_info_score

    from .vectors import _unit_rows

    check_positive("k", k, integer=True)
    matrix = np.asarray(doc_vectors, dtype=np.float32)
    if matrix.ndim != 2:
        raise ParameterError(f"doc_vectors must be 2-d, got shape {matrix.shape}")
    labels = list(labels)
    if len(labels) != len(matrix):
        raise ParameterError(f"{len(labels)} labels for {len(matrix)} documents")
    if len(matrix) < 2:
        raise ParameterError("need at least 2 documents")
    classes, codes = np.unique(np.asarray(labels, dtype=object).astype(str),
                               return_inverse=True)
    unit = _unit_rows(matrix)
    if (train is None) != (test is None):
        raise ParameterError("give both train and test, or neither")
    if train is None:
        predicted = _knn_predict(unit, codes, unit, k, exclude_self_offset=0)
        truth = codes
    else:
        train_rows = _indices(train, len(matrix), "train")
        test_rows = _indices(test, len(matrix), "test")
        if not len(train_rows) or not len(test_rows):
            raise ParameterError("train and test must both be non-empty")
        predicted = _knn_predict(unit[train_rows], codes[train_rows], unit[test_rows], k)
        truth = codes[test_rows]
    n_clusters = len(classes) if n_clusters is None else n_clusters
    check_positive("n_clusters", n_clusters, integer=True)
    clusters = KMeans(n_clusters=min(n_clusters, len(matrix)), n_init=4,
                      random_state=seed).fit_predict(unit)
    contingency = np.zeros((clusters.max() + 1, len(classes)), dtype=np.int64)
    np.add.at(contingency, (clusters, codes), 1)
    return DocumentsResult(
        knn_accuracy=float(np.mean(predicted == truth)), k=k,
        purity=float(contingency.max(axis=1).sum() / len(matrix)),
        adjusted_mutual_info=float(adjusted_mutual_info_score(codes, clusters)),
        n_clusters=int(min(n_clusters, len(matrix))), n_documents=len(matrix),
        n_test=len(truth))


@dataclass
class DocumentSimilarityResult(_Result):
    """Correlation of document cosine similarity with human ratings."""

    pearson: float
    spearman: float
    n_pairs: int

    def __str__(self) -> str:
        return (f"document similarity: Pearson {self.pearson:.4f}, Spearman "
                f"{self.spearman:.4f} over {self.n_pairs} pairs")


def document_similarity(doc_vectors, human_matrix) -> DocumentSimilarityResult:
    """Pearson and Spearman correlation between document cosines and human ratings.

    Uses the pairs above the diagonal of the square ``human_matrix`` (for the Lee set: 50
    documents, 1,225 pairs).

    Examples
    --------
    >>> human = np.array([[1, 0.9, 0.1], [0, 1, 0.2], [0, 0, 1]])
    >>> vectors = np.array([[1, 0], [1, 0.1], [0, 1]])
    >>> document_similarity(vectors, human).n_pairs
    3
    """
    from scipy import stats

    from .vectors import _unit_rows

    human = np.asarray(human_matrix, dtype=np.float64)
    matrix = np.asarray(doc_vectors, dtype=np.float32)
    if human.ndim != 2 or human.shape[0] != human.shape[1]:
        raise ParameterError(f"human_matrix must be square, got shape {human.shape}")
    if matrix.ndim != 2 or len(matrix) != len(human):
        raise ParameterError(f"need {len(human)} document vectors (one per row of the human "
                             f"matrix), got shape {matrix.shape}")
    unit = _unit_rows(matrix)
    upper = np.triu_indices(len(human), 1)
    model = (unit @ unit.T).astype(np.float64)[upper]
    gold = human[upper]
    return DocumentSimilarityResult(pearson=float(stats.pearsonr(gold, model)[0]),
                                    spearman=float(stats.spearmanr(gold, model)[0]),
                                    n_pairs=len(gold))


def load_lee_similarities(path) -> np.ndarray:
    """Read the Lee et al. (2005) 50 x 50 matrix of averaged human ratings (whitespace table)."""
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"similarity matrix file {path} does not exist")
    try:
        matrix = np.loadtxt(path, dtype=np.float64, ndmin=2)
    except ValueError as error:
        raise ParameterError(f"{path}: not a table of numbers ({error})") from None
    if matrix.shape[0] != matrix.shape[1]:
        raise ParameterError(f"{path}: matrix is {matrix.shape}, not square")
    return matrix


# -- all standard sets ----------------------------------------------------------------------------
@dataclass
class EvaluationRow(_Result):
    """One line of :func:`evaluate_all`: a set, its metric, the score and the coverage."""

    set: str
    metric: str
    score: float
    coverage: float
    #: lines of the file that were not an item (malformed), left out
    skipped_lines: int = 0

    def __str__(self) -> str:
        return f"{self.set}: {self.metric} {self.score:.4f} (coverage {self.coverage:.1%})"


def packaged_sets_folder() -> Path:
    """The folder of the sets shipped inside the package: Google analogies, WordSim-353 and
    SimLex-999 (see its ``SOURCES.md``).

    >>> sorted(p.name for p in packaged_sets_folder().glob("*.t*"))
    ['questions-words.txt', 'simlex999.tsv', 'ws353_all.tsv']
    """
    from importlib import resources

    return Path(str(resources.files("wordspace") / "data" / "eval"))


def _data_folder(data_dir) -> Path:
    if data_dir is None:
        data_dir = os.environ.get("WORDSPACE_DATA") or packaged_sets_folder()
    folder = Path(data_dir)
    if not folder.is_dir():
        raise ParameterError(f"data folder {folder} does not exist")
    return folder


def standard_sets(data_dir=None) -> dict[str, tuple[str, Path]]:
    """The standard evaluation sets present in ``data_dir`` (default: ``$WORDSPACE_DATA``, else
    the three sets shipped in the package, :func:`packaged_sets_folder`).

    Looks in the folder and in its ``eval/`` subfolder (the layout of ``shared/data``) for
    ``questions-words.txt``, ``ws353_all/sim/rel.tsv`` and ``simlex999.tsv``.

    Returns
    -------
    dict
        Set name -> (``"pairs"`` or ``"analogies"``, path), in a fixed order.
    """
    folder = _data_folder(data_dir)
    found = {}
    for file_name, (set_name, kind) in STANDARD_FILES.items():
        for candidate in (folder / file_name, folder / "eval" / file_name):
            if candidate.is_file():
                found[set_name] = (kind, candidate)
                break
    return found


def evaluate_all(emb: Embeddings, data_dir=None, restrict_vocab: int | None = 30000,
                 method: str = "3cosadd") -> list[EvaluationRow]:
    """Run every standard set found in ``data_dir``: Spearman for pairs, accuracy for analogies.

    Raises
    ------
    ParameterError
        If the folder holds none of the standard sets.
    """
    sets = standard_sets(data_dir)
    if not sets:
        raise ParameterError(f"no standard evaluation set in {_data_folder(data_dir)} "
                             f"(looked for {', '.join(STANDARD_FILES)})")
    return [evaluate_file(emb, path, kind, name=name, restrict_vocab=restrict_vocab,
                          method=method) for name, (kind, path) in sets.items()]


def evaluate_file(emb: Embeddings, path, kind: str, name: str | None = None,
                  restrict_vocab: int | None = 30000, method: str = "3cosadd") -> EvaluationRow:
    """Evaluate on one file of ``kind`` ``"pairs"`` or ``"analogies"``; one table row."""
    check_choice("kind", kind, ("pairs", "analogies"))
    if not Path(path).is_file():
        raise ParameterError(f"evaluation file {path} does not exist")
    name = name or Path(path).stem
    if kind == "pairs":
        pairs, skipped = _read_pairs(path)  # an unreadable file is an error, not no score
        try:
            result = word_pairs(emb, pairs, name=name)
        except ParameterError:  # nothing in the vocabulary: a score of nothing
            return EvaluationRow(set=name, metric="spearman", score=float("nan"), coverage=0.0,
                                 skipped_lines=skipped)
        return EvaluationRow(set=name, metric="spearman", score=result.spearman,
                             coverage=result.coverage, skipped_lines=skipped)
    result = analogies(emb, path, restrict_vocab=restrict_vocab, method=method, name=name)
    # no question answerable: no score (not an accuracy of 0)
    score = result.accuracy if result.n_questions else float("nan")
    return EvaluationRow(set=name, metric=f"accuracy ({method})", score=score,
                         coverage=result.coverage, skipped_lines=result.n_skipped_lines)


def format_table(rows: Iterable[EvaluationRow]) -> str:
    """A plain-text table of evaluation rows: set, metric, score, coverage.

    >>> print(format_table([EvaluationRow("ws353", "spearman", 0.61234, 0.99)]))
    set    metric     score  coverage
    ws353  spearman  0.6123     99.0%
    """
    rows = list(rows)
    header = ("set", "metric", "score", "coverage")
    cells = [(r.set, r.metric, f"{r.score:.4f}", f"{r.coverage:.1%}") for r in rows]
    widths = [max(len(str(c[i])) for c in [header, *cells]) for i in range(4)]
    lines = []
    for cell in [header, *cells]:
        lines.append(f"{cell[0]:<{widths[0]}}  {cell[1]:<{widths[1]}}  "
                     f"{cell[2]:>{widths[2]}}  {cell[3]:>{widths[3]}}".rstrip())
    return "\n".join(lines)
