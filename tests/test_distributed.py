"""Dask: LSA and word2vec on a LocalCluster of 2 single-threaded workers, small corpora.

One cluster for the whole module (starting one takes seconds).  Workers are threads of this
process (``processes=False``): the same scheduler, serialisation of task arguments and results
as separate processes, without paying for spawning interpreters in CI.
"""

from __future__ import annotations

import numpy as np
import pytest

from wordspace.corpus import as_corpus
from wordspace.errors import ParameterError
from wordspace.models.lsa import LSA

distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                       dashboard_address=":0")
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def brown_docs():
    return list(as_corpus("brown").texts())[:150]


@pytest.mark.parametrize("weighting", ["tfidf", "log-entropy"])
def test_dask_lsa_matches_the_local_fit(client, brown_docs, monkeypatch, weighting):
    import wordspace.models._distributed as D

    monkeypatch.setattr(D, "PARTITION_CHARS", 500_000)   # 4 partitions over 2 workers
    params = dict(n_components=10, n_iter=3, weighting=weighting, seed=2)
    local = LSA(**params).fit(brown_docs)
    remote = LSA(**params).fit(brown_docs, client=client)
    assert remote.n_partitions_ >= 3
    assert remote.vocabulary_.tokens == local.vocabulary_.tokens
    assert np.allclose(remote.idf_, local.idf_)
    assert remote.total_energy_ == pytest.approx(local.total_energy_, rel=1e-9)
    assert abs(remote.explained_energy_ - local.explained_energy_) < 1e-3
    assert np.allclose(remote.singular_values_, local.singular_values_, rtol=1e-4)
    # the same subspace, the same signs, the same document codes
    assert np.abs(remote.components_ @ local.components_.T).diagonal().min() > 0.999
    assert np.allclose(remote.document_vectors_, local.document_vectors_, atol=1e-3)
    codes = remote.transform(brown_docs[:3])
    assert np.allclose(codes, local.transform(brown_docs[:3]), atol=1e-3)


def test_dask_lsa_stems_like_the_local_fit(client, brown_docs, monkeypatch):
    import wordspace.models._distributed as D

    monkeypatch.setattr(D, "PARTITION_CHARS", 500_000)
    params = dict(n_components=8, n_iter=3, seed=2, stemmer="english")
    local = LSA(**params).fit(brown_docs)
    remote = LSA(**params).fit(brown_docs, client=client)
    assert remote.vocabulary_.tokens == local.vocabulary_.tokens      # stems, cut alike
    assert remote.vocabulary_.counts.tolist() == local.vocabulary_.counts.tolist()
    assert np.allclose(remote.idf_, local.idf_)
    assert np.allclose(remote.singular_values_, local.singular_values_, rtol=1e-4)
    same_form = np.mean([a == b for a, b in zip(remote.vocabulary_.labels,
                                                local.vocabulary_.labels, strict=True)])
    # each stem is shown by one of its most frequent surface forms; ties between equally
    # frequent forms break by first appearance locally, by partition order on Dask
    assert same_form > 0.95
    codes = remote.transform(brown_docs[:3])
    assert np.allclose(codes, local.transform(brown_docs[:3]), atol=1e-3)


@pytest.mark.parametrize("size", [1, 7, 50, 10_000])
def test_byte_ranges_cut_at_line_starts_like_the_local_reader(tmp_path, size):
    import wordspace.models._distributed as D
    from wordspace.corpus import Corpus

    path = tmp_path / "text.txt"
    lines = ["caf\u00e9 one\r\n", "\n", "two words\n", "  \n", "x" * 30 + " " + "y" * 30 + "\n",
             "\u00fcber last"]
    path.write_bytes(b"\xef\xbb\xbf" + "".join(lines).encode("utf-8"))   # with a BOM
    corpus = Corpus(path, max_chars=40)
    ranges = D._file_ranges(corpus, size)
    assert ranges is not None and ranges[-1].end == path.stat().st_size
    options = next(D.partitions(corpus, size))[1]
    documents = [doc for item in ranges for doc in D._read_range(item, options)]
    assert documents == list(corpus.texts())
    assert D._file_ranges(Corpus(["in", "memory"]), 10) is None


def test_dask_lsa_workers_read_their_byte_ranges(client, brown_docs, tmp_path, monkeypatch):
    import wordspace.models._distributed as D

    path = tmp_path / "brown.txt"
    path.write_text("\n".join(brown_docs) + "\n")
    monkeypatch.setattr(D, "PARTITION_CHARS", 300_000)
    params = dict(n_components=6, n_iter=3, seed=2)
    local = LSA(**params).fit(path)
    remote = LSA(**params).fit(path, client=client)
    parts = [part for part, _ in D.partitions(as_corpus(path))]
    assert len(parts) == remote.n_partitions_ >= 3
    assert all(isinstance(part, D.FileRange) for part in parts)    # read by the workers
    assert remote.vocabulary_.tokens == local.vocabulary_.tokens
    assert remote.document_vectors_.shape == local.document_vectors_.shape
    assert np.allclose(remote.singular_values_, local.singular_values_, rtol=1e-4)


def test_dask_lsa_refuses_a_non_client_and_arpack(client, brown_docs):
    with pytest.raises(ParameterError, match="Client"):
        LSA(n_components=2).fit(brown_docs[:5], client="localhost:8786")
    with pytest.raises(ParameterError, match="arpack"):
        LSA(n_components=2, algorithm="arpack").fit(brown_docs[:5], client=client)


def test_dask_word2vec_learns_the_planted_synonyms_on_two_shards(client, monkeypatch):
    import sys
    from pathlib import Path

    import wordspace.models._distributed as D
    from wordspace.models.word2vec import Word2Vec

    sys.path.insert(0, str(Path(__file__).parent))
    from test_word2vec import CORPUS, SMALL, partner_hits

    monkeypatch.setattr(D, "W2V_PARTITION_CHARS", 20_000)   # 4 partitions, 2 per worker
    monkeypatch.setattr(D, "AVERAGE_EVERY", 1000)       # 5 averagings per epoch
    model = Word2Vec(**SMALL).fit(CORPUS, client=client)
    local = Word2Vec(**SMALL).fit(CORPUS)
    assert model.n_shards_ == 2
    assert model.vocabulary_.tokens == local.vocabulary_.tokens
    assert model.vocabulary_.counts.tolist() == local.vocabulary_.counts.tolist()
    assert model.epochs_trained_ == SMALL["epochs"] and len(model.loss_history_) == 8
    assert model.loss_history_[-1] < model.loss_history_[0]
    assert partner_hits(model) >= 0.9
    with pytest.raises(ParameterError, match="client= trains"):
        Word2Vec(**{**SMALL, "loss": "softmax"}).fit(CORPUS, client=client)
