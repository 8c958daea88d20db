"""Narratives: topic clusters of a network's posts, their top terms, examples and volume over time.

Text is represented by TF-IDF over character n-grams (inside word boundaries), which
needs no word segmentation and so works alike for Chinese, Russian, Turkish and
English (character n-gram text classification: Cavnar & Trenkle 1994; TF-IDF:
Salton & Buckley 1988). Topics are a seeded non-negative matrix factorisation of
that matrix (Lee & Seung 1999), the approach Greene & Cross (2017) used for topics
of political text over time; each topic is then labelled with readable words (or
CJK character n-grams) by class-based TF-IDF (Grootendorst 2022). Retweet prefixes
(``RT @name:``), URLs and mentions are removed first, and identical texts are fitted once (retweets repeat their source).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb
import numpy as np

from infoops.errors import InfoopsError
from infoops.store.sql import first_row

_RT = re.compile(r"^RT @\w+:\s*")
_URL = re.compile(r"https?://\S+")
_MENTION = re.compile(r"@\w+", re.ASCII)
_SPACE = re.compile(r"\s+")
#: Characters of one text the vectoriser looks at (a 100 kB post adds nothing more).
MAX_CHARS = 1000


def clean_text(text: str | None) -> str:
    """The text the topic model sees: retweet prefix, URLs and mentions removed."""
    s = _RT.sub("", text or "")
    s = _URL.sub("", s)
    s = _MENTION.sub("", s)
    return _SPACE.sub(" ", s).strip()


class TopicModel:
    """Character n-gram TF-IDF + NMF topics, scikit-learn style.

    Parameters
    ----------
    n_topics:
        Upper bound on the number of topics; fewer are used when there are few
        distinct texts (one topic per five texts at most).
    ngram_range:
        Character n-gram lengths (``char_wb`` analyser).
    max_features:
        Vocabulary size cap (most frequent n-grams).
    seed:
        Seed of the NMF initialisation (``nndsvda`` is deterministic; the seed pins
        the solver's tie-breaking).

    Attributes
    ----------
    n_topics_, vectorizer_, nmf_, top_terms_ (one list of strings per topic).
    """

    def __init__(
        self,
        n_topics: int = 6,
        ngram_range: tuple[int, int] = (2, 4),
        max_features: int = 20000,
        seed: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.ngram_range = ngram_range
        self.max_features = max_features
        self.seed = seed

    def fit(self, texts: list[str], weights: list[int] | None = None) -> TopicModel:
        """Fit on distinct ``texts``; ``weights`` (repeat counts) scale each row by log(1+w)."""
        from sklearn.decomposition import NMF
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.feature_extraction.text import TfidfVectorizer

        if self.n_topics < 1:
            raise InfoopsError(f"n_topics must be at least 1, got {self.n_topics}")
        docs = [t[:MAX_CHARS] for t in texts if t]
        if not docs:
            raise InfoopsError("no text to model: every post is empty after cleaning")
        self.vectorizer_ = TfidfVectorizer(
            analyzer="char_wb", ngram_range=self.ngram_range, max_features=self.max_features,
            sublinear_tf=True, lowercase=True, dtype=np.float64,
        )
        x = self.vectorizer_.fit_transform(docs)
        self.fit_matrix_ = x  # kept so the fitted texts need not be vectorised again
        if weights is not None:
            w = np.log1p(np.asarray([wt for t, wt in zip(texts, weights, strict=True) if t]))
            x = x.multiply(w.reshape(-1, 1)).tocsr()
        self.n_topics_ = max(1, min(self.n_topics, len(docs) // 5, x.shape[1]))
        self.nmf_ = NMF(
            n_components=self.n_topics_, init="nndsvda", random_state=self.seed, max_iter=300,
            tol=1e-3,
        )
        with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
            # tiny or degenerate corpora stop at max_iter; the fit is still usable
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            self.nmf_.fit(x)
        self.top_terms_ = [self._terms(row) for row in self.nmf_.components_]
        return self

    def _terms(self, row: np.ndarray, k: int = 8) -> list[str]:
        vocab = self.vectorizer_.get_feature_names_out()
        chosen: list[str] = []
        for idx in np.argsort(-row)[:60]:
            term = str(vocab[idx]).strip()
            if len(term) < 2 or row[idx] <= 0 or any(term in c for c in chosen):
                continue
            # prefer the longer n-gram when a shorter one is already listed
            chosen = [c for c in chosen if c not in term] + [term]
            if len(chosen) == k:
                break
        return chosen

    def transform(self, texts: list[str] | None) -> np.ndarray:
        """Topic weights, one row per text (all-zero rows for empty texts).

        ``None`` means the texts given to :meth:`fit` (not vectorised again).
        """
        if not hasattr(self, "nmf_"):
            raise InfoopsError("TopicModel.transform called before fit")
        from sklearn.exceptions import ConvergenceWarning

        if texts is None:
            x = self.fit_matrix_
        else:
            x = self.vectorizer_.transform([t[:MAX_CHARS] for t in texts])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return np.asarray(self.nmf_.transform(x))

    def assign(self, texts: list[str]) -> np.ndarray:
        """The dominant topic of each text, ``-1`` where no topic has weight."""
        w = self.transform(texts)
        best = w.argmax(axis=1)
        best[w.max(axis=1) <= 0] = -1
        return best


_RUN = re.compile(r"[^\W\d_]+")
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
#: Very common words of the languages the narratives most often come in; they never label a topic.
STOPWORDS = frozenset(["the", "and", "for", "are", "but", "not", "you", "all", "any", "can", "her", "was", "one", "our", "out", "has", "have", "had", "his", "how", "its", "may", "new", "now", "who", "why", "with", "this", "that", "from", "they", "will", "what", "when", "your", "about", "would", "there", "their", "which", "just", "been", "more", "into", "than", "them", "then", "some", "only", "also", "very", "like", "http", "https", "amp", "rt", "что", "это", "как", "так", "его", "она", "они", "для", "при", "или", "вот", "уже", "все", "был", "была", "были", "быть", "есть", "ещё", "нет", "над", "под", "чтобы", "когда", "только", "если", "также", "даже", "где", "кто", "мне", "нам", "вас", "них", "тех", "этот", "эта", "эти", "того", "этом", "bir", "ile", "için", "çok", "daha", "gibi", "ama", "olan", "olarak", "kadar", "sonra", "şey", "ancak", "veya", "değil", "her", "diye", "ben", "sen", "biz", "siz", "onlar", "bunu", "şu", "ki", "mi", "ne", "de", "da", "ve", "bu"])


def label_terms(texts: list[str]) -> list[str]:
    """Readable terms of a text: words (3+ letters) and, for CJK runs, character 2- and 3-grams."""
    out: list[str] = []
    for text in texts:
        for run in _RUN.findall(text.lower()):
            if _CJK.search(run):
                chars = "".join(_CJK.findall(run))
                out += [chars[i:i + 2] for i in range(len(chars) - 1)]
                out += [chars[i:i + 3] for i in range(len(chars) - 2)]
            elif len(run) >= 3 and run not in STOPWORDS:
                out.append(run)
    return out


def topic_terms(
    texts: list[str], weights: list[int], labels: np.ndarray, n_topics: int, k: int = 8
) -> list[list[str]]:
    """The ``k`` most distinctive readable terms of each topic, by class-based TF-IDF.

    All texts of a topic are pooled into one document (weighted by how often each
    text was posted) and terms are scored ``tf(term, topic) * log(1 + A / f(term))``
    with ``A`` the average number of terms per topic and ``f`` the term's frequency
    over all topics (c-TF-IDF, Grootendorst 2022). Terms come from
    :func:`label_terms`; a term inside a higher-ranked one is skipped.
    """
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    keep = labels >= 0
    if not keep.any():
        return [[] for _ in range(n_topics)]
    docs = [t[:MAX_CHARS] for t, ok in zip(texts, keep, strict=True) if ok]
    cv = CountVectorizer(analyzer=lambda t: label_terms([t]), max_features=50000)
    try:
        x = cv.fit_transform(docs)
    except ValueError:  # no term at all
        return [[] for _ in range(n_topics)]
    w = np.asarray(weights, dtype=float)[keep]
    rows = labels[keep]
    member = sparse.csr_matrix((w, (rows, np.arange(len(rows)))), shape=(n_topics, len(rows)))
    tf = np.asarray((member @ x).todense())
    total = tf.sum(axis=0)
    avg = tf.sum() / n_topics
    score = tf / np.maximum(tf.sum(axis=1, keepdims=True), 1e-12) * np.log1p(avg / np.maximum(total, 1e-12))
    vocab = cv.get_feature_names_out()
    out = []
    for row in score:
        chosen: list[str] = []
        for idx in np.argsort(-row, kind="stable")[:80]:
            term = str(vocab[idx])
            if row[idx] <= 0:
                break
            if any(term in c for c in chosen):
                continue
            chosen.append(term)
            if len(chosen) == k:
                break
        out.append(chosen)
    return out


@dataclass
class Topic:
    topic: int
    label: str
    terms: list[str]
    posts: int
    examples: list[tuple[str, int]]


@dataclass
class Narratives:
    """A network's topics, the period grid and posts per topic per period, and phases."""

    topics: list[Topic]
    period: str
    periods: list[str]
    volume: dict[int, list[int]]
    phases: list[dict[str, Any]] = field(default_factory=list)
    n_texts: int = 0


#: Share of a network's posts the time axes must show; posts beyond it are
#: outliers, left off the axes (and counted) when they would stretch it by more
#: than :data:`MAX_STRETCH` of the bulk's span.
BULK_SHARE = 0.99
MAX_STRETCH = 0.25


@dataclass
class Span:
    """A network's active span: ``lo``/``hi`` bound the bulk of its posts (the axes),
    ``first``/``last`` all of them; ``before``/``after`` count the outliers cut off."""

    first: datetime | None = None
    last: datetime | None = None
    lo: datetime | None = None
    hi: datetime | None = None
    before: int = 0
    after: int = 0


def bulk_span(con: duckdb.DuckDBPyConnection, members: str) -> Span:
    """The span of the bulk of a network's posts (the central :data:`BULK_SHARE`),
    widened to the first/last post unless that stretches it by over :data:`MAX_STRETCH`
    (one 2012 post must not squeeze three busy months into a corner)."""
    tail = (1 - BULK_SHARE) / 2
    row = first_row(con.execute(
        f"SELECT min(p.created_at), max(p.created_at), quantile_disc(p.created_at, {tail}), "
        f"quantile_disc(p.created_at, {1 - tail}) FROM posts p JOIN {members} m USING (account_id) "
        "WHERE p.created_at IS NOT NULL"))
    if not row or row[0] is None:
        return Span()
    first, last, lo, hi = row
    bulk = max((hi - lo).total_seconds(), 86400.0)
    if (lo - first).total_seconds() <= MAX_STRETCH * bulk:
        lo = first
    if (last - hi).total_seconds() <= MAX_STRETCH * bulk:
        hi = last
    counts = first_row(con.execute(
        f"SELECT count(*) FILTER (WHERE p.created_at < ?), count(*) FILTER (WHERE p.created_at > ?) "
        f"FROM posts p JOIN {members} m USING (account_id)", [lo, hi]))
    before, after = (int(counts[0]), int(counts[1])) if counts else (0, 0)
    return Span(first, last, lo, hi, before, after)


def choose_period(con: duckdb.DuckDBPyConnection, members: str) -> str:
    """``day`` for spans up to two months, ``week`` up to two years, else ``month``
    (the span of the bulk of the posts, :func:`bulk_span`)."""
    sp = bulk_span(con, members)
    span = (sp.hi - sp.lo).days if sp.lo is not None and sp.hi is not None else 0
    return "day" if span <= 62 else "week" if span <= 730 else "month"


def _texts_by_period(con: duckdb.DuckDBPyConnection, members: str, period: str) -> list[tuple[str, str, int]]:
    """(cleaned text, period, posts) of the members' posts; texts empty after cleaning left out."""
    # group raw texts in SQL (a hash aggregate), clean the distinct ones in Python
    raw = con.execute(
        f"""
        SELECT p.text, strftime(date_trunc('{period}', p.created_at), '%Y-%m-%d') AS per,
               count(*) AS n
        FROM posts p JOIN {members} m USING (account_id)
        WHERE p.created_at IS NOT NULL AND coalesce(p.text, '') <> '' GROUP BY ALL
        """
    ).fetchall()
    cleaned: dict[str, str] = {}
    rows = []
    for text, per, n in raw:
        t = cleaned.get(text)
        if t is None:
            t = cleaned[text] = clean_text(text[:MAX_CHARS * 2])
        if t:
            rows.append((t, per, n))
    return rows


def network_narratives(
    con: duckdb.DuckDBPyConnection,
    members: str,
    *,
    n_topics: int = 6,
    seed: int = 0,
    period: str | None = None,
    max_texts: int = 50_000,
    max_fit_texts: int = 3000,
    n_examples: int = 3,
) -> Narratives:
    """Topics of the posts of the accounts in relation ``members`` and their timeline.

    Parameters
    ----------
    con, members:
        A DuckDB connection and the name of a relation with an ``account_id`` column.
    n_topics, seed:
        See :class:`TopicModel`.
    period:
        ``day``, ``week`` or ``month``; chosen from the time span when ``None``.
    max_texts:
        The most frequent distinct texts assigned to topics (the rest count as unassigned).
    max_fit_texts:
        The most frequent distinct texts the topics are fitted on (bounds the time
        on big networks; the others are only assigned).

    Returns
    -------
    :class:`Narratives`; phases are consecutive periods with the same dominant
    topic (see :func:`phases`).
    """
    period = period or choose_period(con, members)
    if period not in ("day", "week", "month"):
        raise InfoopsError(f"period must be day, week or month, not {period!r}")
    rows = _texts_by_period(con, members, period)
    periods = _grid(con, members, period)
    totals: dict[str, int] = {}
    for t, _, n in rows:
        totals[t] = totals.get(t, 0) + n
    texts = sorted(totals, key=lambda t: (-totals[t], t))[:max_texts]
    if not texts:
        return Narratives([], period, periods, {}, [], 0)
    fit = texts[:max_fit_texts]  # non-empty after cleaning, so rows match texts
    model = TopicModel(n_topics=n_topics, seed=seed).fit(fit, [totals[t] for t in fit])
    weights = model.transform(None)
    if len(texts) > len(fit):
        weights = np.vstack([weights, model.transform(texts[len(fit):])])
    best = weights.argmax(axis=1)
    best[weights.max(axis=1) <= 0] = -1
    topic_of = dict(zip(texts, best.tolist(), strict=True))
    index = {p: i for i, p in enumerate(periods)}
    volume = {k: [0] * len(periods) for k in range(model.n_topics_)}
    for t, per, n in rows:
        k = topic_of.get(t, -1)
        if k >= 0 and per in index:
            volume[k][index[per]] += n
    words = topic_terms(texts, [totals[t] for t in texts], best, model.n_topics_)
    topics = []
    for k in range(model.n_topics_):
        order = np.argsort(-weights[:, k], kind="stable")
        examples = [(texts[i], totals[texts[i]]) for i in order if best[i] == k][:n_examples]
        terms = words[k] or model.top_terms_[k]
        topics.append(Topic(k, f"T{k + 1}: " + ", ".join(terms[:3]), terms, sum(volume[k]), examples))
    return Narratives(topics, period, periods, volume, phases(periods, volume), len(texts))


def _grid(con: duckdb.DuckDBPyConnection, members: str, period: str) -> list[str]:
    sp = bulk_span(con, members)
    if sp.lo is None:
        return []
    rows = con.execute(
        f"""
        SELECT strftime(g, '%Y-%m-%d') FROM
               generate_series(date_trunc('{period}', ?::TIMESTAMP), date_trunc('{period}', ?::TIMESTAMP),
                               INTERVAL 1 {period}) AS s(g) ORDER BY g
        """, [sp.lo, sp.hi]
    ).fetchall()
    return [r[0] for r in rows if r[0] is not None]


def phases(
    periods: list[str], volume: dict[int, list[int]], max_phases: int = 8
) -> list[dict[str, Any]]:
    """Narrative phases: runs of consecutive periods sharing the same dominant topic.

    Periods without posts join the phase before them. While there are more than
    ``max_phases`` phases, the one with the fewest posts is merged into its larger
    neighbour (a greedy bottom-up segmentation, cf. Keogh et al. 2001).

    Returns a list of ``{"first": i, "last": j, "start": period, "end": period,
    "topic": k, "posts": n}`` with period indexes into ``periods``.
    """
    if not volume or not periods:
        return []
    topics = sorted(volume)
    out: list[dict[str, Any]] = []
    for i in range(len(periods)):
        counts = [volume[k][i] for k in topics]
        total = sum(counts)
        if total == 0:
            if out:
                out[-1]["last"] = i
            continue
        k = topics[int(np.argmax(counts))]
        if out and out[-1]["topic"] == k:
            out[-1]["last"] = i
            out[-1]["posts"] += total
        else:
            out.append({"first": i, "last": i, "topic": k, "posts": total})
    while len(out) > max_phases:
        j = min(range(len(out)), key=lambda i: out[i]["posts"])
        if j == 0:
            nb = 1
        elif j == len(out) - 1:
            nb = j - 1
        else:
            nb = j - 1 if out[j - 1]["posts"] >= out[j + 1]["posts"] else j + 1
        lo, hi = min(j, nb), max(j, nb)
        keep = out[nb]
        merged = {"first": out[lo]["first"], "last": out[hi]["last"], "topic": keep["topic"],
                  "posts": out[lo]["posts"] + out[hi]["posts"]}
        out[lo:hi + 1] = [merged]
    for ph in out:
        ph["start"], ph["end"] = periods[ph["first"]], periods[ph["last"]]
    return out
