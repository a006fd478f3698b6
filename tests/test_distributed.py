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
    monkeypatch.setattr(D, "ROUND_TOKENS", 2000)        # 5 combines per epoch
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


_OPENED: list | None = None      # (path, thread name) of each file opened while watching


def _record_opens(event, args):
    if event == "open" and _OPENED is not None and isinstance(args[0], str):
        import threading

        _OPENED.append((args[0], threading.current_thread().name))


@pytest.fixture
def opened_files():
    """The files this process opens during the test, and the threads that open them (an
    audit hook sees every ``open``, whoever calls it: added once, idle outside the test)."""
    import sys

    global _OPENED
    if not getattr(sys.modules[__name__], "_HOOKED", False):
        sys.addaudithook(_record_opens)
        sys.modules[__name__]._HOOKED = True
    _OPENED = []
    yield _OPENED
    _OPENED = None


def test_dask_workers_stream_compressed_and_utf16_files(client, brown_docs, tmp_path,
                                                        monkeypatch, opened_files):
    import gzip

    import wordspace.models._distributed as D
    from wordspace.corpus import Corpus
    from wordspace.models.word2vec import Word2Vec

    text = "\n".join(brown_docs[:60]) + "\n"                        # 739,295 characters
    (tmp_path / "plain.txt").write_text(text, encoding="utf-8")
    with gzip.open(tmp_path / "text.txt.gz", "wt", encoding="utf-8") as handle:
        handle.write(text)
    (tmp_path / "wide.txt").write_text(text, encoding="utf-16")      # with its byte-order mark
    # the corpora are built here: Corpus() sniffs each file's first 8 KiB for binary content
    corpora = {name: Corpus(tmp_path / name) for name in ("plain.txt", "text.txt.gz",
                                                          "wide.txt")}
    for name in ("text.txt.gz", "wide.txt"):
        assert [type(p) for p, _ in D.partitions(corpora[name])] == [D.FileStream]
    opened_files.clear()
    monkeypatch.setattr(D, "PARTITION_CHARS", 150_000)               # 5 ranges
    params = dict(n_components=6, n_iter=3, seed=2)
    lsa = {name: LSA(**params).fit(corpus, client=client) for name, corpus in corpora.items()}
    monkeypatch.setattr(D, "W2V_PARTITION_CHARS", 100_000)           # 8 ranges
    monkeypatch.setattr(D, "ROUND_TOKENS", 60_000)
    w2v_params = dict(vector_size=12, window=3, min_count=3, epochs=1, seed=1)
    w2v = {name: Word2Vec(**w2v_params).fit(corpus, client=client)
           for name, corpus in corpora.items()}
    # the client opened none of the three files while fitting (not even to find the
    # encoding); the workers read all of them
    mine = [(path, thread) for path, thread in opened_files if path.startswith(str(tmp_path))]
    assert {path for path, _ in mine} == {str(tmp_path / name) for name in corpora}
    assert not [path for path, thread in mine if thread == "MainThread"]
    plain = lsa["plain.txt"]
    assert plain.n_partitions_ == 5
    for name in ("text.txt.gz", "wide.txt"):
        # the same ranges (the text is ASCII: bytes, and characters in UTF-16), so the same fit
        assert lsa[name].n_partitions_ == 5
        assert lsa[name].vocabulary_.tokens == plain.vocabulary_.tokens
        assert np.allclose(lsa[name].singular_values_, plain.singular_values_, rtol=1e-6)
        assert np.allclose(lsa[name].document_vectors_, plain.document_vectors_, atol=1e-5)
        assert w2v[name].vocabulary_.tokens == w2v["plain.txt"].vocabulary_.tokens
        assert w2v[name].vocabulary_.counts.tolist() == \
            w2v["plain.txt"].vocabulary_.counts.tolist()
        assert np.array_equal(w2v[name].input_vectors_, w2v["plain.txt"].input_vectors_)


@pytest.mark.parametrize("size", [1, 4, 9, 64])
def test_stream_ranges_are_the_byte_ranges_of_the_plain_file(tmp_path, size):
    import bz2

    import wordspace.models._distributed as D
    from wordspace.corpus import Corpus

    lines = ["caf\u00e9 one\n", "\n", "two words\n", "  \n", "x" * 30 + " " + "y" * 30 + "\n",
             "\u00fcber last"]
    data = "".join(lines).encode("utf-8")
    (tmp_path / "text.txt").write_bytes(data)
    (tmp_path / "text.txt.bz2").write_bytes(bz2.compress(data))
    plain, packed = Corpus(tmp_path / "text.txt", max_chars=40), \
        Corpus(tmp_path / "text.txt.bz2", max_chars=40)
    options = next(D.partitions(plain, size))[1]
    by_range = [D._read_range(item, options) for item in D._file_ranges(plain, size)]
    (stream,) = D._file_ranges(packed, size)
    shares = [D._stream_ranges(D.FileStream(stream.path, size, stream.encoding, k, 3), options)
              for k in range(3)]
    streamed = dict(pair for share in shares for pair in share)
    assert sorted(streamed) == list(range(len(by_range)))      # each range in one share
    assert [streamed[i] for i in range(len(by_range))] == by_range
    assert [doc for docs in by_range for doc in docs] == list(packed.texts())
