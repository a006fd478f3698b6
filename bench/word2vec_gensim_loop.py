"""A Numba copy of gensim 4.4's ``corpus_file=`` CBOW-negative loop (``word2vec_corpusfile.pyx``,
``word2vec_inner.pyx``), changed one piece at a time toward wordspace's, to find which step makes
the two tools' vectors differ (README, "Small corpora": "The cause").  Prints, per seed, the mean
norm of the input (n0) and output (n1) vectors by frequency band (top 100 / 100-1,000 /
1,000-5,000 / the rest): a statistic with little run-to-run noise.

VARIANT names the pieces taken from wordspace (any of, joined by ``_``): ``ours_table`` (sigmoid at
cell centres, 1,024 cells), ``batched`` (a centre's scores before its updates), ``ourrng`` (our
generator, keep test, window draw and alias table), ``ourdrv`` (blocks of 16,384 tokens, alpha by
tokens, centres without context skipped), ``bylines`` / ``bytokens`` (force the decay).  ``gcopy``:
gensim's loop as it is.

Usage::

    python bench/word2vec_gensim_loop.py 1,2 gcopy            # first 60,000 lines of big.txt
    python bench/word2vec_gensim_loop.py 1,2 ourrng_ourdrv
"""

import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from numba import njit

from wordspace._vocab_kernels import build_alias
from wordspace.models._w2v_core import draw_negative, next_random, seed_state, uniform

MAXE = 6.0


@njit(cache=True)
def rand32(st):
    r = st[0] >> np.uint64(16)
    st[0] = (st[0] * np.uint64(25214903917) + np.uint64(11)) & np.uint64(281474976710655)
    return r


@njit(cache=True)
def bisect_left(a, x):
    lo, hi = 0, a.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True, fastmath=False)
def epoch(ids, offs, raw_len, sample_int, cum, syn0, syn1, a0, a1, cur, n_ep, n_lines,
          window, negative, st, table, tsize, batched, ours_table, ourrng, keep, ap, ai,
          ost, ourdrv, planned, done0, bylines, bytokens):
    dim = syn0.shape[1]
    neu1 = np.zeros(dim, np.float32)
    work = np.zeros(dim, np.float32)
    idx = np.empty(20000, np.int64)
    red = np.empty(20000, np.int64)
    sent = np.empty(3000, np.int64)
    alpha = np.float32(a0 - (a0 - a1) * cur / n_ep)
    total_lines = 0
    line = 0
    nl = offs.shape[0] - 1
    f_s = np.zeros(negative + 1, np.float32)
    t_s = np.zeros(negative + 1, np.int64)
    while line < nl:
        # a batch: lines while raw words <= 10000
        raw = 0
        ne = 0
        ns = 0
        sent[0] = 0
        first = line
        while line < nl and (
            (not ourdrv and raw <= 10000)
            or (ourdrv and (line == first or offs[line + 1] - offs[first] <= 16384))
        ):
            raw += raw_len[line]
            for p in range(offs[line], offs[line + 1]):
                w = ids[p]
                if ourrng:
                    if keep[w] < 1.0 and uniform(ost) >= keep[w]:
                        continue
                elif sample_int[w] < rand32(st):
                    continue
                idx[ne] = w
                ne += 1
            ns += 1
            sent[ns] = ne
            line += 1
        for i in range(ne):
            if ourrng:
                red[i] = window - 1 - np.int64(next_random(ost) % np.uint64(window))
            else:
                red[i] = rand32(st) % window
        for s in range(ns):
            a = sent[s]
            e = sent[s + 1]
            for i in range(a, e):
                j = max(a, i - window + red[i])
                k = min(e, i + window + 1 - red[i])
                if ourdrv and k - j < 2:
                    continue
                word = idx[i]
                for d in range(dim):
                    neu1[d] = 0.0
                cnt = 0.0
                for m in range(j, k):
                    if m != i:
                        cnt += 1.0
                        for d in range(dim):
                            neu1[d] += syn0[idx[m], d]
                inv = np.float32(1.0)
                if cnt > 0.5:
                    inv = np.float32(1.0 / cnt)
                for d in range(dim):
                    neu1[d] *= inv
                    work[d] = 0.0
                nt = 0
                for dd in range(negative + 1):
                    if dd == 0:
                        t = word
                    else:
                        if ourrng:
                            t = draw_negative(ost, ap, ai)
                        else:
                            t = bisect_left(cum, (st[0] >> np.uint64(16)) % np.uint64(cum[-1]))
                            st[0] = (st[0] * np.uint64(25214903917) + np.uint64(11)) & np.uint64(
                                281474976710655
                            )
                        if t == word:
                            continue
                    t_s[nt] = t
                    nt += 1
                for q in range(nt):
                    t = t_s[q]
                    label = 1.0 if q == 0 else 0.0
                    f = np.float32(0.0)
                    for d in range(dim):
                        f += neu1[d] * syn1[t, d]
                    f_s[q] = f
                    if not batched:
                        if f <= -MAXE or f >= MAXE:
                            continue
                        if ours_table:
                            ti = min(max(int((f + MAXE) * (tsize / MAXE / 2)), 0), tsize - 1)
                        else:
                            ti = int((f + MAXE) * (tsize / MAXE / 2))
                        g = np.float32((label - table[ti]) * alpha)
                        for d in range(dim):
                            work[d] += g * syn1[t, d]
                        for d in range(dim):
                            syn1[t, d] += g * neu1[d]
                if batched:
                    for q in range(nt):
                        t = t_s[q]
                        f = f_s[q]
                        label = 1.0 if q == 0 else 0.0
                        if f <= -MAXE or f >= MAXE:
                            continue
                        ti = min(max(int((f + MAXE) * (tsize / MAXE / 2)), 0), tsize - 1)
                        g = np.float32((label - table[ti]) * alpha)
                        for d in range(dim):
                            work[d] += g * syn1[t, d]
                            syn1[t, d] += g * neu1[d]
                for m in range(j, k):
                    if m != i:
                        for d in range(dim):
                            syn0[idx[m], d] += work[d]
        total_lines += ns
        if (ourdrv and not bylines) or bytokens:
            alpha = np.float32(max(a1, a0 - (a0 - a1) * (done0 + offs[line]) / planned))
        else:
            alpha = np.float32(max(a1, a0 - (a0 - a1) * (cur + total_lines / n_lines) / n_ep))




