"""Evaluation: agreement with gensim, planted structure, documents, the CLI command."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from wordspace import evaluate
from wordspace.errors import ParameterError
from wordspace.vectors import Embeddings

gensim = pytest.importorskip("gensim")
KeyedVectors = gensim.models.KeyedVectors

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
EVAL = DATA / "eval"
BROWN = Path(__file__).resolve().parents[1] / "src" / "wordspace" / "data" / "brown.tsv.gz"
needs_data = pytest.mark.skipif(not (EVAL / "questions-words.txt").is_file(),
                                reason="shared/data/eval is absent")


def keyed_vectors(emb: Embeddings):
    kv = KeyedVectors(emb.dim)
    kv.add_vectors(emb.tokens, np.asarray(emb.vectors))
    return kv


def gensim_counts(sections):
    total = sections[-1]
    return len(total["correct"]), len(total["correct"]) + len(total["incorrect"])


@pytest.fixture(scope="module")
def brown_model():
    """A small gensim word2vec trained on the package's Brown sample (a few seconds)."""
    sentences = []
    with gzip.open(BROWN, "rt", encoding="utf-8") as lines:
        next(lines)
        for line in lines:
            words = line.rstrip("\n").split("\t", 2)[2].lower().split()
            sentences.extend(words[i:i + 50] for i in range(0, len(words), 50))
    model = gensim.models.Word2Vec(sentences, vector_size=32, min_count=3, workers=2,
                                   epochs=2, seed=1)
    return model.wv, Embeddings(model.wv.index_to_key, model.wv.vectors)


# -- word pairs -----------------------------------------------------------------------------------
@needs_data
@pytest.mark.parametrize("name", ["ws353_all", "simlex999"])
def test_word_pairs_equal_gensim(brown_model, name):
    kv, emb = brown_model
    path = EVAL / f"{name}.tsv"
    pearson, spearman, oov_ratio = kv.evaluate_word_pairs(str(path), restrict_vocab=len(kv))
    result = evaluate.word_pairs(emb, path)
    assert abs(result.spearman - spearman[0]) < 1e-6
    assert abs(result.pearson - pearson[0]) < 1e-6
    assert result.n_oov / (result.n_oov + result.n_pairs) * 100 == pytest.approx(oov_ratio)
    assert len(result.oov_pairs) == result.n_oov
    assert result.name == name
    assert f"{result.n_pairs} pairs" in str(result)
    assert json.loads(json.dumps(result.as_dict()))["n_pairs"] == result.n_pairs


def test_word_pairs_file_format(tmp_path):
    emb = Embeddings(["cat", "dog", "car", "Tree"], [[1, 0.2], [1, 0.3], [0, 1], [0.5, 0.5]])
    path = tmp_path / "pairs.txt"
    path.write_text("# a comment\ncat dog 9\ncat\tcar\t2\n\nbroken line\nDOG car 2.5\n"
                    "tree cat 5\nzebra cat 1\n")
    result = evaluate.word_pairs(emb, path)
    assert result.n_pairs == 4 and result.n_oov == 1
    assert result.oov_pairs == [("zebra", "cat")]
    strict = evaluate.word_pairs(emb, path, case_insensitive=False)
    assert strict.n_pairs == 2 and strict.n_oov == 3
    with pytest.raises(ParameterError, match="no pair"):
        evaluate.word_pairs(emb, [("zebra", "lion", 1.0)])
    with pytest.raises(ParameterError, match="does not exist"):
        evaluate.word_pairs(emb, tmp_path / "absent.tsv")


# -- analogies ------------------------------------------------------------------------------------
@needs_data
@pytest.mark.parametrize("restrict_vocab", [1000, 4000])
def test_analogies_equal_gensim(brown_model, restrict_vocab):
    kv, emb = brown_model
    path = EVAL / "questions-words.txt"
    score, sections = kv.evaluate_word_analogies(str(path), restrict_vocab=restrict_vocab)
    result = evaluate.analogies(emb, path, restrict_vocab=restrict_vocab)
    n_correct, n_questions = gensim_counts(sections)
    assert n_correct > 10  # the comparison means something
    assert (result.n_correct, result.n_questions) == (n_correct, n_questions)
    assert result.accuracy == score
    for section in sections[:-1]:
        name = section["section"]
        assert result.section_correct[name] == len(section["correct"])
        assert result.section_questions[name] == len(section["correct"]) + len(
            section["incorrect"])
    assert result.n_skipped == 19544 - n_questions
    assert len(result.sections) == 14


