"""Compiled loops behind near-duplicate text (numba): shingling, MinHash,
LSH banding and exact Jaccard.

Each function is one pass over flat arrays, so a corpus of a few hundred
thousand texts costs a fraction of a second and no Python object per
shingle. The definitions are those documented in :mod:`infoops.detect.textsim`
(which calls these); ``tests/test_textsim.py`` checks every kernel against a
plain-Python reference on random texts in many scripts.

Integer arithmetic is unsigned 64-bit and wraps, as hashing needs; every
constant is cast to ``uint64`` so that numba never mixes signed and unsigned
operands (which it would widen to floating point).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

_P = np.uint64(1_000_003)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
UNIGRAM_SALT = np.uint64(0x9E3779B97F4A7C15)
EMPTY = np.uint32(0xFFFFFFFF)
_EVEN = np.uint64(0xFFFFFFFE)

#: Code-point ranges written without spaces between words (kana, CJK ideographs,
#: Hangul syllables, compatibility ideographs): there each character is a shingle.
CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF),
              (0xF900, 0xFAFF))


@njit(inline="always", cache=True)
def mix64(h):
    """splitmix64 finaliser (Steele, Lea & Flood, OOPSLA 2014)."""
    h ^= h >> _S30
    h *= _M1
    h ^= h >> _S27
    h *= _M2
    h ^= h >> _S31
    return h


@njit(inline="always", cache=True)
def _cjk(c):
    return ((0x3040 <= c <= 0x30FF) or (0x3400 <= c <= 0x4DBF) or (0x4E00 <= c <= 0x9FFF)
            or (0xAC00 <= c <= 0xD7AF) or (0xF900 <= c <= 0xFAFF))


@njit(inline="always", cache=True)
def _shingle_at(cps, i, k, run):
    """The shingle ending at character ``i``, if any: ``(run, found, hash)``.

    ``run`` counts the non-CJK characters ending at ``i - 1`` (0 at a text's
    start) and comes back updated. A CJK character is a shingle on its own;
    otherwise the last ``k`` characters are one when none of them is CJK.
    """
    c = cps[i]
    if _cjk(c):
        return 0, True, mix64(np.uint64(c) + UNIGRAM_SALT)
    run += 1
    if run < k:
        return run, False, np.uint64(0)
    h = np.uint64(0)
    for j in range(i - k + 1, i + 1):
        h = h * _P + np.uint64(cps[j])
    return run, True, mix64(h)


@njit(parallel=True, cache=True)
def _count_shingles(cps, offs, k):
    n = offs.size - 1
    counts = np.zeros(n, dtype=np.int64)
    for d in prange(n):
        run = 0
        for i in range(offs[d], offs[d + 1]):
            run, found, _ = _shingle_at(cps, i, k, run)
            counts[d] += found
    return counts


@njit(parallel=True, cache=True)
def shingle_hashes(cps, offs, k):
    """Hashes of each text's shingles, grouped by text, and each text's start.

    ``cps`` is the corpus as code points, text ``d`` being
    ``cps[offs[d]:offs[d+1]]``. A shingle is a run of ``k`` characters none
    of which is CJK (polynomial rolling hash, then :func:`mix64`), or a CJK
    character on its own (its code point plus :data:`UNIGRAM_SALT`, mixed).
    Duplicates within a text are kept.
    """
    n = offs.size - 1
    counts = _count_shingles(cps, offs, k)
    starts = np.zeros(n + 1, dtype=np.int64)
    for d in range(n):
        starts[d + 1] = starts[d] + counts[d]
    out = np.empty(starts[n], dtype=np.uint64)
    for d in prange(n):
        lo, hi = offs[d], offs[d + 1]
        w = starts[d]
        run = 0
        for i in range(lo, hi):
            run, found, h = _shingle_at(cps, i, k, run)
            if found:
                out[w] = h
                w += 1
    return out, starts


@njit(inline="always", cache=True)
def _offer(row, h, salt, top, low, bits):
    """Put one shingle hash into its one-permutation bin (keep the minimum)."""
    x = mix64(h ^ salt)
    b = np.int64(x >> top) if bits > 0 else 0
    v = np.uint32((x >> low) & _EVEN)
    row[b] = min(row[b], v)


@njit(parallel=True, cache=True)
def signatures(cps, offs, k, num_perm, salt, probes, flips):
    """One-permutation MinHash with optimal densification of the texts
    ``cps[offs[d]:offs[d+1]]`` (see :func:`infoops.detect.textsim.minhash`),
    hashing the shingles of :func:`shingle_hashes` on the fly.

    ``probes[r, j]`` is the bin that empty bin ``j`` looks at in round ``r``
    and ``flips[r]`` what its value is XORed with; an empty bin takes the
    first originally filled bin of its sequence. Bins still empty after every
    round keep :data:`EMPTY`.
    """
    n = offs.size - 1
    bits = np.uint64(0)
    while (1 << bits) < num_perm:
        bits += np.uint64(1)
    top = np.uint64(64) - bits
    low = np.uint64(32) - bits
    sig = np.empty((n, num_perm), dtype=np.uint32)
    rounds = probes.shape[0]
    for d in prange(n):
        row = sig[d]
        row[:] = EMPTY
        run = 0
        for i in range(offs[d], offs[d + 1]):
            run, found, h = _shingle_at(cps, i, k, run)
            if found:
                _offer(row, h, salt, top, low, bits)
        filled = row != EMPTY
        for j in range(num_perm):
            if filled[j]:
                continue
            for r in range(rounds):
                src = probes[r, j]
                if filled[src]:
                    row[j] = row[src] ^ flips[r]
                    break
    return sig


@njit(inline="always", cache=True)
def _agree(sig, a, b, cols):
    same = 0
    for c in range(cols):
        if sig[a, c] == sig[b, c]:
            same += 1
    return same / cols


@njit(inline="always", cache=True)
def _similar(sig, a, b, quarter, min_estimate):
    if min_estimate < 0:
        return True
    if _agree(sig, a, b, quarter) < min_estimate - 0.15:
        return False
    return _agree(sig, a, b, sig.shape[1]) >= min_estimate


@njit(parallel=True, cache=True)
def band_keys(sig, first, count, rows, index_bits):
    """Each text's band ``first .. first + count - 1`` as one sortable word
    (``count x n``): the band's hash in the high ``64 - index_bits`` bits, the
    text's index in the low ``index_bits``. Sorting a row groups the texts
    by band hash; two bands whose hashes agree on those high bits only are
    a false match, which the caller's checks drop (probability about
    ``2**(index_bits - 64)`` per pair)."""
    n = sig.shape[0]
    shift = np.uint64(index_bits)
    keys = np.empty((count, n), dtype=np.uint64)
    for i in prange(n):
        for q in range(count):
            band = first + q
            x = np.uint64(band + 1)
            for c in range(band * rows, (band + 1) * rows):
                x = x * _P + np.uint64(sig[i, c])
            keys[q, i] = ((mix64(x) >> shift) << shift) | np.uint64(i)
    return keys


@njit(inline="always", cache=True)
def _bucket_end(key, s, shift):
    """End of the bucket starting at ``key[s]`` in a sorted row of words."""
    e = s + 1
    while e < key.size and (key[e] >> shift) == (key[s] >> shift):
        e += 1
    return e


@njit(parallel=True, cache=True)
def band_pairs(sig, keys, index_bits, min_estimate, small):
    """Candidate pairs of each band from its sorted words (:func:`band_keys`):
    texts whose words agree above the index bits share a bucket. In a bucket
    of up to ``small`` texts every two are paired; in a larger one (exact
    duplicates of a popular text can make thousands) each member is paired
    with its predecessor and with the bucket's first member, 2m pairs for m
    members, which connected components complete later. With
    ``min_estimate >= 0`` a pair is kept only if its signatures agree on at
    least that share of columns (tested first on a quarter of the columns
    with a margin of 0.15).

    Returns ``(packed, room, used)``: band ``q``'s pairs ``i * n + j``
    (``i < j``) are ``packed[room[q]:room[q] + used[q]]``.
    """
    count, n = keys.shape
    quarter = max(1, sig.shape[1] // 4)
    shift = np.uint64(index_bits)
    low = (np.uint64(1) << shift) - np.uint64(1)
    room = np.zeros(count + 1, dtype=np.int64)  # pairs each band may yield
    for q in prange(count):
        key = keys[q]
        r = 0
        s = 0
        while s < n:
            e = _bucket_end(key, s, shift)
            m = e - s
            r += m * (m - 1) // 2 if m <= small else 2 * m - 3
            s = e
        room[q + 1] = r
    for q in range(count):
        room[q + 1] += room[q]
    packed = np.empty(room[count], dtype=np.int64)
    used = np.zeros(count, dtype=np.int64)
    for q in prange(count):
        key = keys[q]
        w = room[q]
        s = 0
        while s < n:
            e = _bucket_end(key, s, shift)
            if e - s <= small:  # every pair of a small bucket
                for t in range(s + 1, e):
                    cur = np.int64(key[t] & low)
                    for u in range(s, t):
                        other = np.int64(key[u] & low)
                        a, b = min(other, cur), max(other, cur)
                        if _similar(sig, a, b, quarter, min_estimate):
                            packed[w] = a * n + b
                            w += 1
            else:  # a chain and a star through the first member
                head = np.int64(key[s] & low)
                for t in range(s + 1, e):
                    cur = np.int64(key[t] & low)
                    for z in range(2):
                        if z == 1 and t - 1 == s:
                            break  # the predecessor was the head
                        other = np.int64(key[t - 1] & low) if z == 0 else head
                        a, b = min(other, cur), max(other, cur)
                        if _similar(sig, a, b, quarter, min_estimate):
                            packed[w] = a * n + b
                            w += 1
            s = e
        used[q] = w - room[q]
    return packed, room, used


@njit(parallel=True, cache=True)
def sort_texts(h, starts):
    """Sort each text's shingle hashes, in place."""
    for d in prange(starts.size - 1):
        h[starts[d]:starts[d + 1]] = np.sort(h[starts[d]:starts[d + 1]])