def main(seeds, variant):
    from gensim.models import Word2Vec as G

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from word2vec import DATA, prepare

    train, _ = prepare(DATA / "corpus" / "big.txt.gz", 60000, tempfile.mkdtemp())
    m = G(vector_size=100, window=5, negative=5, sample=1e-3, min_count=5, workers=1, seed=1)
    m.build_vocab(corpus_file=train)
    k2i = m.wv.key_to_index
    ids, offs, raw_len = [], [0], []
    for line in open(train):
        t = line.split()
        raw_len.append(len(t))
        ids += [k2i[w] for w in t if w in k2i]
        offs.append(len(ids))
    ids, offs, raw_len = (
        np.array(ids, np.int64),
        np.array(offs, np.int64),
        np.array(raw_len, np.int64),
    )
    V = len(m.wv)
    sample_int = np.array([m.wv.get_vecattr(w, "sample_int") for w in m.wv.index_to_key], np.uint64)
    cum = m.cum_table.astype(np.uint64)
    if "ours_table" in variant:
        import wordspace.models._w2v_core as C

        table = C.make_tables()[0]
        tsize = C.EXP_TABLE_SIZE
    else:
        x = (np.arange(1000) / 1000 * 2 - 1) * 6.0
        table = (np.exp(x) / (np.exp(x) + 1)).astype(np.float32)
        tsize = 1000
    pg = np.diff(np.concatenate([[0.0], m.cum_table.astype(np.float64)]))
    ap, ai = build_alias(pg / pg.sum())
    keep = np.minimum(sample_int / 2.0**32, 1.0)
    keep[sample_int >= 2**32 - 1] = 1.0
    bands = [(0, 100), (100, 1000), (1000, 5000), (5000, V)]
    for seed in seeds:
        rng = np.random.default_rng(seed)
        syn0 = ((rng.random((V, 100), dtype=np.float32) * 2.0 - 1.0) / 100).astype(np.float32)
        syn1 = np.zeros((V, 100), np.float32)
        rs = np.random.RandomState(seed)
        for ep in range(3):
            st = np.array([(2**24) * rs.randint(0, 2**24) + rs.randint(0, 2**24)], np.uint64)
            flags = [name in variant for name in ("batched", "ours_table", "ourrng")]
            epoch(ids, offs, raw_len, sample_int, cum, syn0, syn1, 0.025, 0.0001, ep, 3,
                  len(raw_len), 5, 5, st, table, tsize, *flags, keep, ap, ai,
                  seed_state(seed, (ep + 1) * 1_000_003), "ourdrv" in variant,
                  float(len(ids) * 3), float(len(ids) * ep), "bylines" in variant,
                  "bytokens" in variant)
        n0 = np.linalg.norm(syn0, axis=1)
        n1 = np.linalg.norm(syn1, axis=1)
        print(
            json.dumps(
                dict(
                    seed=seed,
                    variant=variant,
                    n0=[round(float(n0[a:b].mean()), 4) for a, b in bands],
                    n1=[round(float(n1[a:b].mean()), 4) for a, b in bands],
                )
            ),
            flush=True,
        )


if __name__ == "__main__":
    main([int(s) for s in sys.argv[1].split(",")], sys.argv[2])
