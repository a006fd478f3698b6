"""Checkpoints and exact resume: a real training process killed with SIGKILL mid-epoch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from wordspace import _store
from wordspace.errors import CorpusError, ModelFormatError, ParameterError
from wordspace.models.word2vec import Word2Vec

sys.path.insert(0, str(Path(__file__).parent))
from test_word2vec import CORPUS, SMALL, partner_hits  # noqa: E402

SRC = Path(__file__).resolve().parents[1] / "src"
BLOCK = 512          # small blocks: many checkpoints in a 9,000-token epoch
EVERY = 1500         # tokens between checkpoints

CHILD = textwrap.dedent("""
    import sys, time
    import wordspace.models.word2vec as w2v
    from wordspace.models.word2vec import Word2Vec

    w2v.BLOCK_TOKENS = {block}
    save = Word2Vec._save_checkpoint

    def slow_save(self, *args):   # time for the parent to see each checkpoint and kill
        save(self, *args)
        time.sleep(0.25)

    Word2Vec._save_checkpoint = slow_save
    Word2Vec(**{params}, checkpoint=sys.argv[2], checkpoint_every={every}).fit(sys.argv[1])
    print("finished")
""")


@pytest.fixture
def corpus_file(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(" ".join(doc) for doc in CORPUS) + "\n")
    return path


def train_and_kill(corpus_file, checkpoint, params) -> dict:
    """Run training in a subprocess, SIGKILL it once a checkpoint in the middle of the second
    epoch exists; the run recorded in that checkpoint."""
    script = CHILD.format(block=BLOCK, params=repr(params), every=EVERY)
    return kill_when(script, corpus_file, checkpoint, {},
                     lambda run: run["epoch"] >= 1 and run["block"] > 0)


def kill_when(script, corpus_file, checkpoint, env, ready) -> dict:
    """Run ``script`` in a subprocess (argv: corpus, checkpoint), SIGKILL it as soon as the
    checkpoint's run satisfies ``ready``; the run recorded in the checkpoint it left."""
    env = {**os.environ, "PYTHONPATH": str(SRC), **env}
    child = subprocess.Popen([sys.executable, "-c", script, str(corpus_file), str(checkpoint)],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if checkpoint.exists() and ready(_store.load(checkpoint, mmap=False)[0]["run"]):
                child.send_signal(signal.SIGKILL)
                break
            assert child.poll() is None, child.stderr.read().decode()[-2000:]
            time.sleep(0.02)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    header, _ = _store.load(checkpoint, mmap=False)
    return header["run"]


def test_killed_run_resumes_bit_identical_with_one_worker(corpus_file, tmp_path, monkeypatch):
    import wordspace.models.word2vec as w2v

    checkpoint = tmp_path / "run.ckpt"
    run = train_and_kill(corpus_file, checkpoint, SMALL)
    assert 1 <= run["epoch"] < SMALL["epochs"] and run["block"] > 0     # killed mid-epoch
    monkeypatch.setattr(w2v, "BLOCK_TOKENS", BLOCK)
    resumed = Word2Vec.resume(checkpoint, corpus_file)
    uninterrupted = Word2Vec(**SMALL).fit(corpus_file)
    assert resumed.epochs_trained_ == SMALL["epochs"]
    assert np.array_equal(resumed.input_vectors_, uninterrupted.input_vectors_)
    assert np.array_equal(resumed.output_vectors_, uninterrupted.output_vectors_)
    assert resumed.loss_history_ == uninterrupted.loss_history_
    # the checkpoint now records the finished run; resuming it again changes nothing
    again = Word2Vec.resume(checkpoint, corpus_file)
    assert np.array_equal(again.input_vectors_, uninterrupted.input_vectors_)


def test_killed_run_with_two_workers_resumes_within_noise(corpus_file, tmp_path, monkeypatch):
    import wordspace.models.word2vec as w2v

    params = {**SMALL, "workers": 2}
    checkpoint = tmp_path / "run.ckpt"
    train_and_kill(corpus_file, checkpoint, params)
    monkeypatch.setattr(w2v, "BLOCK_TOKENS", BLOCK)
    resumed = Word2Vec.resume(checkpoint, corpus_file)
    uninterrupted = Word2Vec(**params).fit(corpus_file)
    assert partner_hits(resumed) >= 0.9 and partner_hits(uninterrupted) >= 0.9
    assert abs(resumed.loss_history_[-1] - uninterrupted.loss_history_[-1]) < 0.05 * \
        uninterrupted.loss_history_[-1]


def test_resume_refuses_another_corpus_and_other_files(corpus_file, tmp_path):
    checkpoint = tmp_path / "run.ckpt"
    Word2Vec(**{**SMALL, "epochs": 1}, checkpoint=checkpoint).fit(corpus_file)
    other = tmp_path / "other.txt"
    other.write_text("\n".join(" ".join(doc) for doc in CORPUS[:50]) + "\n")
    with pytest.raises(CorpusError, match="not the corpus"):
        Word2Vec.resume(checkpoint, other)
    model_file = tmp_path / "model.ws"
    Word2Vec(**{**SMALL, "epochs": 1}).fit(corpus_file).save(model_file)
    with pytest.raises(ModelFormatError, match="not a word2vec checkpoint"):
        Word2Vec.resume(model_file, corpus_file)


@pytest.mark.parametrize("every", [0, -5, "soon", "10x", 1.5, True])
def test_bad_checkpoint_settings(tmp_path, every):
    with pytest.raises(ParameterError, match="checkpoint_every"):
        Word2Vec(**SMALL, checkpoint=tmp_path / "c", checkpoint_every=every).fit(CORPUS)


def test_checkpoint_settings_need_a_writable_file(tmp_path):
    with pytest.raises(ParameterError, match="checkpoint_every needs"):
        Word2Vec(**SMALL, checkpoint_every=100).fit(CORPUS)
    with pytest.raises(ParameterError, match="cannot write checkpoint"):
        Word2Vec(**SMALL, checkpoint=tmp_path / "no" / "c").fit(CORPUS)


# -- the autoencoder ---------------------------------------------------------------------------
AE = dict(n_components=4, epochs=10, batch_size=16, min_count=1, stopwords=None, seed=3)
AE_CHILD = textwrap.dedent("""
    import sys, time
    from wordspace.models.autoencoder import LinearAutoencoder

    save = LinearAutoencoder._save_checkpoint

    def slow_save(self, *args):   # time for the parent to see each checkpoint and kill
        save(self, *args)
        time.sleep(0.25)

    LinearAutoencoder._save_checkpoint = slow_save
    LinearAutoencoder(**{params}, checkpoint=sys.argv[2], checkpoint_every=1).fit(sys.argv[1])
    print("finished")
""")
ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                     "MKL_NUM_THREADS")}


