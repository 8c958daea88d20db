"""Blocks of simulated posts, posting rhythms, and the pool of retweetable posts.

A :class:`PostBlock` holds column arrays for one batch of posts; the world
writes each block as soon as it is made and drops it, so memory stays flat.
Times are whole minutes from T0 (the archive's ``tweet_time`` resolution).

Rhythms: organic accounts follow a diurnal curve in their local time zone
(Golder & Macy, *Science* 2011); the PRC-like cores post in Beijing office
hours on weekdays, the pattern Twitter and SIO reported for the June 2020
network.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from infoops.simulate.config import DAYS, END, T0_WEEKDAY

ORIGINAL, RETWEET, REPLY, QUOTE = 0, 1, 2, 3

#: Relative posting intensity per local hour (0..23) of an organic account.
ORGANIC_HOURS = np.array(
    [
        3, 2, 1.2, 0.8, 0.6, 0.6, 1, 2, 3, 3.5, 3.8, 4, 4.2, 4, 3.8, 3.8, 4, 4.3, 4.8, 5.3, 5.8, 6,
        5.5, 4.5,
    ]
)
#: Office hours (09–12, 14–18) with a lunch dip and a thin tail outside.
OFFICE_HOURS = np.array(
    [
        0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.05, 0.1, 0.6, 5, 5, 5, 1.2, 2.5, 5, 5, 5, 5, 0.8,
        0.1, 0.05, 0.05, 0.02, 0.02,
    ]
)


@dataclass
class PostBlock:
    """Column arrays for a batch of posts (one row per post)."""

    tweetid: np.ndarray
    author: np.ndarray  # account index
    t: np.ndarray  # minutes from T0
    kind: np.ndarray
    text: np.ndarray
    lang: np.ndarray  # tweet_language
    client: np.ndarray
    ref_tid: np.ndarray  # retweeted / replied / quoted post (0: none)
    ref_author: np.ndarray  # its author index (-1: none)
    hashtags: np.ndarray
    urls: np.ndarray
    mentions: np.ndarray  # tuples of extra mentioned account indices (writer adds ref_author)
    likes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    retweets: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __len__(self) -> int:
        return len(self.tweetid)

    def keep(self, mask: np.ndarray | slice) -> PostBlock:
        return PostBlock(**{k: v[mask] for k, v in self.__dict__.items()})


def empty_lists(n: int) -> np.ndarray:
    return np.full(n, "[]", dtype=object)


def no_mentions(n: int) -> np.ndarray:
    out = np.empty(n, dtype=object)
    out.fill(())
    return out


def block(
    ids: np.ndarray,
    author: np.ndarray,
    t: np.ndarray,
    kind: int | np.ndarray,
    text: np.ndarray,
    lang: np.ndarray | str,
    client: np.ndarray,
    *,
    ref_tid: np.ndarray | None = None,
    ref_author: np.ndarray | None = None,
    hashtags: np.ndarray | None = None,
    urls: np.ndarray | None = None,
    mentions: np.ndarray | None = None,
    likes: np.ndarray | None = None,
    retweets: np.ndarray | None = None,
) -> PostBlock:
    n = len(ids)
    return PostBlock(
        tweetid=ids,
        author=np.asarray(author, np.int64),
        t=np.asarray(t, np.int64),
        kind=np.broadcast_to(np.asarray(kind, np.int8), (n,)).copy(),
        text=np.asarray(text, object),
        lang=np.broadcast_to(np.asarray(lang, object), (n,)).copy(),
        client=np.asarray(client, object),
        ref_tid=np.zeros(n, np.int64) if ref_tid is None else np.asarray(ref_tid, np.int64),
        ref_author=np.full(n, -1, np.int64)
        if ref_author is None
        else np.asarray(ref_author, np.int64),
        hashtags=empty_lists(n) if hashtags is None else hashtags,
        urls=empty_lists(n) if urls is None else urls,
        mentions=no_mentions(n) if mentions is None else mentions,
        likes=np.zeros(n, np.int64) if likes is None else likes,
        retweets=np.zeros(n, np.int64) if retweets is None else retweets,
    )


def day_weights(
    ramp_day: int | None = None, ramp_from: float = 0.3, weekdays_only: float = 1.0
) -> np.ndarray:
    """Weight of each day of the world: optional ramp-up to ``ramp_day`` and weekend damping."""
    d = np.arange(DAYS)
    w = np.ones(DAYS)
    if ramp_day is not None:
        w = np.where(d < ramp_day, ramp_from + (1 - ramp_from) * d / max(ramp_day, 1), 1.0)
    weekend = ((d + T0_WEEKDAY) % 7) >= 5
    w[weekend] *= 1.0 - weekdays_only
    return w


def sample_times(
    rng: np.random.Generator,
    tz: np.ndarray,
    start_day: np.ndarray,
    end_day: np.ndarray,
    days_w: np.ndarray,
    hours: np.ndarray,
) -> np.ndarray:
    """Minutes from T0 for posts whose accounts have UTC offsets ``tz`` (hours).

    Each post draws a day within its account's active span, weighted by
    ``days_w``, then a local hour from ``hours`` and a minute; the local time is
    converted to UTC. Times that spill over the world's edges move a day inwards.
    """
    n = len(tz)
    cum = np.concatenate([[0.0], np.cumsum(days_w)])
    lo = cum[np.clip(start_day, 0, DAYS)]
    hi = cum[np.clip(end_day, 0, DAYS)]
    u = lo + rng.random(n) * np.maximum(hi - lo, 1e-9)
    day = np.clip(np.searchsorted(cum, u, side="right") - 1, 0, DAYS - 1)
    hp = hours / hours.sum()
    hour = rng.choice(24, size=n, p=hp)
    minute = rng.integers(0, 60, n)
    t = day * 1440 + hour * 60 + minute - np.round(tz * 60).astype(np.int64)
    # local days at the world's edges spill over; move them a day inwards rather than pile them up
    t = np.where(t < 0, t + 1440, t)
    t = np.where(t >= END, t - 1440, t)
    return np.clip(t, 0, END - 1)


def poisson_counts(
    rng: np.random.Generator, rate: np.ndarray, active_days: np.ndarray
) -> np.ndarray:
    return rng.poisson(np.maximum(rate, 0) * np.maximum(active_days, 0))


class Pool:
    """Posts others may retweet, reply to or quote, with a popularity weight each.

    Retweets concentrate on popular accounts (preferential attachment, Barabási
    & Albert 1999; Cha et al., ICWSM 2010), so a post's weight grows with its
    author's followers times a heavy-tailed virality draw.
    """

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.parts: list[dict[str, np.ndarray]] = []
        self.permanent: list[bool] = []
        self._cache: dict[str, np.ndarray] | None = None

    def add(self, b: PostBlock, weight: np.ndarray, permanent: bool = False) -> None:
        """Add posts; beyond ``cap`` the oldest non-permanent parts are dropped."""
        self.parts.append(
            {
                "tid": b.tweetid,
                "author": b.author,
                "t": b.t,
                "text": b.text,
                "hashtags": b.hashtags,
                "urls": b.urls,
                "lang": b.lang,
                "w": np.asarray(weight, float),
            }
        )
        self.permanent.append(permanent)
        self._cache = None
        total = sum(len(p["tid"]) for p in self.parts)
        i = 0
        while total > self.cap and i < len(self.parts) - 1:
            if self.permanent[i]:
                i += 1
                continue
            total -= len(self.parts[i]["tid"])
            del self.parts[i]
            del self.permanent[i]

    def arrays(self) -> dict[str, np.ndarray]:
        if self._cache is None:
            self._cache = {k: np.concatenate([p[k] for p in self.parts]) for k in self.parts[0]}
        return self._cache

    def sample(self, rng: np.random.Generator, n: int, boost: float = 1.0) -> np.ndarray:
        """Indices into :meth:`arrays`, drawn by popularity (``boost`` sharpens it)."""
        w = self.arrays()["w"] ** boost
        return rng.choice(len(w), size=n, p=w / w.sum())


def make_retweets(
    ids: np.ndarray,
    screen: np.ndarray,
    authors: np.ndarray,
    t: np.ndarray,
    client: np.ndarray,
    src: dict[str, np.ndarray],
    pick: np.ndarray,
) -> PostBlock:
    """Retweet rows of posts ``src[...][pick]``: ``RT @name: text``, entities copied."""
    ref_author = src["author"][pick]
    text = np.array(
        [f"RT @{screen[a]}: {x}" for a, x in zip(ref_author, src["text"][pick], strict=False)], dtype=object
    )
    return block(
        ids, authors, t, RETWEET, text,
        src["lang"][pick],
        client,
        ref_tid=src["tid"][pick],
        ref_author=ref_author,
        hashtags=src["hashtags"][pick],
        urls=src["urls"][pick],
    )


def as_source(b: PostBlock) -> dict[str, np.ndarray]:
    """The columns :func:`make_retweets` needs, from a block of originals."""
    return {
        "tid": b.tweetid,
        "author": b.author,
        "t": b.t,
        "text": b.text,
        "hashtags": b.hashtags,
        "urls": b.urls,
        "lang": b.lang,
    }


def concat(blocks: list[PostBlock]) -> PostBlock:
    blocks = [b for b in blocks if len(b)]
    if not blocks:
        return block(
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            0,
            np.zeros(0, object),
            np.zeros(0, object),
            np.zeros(0, object),
        )
    return PostBlock(
        **{k: np.concatenate([getattr(b, k) for b in blocks]) for k in blocks[0].__dict__}
    )


def lognormal_delay(
    rng: np.random.Generator, n: int, median_min: float, sigma: float, lo: int = 0
) -> np.ndarray:
    """Reaction delays in whole minutes (log-normal; Zhao et al.'s SEISMIC, KDD 2015, motivates the tail)."""
    return np.maximum(lo, np.round(rng.lognormal(np.log(median_min), sigma, n))).astype(np.int64)


def engagement(
    rng: np.random.Generator, followers: np.ndarray, scale: float = 0.02
) -> tuple[np.ndarray, np.ndarray]:
    """Like and retweet counts of originals, heavy-tailed in the author's followers."""
    mean = scale * np.power(np.maximum(followers, 0) + 1.0, 0.8)
    likes = rng.poisson(mean * rng.lognormal(0, 1.0, len(followers)))
    rts = rng.poisson(0.3 * mean * rng.lognormal(0, 1.0, len(followers)))
    return likes.astype(np.int64), rts.astype(np.int64)