@njit(parallel=True, cache=True)
def pair_jaccard(h, starts, a, b):
    """Jaccard similarity of the shingle *sets* of texts ``a[i]`` and ``b[i]``;
    both texts' hashes must be sorted (:func:`sort_texts`)."""
    out = np.empty(a.size)
    for q in prange(a.size):
        i, e1 = starts[a[q]], starts[a[q] + 1]
        j, e2 = starts[b[q]], starts[b[q] + 1]
        inter = 0
        union = 0
        while i < e1 or j < e2:
            if j >= e2 or (i < e1 and h[i] < h[j]):
                v = h[i]
                union += 1
            elif i >= e1 or h[j] < h[i]:
                v = h[j]
                union += 1
            else:
                v = h[i]
                inter += 1
                union += 1
            while i < e1 and h[i] == v:
                i += 1
            while j < e2 and h[j] == v:
                j += 1
        out[q] = inter / union if union else 0.0
    return out


# --- normalisation -----------------------------------------------------------

@njit(inline="always", cache=True)
def _ws(c):
    return c == 32 or 9 <= c <= 13  # space, \t \n \v \f \r


@njit(inline="always", cache=True)
def _word(c):
    """A screen-name character: [A-Za-z0-9_]."""
    return (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122) or c == 95


@njit(inline="always", cache=True)
def _ci(c, ch):
    """``c`` is the ASCII letter ``ch`` (given in lower case) in either case."""
    return c == ch or c == ch - 32