def test_killed_autoencoder_resumes_bit_identical(corpus_file, tmp_path):
    from threadpoolctl import threadpool_limits

    from wordspace.models.autoencoder import LinearAutoencoder

    checkpoint = tmp_path / "ae.ckpt"
    run = kill_when(AE_CHILD.format(params=repr(AE)), corpus_file, checkpoint, ONE_THREAD,
                    lambda run: run["epoch"] >= 3)
    assert 3 <= run["epoch"] < AE["epochs"]          # killed in the middle
    with threadpool_limits(1):
        resumed = LinearAutoencoder.resume(checkpoint, corpus_file)
        uninterrupted = LinearAutoencoder(**AE).fit(corpus_file)
        again = LinearAutoencoder.resume(checkpoint, corpus_file)   # the finished run
    assert np.array_equal(resumed.components_, uninterrupted.components_)
    assert np.array_equal(resumed.loss_history_, uninterrupted.loss_history_)
    assert resumed.vocabulary_.tokens == uninterrupted.vocabulary_.tokens
    assert np.array_equal(again.components_, uninterrupted.components_)
    assert _store.load(checkpoint, mmap=False)[0]["run"]["epoch"] == AE["epochs"]


def test_autoencoder_resume_untied_adam_and_momentum_on_a_matrix(tmp_path):
    """An interrupted run (simulated: a checkpoint after epoch 2 of 5) resumes to the same
    weights for untied weights and both optimizers with state."""
    from threadpoolctl import threadpool_limits

    from wordspace.models.autoencoder import LinearAutoencoder

    X = np.random.default_rng(0).standard_normal((60, 9))
    for optimizer in ("adam", "momentum"):
        params = dict(n_components=3, tied=False, optimizer=optimizer, batch_size=16, seed=1,
                      center=True)
        with threadpool_limits(1):
            full = LinearAutoencoder(**params, epochs=5).fit(X)
            part = tmp_path / f"{optimizer}.ckpt"
            # the first 2 epochs of the same 5-epoch run, written as a checkpoint after each
            LinearAutoencoder(**params, epochs=5, checkpoint=part, checkpoint_every=1).fit(X)
            header, arrays = _store.load(part, mmap=False)
            assert header["run"]["epoch"] == 5
            stopped = tmp_path / f"{optimizer}-2.ckpt"
            model = LinearAutoencoder(**params, epochs=5, checkpoint=stopped, checkpoint_every=1)
            model._save_checkpoint = _stop_after(model._save_checkpoint, 2)
            with pytest.raises(KeyboardInterrupt):
                model.fit(X)
            resumed = LinearAutoencoder.resume(stopped, X)
        assert np.array_equal(resumed.components_, full.components_)
        assert np.array_equal(resumed.decoder_, full.decoder_)
        assert np.array_equal(resumed.loss_history_, full.loss_history_)
    with pytest.raises(CorpusError, match="not the data"):
        LinearAutoencoder.resume(stopped, X[:50])
    with pytest.raises(ModelFormatError, match="not an autoencoder checkpoint"):
        LinearAutoencoder.resume(_w2v_file(tmp_path), X)
    with pytest.raises(ParameterError, match="checkpoint_every"):
        LinearAutoencoder(checkpoint=tmp_path / "c", checkpoint_every="soon").fit(X)


