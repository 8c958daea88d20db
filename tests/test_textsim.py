"""MinHash (one-permutation hashing with densification) and LSH candidates."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoops.detect.textsim import lsh_candidates, minhash

WORDS = ["hong", "kong", "riots", "police", "freedom", "media", "truth", "west", "lies", "virus", "taiwan",
         "people", "government", "support", "peace", "order", "law", "security"]


def _shingles(text: str, k: int = 4) -> set[str]:
    return {text[i:i + k] for i in range(len(text) - k + 1)}


def _pair(rng: random.Random, n_words: int, edits: int) -> tuple[str, str]:
    a = [rng.choice(WORDS) for _ in range(n_words)]
    b = list(a)
    for _ in range(edits):
        b[rng.randrange(len(b))] = rng.choice(WORDS) + rng.choice("xyz")
    return " ".join(a), " ".join(b)


def test_signature_agreement_estimates_jaccard():
    """Over many pairs, the share of agreeing columns tracks the true Jaccard
    (Broder 1997's property, which densified one-permutation hashing keeps)."""
    rng = random.Random(3)
    pairs = [_pair(rng, rng.randint(4, 30), rng.randint(0, 6)) for _ in range(400)]
    texts = [t for p in pairs for t in p]
    sig = minhash(texts, k=4, num_perm=64, seed=1)
    est = (sig[0::2] == sig[1::2]).mean(axis=1)
    true = np.array([len(_shingles(a) & _shingles(b)) / len(_shingles(a) | _shingles(b))
                     for a, b in pairs])
    err = est - true
    assert abs(err.mean()) < 0.03  # unbiased
    assert np.sqrt((err ** 2).mean()) < 0.09  # about sqrt(J(1-J)/64) at worst
    assert np.corrcoef(est, true)[0, 1] > 0.9


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(alphabet="abcdef 香港中国Россия", min_size=4, max_size=80),
                min_size=2, max_size=12), st.integers(0, 3))
def test_signature_depends_on_the_text_only(texts, seed):
    """A text's signature does not depend on the rest of the corpus or its order."""
    sig = minhash(texts, seed=seed)
    alone = np.vstack([minhash([t], seed=seed) for t in texts])
    assert (sig == alone).all()
    rev = minhash(texts[::-1], seed=seed)[::-1]
    assert (sig == rev).all()


def test_same_seed_same_signature_other_seed_other():
    texts = ["the same words in the same order", "quite another sentence here"]
    assert (minhash(texts, seed=5) == minhash(texts, seed=5)).all()
    assert (minhash(texts, seed=5) != minhash(texts, seed=6)).any()


def test_num_perm_must_be_a_power_of_two():
    with pytest.raises(ValueError, match="power of two"):
        minhash(["some text here"], num_perm=48)


def test_lsh_finds_near_duplicates_and_not_strangers():
    rng = random.Random(7)

    def word() -> str:
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6))

    base = [" ".join(word() for _ in range(10)) for _ in range(50)]
    near = [t[:-3] + "zzz" for t in base]  # one changed word ending: Jaccard ~0.85
    sig = minhash(base + near, seed=0)
    cand = {tuple(p) for p in lsh_candidates(sig, bands=16).tolist()}
    found = sum((i, i + 50) in cand for i in range(50))
    assert found >= 48
    assert all(a < b for a, b in cand)
    texts = base + near
    low = [(a, b) for a, b in cand
           if len(_shingles(texts[a]) & _shingles(texts[b]))
           / len(_shingles(texts[a]) | _shingles(texts[b])) < 0.3]
    assert len(low) <= 2  # P(band match | J=0.1) = 1e-4 per band



def test_lsh_with_nothing_similar_enough_returns_no_pairs():
    sig = minhash(["abcdefgh ijkl", "abcdefgh ijkm", "zzzz yyyy xxxx"], seed=0)
    assert lsh_candidates(sig, bands=16, min_estimate=1.01).shape == (0, 2)
