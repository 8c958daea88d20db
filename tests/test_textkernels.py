"""The compiled text kernels equal plain-Python references of the same definitions.

The references below are written from the docstrings of
:mod:`infoops.detect.textsim` (normalisation, shingles, one-permutation
MinHash with optimal densification, banding, Jaccard), one text and one
shingle at a time, with Python integers masked to 64 bits.
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from infoops.detect import textsim
from infoops.detect.textkernels import CJK_RANGES
from infoops.detect.textsim import (
    distinct_texts,
    jaccard,
    lsh_candidates,
    minhash,
    normalize,
    normalize_all,
    shingles,
)

MASK = (1 << 64) - 1
P = 1_000_003
SALT = 0x9E3779B97F4A7C15

# pieces that exercise every rule, in several scripts, with hostile characters
PIECES = ["RT ", "rt", "@abc", "@", ":", " ", "\t", "\n", "\u000b", "http://x.co/a", "HTTPS://",
          "www.", "WWW.e.org", "https:/", "hello", "Word", "香港", "是中国", "Россия", "ТЕКСТ",
          "İstanbul", "ŞEHİR", "ΣΟΦΙΑΣ", "\u212a", "ß", "🙂", "\u202e", "<script>", "a_b9",
          "ア", "한국", "\u00a0", "x"]
texts_st = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)


def mix(h: int) -> int:
    h ^= h >> 30
    h = (h * 0xBF58476D1CE4E5B9) & MASK
    h ^= h >> 27
    h = (h * 0x94D049BB133111EB) & MASK
    return h ^ (h >> 31)


def cjk(ch: str) -> bool:
    return any(lo <= ord(ch) <= hi for lo, hi in CJK_RANGES)


def ref_shingles(text: str, k: int) -> list[int]:
    """Hashes of the k-grams without CJK and of each CJK character."""
    out = []
    for i, ch in enumerate(text):
        if cjk(ch):
            out.append(mix((ord(ch) + SALT) & MASK))
        elif i + 1 >= k and not any(cjk(c) for c in text[i + 1 - k:i + 1]):
            h = 0
            for c in text[i + 1 - k:i + 1]:
                h = (h * P + ord(c)) & MASK
            out.append(mix(h))
    return out


def ref_signature(text: str, k: int, m: int, seed: int) -> list[int]:
    """One-permutation MinHash with optimal densification, one text at a time."""
    salt = int(np.random.default_rng(seed).integers(0, 2**63, dtype=np.uint64))
    bits = m.bit_length() - 1
    row = [0xFFFFFFFF] * m
    for h in ref_shingles(text, k):
        x = mix(h ^ salt)
        b = x >> (64 - bits) if bits else 0
        row[b] = min(row[b], (x >> (32 - bits)) & 0xFFFFFFFE)
    filled = [v != 0xFFFFFFFF for v in row]
    rng = np.random.default_rng([seed, 17])
    probes = [rng.integers(0, m, size=m) for _ in range(256)]
    for j in range(m):
        if filled[j]:
            continue
        for r, probe in enumerate(probes):
            if filled[probe[j]]:
                row[j] = row[probe[j]] ^ (((r + 1) * 0x9E3779B1) & 0xFFFFFFFE)
                break
    return row


@settings(max_examples=200, deadline=None)
@given(st.lists(texts_st, max_size=8))
def test_compiled_normalisation_equals_the_regular_expressions(texts):
    cps, offs = normalize_all(pa.array(texts, pa.string()))
    got = [cps[offs[i]:offs[i + 1]].tobytes().decode("utf-32-le") for i in range(len(texts))]
    assert got == [normalize(t) for t in texts]


def test_normalisation_examples():
    assert normalize(" RT @bot_1: Hello  @you see https://t.co/x\tNOW ") == "hello see now"
    assert normalize("İSTANBUL ΣΟΦΟΣ") == "istanbul σοφοσ"  # simple mapping, no final sigma
    assert normalize("rt is not a prefix here") == "rt is not a prefix here"
    assert normalize("go to www.x.org/a or http:// alone") == "go to or http:// alone"


@settings(max_examples=100, deadline=None)
@given(st.lists(texts_st, max_size=6), st.sampled_from([2, 4]))
def test_shingles_equal_reference(texts, k):
    h, starts = shingles(texts, k)
    for i, t in enumerate(texts):
        assert sorted(h[starts[i]:starts[i + 1]].tolist()) == sorted(ref_shingles(t, k))


@settings(max_examples=60, deadline=None)
@given(st.lists(texts_st, min_size=1, max_size=6), st.sampled_from([1, 8, 64]),
       st.integers(0, 3))
def test_signatures_equal_reference(texts, m, seed):
    sig = minhash(texts, k=3, num_perm=m, seed=seed)
    assert sig.tolist() == [ref_signature(t, 3, m, seed) for t in texts]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["hong kong riots", "hong kong riot", "hong kong police",
                                 "香港是中国的", "香港是中国", "совсем другое", "совсем другой"]),
                min_size=2, max_size=10))
def test_lsh_pairs_share_a_band_and_connect_what_banding_connects(texts):
    sig = minhash(texts, k=3, num_perm=16, seed=0)
    bands, rows = 8, 2
    share = {(a, b) for a, b in itertools.combinations(range(len(texts)), 2)
             if any((sig[a, c * rows:(c + 1) * rows] == sig[b, c * rows:(c + 1) * rows]).all()
                    for c in range(bands))}
    got = {tuple(p) for p in lsh_candidates(sig, bands).tolist()}
    assert got <= share
    assert _components(got, len(texts)) == _components(share, len(texts))


def _components(pairs, n):
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find(a)] = find(b)
    groups: dict[int, set[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), set()).add(i)
    return sorted(map(sorted, groups.values()))


@settings(max_examples=60, deadline=None)
@given(st.lists(texts_st, min_size=2, max_size=8), st.data())
def test_jaccard_equals_set_jaccard(texts, data):
    pairs = data.draw(st.lists(st.tuples(st.integers(0, len(texts) - 1),
                                         st.integers(0, len(texts) - 1)), max_size=10))
    got = jaccard(texts, np.array(pairs, dtype=np.int64).reshape(-1, 2), 3)
    for (a, b), j in zip(pairs, got, strict=True):
        sa, sb = set(ref_shingles(texts[a], 3)), set(ref_shingles(texts[b], 3))
        assert j == (len(sa & sb) / len(sa | sb) if sa | sb else 0.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(texts_st, max_size=12), st.randoms(use_true_random=False))
def test_distinct_texts_maps_rows_to_their_normalised_text(texts, rnd):
    min_chars = 3
    row_of, cps, offs = distinct_texts(pa.array(texts, pa.string()), min_chars)
    distinct = [cps[offs[i]:offs[i + 1]].tobytes().decode("utf-32-le")
                for i in range(len(offs) - 1)]
    assert len(set(distinct)) == len(distinct)
    for t, r in zip(texts, row_of, strict=True):
        n = normalize(t)
        if len(n) < min_chars:
            assert r == -1
        else:
            assert distinct[r] == n
    shuffled = list(texts)
    rnd.shuffle(shuffled)
    _, cps2, offs2 = distinct_texts(pa.array(shuffled, pa.string()), min_chars)
    assert (cps2 == cps).all() and (offs2 == offs).all()  # order set by content only


def test_distinct_texts_in_several_chunks(monkeypatch):
    monkeypatch.setattr(textsim, "_CHUNK_ROWS", 3)
    rng = random.Random(1)
    texts = [rng.choice(["same text here", "Same  text HERE", "other words", "x"])
             for _ in range(20)]
    row_of, cps, offs = distinct_texts(pa.array(texts), 4)
    distinct = {cps[offs[i]:offs[i + 1]].tobytes().decode("utf-32-le") for i in range(2)}
    assert distinct == {"same text here", "other words"}
    assert row_of.tolist() == [-1 if t == "x" else int(row_of[texts.index(t)]) for t in texts]
    assert len({row_of[i] for i, t in enumerate(texts) if t != "x" and "ame" in t}) == 1


def test_kernels_can_be_called_from_several_threads():
    from concurrent.futures import ThreadPoolExecutor

    rng = random.Random(5)
    corpora = [[" ".join(rng.choice(PIECES) for _ in range(8)) for _ in range(300)]
               for _ in range(4)]
    alone = [minhash(c, seed=1) for c in corpora]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda c: minhash(c, seed=1), corpora))
    assert all((a == b).all() for a, b in zip(alone, together, strict=True))
