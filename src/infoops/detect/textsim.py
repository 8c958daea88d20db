"""Near-duplicate text: character shingles, MinHash and LSH, in numpy.

Texts are normalised (the ``RT @name:`` prefix, @mentions and URLs removed,
case folded, whitespace collapsed) and cut into overlapping character
k-shingles — characters, not words, so Chinese, Japanese, Russian and Turkish
work without a tokenizer. Each distinct text gets a MinHash signature (Broder,
"On the resemblance and containment of documents", 1997); signatures are cut
into bands and texts that agree on a whole band become candidates (locality
sensitive hashing; Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*,
ch. 3). Candidates are verified with their exact shingle Jaccard similarity,
and texts joined by verified pairs form near-duplicate clusters (connected
components). The cluster is then the *object* of a co-action trace: two
accounts co-act when they post texts of the same cluster within the window.

All hashing is vectorised: the corpus is one UTF-32 array, shingle hashes are
polynomial rolling hashes over it, and per-text minima come from
``np.minimum.reduceat``.
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
    all_doc = np.concatenate([doc[:n][keep], doc[cjk]])
    with np.errstate(over="ignore"):
        all_h = np.concatenate([h[keep], cps[cjk] + _UNIGRAM_SALT])
    # two runs each sorted by text: a stable sort merges them in linear time
    order = np.argsort(all_doc, kind="stable")
    counts = np.bincount(all_doc, minlength=len(texts))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    with np.errstate(over="ignore"):
        return _mix(all_h[order]), starts


def minhash(texts: Sequence[str], k: int = 4, num_perm: int = 64, seed: int = 0) -> np.ndarray:
    """MinHash signatures (``len(texts) x num_perm``, uint32) of character k-shingles.

    Broder (1997): the probability that two signatures agree in a column equals
    the Jaccard similarity of the two shingle sets. Each column applies one
    random hash ``(h xor x_p) * m_p mod 2^32`` (m_p odd) to the 32-bit mixed
    shingle hashes; minima per text come from ``np.minimum.reduceat``. Texts
    need at least ``k`` characters.
    """
    rng = np.random.default_rng(seed)
    xors = rng.integers(0, 2**32, size=num_perm, dtype=np.uint64).astype(np.uint32)
    mults = (rng.integers(0, 2**31, size=num_perm, dtype=np.uint64) * 2 + 1).astype(np.uint32)
    sig = np.empty((len(texts), num_perm), dtype=np.uint32)
    lens = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    ends = np.cumsum(lens)
    bounds = [0]
    while bounds[-1] < len(texts):
        base = ends[bounds[-1] - 1] if bounds[-1] else 0
        nxt = int(np.searchsorted(ends, base + _CHUNK_SHINGLES, side="right"))
        bounds.append(max(nxt, bounds[-1] + 1))
    with np.errstate(over="ignore"):
        for lo, hi in itertools.pairwise(bounds):
            h64, starts = _shingle_hashes(texts[lo:hi], k)
            h = (h64 >> np.uint64(32)).astype(np.uint32)
            del h64
            buf = np.empty_like(h)
            for p in range(num_perm):
                np.bitwise_xor(h, xors[p], out=buf)
                np.multiply(buf, mults[p], out=buf)
                sig[lo:hi, p] = np.minimum.reduceat(buf, starts)
    return sig


def lsh_candidates(sig: np.ndarray, bands: int) -> np.ndarray:
    """Candidate pairs (``m x 2``, i < j) of texts that agree on a whole band.

    Within each bucket every member is paired with the bucket's first member
    and with its successor, so a bucket of n texts costs O(n) pairs (buckets of
    exact duplicates can be large); verification and connected components
    recover the rest of the cluster.
    """
    n, num_perm = sig.shape
    rows = num_perm // bands
    out = []
    with np.errstate(over="ignore"):
        for band in range(bands):
            key = np.full(n, np.uint64(band + 1), dtype=np.uint64)
            for c in range(band * rows, (band + 1) * rows):
                key = key * _P + sig[:, c].astype(np.uint64)
            order = np.argsort(key, kind="stable")
            ks = key[order]
            same = ks[1:] == ks[:-1]
            if not same.any():
                continue
            out.append(np.stack([order[:-1][same], order[1:][same]], axis=1))
            first = np.concatenate(([True], ~same))
            head = order[np.maximum.accumulate(np.where(first, np.arange(n), 0))]
            star = (head != order) & ~np.concatenate(([False], ~same))
            out.append(np.stack([head[star], order[star]], axis=1))
    if not out:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(out).astype(np.int64)
    pairs.sort(axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(pairs, axis=0)


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
    cand = lsh_candidates(sig, tp.bands)
    if len(cand):
        est = np.empty(len(cand))
        for lo in range(0, len(cand), 200_000):
            c = cand[lo:lo + 200_000]
            est[lo:lo + len(c)] = (sig[c[:, 0]] == sig[c[:, 1]]).mean(axis=1)
        cand = cand[est >= tp.threshold - 0.15]
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
