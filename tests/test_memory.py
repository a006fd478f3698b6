"""What keeps word2vec's resident set small: library pages released, counting's leftovers freed."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from wordspace import _mapped
from wordspace.vocab import Vocabulary, _pack, _unpack

SMAPS = """\
7f0000000000-7f0000004000 r--p 00000000 08:01 11 /venv/llvmlite/binding/libllvmlite.so
Rss:                  16 kB
Anonymous:             0 kB
7f0000004000-7f0000010000 r-xp 00004000 08:01 11 /venv/llvmlite/binding/libllvmlite.so
Rss:                  48 kB
Anonymous:             0 kB
7f0000010000-7f0000012000 r--p 00010000 08:01 11 /venv/llvmlite/binding/libllvmlite.so
Rss:                   8 kB
Anonymous:             8 kB
7f0000012000-7f0000013000 rw-p 00012000 08:01 11 /venv/llvmlite/binding/libllvmlite.so
Rss:                   4 kB
Anonymous:             4 kB
7f0000020000-7f0000021000 r-xp 00000000 08:01 12 /usr/lib/libc.so.6
Rss:                   4 kB
Anonymous:             0 kB
7f0000030000-7f0000031000 rw-p 00000000 00:00 0
Rss:                   4 kB
Anonymous:             4 kB
"""


def test_only_read_only_pages_of_the_file_are_released(tmp_path):
    smaps = tmp_path / "smaps"
    smaps.write_text(SMAPS)
    # the copied (relocated) read-only part and the writeable data stay; other libraries stay
    assert _mapped._library_mappings("libllvmlite", str(smaps)) == [
        (0x7f0000000000, 0x7f0000004000), (0x7f0000004000, 0x7f0000010000)]
    assert _mapped._library_mappings("libfoo", str(smaps)) == []
    assert _mapped._library_mappings("libllvmlite", str(tmp_path / "missing")) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/smaps")
def test_numba_runs_and_compiles_after_its_pages_are_released():
    from wordspace._vocab_kernels import build_alias

    before = build_alias(np.array([0.5, 0.25, 0.25]))
    assert _mapped.release_library("libllvmlite") > 0
    again = build_alias(np.array([0.5, 0.25, 0.25]))   # cached code: runs without LLVM
    assert [a.tolist() for a in again] == [b.tolist() for b in before]
    import numba

    @numba.njit
    def twice(x):   # a fresh compile maps LLVM's pages back
        return 2 * x

    assert twice(21) == 42


def test_packed_tokens_come_back_equal_and_new():
    tokens = ["the", "", "café", "a b", "x" * 1000]
    copies = _unpack(*_pack(tokens))
    assert copies == tokens
    assert all(c is not t for c, t in zip(copies[3:], tokens[3:], strict=True))
    assert _unpack(*_pack([])) == []


def test_counting_gives_the_same_vocabulary_both_ways(tmp_path):
    docs = ["the cat sat on the mat", "the dog sat on the rug", "a cat and a dog"] * 5
    built = Vocabulary.build(docs, min_count=2)
    encoded_vocab, encoded = Vocabulary.build_encoded(docs, min_count=2,
                                                      path=tmp_path / "ids.int32")
    assert built.tokens == encoded_vocab.tokens and built.tokens[0] == "the"
    assert built.counts.tolist() == encoded_vocab.counts.tolist()
    assert encoded_vocab.index["the"] == 0
    assert encoded.ids[:3].tolist() == [encoded_vocab[t] for t in ("the", "cat", "sat")]