def _stop_after(save, epochs):
    def stopping(params, slots, run):
        save(params, slots, run)
        if run["epoch"] >= epochs:
            raise KeyboardInterrupt
    return stopping


def _w2v_file(tmp_path):
    path = tmp_path / "w2v.ws"
    Word2Vec(**{**SMALL, "epochs": 1}).fit(CORPUS).save(path)
    return path


def test_cli_autoencoder_checkpoint_and_resume(corpus_file, tmp_path):
    from click.testing import CliRunner

    from wordspace.cli import cli
    from wordspace.models.autoencoder import LinearAutoencoder

    checkpoint, model = tmp_path / "ae.ckpt", tmp_path / "ae.ws"
    args = ["train", str(corpus_file), "--method", "autoencoder", "--dim", "3", "--epochs", "4",
            "--min-count", "1", "--checkpoint", str(checkpoint), "--checkpoint-every", "2",
            "-o", str(model)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert _store.load(checkpoint, mmap=False)[0]["run"]["epoch"] == 4
    resumed = CliRunner().invoke(cli, ["train", str(corpus_file), "--resume", str(checkpoint),
                                       "-o", str(tmp_path / "again.ws")])
    assert resumed.exit_code == 0 and "autoencoder" in resumed.output, resumed.output
    assert np.array_equal(LinearAutoencoder.load(tmp_path / "again.ws").components_,
                          LinearAutoencoder.load(model).components_)
    refused = CliRunner().invoke(cli, ["train", str(corpus_file), "--method", "lsa", "--resume",
                                       str(checkpoint), "-o", str(tmp_path / "x.ws")])
    assert refused.exit_code != 0 and "Traceback" not in refused.output
