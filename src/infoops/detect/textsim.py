"""Near-duplicate text: character shingles, MinHash and LSH.

Texts are normalised (the ``RT @name:`` prefix, @mentions and URLs removed,
case folded, whitespace collapsed) and cut into overlapping character
k-shingles — characters, not words, so Chinese, Japanese, Russian and Turkish
work without a tokenizer. Each distinct text gets a MinHash signature (Broder,
"On the resemblance and containment of documents", 1997), computed by
one-permutation hashing with optimal densification (:func:`minhash`); signatures are cut
into bands and texts that agree on a whole band become candidates (locality
sensitive hashing; Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*,
ch. 3). Candidates are verified with their exact shingle Jaccard similarity,
and texts joined by verified pairs form near-duplicate clusters (connected
components). The cluster is then the *object* of a co-action trace: two
accounts co-act when they post texts of the same cluster within the window.

The loops (shingling, signatures, banding, exact Jaccard) are compiled
with numba (:mod:`infoops.detect.textkernels`): one pass over flat arrays,
no Python object per shingle.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Sequence
from typing import ParamSpec, TypeVar

import duckdb
import numpy as np
import pyarrow as pa
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from infoops.detect import textkernels as K
from infoops.detect.coaction import TraceResult, run_coaction, temp_name
from infoops.detect.params import TextParams, TraceParams, check_num_perm
from infoops.detect.textkernels import CJK_RANGES
from infoops.detect.traces import OWN, TS_BY_DIALECT
from infoops.errors import DetectionError
from infoops.store.sql import registered

__all__ = [
    "CJK_RANGES",
    "band_buckets",
    "bucket_candidates",
    "component_roots",
    "content_keys",
    "distinct_texts",
    "jaccard",
    "labels_from_roots",
    "lsh_candidates",
    "lsh_index_bits",
    "minhash",
    "near_duplicate_clusters",
    "normalize",
    "normalize_all",
    "pair_similarity",
    "shingles",
    "text_posts_sql",
    "text_signatures",
    "text_similarity",
]

# Twitter screen names are ASCII [A-Za-z0-9_]. These patterns define
# :func:`normalize`; the compiled :func:`textkernels.normalize_utf8` does the
# same in one pass (the tests hold the two equal).
_WS_CLASS = r"[ \t\n\r\f\v]"
_RT = re.compile(rf"^{_WS_CLASS}*[Rr][Tt]{_WS_CLASS}+@[A-Za-z0-9_]+:?")
_URL = re.compile(r"([Hh][Tt][Tt][Pp][Ss]?://|[Ww][Ww][Ww]\.)[^ \t\n\r\f\v]+")
_MENTION = re.compile(r"@[A-Za-z0-9_]+")
_WS = re.compile(rf"{_WS_CLASS}+")
_ROUNDS = 256  # densification rounds; a bin still empty after them stays empty
_CASED = 0x20000  # every code point with a lower-case mapping lies below this
_SMALL_BUCKET = 16  # LSH buckets up to this size are checked pair by pair
_CHUNK_ROWS = 1_000_000  # texts normalised per call (bounds the code-point buffer)

#: The posts whose texts are compared: written once, filled in per SQL dialect
#: (DuckDB here, Spark in :mod:`infoops.detect.spark_text`). Plain retweets are
#: left out (co-retweet covers them).
TEXT_POSTS_TEMPLATE = """
    SELECT p.account_id, p.post_id, {ts} AS ts, p.text FROM posts p
    WHERE {own} AND p.text IS NOT NULL AND p.created_at IS NOT NULL"""


def text_posts_sql(dialect: str = "duckdb") -> str:
    """The query ``(account_id, post_id, ts, text)`` of the posts that
    ``text-similarity`` compares, in a SQL dialect (``duckdb`` or ``spark``)."""
    return TEXT_POSTS_TEMPLATE.format(ts=TS_BY_DIALECT[dialect], own=OWN)


_P = ParamSpec("_P")
_R = TypeVar("_R")
_KERNEL_LOCK = threading.RLock()


def _one_thread_at_a_time(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``fn`` under a process-wide lock: numba's fallback threading layer
    (workqueue, used where neither OpenMP nor TBB is present) aborts the
    process when two threads enter its parallel kernels at once."""
    @functools.wraps(fn)
    def locked(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with _KERNEL_LOCK:
            return fn(*args, **kwargs)
    return locked


@functools.cache
def _lower_table() -> np.ndarray:
    """Lower case per code point: the first character of Python's full mapping
    (so the Turkish dotted capital I becomes a plain i, as in Unicode's simple
    mapping), the same for every position (no final-sigma rule)."""
    table = np.arange(_CASED, dtype=np.uint32)
    for c in range(_CASED):
        low = chr(c).lower()
        if low != chr(c):
            table[c] = ord(low[0])
    return table


@functools.cache
def _lower_map() -> dict[int, int]:
    table = _lower_table()
    return {int(c): int(table[c]) for c in np.flatnonzero(table != np.arange(_CASED))}


def normalize(text: str) -> str:
    """The text as compared: the leading ``RT @name:`` removed, URLs and
    @mentions replaced by spaces, blanks collapsed to one space, the ends
    trimmed, each character lower-cased (:func:`_lower_table`)."""
    s = _RT.sub("", text, count=1)
    s = _URL.sub(" ", s)
    s = _MENTION.sub(" ", s)
    return _WS.sub(" ", s).strip(" ").translate(_lower_map())


@_one_thread_at_a_time
def normalize_all(texts: pa.Array | pa.ChunkedArray, rows: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`normalize` of many texts (an Arrow string array, no nulls) at
    compiled speed: the code points of the normalised texts ``rows`` (all when
    None), concatenated, and their offsets."""
    arr = texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts
    arr = arr.cast(pa.large_string())
    if arr.null_count:
        raise DetectionError("normalize_all takes texts without nulls; filter them out first")
    _, off_buf, data_buf = arr.buffers()
    offs = np.frombuffer(off_buf, dtype=np.int64)[arr.offset:arr.offset + len(arr) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.empty(
        0, dtype=np.uint8)
    if rows is None:
        rows = np.arange(len(arr), dtype=np.int64)
    return K.normalize_utf8(data, offs, np.asarray(rows, dtype=np.int64), _lower_table())


@_one_thread_at_a_time
def distinct_texts(texts: pa.Array | pa.ChunkedArray, min_chars: int
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """De-duplicate the normalised texts.

    Returns ``(text_of_row, cps, offs)``: for each input row the index of its
    distinct normalised text (-1 when shorter than ``min_chars`` characters),
    and the distinct texts' code points and offsets, in a fixed order (by
    content hash) that does not depend on the order of the rows.
    """
    n = len(texts)
    if n == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint32), np.zeros(1, np.int64)
    k1 = np.empty(n, dtype=np.uint64)
    k2 = np.empty(n, dtype=np.uint64)
    size = np.empty(n, dtype=np.int64)
    for lo in range(0, n, _CHUNK_ROWS):
        rows = np.arange(lo, min(n, lo + _CHUNK_ROWS), dtype=np.int64)
        cps, offs = normalize_all(texts, rows)
        k1[rows], k2[rows] = K.text_keys(cps, offs)
        size[rows] = np.diff(offs)
    long = np.flatnonzero(size >= min_chars)
    order = long[np.lexsort((k2[long], k1[long]))]
    first = np.ones(order.size, dtype=bool)
    first[1:] = (k1[order[1:]] != k1[order[:-1]]) | (k2[order[1:]] != k2[order[:-1]])
    text_of_row = np.full(n, -1, dtype=np.int64)
    text_of_row[order] = np.cumsum(first) - 1
    reps = order[first]
    if n <= _CHUNK_ROWS:  # the one chunk is still at hand: pick the texts out of it
        return text_of_row, *_pick(cps, offs, reps)
    return text_of_row, *normalize_all(texts, reps)


def _pick(cps: np.ndarray, offs: np.ndarray, which: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The texts ``which`` (by index) of a corpus, as a corpus of their own."""
    new_offs = np.zeros(which.size + 1, dtype=np.int64)
    np.cumsum(offs[which + 1] - offs[which], out=new_offs[1:])
    return K.gather(cps, offs, which, new_offs), new_offs


def _codepoints(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The corpus as one code-point array and each text's offsets into it."""
    lens = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    offs = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lens, out=offs[1:])
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    return cps, offs


@_one_thread_at_a_time
def shingles(texts: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes (uint64) of every shingle of every text, grouped by text, and the
    offsets of each text's group (``len(texts) + 1``).

    Shingles are the character k-grams that contain no CJK character, plus
    every CJK character on its own: scripts written without spaces between
    words get one shingle per character (which is how word tokenisers, e.g.
    coordination-network-toolkit's, split them), the others overlapping
    k-grams. A text shorter than ``k`` without CJK has none.
    """
    cps, offs = _codepoints(texts)
    return K.shingle_hashes(cps, offs, int(k))


def _signatures(cps: np.ndarray, offs: np.ndarray, k: int, num_perm: int,
                seed: int) -> np.ndarray:
    """:func:`minhash` of the texts ``cps[offs[d]:offs[d+1]]``."""
    check_num_perm(num_perm)
    salt = np.random.default_rng(seed).integers(0, 2**63, dtype=np.uint64)
    rng = np.random.default_rng([seed, 17])
    probes = np.stack([rng.integers(0, num_perm, size=num_perm) for _ in range(_ROUNDS)])
    flips = np.array([((r + 1) * 0x9E3779B1) & 0xFFFFFFFE for r in range(_ROUNDS)],
                     dtype=np.uint32)
    return K.signatures(cps, offs, int(k), int(num_perm), np.uint64(salt),
                        probes.astype(np.int64), flips)


@_one_thread_at_a_time
def minhash(texts: Sequence[str], k: int = 4, num_perm: int = 64, seed: int = 0) -> np.ndarray:
    """MinHash signatures (``len(texts) x num_perm``, uint32) of the texts'
    shingles (:func:`shingles`).

    One-permutation hashing (Li, Owen & Zhang, "One permutation hashing",
    NIPS 2012): one seeded hash per shingle; its top bits pick one of
    ``num_perm`` bins, the next 31 bits (the lowest cleared) are the value,
    and each text keeps the minimum per bin. Bins a text leaves empty are
    filled by optimal densification (Shrivastava, "Optimal densification for
    fast and accurate minwise hashing", ICML 2017): bin ``j`` takes the value
    of the first originally filled bin in a fixed random probe sequence, the
    same sequence for every text, so a text's signature depends on its
    shingles only, and, as for classic MinHash (Broder, 1997), two signatures
    agree in a column with probability close to the Jaccard similarity of the
    two shingle sets. ``num_perm`` must be a power of two; a text without
    shingles keeps empty bins (``0xFFFFFFFF``).
    """
    cps, offs = _codepoints(texts)
    return _signatures(cps, offs, k, num_perm, seed)


def _sorted_unique(x: np.ndarray) -> np.ndarray:
    """``np.unique`` of an integer array by one sort (numpy 2.4's ``unique``
    is an order of magnitude slower on a few hundred thousand integers)."""
    x = np.sort(x, axis=None)
    keep = np.ones(x.size, dtype=bool)
    keep[1:] = x[1:] != x[:-1]
    return x[keep]


def lsh_index_bits(n: int) -> int:
    """Low bits of a band word that hold a text's index among ``n`` texts; the
    bucket of a band is the band hash's other ``64 - lsh_index_bits(n)`` bits
    (:func:`textkernels.band_keys`)."""
    return max(1, int(n - 1).bit_length())


@_one_thread_at_a_time
def lsh_candidates(sig: np.ndarray, bands: int, min_estimate: float | None = None) -> np.ndarray:
    """Candidate pairs (``m x 2``, i < j) of texts that agree on a whole band
    (banding; Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, 3.4).

    In a bucket of up to 16 texts every two are paired; in a larger one
    (exact duplicates of a popular text can make thousands) each member is
    paired with the bucket's first member and with its predecessor, O(n)
    pairs, and verification and connected components recover the rest of the
    cluster. With ``min_estimate``, pairs whose
    signatures agree on fewer than that share of columns are dropped as they
    are found (first on a quarter of the columns with a margin of 0.15, then
    on all), so the many chance matches of short texts are never collected.
    """
    n, m = sig.shape
    sig = np.ascontiguousarray(sig)
    rows = m // bands
    est = -1.0 if min_estimate is None else float(min_estimate)
    index_bits = lsh_index_bits(n)
    found: list[np.ndarray] = []
    step = max(1, min(bands, 4))  # bands per call: bounds the key and pair buffers
    for first in range(0, bands, step):
        keys = K.band_keys(sig, first, min(step, bands - first), rows, index_bits)
        keys.sort(axis=1)
        packed, room, used = K.band_pairs(sig, keys, index_bits, est, _SMALL_BUCKET)
        found.extend(packed[room[q]:room[q] + used[q]] for q in range(len(used)))
    packed = _sorted_unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
    return np.stack([packed // max(n, 1), packed % max(n, 1)], axis=1)


def _jaccard(cps: np.ndarray, offs: np.ndarray, pairs: np.ndarray, k: int) -> np.ndarray:
    if len(pairs) == 0:
        return np.empty(0)
    used = _sorted_unique(pairs.ravel())
    inv = np.searchsorted(used, pairs)
    h, starts = K.shingle_hashes(*_pick(cps, offs, used), int(k))
    K.sort_texts(h, starts)
    return K.pair_jaccard(h, starts, np.ascontiguousarray(inv[:, 0]),
                          np.ascontiguousarray(inv[:, 1]))


@_one_thread_at_a_time
def jaccard(texts: Sequence[str], pairs: np.ndarray, k: int) -> np.ndarray:
    """Exact Jaccard similarity of the shingle sets (:func:`shingles`) of each
    pair of texts."""
    cps, offs = _codepoints(texts)
    return _jaccard(cps, offs, np.asarray(pairs, dtype=np.int64).reshape(-1, 2), k)


def near_duplicate_clusters(texts: Sequence[str], tp: TextParams, seed: int = 0) -> np.ndarray:
    """Cluster label per (distinct, normalised) text: components of the graph of
    pairs with shingle Jaccard >= ``tp.threshold`` found by MinHash/LSH.

    LSH candidates whose signatures agree on fewer than ``threshold - 0.15``
    of their columns are dropped before the exact check (2.6 standard errors
    below the threshold at 64 columns), which removes most dissimilar
    candidates at a negligible cost in recall.
    """
    cps, offs = _codepoints(texts)
    return corpus_clusters(cps, offs, tp, seed)


@_one_thread_at_a_time
def corpus_clusters(cps: np.ndarray, offs: np.ndarray, tp: TextParams, seed: int = 0
                    ) -> np.ndarray:
    """:func:`near_duplicate_clusters` of the texts ``cps[offs[d]:offs[d+1]]``."""
    n = offs.size - 1
    if n <= 0:
        return np.empty(0, dtype=np.int64)
    sig = _signatures(cps, offs, tp.shingle, tp.num_perm, seed)
    cand = lsh_candidates(sig, tp.bands, min_estimate=tp.threshold - 0.15)
    del sig
    sim = _jaccard(cps, offs, cand, tp.shingle)
    ok = cand[sim >= tp.threshold]
    g = sparse.coo_matrix((np.ones(len(ok)), (ok[:, 0], ok[:, 1])), shape=(n, n))
    _, labels = connected_components(g, directed=False)
    return labels.astype(np.int64)


# --- the same definition, one piece at a time -------------------------------
# An engine that splits the corpus over machines (infoops.detect.spark_text)
# runs the steps of distinct_texts and corpus_clusters on parts of it; these
# functions are those steps, calling the same kernels, so both engines give
# the same clusters. Texts are identified by their content keys (k1, k2)
# and, after de-duplication, by their index: their rank in (k1, k2) order,
# which is the order distinct_texts gives them.

def content_keys(texts: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The content keys ``(k1, k2)`` of each text's normalised form (those
    :func:`distinct_texts` de-duplicates and orders by) and its length in
    characters."""
    n = len(texts)
    k1 = np.empty(n, dtype=np.uint64)
    k2 = np.empty(n, dtype=np.uint64)
    size = np.empty(n, dtype=np.int64)
    for lo in range(0, n, _CHUNK_ROWS):
        rows = np.arange(lo, min(n, lo + _CHUNK_ROWS), dtype=np.int64)
        cps, offs = normalize_all(texts, rows)
        with _KERNEL_LOCK:
            k1[rows], k2[rows] = K.text_keys(cps, offs)
        size[rows] = np.diff(offs)
    return k1, k2, size


def text_signatures(texts: pa.Array | pa.ChunkedArray, tp: TextParams, seed: int = 0
                    ) -> np.ndarray:
    """The MinHash signatures :func:`corpus_clusters` computes, of the
    normalised ``texts`` (raw texts, normalised here)."""
    cps, offs = normalize_all(texts)
    with _KERNEL_LOCK:
        return _signatures(cps, offs, tp.shingle, tp.num_perm, seed)


def band_buckets(sig: np.ndarray, bands: int, n_texts: int) -> np.ndarray:
    """The LSH bucket of each text in each band (``bands x len(sig)``, uint64):
    the bits of the band hash above :func:`lsh_index_bits` of ``n_texts``,
    the whole corpus's size, as :func:`lsh_candidates` groups them."""
    bits = lsh_index_bits(n_texts)
    with _KERNEL_LOCK:
        keys = K.band_keys(np.ascontiguousarray(sig), 0, bands, sig.shape[1] // bands, bits)
    return keys >> np.uint64(bits)


def bucket_candidates(sig: np.ndarray, bucket: np.ndarray, index: np.ndarray, n_texts: int,
                      min_estimate: float | None) -> tuple[np.ndarray, np.ndarray]:
    """The candidate pairs :func:`lsh_candidates` finds in one band, from the
    texts ``index`` (corpus indices) of whole buckets of that band: the same
    pairing rule (every pair of a small bucket, chain and star in a large
    one, in index order) and the same signature filter, by the same kernel.
    Returns the pairs' corpus indices ``(i, j)``, ``i < j``."""
    m = len(index)
    if m < 2:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    bits = lsh_index_bits(n_texts)
    order = np.lexsort((index, bucket))
    keys = (bucket[order].astype(np.uint64) << np.uint64(bits)) | np.arange(m, dtype=np.uint64)
    est = -1.0 if min_estimate is None else float(min_estimate)
    with _KERNEL_LOCK:
        packed, _, used = K.band_pairs(np.ascontiguousarray(sig[order]), keys[None, :], bits,
                                       est, _SMALL_BUCKET)
    packed = packed[:used[0]]
    at = np.asarray(index, dtype=np.int64)[order]
    return at[packed // m], at[packed % m]


def pair_similarity(texts_a: pa.Array | pa.ChunkedArray, texts_b: pa.Array | pa.ChunkedArray,
                    k: int) -> np.ndarray:
    """Exact shingle Jaccard of each ``(texts_a[q], texts_b[q])`` after
    normalisation, as :func:`corpus_clusters` verifies candidates."""
    a = texts_a.combine_chunks() if isinstance(texts_a, pa.ChunkedArray) else texts_a
    b = texts_b.combine_chunks() if isinstance(texts_b, pa.ChunkedArray) else texts_b
    m = len(a)
    if m == 0:
        return np.empty(0)
    both = pa.concat_arrays([a.cast(pa.large_string()), b.cast(pa.large_string())])
    cps, offs = normalize_all(both)
    q = np.arange(m, dtype=np.int64)
    with _KERNEL_LOCK:
        return _jaccard(cps, offs, np.stack([q, q + m], axis=1), k)


def component_roots(i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Connected components of the verified pairs ``(i, j)``: the texts that
    are not the smallest index of their component (sorted) and that smallest
    index, their root."""
    nodes = _sorted_unique(np.concatenate([i, j]).astype(np.int64))
    if nodes.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    a, b = np.searchsorted(nodes, i), np.searchsorted(nodes, j)
    g = sparse.coo_matrix((np.ones(len(a)), (a, b)), shape=(nodes.size, nodes.size))
    _, comp = connected_components(g, directed=False)
    root = np.full(comp.max() + 1, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(root, comp, nodes)
    r = root[comp]
    keep = nodes != r
    return nodes[keep], r[keep]


def labels_from_roots(index: np.ndarray, members: np.ndarray, roots: np.ndarray) -> np.ndarray:
    """The cluster label :func:`corpus_clusters` gives the texts ``index``,
    from :func:`component_roots` (``members`` sorted): components are numbered
    in the order of their smallest index (as ``connected_components`` numbers
    them), so a text's label is its root's index less the non-root texts
    before that root."""
    index = np.asarray(index, dtype=np.int64)
    pos = np.minimum(np.searchsorted(members, index), max(members.size - 1, 0))
    hit = members[pos] == index if members.size else np.zeros(index.size, dtype=bool)
    root = np.where(hit, roots[pos] if members.size else index, index)
    return root - np.searchsorted(members, root)


def text_similarity(
    con: duckdb.DuckDBPyConnection, tp: TraceParams, text: TextParams, seed: int = 0
) -> TraceResult:
    """The ``text-similarity`` trace: accounts posting near-duplicate texts
    within ``tp.window`` seconds (Pacheco et al., ICWSM 2021, "text similarity";
    coordination-network-toolkit ``co_similar_tweet``, Graham et al., 2020).

    Weight = the number of distinct near-duplicate clusters the two accounts
    both posted within the window. Plain retweets are left out (co-retweet
    covers them); texts shorter than ``text.min_chars`` after normalisation
    are ignored (too generic to be evidence). Only the distinct normalised
    texts go through MinHash.
    """
    min_chars = max(text.min_chars, text.shingle)
    posts = con.sql(text_posts_sql("duckdb")).to_arrow_table()
    text_of_row, cps, offs = distinct_texts(posts["text"], min_chars)
    labels = corpus_clusters(cps, offs, text, seed)
    keep = np.flatnonzero(text_of_row >= 0)
    actions = pa.table({
        "account_id": posts["account_id"].take(keep),
        "post_id": posts["post_id"].take(keep),
        "object": labels[text_of_row[keep]],
        "ts": posts["ts"].take(keep),
    })
    del posts
    with registered(con, temp_name("text_actions"), actions) as lab:
        res = run_coaction(con, "text-similarity",
                           f"SELECT account_id, post_id, object, ts FROM {lab}",
                           tp.window, tp.max_burst)
    res.stats["texts"] = int(labels.size)
    res.stats["clusters"] = int(labels.max()) + 1 if labels.size else 0
    return res