def _planted_analogy_set(tmp_path, noise: float, seed: int = 0, case_variants: bool = False):
    """Exact parallelograms on the unit sphere, plus noise, and a questions file.

    Word ``i`` of relation ``s`` is ``e_i + p_s`` and its partner ``e_i + q_s``, all of
    ``e_i, p_s, q_s`` orthonormal: every word has norm sqrt(2), and
    ``unit(b) - unit(a) + unit(c) == unit(d)`` exactly; 3CosMul also picks ``d``.
    """
    rng = np.random.default_rng(seed)
    n_relations, n_pairs = 4, 8
    dim = n_relations * n_pairs + 2 * n_relations
    basis = np.linalg.qr(rng.normal(size=(dim, dim)))[0]
    tokens, vectors, lines = [], [], []
    for relation in range(n_relations):
        p, q = basis[n_relations * n_pairs + 2 * relation:][:2]
        lines.append(f": relation{relation}")
        pairs = []
        for i in range(n_pairs):
            base = basis[relation * n_pairs + i]
            first, second = f"r{relation}a{i}", f"r{relation}b{i}"
            tokens += [first, second]
            vectors += [base + p + noise * rng.normal(size=dim) / np.sqrt(dim),
                        base + q + noise * rng.normal(size=dim) / np.sqrt(dim)]
            pairs.append((first, second))
        lines += [f"{a} {b} {c} {d}" for a, b in pairs for c, d in pairs if a != c]
    if case_variants:  # capitalised twins right beside the originals, ranked after them
        twins = [(t.upper(), v + 0.05 * rng.normal(size=dim))
                 for t, v in zip(tokens, vectors, strict=True)]
        tokens += [t for t, _ in twins]
        vectors += [v for _, v in twins]
        lines.append("R0A0 R0B0 R1A0 r1b0")
    path = tmp_path / "planted.txt"
    path.write_text("\n".join(lines) + "\n")
    return Embeddings(tokens, np.array(vectors)), path


@pytest.mark.parametrize("method", ["3cosadd", "3cosmul"])
def test_exact_parallelograms_score_100_percent(tmp_path, method):
    emb, path = _planted_analogy_set(tmp_path, noise=0.0)
    result = evaluate.analogies(emb, path, restrict_vocab=None, method=method)
    assert result.accuracy == 1.0
    assert result.n_questions == 4 * 8 * 7 and result.n_skipped == 0
    assert set(result.sections.values()) == {1.0}


@pytest.mark.parametrize("noise", [1.0, 1.5])
@pytest.mark.parametrize("case_variants", [False, True])
def test_noisy_planted_equal_gensim(tmp_path, noise, case_variants):
    emb, path = _planted_analogy_set(tmp_path, noise=noise, case_variants=case_variants)
    kv = keyed_vectors(emb)
    for case_insensitive in (True, False):
        for restrict_vocab in (40, 1000):
            score, sections = kv.evaluate_word_analogies(
                str(path), restrict_vocab=restrict_vocab, case_insensitive=case_insensitive)
            result = evaluate.analogies(emb, path, restrict_vocab=restrict_vocab,
                                        case_insensitive=case_insensitive, batch_size=37)
            assert (result.n_correct, result.n_questions) == gensim_counts(sections)
            assert result.accuracy == score


@needs_data
def test_random_vectors_near_chance():
    words = sorted({w for line in (EVAL / "questions-words.txt").read_text().splitlines()
                    if not line.startswith(":") for w in line.lower().split()})
    rng = np.random.default_rng(0)
    emb = Embeddings(words, rng.normal(size=(len(words), 50)))
    result = evaluate.analogies(emb, EVAL / "questions-words.txt", restrict_vocab=None)
    assert result.n_skipped == 0 and result.n_questions == 19544
    assert result.accuracy < 0.01
    cosmul = evaluate.analogies(emb, EVAL / "questions-words.txt", restrict_vocab=None,
                                method="3cosmul")
    assert cosmul.accuracy < 0.01


def test_analogies_agree_with_embeddings_analogy(tmp_path):
    emb, path = _planted_analogy_set(tmp_path, noise=0.8, seed=3)
    for method in ("3cosadd", "3cosmul"):
        result = evaluate.analogies(emb, path, restrict_vocab=None, method=method,
                                    case_insensitive=False)
        expected = 0
        for line in path.read_text().splitlines():
            if not line.startswith(":"):
                a, b, c, d = line.split()
                expected += emb.analogy(a, b, c, method=method)[0][0] == d
        assert result.n_correct == expected
    assert "relation0" in str(result)


# -- documents ------------------------------------------------------------------------------------
def _clustered(seed=0, per_class=30, separation=6.0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, 10)) * separation
    vectors = np.vstack([c + rng.normal(size=(per_class, 10)) for c in centres])
    labels = np.repeat(["sport", "tech", "politics"], per_class)
    return vectors, labels


def test_documents_planted_clusters():
    vectors, labels = _clustered()
    result = evaluate.documents(vectors, labels, k=5)
    assert result.knn_accuracy == 1.0 and result.purity == 1.0
    assert result.adjusted_mutual_info == pytest.approx(1.0)
    assert result.n_clusters == 3 and result.n_test == 90
    train = np.arange(90) % 3 != 0
    split = evaluate.documents(vectors, labels, train=train, test=~train, k=5)
    assert split.knn_accuracy == 1.0 and split.n_test == 30


