"""TextClassifier: planted topics, the frozen first layer, the joint loss, persistence, CLI."""

import numpy as np
import pytest
from click.testing import CliRunner

from wordspace import Embeddings, TextClassifier
from wordspace.cli import cli
from wordspace.errors import CorpusError, ParameterError
from wordspace.models import _classifier_kernels as K
from wordspace.models import load as load_model
from wordspace.models._w2v_core import negative_tables


def planted(n=120, seed=0):
    """Two topics, each marked by its own planted words amid shared filler words."""
    rng = np.random.default_rng(seed)
    filler = [f"w{i}" for i in range(40)]
    topics = {"sport": ["goal", "match", "team", "score"],
              "money": ["bank", "loan", "price", "market"]}
    texts, labels = [], []
    for i in range(n):
        label = "sport" if i % 2 else "money"
        words = list(rng.choice(filler, 12)) + list(rng.choice(topics[label], 2))
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(label)
    return texts, labels


def test_two_planted_topics_are_learned():
    texts, labels = planted()
    test_texts, test_labels = planted(60, seed=1)
    model = TextClassifier(vector_size=16, epochs=20, alpha=0.5, workers=1).fit(texts, labels)
    assert model.classes_.tolist() == ["money", "sport"]
    assert model.score(test_texts, test_labels) >= 0.95
    assert model.loss_history_[-1] < model.loss_history_[0]
    proba = model.predict_proba(["goal match team", "bank loan price"])
    assert proba.shape == (2, 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert proba[0, 1] > 0.8 and proba[1, 0] > 0.8
    assert model.wv.dim == 16 and "goal" in model.wv


def test_two_threads_and_bigrams_learn_too():
    texts, labels = planted()
    # the plain mean: in this tiny corpus every word is frequent at pooling_sample=1e-4
    # (weight 0.08) and every bigram rare (0.42), so the bigrams, mostly unseen in the test
    # texts, would outweigh the words (0.92 accuracy)
    model = TextClassifier(vector_size=16, epochs=20, alpha=0.5, ngrams=2, buckets=10**9,
                           pooling_sample=0, workers=2).fit(texts, labels)
    # only the buckets of the bigrams that occur get a row (lazily), not 10**9
    pairs = {(a, b) for t in texts for a, b in zip(t.split(), t.split()[1:], strict=False)}
    buckets = model.ngram_buckets_
    assert 0.9 * len(pairs) <= len(buckets) <= len(pairs)
    assert (np.diff(buckets) > 0).all() and buckets[0] >= 0 and buckets[-1] < 10**9
    assert model.input_vectors_.shape == (len(model.vocabulary_) + len(buckets), 16)
    assert model.score(*planted(60, seed=1)) >= 0.95
    # "goal bank" never occurs (two topics), so its bigram has no row: the words alone count
    rows = [model.vocabulary_["goal"], model.vocabulary_["bank"]]
    weights = model.token_weights_[rows]
    u = weights @ model.input_vectors_[rows] / weights.sum()
    scores = model.output_weights_ @ u
    expected = np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum()
    np.testing.assert_allclose(model.predict_proba(["goal bank"])[0], expected, rtol=1e-5)


def test_kernel_step_matches_the_numpy_reference():
    rng = np.random.default_rng(3)
    V = rng.normal(size=(6, 4)).astype(np.float32)
    W = rng.normal(size=(3, 4)).astype(np.float32)
    rows = np.array([0, 2, 2, 5], np.int32)
    loss_ref, V_ref, W_ref = K.softmax_step_reference(V, W, rows, 1, 0.3)
    data = (rows, np.array([0, 4], np.int64), np.zeros(0, np.int32), np.zeros(2, np.int64),
            np.ones(6, np.float32))
    proxy = (np.zeros((1, 4), np.float32), np.ones(1, np.float32),
             negative_tables(np.ones(1), 1))
    buffers = (np.zeros(4, np.float32), np.zeros(4, np.float32), np.zeros(3))
    work = (np.zeros(4, np.float32), np.zeros(4, np.float32), np.zeros(5, np.int32),
            np.zeros(5, np.int32), np.zeros(2, np.int64))
    loss, examples, *_ = K.train_block(np.array([0]), 0, 1, np.array([1], np.int32), data, V, W,
                                       np.float32(0.3), True, np.float32(0.0), proxy, 2,
                                       np.ones(1, np.uint64), buffers, work)
    assert examples == 1 and loss == pytest.approx(loss_ref, rel=1e-5)
    np.testing.assert_allclose(V, V_ref, atol=1e-5)
    np.testing.assert_allclose(W, W_ref, atol=1e-5)


def test_hashed_bigrams_stay_inside_documents():
    ids = np.array([1, 2, 3, 4, 5], np.int32)
    offsets = np.array([0, 3, 5], np.int64)
    grams, grams_offsets = K.hash_ngrams(ids, offsets, 2, 50, 10)
    assert grams_offsets.tolist() == [0, 2, 3]
    assert ((grams >= 10) & (grams < 60)).all()
    again, _ = K.hash_ngrams(np.array([4, 5], np.int32), np.array([0, 2], np.int64), 2, 50, 10)
    assert again[0] == grams[2]  # the same pair, the same bucket


def test_frozen_pretrained_layer_stays_bit_identical():
    texts, labels = planted()
    rng = np.random.default_rng(5)
    words = sorted({w for t in texts for w in t.split()}) + ["unseen"]
    pretrained = Embeddings(words, rng.normal(size=(len(words), 32)).astype(np.float32))
    model = TextClassifier(epochs=20, alpha=0.5, pretrained=pretrained, freeze=True,
                           workers=2).fit(texts, labels)
    before = model.input_vectors_.copy()
    model2 = TextClassifier(epochs=5, alpha=0.5, pretrained=pretrained, freeze=False,
                            workers=1).fit(texts, labels)
    # the frozen layer is the pre-trained one (rows of length 6), untouched by training
    expected = 6 * pretrained.vectors / np.linalg.norm(pretrained.vectors, axis=1, keepdims=True)
    index = [model.vocabulary_[w] for w in words]
    np.testing.assert_allclose(model.input_vectors_[index], expected, rtol=1e-6)
    assert np.array_equal(model.input_vectors_, before)
    assert "unseen" in model.vocabulary_  # pre-trained tokens join the vocabulary
    assert not np.array_equal(model2.input_vectors_[index], expected)
    assert model.score(*planted(60, seed=1)) >= 0.85  # W alone separates random vectors


def test_proxy_weight_zero_is_exactly_the_plain_classifier():
    texts, labels = planted()
    plain = TextClassifier(vector_size=8, epochs=3, workers=1, seed=7).fit(texts, labels)
    zero = TextClassifier(vector_size=8, epochs=3, workers=1, seed=7,
                          proxy_weight=0.0).fit(texts, labels, unlabeled=texts[:10])
    assert np.array_equal(plain.input_vectors_, zero.input_vectors_)
    assert np.array_equal(plain.output_weights_, zero.output_weights_)
    assert plain.loss_history_ == zero.loss_history_


def test_joint_training_decreases_both_losses():
    texts, labels = planted()
    unlabeled, _ = planted(200, seed=2)
    model = TextClassifier(vector_size=16, epochs=10, alpha=0.2, proxy_weight=1.0, window=3,
                           sample=0, workers=1).fit(texts, labels, unlabeled=unlabeled)
    assert len(model.proxy_loss_history_) == 10
    assert model.proxy_loss_history_[-1] < model.proxy_loss_history_[0]
    assert model.loss_history_[-1] < model.loss_history_[0]
    assert model.proxy_vectors_.shape == (len(model.vocabulary_), 16)
    assert model.score(*planted(60, seed=1)) >= 0.9


def test_save_load_round_trip_predicts_the_same(tmp_path):
    texts, labels = planted()
    model = TextClassifier(vector_size=8, epochs=5, alpha=0.5, ngrams=2, buckets=100,
                           proxy_weight=0.5, workers=1).fit(texts, labels)
    path = tmp_path / "clf.ws"
    model.save(path)
    loaded = load_model(path)
    assert isinstance(loaded, TextClassifier)
    test_texts, _ = planted(30, seed=4)
    assert np.array_equal(loaded.predict_proba(test_texts), model.predict_proba(test_texts))
    assert loaded.classes_.tolist() == model.classes_.tolist()
    assert loaded.loss_history_ == model.loss_history_


@pytest.mark.parametrize("texts,labels,error,message", [
    (["a b", "c d"], ["x"], ParameterError, "2 texts but 1 labels"),
    (["a b", "c d"], ["x", "x"], ParameterError, "one class only"),
    (["a b", "  "], ["x", "y"], CorpusError, "labelled text 2 is empty"),
])
def test_bad_input_is_one_clear_error(texts, labels, error, message):
    with pytest.raises(error, match=message):
        TextClassifier(workers=1).fit(texts, labels)


def test_freeze_needs_pretrained():
    with pytest.raises(ParameterError, match="needs pretrained"):
        TextClassifier(freeze=True).fit(["a", "b"], ["x", "y"])


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


def test_cli_train_predict_evaluate(tmp_path):
    texts, labels = planted()
    tsv = tmp_path / "train.tsv"
    tsv.write_text("".join(f"{y}\t{t}\n" for t, y in zip(texts, labels, strict=True)))
    model = tmp_path / "clf.ws"
    result = run("train", tsv, "--method", "classifier", "--epochs", 20, "--alpha", 0.5,
                 "--workers", 1, "--dim", 16, "-o", model)
    assert result.exit_code == 0, result.output
    assert "classifier" in result.output
    queries = tmp_path / "queries.txt"
    queries.write_text("goal match team\nbank loan price\n")
    result = run("predict", model, queries)
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["sport", "money"]
    result = run("predict", model, queries, "--proba")
    assert result.exit_code == 0 and "sport" in result.output.splitlines()[0]
    test_texts, test_labels = planted(60, seed=1)
    test_tsv = tmp_path / "test.tsv"
    test_tsv.write_text("".join(f"{y}\t{t}\n" for t, y in zip(test_texts, test_labels,
                                                               strict=True)))
    result = run("evaluate", model, "--documents", test_tsv)
    assert result.exit_code == 0, result.output
    assert "accuracy" in result.output and "macro-F1" in result.output
    assert float(result.output.split("accuracy")[1].split()[0]) >= 0.95


def test_cli_bad_inputs_are_one_line(tmp_path):
    texts = tmp_path / "texts.txt"
    texts.write_text("a b\nc d\n")
    labels = tmp_path / "labels.txt"
    labels.write_text("x\n")
    out = tmp_path / "m.ws"
    result = run("train", texts, "--method", "classifier", "--labels", labels, "-o", out)
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0 and "2 texts but 1 labels" in result.output
    labels.write_text("x\nx\n")
    result = run("train", texts, "--method", "classifier", "--labels", labels, "-o", out)
    assert result.exit_code == 1 and "one class only" in result.output
    embeddings = tmp_path / "e.ws"
    Embeddings(["a", "b"], np.eye(2)).save(embeddings)
    result = run("predict", embeddings, texts)
    assert result.exit_code == 1 and "not a classifier" in result.output
    result = run("train", texts, "--method", "classifier", "-o", out)
    assert result.exit_code == 2 and "--labels" in result.output


def test_read_labelled_takes_plain_lines_and_collections_with_a_header(tmp_path):
    from wordspace.models.classifier import read_labelled

    plain = tmp_path / "plain.tsv"
    plain.write_text("sport\tgoal match\n\nmoney\tbank loan\n")
    assert read_labelled(plain) == (["goal match", "bank loan"], ["sport", "money"])
    collection = tmp_path / "news.tsv"
    collection.write_text("split\tlabel\tid\tsubject\tbody\ntrain\tsport\t1\tCup\tgoal match\n")
    assert read_labelled(collection) == (["Cup\ngoal match"], ["sport"])
    broken = tmp_path / "broken.tsv"
    broken.write_text("no tab here\n")
    with pytest.raises(CorpusError, match="line 1: expected label<TAB>text"):
        read_labelled(broken)