@njit(inline="always", cache=True)
def _decode(data, lo, hi, out):
    """UTF-8 bytes ``data[lo:hi]`` into code points; returns how many.
    Bytes that do not form a character become U+FFFD."""
    n = 0
    i = lo
    while i < hi:
        b = np.uint32(data[i])
        if b < 0x80:
            c, need = b, 0
        elif b >= 0xF0:
            c, need = b & 0x07, 3
        elif b >= 0xE0:
            c, need = b & 0x0F, 2
        elif b >= 0xC0:
            c, need = b & 0x1F, 1
        else:
            c, need = np.uint32(0xFFFD), 0
        i += 1
        ok = i + need <= hi
        for _ in range(need):
            if not ok or (data[i] & 0xC0) != 0x80:
                ok = False
                break
            c = (c << np.uint32(6)) | np.uint32(data[i] & 0x3F)
            i += 1
        out[n] = c if ok else np.uint32(0xFFFD)
        n += 1
    return n


@njit(inline="always", cache=True)
def _url_at(t, i, n):
    """Length of the ``http://``, ``https://`` or ``www.`` prefix at ``t[i]``, or 0."""
    if (i + 7 <= n and _ci(t[i], 104) and _ci(t[i + 1], 116) and _ci(t[i + 2], 116)
            and _ci(t[i + 3], 112)):
        j = i + 4
        if j < n and _ci(t[j], 115):
            j += 1
        if j + 3 <= n and t[j] == 58 and t[j + 1] == 47 and t[j + 2] == 47:
            return j + 3 - i
        return 0
    if (i + 4 <= n and _ci(t[i], 119) and _ci(t[i + 1], 119) and _ci(t[i + 2], 119)
            and t[i + 3] == 46):
        return 4
    return 0


