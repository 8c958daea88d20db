"""The pieces of near-duplicate text that an engine splitting the corpus runs
(:mod:`infoops.detect.textsim`'s step functions, used by the Spark engine)
give the same clusters as :func:`~infoops.detect.textsim.corpus_clusters`
on the whole corpus."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest

from infoops.detect import textsim as T
from infoops.detect.params import TextParams

WORDS = ["hong", "kong", "police", "freedom", "truth", "west", "lies", "virus", "taiwan",
         "people", "peace", "order", "香港", "警察", "правда", "запад", "özgürlük", "barış"]


def _corpus(seed: int, n: int) -> list[str]:
    """Texts with many near and exact duplicates (big LSH buckets) and noise."""
    rng = random.Random(seed)
    bases = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 14)))
             for _ in range(max(1, n // 25))]
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.3:
            out.append(rng.choice(bases[:3]))  # exact copies of a popular text
        elif r < 0.8:
            words = rng.choice(bases).split()
            for _ in range(rng.randint(0, 2)):
                words[rng.randrange(len(words))] = rng.choice(WORDS)
            out.append(f"RT @x{rng.randint(0, 9)}: " * (rng.random() < 0.2) + " ".join(words)
                       + " http://t.co/" + str(rng.randint(0, 99)) * (rng.random() < 0.3))
        else:
            out.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 10))))
    return out


def _split_labels(texts: pa.Array, tp: TextParams, seed: int, parts: int,
                  min_chars: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels per row by the step functions, the corpus cut into ``parts``."""
    k1, k2, size = T.content_keys(texts)
    long = np.flatnonzero(size >= min_chars)
    keys = sorted({(int(k1[r]), int(k2[r])): int(r) for r in long}.items())
    n = len(keys)
    index_of = {k: q for q, (k, _) in enumerate(keys)}
    reps = texts.take(pa.array([r for _, r in keys], type=pa.int64()))
    chunks = np.array_split(np.arange(n), parts)
    sig = np.concatenate([T.text_signatures(reps.take(pa.array(c, type=pa.int64())), tp, seed)
                          for c in chunks if c.size])
    buckets = np.concatenate([T.band_buckets(sig[c], tp.bands, n) for c in chunks if c.size],
                             axis=1)
    cand = set()
    for band in range(tp.bands):
        owner = buckets[band] % np.uint64(parts)  # whole buckets go to one part
        for p in range(parts):
            rows = np.flatnonzero(owner == np.uint64(p))
            i, j = T.bucket_candidates(sig[rows], buckets[band, rows], rows, n,
                                       tp.threshold - 0.15)
            cand.update(zip(i.tolist(), j.tolist(), strict=False))
    pairs = np.array(sorted(cand), dtype=np.int64).reshape(-1, 2)
    sim = T.pair_similarity(reps.take(pa.array(pairs[:, 0])), reps.take(pa.array(pairs[:, 1])),
                            tp.shingle)
    ok = pairs[sim >= tp.threshold]
    members, roots = T.component_roots(ok[:, 0], ok[:, 1])
    labels = T.labels_from_roots(np.arange(n), members, roots)
    row_label = np.full(len(texts), -1, dtype=np.int64)
    for r in long:
        row_label[r] = labels[index_of[(int(k1[r]), int(k2[r]))]]
    return row_label, pairs


@pytest.mark.parametrize("seed,parts", [(1, 1), (2, 3), (3, 7)])
def test_split_steps_give_the_same_clusters_as_the_whole_corpus(seed, parts):
    texts = pa.array(_corpus(seed, 1500), type=pa.large_string())
    tp = TextParams()
    min_chars = max(tp.min_chars, tp.shingle)
    text_of_row, cps, offs = T.distinct_texts(texts, min_chars)
    whole = T.corpus_clusters(cps, offs, tp, seed)
    expect = np.where(text_of_row >= 0, whole[np.maximum(text_of_row, 0)], -1)
    got, pairs = _split_labels(texts, tp, seed, parts, min_chars)
    assert len(pairs) > 0 and whole.max() > 0
    assert got.tolist() == expect.tolist()
    sig = T._signatures(cps, offs, tp.shingle, tp.num_perm, seed)
    ref = T.lsh_candidates(sig, tp.bands, min_estimate=tp.threshold - 0.15)
    assert pairs.tolist() == ref.tolist()


def test_labels_from_roots_number_components_by_their_smallest_text():
    members, roots = T.component_roots(np.array([5, 2, 7]), np.array([3, 8, 9]))
    # components {2, 8}, {3, 5}, {7, 9} and singletons 0, 1, 4, 6
    assert members.tolist() == [5, 8, 9] and roots.tolist() == [3, 2, 7]
    labels = T.labels_from_roots(np.arange(10), members, roots)
    assert labels.tolist() == [0, 1, 2, 3, 4, 3, 5, 6, 2, 6]
    empty = T.labels_from_roots(np.arange(3), *T.component_roots(np.array([]), np.array([])))
    assert empty.tolist() == [0, 1, 2]
