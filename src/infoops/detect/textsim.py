"""Near-duplicate text: character shingles, MinHash and LSH, in numpy.

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

All hashing is vectorised: the corpus is one UTF-32 array, shingle hashes are
polynomial rolling hashes over it, and per-(text, bin) minima come from one
``np.minimum.at`` pass.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import duckdb
import numpy as np
import pyarrow as pa
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from infoops.detect.coaction import TraceResult, run_coaction, temp_name
from infoops.detect.params import TextParams, TraceParams

# Twitter screen names are ASCII [A-Za-z0-9_]; the same patterns run in Python
# (``normalize``) and in DuckDB's RE2 (``NORMALIZE_SQL``).
_RT_P = r"^[ \t\n\r\f\v]*RT[ \t\n\r\f\v]+@[A-Za-z0-9_]+:?"
_URL_P = r"(https?://|www\.)[^ \t\n\r\f\v]+"
_MENTION_P = r"@[A-Za-z0-9_]+"
_WS_P = r"[ \t\n\r\f\v]+"
_RT = re.compile(_RT_P, re.IGNORECASE)
_URL = re.compile(_URL_P, re.IGNORECASE)
_MENTION = re.compile(_MENTION_P)
_WS = re.compile(_WS_P)


def normalize_sql(col: str) -> str:
    """The SQL expression of :func:`normalize` over column ``col`` (DuckDB / RE2)."""
    x = f"regexp_replace({col}, '{_RT_P}', '', 'i')"
    x = f"regexp_replace({x}, '{_URL_P}', ' ', 'gi')"
    x = f"regexp_replace({x}, '{_MENTION_P}', ' ', 'g')"
    x = f"regexp_replace({x}, '{_WS_P}', ' ', 'g')"
    return f"lower(trim({x}))"


_P = np.uint64(1_000_003)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_CHUNK_SHINGLES = 4_000_000


def normalize(text: str) -> str:
    """The text as compared: no RT prefix, mentions or URLs; lower case; one space.

    (The pipeline runs the same patterns in SQL, :func:`normalize_sql`; lower
    casing there is utf8proc's simple mapping, which differs from Python only
    for a few letters such as the Turkish dotted capital I.)
    """
    s = _RT.sub("", text, count=1)
    s = _URL.sub(" ", s)
    s = _MENTION.sub(" ", s)
    return _WS.sub(" ", s).strip(" ").lower()


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads rolling-hash bits (in place, uint64)."""
    h ^= h >> np.uint64(30)
    h *= _M1
    h ^= h >> np.uint64(27)
    h *= _M2
    h ^= h >> np.uint64(31)
    return h


#: Code-point ranges written without spaces between words (kana, CJK ideographs,
#: Hangul syllables, compatibility ideographs): there each character is a shingle.
CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF),
              (0xF900, 0xFAFF))
_UNIGRAM_SALT = np.uint64(0x9E3779B97F4A7C15)


def is_cjk(cps: np.ndarray) -> np.ndarray:
    """Mask of code points in :data:`CJK_RANGES`."""
    out = np.zeros(cps.shape, dtype=bool)
    for lo, hi in CJK_RANGES:
        out |= (cps >= lo) & (cps <= hi)
    return out