@njit(cache=True)
def _normalize_one(t, n, lower):
    """Normalise the code points ``t[:n]`` in place; returns the new length.

    In order, as the regular expressions of
    :func:`infoops.detect.textsim.normalize`: the leading ``RT @name:``
    removed; every URL (``http://``, ``https://`` or ``www.`` and the
    non-blank characters after it) replaced by a space; every ``@name``
    replaced by a space; runs of blanks made one space; the ends trimmed;
    each character lower-cased through the table ``lower``. Every pass writes
    at most one character per character it reads, so it can write over what
    it has read.
    """
    start = 0
    i = 0
    while i < n and _ws(t[i]):
        i += 1
    if i + 2 < n and _ci(t[i], 114) and _ci(t[i + 1], 116) and _ws(t[i + 2]):
        j = i + 2
        while j < n and _ws(t[j]):
            j += 1
        if j + 1 < n and t[j] == 64 and _word(t[j + 1]):
            j += 1
            while j < n and _word(t[j]):
                j += 1
            if j < n and t[j] == 58:
                j += 1
            start = j
    # URLs out
    m = 0
    i = start
    while i < n:
        c = t[i]
        p = _url_at(t, i, n) if (c | 32) == 104 or (c | 32) == 119 else 0
        if p and i + p < n and not _ws(t[i + p]):
            i += p
            while i < n and not _ws(t[i]):
                i += 1
            t[m] = 32
        else:
            t[m] = c
            i += 1
        m += 1
    # mentions out, blanks collapsed, ends trimmed, lower-cased
    w = 0
    space = False
    i = 0
    while i < m:
        c = t[i]
        if c == 64 and i + 1 < m and _word(t[i + 1]):
            i += 1
            while i < m and _word(t[i]):
                i += 1
            space = True
            continue
        i += 1
        if _ws(c):
            space = True
            continue
        if space and w > 0:
            t[w] = 32
            w += 1
        space = False
        t[w] = lower[c] if c < lower.size else c
        w += 1
    return w


@njit(parallel=True, cache=True)
def normalize_utf8(data, offs, rows, lower):
    """Normalise the UTF-8 texts ``data[offs[r]:offs[r+1]]`` for ``r`` in
    ``rows`` (see :func:`_normalize_one`); returns their code points and
    offsets. A text has at most as many characters as bytes, so each is
    decoded into a slot of its byte size, normalised there, and the slots are
    then packed."""
    nrows = rows.size
    slot = np.zeros(nrows + 1, dtype=np.int64)
    for q in range(nrows):
        slot[q + 1] = slot[q] + offs[rows[q] + 1] - offs[rows[q]]
    buf = np.empty(slot[nrows], dtype=np.uint32)
    lens = np.empty(nrows, dtype=np.int64)
    for q in prange(nrows):
        r = rows[q]
        t = buf[slot[q]:slot[q + 1]]
        lens[q] = _normalize_one(t, _decode(data, offs[r], offs[r + 1], t), lower)
    starts = np.zeros(nrows + 1, dtype=np.int64)
    for q in range(nrows):
        starts[q + 1] = starts[q] + lens[q]
    out = np.empty(starts[nrows], dtype=np.uint32)
    for q in prange(nrows):
        out[starts[q]:starts[q + 1]] = buf[slot[q]:slot[q] + lens[q]]
    return out, starts


@njit(parallel=True, cache=True)
def text_keys(cps, offs):
    """Two independent 64-bit hashes of each text (exact duplicates share both;
    distinct texts collide with probability about 2^-128)."""
    n = offs.size - 1
    k1 = np.empty(n, dtype=np.uint64)
    k2 = np.empty(n, dtype=np.uint64)
    for d in prange(n):
        a = np.uint64(0x243F6A8885A308D3)
        b = np.uint64(0x13198A2E03707344)
        for i in range(offs[d], offs[d + 1]):
            c = np.uint64(cps[i])
            a = mix64(a ^ c)
            b = b * _P + c
        k1[d] = a
        k2[d] = mix64(b ^ np.uint64(offs[d + 1] - offs[d]))
    return k1, k2


@njit(cache=True)
def gather(cps, offs, which, new_offs):
    """The texts ``which`` (by index), concatenated at ``new_offs``."""
    out = np.empty(new_offs[-1], dtype=cps.dtype)
    for q in range(which.size):
        d = which[q]
        out[new_offs[q]:new_offs[q + 1]] = cps[offs[d]:offs[d + 1]]
    return out