def test_documents_random_labels_near_chance():
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(300, 20))
    labels = rng.integers(0, 3, 300)
    result = evaluate.documents(vectors, labels, k=7)
    assert 0.2 < result.knn_accuracy < 0.47
    assert result.adjusted_mutual_info < 0.05


def test_knn_matches_scikit_learn():
    from sklearn.neighbors import KNeighborsClassifier

    vectors, labels = _clustered(seed=2, separation=0.6)
    binary = np.where(labels == "sport", "sport", "other")
    train, test = np.arange(0, 90, 2), np.arange(1, 90, 2)
    result = evaluate.documents(vectors, binary, train=train, test=test, k=5)
    knn = KNeighborsClassifier(n_neighbors=5, metric="cosine", algorithm="brute")
    expected = knn.fit(vectors[train], binary[train]).score(vectors[test], binary[test])
    assert result.knn_accuracy == pytest.approx(expected)
    assert 0.5 < expected < 1.0


def test_documents_bad_input():
    vectors, labels = _clustered()
    with pytest.raises(ParameterError):
        evaluate.documents(vectors, labels[:-1])
    with pytest.raises(ParameterError, match="both"):
        evaluate.documents(vectors, labels, train=np.arange(10))


@needs_data
def test_document_similarity_lee():
    human = evaluate.load_lee_similarities(EVAL / "lee" / "similarities0-1.txt")
    assert human.shape == (50, 50)
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(50, 8))
    result = evaluate.document_similarity(vectors, human)
    assert result.n_pairs == 1225
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    upper = np.triu_indices(50, 1)
    expected = np.corrcoef((unit @ unit.T)[upper], human[upper])[0, 1]
    assert result.pearson == pytest.approx(expected, abs=1e-6)
    assert abs(result.spearman) < 0.2
    # vectors that reproduce the ratings exactly correlate perfectly
    values, basis = np.linalg.eigh((human + human.T) / 2 + 50 * np.eye(50))
    perfect = basis * np.sqrt(values)
    assert evaluate.document_similarity(perfect, human).spearman > 0.9


# -- all sets and the CLI -------------------------------------------------------------------------
@needs_data
def test_standard_sets_and_evaluate_all(brown_model):
    _, emb = brown_model
    sets = evaluate.standard_sets(DATA)
    assert set(sets) == {"ws353", "ws353_sim", "ws353_rel", "simlex999", "google_analogies"}
    assert evaluate.standard_sets(EVAL).keys() == sets.keys()
    rows = evaluate.evaluate_all(emb, EVAL, restrict_vocab=2000)
    assert [row.set for row in rows] == list(sets)
    assert all(0 < row.coverage <= 1 for row in rows)
    table = evaluate.format_table(rows)
    assert "simlex999" in table and "coverage" in table


def test_evaluate_all_without_sets(tmp_path, monkeypatch):
    emb = Embeddings(["a"], [[1.0]])
    with pytest.raises(ParameterError, match="no standard evaluation set"):
        evaluate.evaluate_all(emb, tmp_path)
    monkeypatch.delenv("WORDSPACE_DATA", raising=False)
    # no folder and no $WORDSPACE_DATA: the sets shipped in the package (nothing known here)
    rows = evaluate.evaluate_all(emb)
    assert [row.set for row in rows] == ["ws353", "simlex999", "google_analogies"]
    assert all(row.coverage == 0.0 for row in rows)


def test_cli_evaluate(tmp_path, monkeypatch):
    from wordspace.cli import cli

    emb, questions = _planted_analogy_set(tmp_path, noise=0.0)
    model = tmp_path / "planted.wsm"
    emb.save(model)
    vectors = tmp_path / "planted.txt.vec"
    emb.save_word2vec_format(vectors)
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("r0a0\tr0b0\t9\nr0a0\tr1a0\t1\nr0a1\tr0b1\t8\nr0a0\tnope\t3\n")
    runner = CliRunner()
    for path in (model, vectors):
        result = runner.invoke(cli, ["evaluate", str(path), "--pairs", str(pairs),
                                     "--analogies", str(questions), "--json"])
        assert result.exit_code == 0, result.output
        rows = json.loads(result.output)
        assert rows[1] == {"set": "planted", "metric": "accuracy (3cosadd)", "score": 1.0,
                           "coverage": 1.0, "skipped_lines": 0}
        assert rows[0]["coverage"] == 0.75
    data = tmp_path / "data"
    data.mkdir()
    (data / "questions-words.txt").write_text(questions.read_text())
    (data / "simlex999.tsv").write_text(pairs.read_text())
    monkeypatch.setenv("WORDSPACE_DATA", str(data))
    result = runner.invoke(cli, ["evaluate", str(model)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].split() == ["set", "metric", "score", "coverage"]
    assert "google_analogies" in result.output and "100.0%" in result.output
    result = runner.invoke(cli, ["evaluate", str(model), "--pairs", str(tmp_path / "no.tsv")])
    assert result.exit_code == 1
    assert "does not exist" in result.output