def _shingle_hashes(texts: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every shingle of every text, grouped by text, and each text's
    first index into them.

    Shingles are the character k-grams that contain no CJK character, plus
    every CJK character on its own: scripts written without spaces between
    words get one shingle per character (which is how word tokenisers, e.g.
    coordination-network-toolkit's, split them), the others overlapping
    k-grams. Every text must have at least ``k`` characters.
    """
    lens = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    doc = np.repeat(np.arange(len(texts), dtype=np.int64), lens)
    cjk = is_cjk(cps)
    n = max(cps.size - k + 1, 0)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h *= _P
            h += cps[j : j + n]
    ends = np.cumsum(lens)
    pos = np.arange(n, dtype=np.int64)
    ccum = np.concatenate(([0], np.cumsum(cjk, dtype=np.int64)))
    keep = (pos + k <= ends[doc[:n]]) & (ccum[pos + k] == ccum[pos])
    doc1 = doc[:n][keep]
    h1 = h[keep]
    del h
    if not cjk.any():
        counts = np.bincount(doc1, minlength=len(texts))
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        return _mix(h1), starts
    # two runs, each grouped by text (k-grams, then CJK unigrams): scatter
    # each into its text's slot, k-grams first
    doc2 = doc[cjk]
    with np.errstate(over="ignore"):
        h2 = cps[cjk] + _UNIGRAM_SALT
    c1 = np.bincount(doc1, minlength=len(texts))
    c2 = np.bincount(doc2, minlength=len(texts))
    starts = np.concatenate(([0], np.cumsum(c1 + c2)[:-1]))
    s1 = np.concatenate(([0], np.cumsum(c1)[:-1]))
    s2 = np.concatenate(([0], np.cumsum(c2)[:-1]))
    out = np.empty(h1.size + h2.size, dtype=np.uint64)
    out[starts[doc1] + np.arange(h1.size) - s1[doc1]] = h1
    out[starts[doc2] + c1[doc2] + np.arange(h2.size) - s2[doc2]] = h2
    with np.errstate(over="ignore"):
        return _mix(out), starts


def minhash(texts: Sequence[str], k: int = 4, num_perm: int = 64, seed: int = 0) -> np.ndarray:
    """MinHash signatures (``len(texts) x num_perm``, uint32) of character k-shingles.

    One-permutation hashing (Li, Owen & Zhang, "One permutation hashing",
    NIPS 2012): one seeded hash per shingle; its top bits pick one of
    ``num_perm`` bins, the next 32 bits are the value, and each text keeps the
    minimum per bin (one ``np.minimum.at`` pass instead of ``num_perm``
    passes). Bins a text leaves empty are filled from other bins of the same
    text (:func:`_densify`, optimal densification), so that, as for classic
    MinHash (Broder, 1997), two signatures agree in a column with probability
    close to the Jaccard similarity of the two shingle sets. Texts need at least ``k`` characters; ``num_perm`` must be a
    power of two.
    """
    if num_perm & (num_perm - 1) or not 1 <= num_perm <= 1024:
        raise ValueError(f"num_perm must be a power of two in 1..1024, got {num_perm}")
    bits = num_perm.bit_length() - 1
    rng = np.random.default_rng(seed)
    salt = rng.integers(0, 2**63, dtype=np.uint64)
    n = len(texts)
    empty = np.uint32(0xFFFFFFFF)
    sig = np.full((n, num_perm), empty, dtype=np.uint32)
    lens = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n)
    ends = np.cumsum(lens)
    bounds = [0]
    while bounds[-1] < n:
        base = ends[bounds[-1] - 1] if bounds[-1] else 0
        nxt = int(np.searchsorted(ends, base + _CHUNK_SHINGLES, side="right"))
        bounds.append(max(nxt, bounds[-1] + 1))
    with np.errstate(over="ignore"):
        for lo, hi in itertools.pairwise(bounds):
            h, starts = _shingle_hashes(texts[lo:hi], k)
            h ^= salt
            _mix(h)
            counts = np.diff(np.append(starts, h.size))
            cell = np.repeat(np.arange(lo, hi, dtype=np.int64) * num_perm, counts)
            if bits:
                cell += (h >> np.uint64(64 - bits)).astype(np.int64)
            # values below the empty marker, so a real minimum is never "empty"
            val = ((h >> np.uint64(32 - bits if bits else 32)) & np.uint64(0xFFFFFFFE)).astype(np.uint32)
            np.minimum.at(sig.reshape(-1), cell, val)
            _densify(sig[lo:hi], empty, seed)
    return sig


def _densify(sig: np.ndarray, empty: np.uint32, seed: int = 0, rounds: int = 256) -> np.ndarray:
    """Fill empty bins by probing other bins in a fixed random order per bin
    (optimal densification; Shrivastava, "Optimal densification for fast and
    accurate minwise hashing", ICML 2017): bin ``j`` takes the value of the
    first originally non-empty bin in its probe sequence, the same sequence
    for every text, so a text's signature depends on its shingles only and
    empty bins are filled independently of each other. Works on the list of
    holes, which shrinks geometrically round by round. Filled in place.
    """
    m = sig.shape[1]
    flat = sig.reshape(-1)  # a view: sig is C-contiguous
    hole = flat == empty
    at = np.flatnonzero(hole)
    row = at - at % m
    col = at - row
    rng = np.random.default_rng([seed, 17])
    for r in range(rounds):  # the probes of round r are the r-th draw, whatever the data
        if not at.size:
            break
        probe = np.asarray(rng.integers(0, m, size=m), dtype=np.int64)
        src = row + probe[col]
        ok = ~hole[src]
        flat[at[ok]] = flat[src[ok]] ^ np.uint32(((r + 1) * 0x9E3779B1) & 0xFFFFFFFE)
        miss = ~ok
        at, row, col = at[miss], row[miss], col[miss]
    return sig  # texts with one or two distinct shingles may keep a few empty bins


def agreement(sig: np.ndarray, pairs: np.ndarray, cols: int | None = None) -> np.ndarray:
    """Share of the first ``cols`` signature columns on which each pair agrees
    (the MinHash estimate of their Jaccard similarity)."""
    out = np.empty(len(pairs))
    view = sig if cols is None else sig[:, :cols]
    for lo in range(0, len(pairs), 200_000):
        c = pairs[lo:lo + 200_000]
        out[lo:lo + len(c)] = (view[c[:, 0]] == view[c[:, 1]]).mean(axis=1)
    return out


def lsh_candidates(sig: np.ndarray, bands: int, min_estimate: float | None = None) -> np.ndarray:
    """Candidate pairs (``m x 2``, i < j) of texts that agree on a whole band.

    Within each bucket every member is paired with the bucket's first member
    and with its successor, so a bucket of n texts costs O(n) pairs (buckets of
    exact duplicates can be large); verification and connected components
    recover the rest of the cluster. With ``min_estimate``, each band's pairs
    whose signatures agree on fewer than that share of columns are dropped
    at once (first on a quarter of the columns with a margin of 0.15, then
    on all), so the many chance matches of short texts are never collected.
    """
    n, num_perm = sig.shape
    rows = num_perm // bands
    quarter = max(1, num_perm // 4)
    out = []
    with np.errstate(over="ignore"):
        for band in range(bands):
            key = np.full(n, np.uint64(band + 1), dtype=np.uint64)
            for c in range(band * rows, (band + 1) * rows):
                key = key * _P + sig[:, c].astype(np.uint64)
            order = np.argsort(key)
            ks = key[order]
            same = ks[1:] == ks[:-1]
            if not same.any():
                continue
            first = np.concatenate(([True], ~same))
            head = order[np.maximum.accumulate(np.where(first, np.arange(n), 0))]
            star = (head != order) & ~np.concatenate(([False], ~same))
            x = np.concatenate([order[:-1][same], head[star]])
            y = np.concatenate([order[1:][same], order[star]])
            pairs = np.stack([np.minimum(x, y), np.maximum(x, y)], axis=1).astype(np.int64)
            if min_estimate is not None and len(pairs):
                pairs = pairs[agreement(sig, pairs, quarter) >= min_estimate - 0.15]
                pairs = pairs[agreement(sig, pairs) >= min_estimate]
            out.append(pairs[:, 0] * n + pairs[:, 1])
    packed = np.sort(np.concatenate(out)) if out else np.empty(0, dtype=np.int64)
    if not packed.size:
        return np.empty((0, 2), dtype=np.int64)
    packed = packed[np.concatenate(([True], packed[1:] != packed[:-1]))]
    pairs = np.stack([packed // n, packed % n], axis=1)
    return pairs[pairs[:, 0] != pairs[:, 1]]


def jaccard(texts: Sequence[str], pairs: np.ndarray, k: int) -> np.ndarray:
    """Exact Jaccard similarity of the shingle sets (see :func:`_shingle_hashes`)
    of each pair of texts."""
    if len(pairs) == 0:
        return np.empty(0)
    used, inv = np.unique(pairs.ravel(), return_inverse=True)
    sub = [texts[i] for i in used]
    h, starts = _shingle_hashes(sub, k)
    counts = np.diff(np.append(starts, h.size))
    rows = np.repeat(np.arange(len(sub)), counts)
    cols_u, cols = np.unique(h, return_inverse=True)
    x = sparse.csr_matrix(
        (np.ones(h.size, dtype=np.float32), (rows, cols)), shape=(len(sub), cols_u.size)
    )
    x.data[:] = 1.0  # set semantics: duplicates were summed
    size = np.asarray(x.sum(axis=1)).ravel()
    p = inv.reshape(-1, 2)
    inter = np.asarray(x[p[:, 0]].multiply(x[p[:, 1]]).sum(axis=1)).ravel()
    return inter / (size[p[:, 0]] + size[p[:, 1]] - inter)


def near_duplicate_clusters(texts: Sequence[str], tp: TextParams, seed: int = 0) -> np.ndarray:
    """Cluster label per (distinct, normalised) text: components of the graph of
    pairs with shingle Jaccard >= ``tp.threshold`` found by MinHash/LSH.

    LSH candidates whose signatures agree on fewer than ``threshold - 0.15``
    of their columns are dropped before the exact check (2.6 standard errors
    below the threshold at 64 columns), which removes most dissimilar
    candidates at a negligible cost in recall.
    """
    n = len(texts)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    sig = minhash(texts, tp.shingle, tp.num_perm, seed)
    cand = lsh_candidates(sig, tp.bands, min_estimate=tp.threshold - 0.15)
    sim = jaccard(texts, cand, tp.shingle)
    ok = cand[sim >= tp.threshold]
    g = sparse.coo_matrix((np.ones(len(ok)), (ok[:, 0], ok[:, 1])), shape=(n, n))
    _, labels = connected_components(g, directed=False)
    return labels.astype(np.int64)


def text_similarity(
    con: duckdb.DuckDBPyConnection, tp: TraceParams, text: TextParams, seed: int = 0
) -> TraceResult:
    """The ``text-similarity`` trace: accounts posting near-duplicate texts
    within ``tp.window`` seconds (Pacheco et al., ICWSM 2021, "text similarity";
    coordination-network-toolkit ``co_similar_tweet``, Graham et al., 2020).

    Weight = the number of distinct near-duplicate clusters the two accounts
    both posted within the window. Plain retweets are left out (co-retweet
    covers them); texts shorter than ``text.min_chars`` after normalisation
    are ignored (too generic to be evidence). Normalisation and de-duplication
    run in SQL; only the distinct texts go through MinHash.
    """
    min_chars = max(text.min_chars, text.shingle)
    norm, uniq, lab = (temp_name(f"text_{x}") for x in ("norm", "uniq", "lab"))
    con.execute(
        f"""
        CREATE TEMP TABLE {norm} AS
        SELECT account_id, post_id, epoch(created_at) AS ts, {normalize_sql('text')} AS t
        FROM posts WHERE kind <> 'retweet' AND text IS NOT NULL AND created_at IS NOT NULL
        """
    )
    con.execute(
        f"""
        CREATE TEMP TABLE {uniq} AS
        SELECT t, row_number() OVER (ORDER BY t) - 1 AS tid
        FROM (SELECT DISTINCT t FROM {norm} WHERE length(t) >= {int(min_chars)})
        """
    )
    texts = con.execute(f"SELECT t FROM {uniq} ORDER BY tid").fetchnumpy()["t"]
    labels = near_duplicate_clusters(list(texts), text, seed)
    con.register(lab, pa.table({"tid": np.arange(len(labels), dtype=np.int64), "label": labels}))
    try:
        res = run_coaction(
            con, "text-similarity",
            f"SELECT n.account_id, n.post_id, l.label AS object, n.ts FROM {norm} n "
            f"JOIN {uniq} u ON u.t = n.t JOIN {lab} l ON l.tid = u.tid",
            tp.window, tp.max_burst,
        )
    finally:
        con.unregister(lab)
        con.execute(f"DROP TABLE IF EXISTS {norm}")
        con.execute(f"DROP TABLE IF EXISTS {uniq}")
    res.stats["texts"] = len(labels)
    res.stats["clusters"] = len(np.unique(labels)) if len(labels) else 0
    return res
