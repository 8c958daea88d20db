"""The organic population: ordinary users and the popular accounts they retweet.

Activity and followers are heavy-tailed (log-normal; Cha et al., ICWSM 2010;
Kwak et al., WWW 2010), creation dates spread over 2007–2020 with the
platform's growth, content in nine languages and five scripts, daily rhythms
in local time, and a mix of originals, replies, quotes and retweets.
Popular accounts collect thousands of retweets within minutes to days, which
is why organic crowds co-retweet by chance.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import numpy as np
import pandas as pd

from infoops.simulate.accounts import CLIENTS, Accounts, IdAllocator, created_days, make_population
from infoops.simulate.config import DAYS, END
from infoops.simulate.posts import (
    ORGANIC_HOURS,
    ORIGINAL,
    QUOTE,
    REPLY,
    Pool,
    PostBlock,
    block,
    concat,
    day_weights,
    engagement,
    lognormal_delay,
    make_retweets,
    poisson_counts,
    sample_times,
)
from infoops.simulate.text import list_str, sentences

LANGS = ["en", "es", "ru", "tr", "zh", "zh-tw", "ja", "ko", "ar"]
LANG_P = [0.45, 0.12, 0.08, 0.07, 0.07, 0.04, 0.07, 0.05, 0.05]
HASHTAGS = [
    "COVID19", "StayHome", "coronavirus", "NBA", "music", "MondayMotivation", "BTS", "Oscars",
    "WorldCup", "ThrowbackThursday", "photography", "gaming", "news", "cuarentena", "карантин",
    "evdekal", "新冠肺炎", "香港", "台湾", "BlackLivesMatter", "Election2020", "travel", "food",
]
DOMAINS = [
    "youtube.com", "instagram.com", "bbc.co.uk", "nytimes.com", "reuters.com", "theguardian.com",
    "cnn.com", "elpais.com", "rbc.ru", "hurriyet.com.tr", "weibo.com", "nhk.or.jp",
    "aljazeera.net", "open.spotify.com", "twitch.tv", "scmp.com", "hongkongfp.com", "rt.com",
    "globaltimes.cn",
]
_DOMAIN_P = 1.0 / np.arange(1, len(DOMAINS) + 1) ** 0.9
_DOMAIN_P /= _DOMAIN_P.sum()
#: Followers above which an organic account's posts join the retweetable pool.
POOL_FOLLOWERS = 400
CHUNK = 4_000


class HasOrganicRate(Protocol):
    """World parameters that set the mean posting rate of ordinary users."""

    organic_rate: float


def add_organic(
    rng: np.random.Generator,
    accts: Accounts,
    n: int,
    params: HasOrganicRate,
    group: str = "organic",
    rate_scale: float = 1.0,
) -> np.ndarray:
    """Ordinary users: log-normal followers (some zero), creation years 2007–2020."""
    followers = rng.lognormal(4.6, 1.9, n).astype(np.int64)
    followers[rng.random(n) < 0.07] = 0
    created = created_days(rng, n, "2007-01-01", "2020-06-15", recent_bias=0.6)
    rate = params.organic_rate * rate_scale * rng.lognormal(0, 1.1, n) / np.exp(1.1**2 / 2)
    return accts.add(
        **make_population(
            rng,
            n,
            langs=LANGS,
            lang_p=LANG_P,
            group=group,
            followers=followers,
            created=created,
            rate=rate,
        )
    )


def add_celebrities(
    rng: np.random.Generator,
    accts: Accounts,
    n: int,
    group: str = "celebrity",
    langs: list[str] | None = None,
) -> np.ndarray:
    """Popular accounts (10^4–10^7 followers) that thousands retweet."""
    followers = rng.lognormal(11.5, 1.2, n).astype(np.int64) + 10_000
    created = created_days(rng, n, "2007-06-01", "2016-01-01")
    rate = rng.uniform(1.0, 5.0, n)
    return accts.add(
        **make_population(
            rng,
            n,
            langs=langs or LANGS,
            lang_p=None if langs else LANG_P,
            group=group,
            followers=followers,
            created=created,
            rate=rate,
            bio_empty_p=0.05,
        )
    )


def random_urls(
    rng: np.random.Generator,
    n: int,
    domains: list[str] | None = None,
    domain_p: np.ndarray | None = None,
) -> np.ndarray:
    doms = np.array(domains or DOMAINS, dtype=object)
    d = rng.choice(len(doms), size=n, p=domain_p if domains else _DOMAIN_P)
    paths = rng.integers(1 << 32, 1 << 44, n)
    return np.array([f"https://{doms[i]}/{p:x}" for i, p in zip(d, paths, strict=False)], dtype=object)


def entities(
    rng: np.random.Generator,
    n: int,
    p_tag: float = 0.15,
    p_url: float = 0.12,
    tags: list[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Hashtag and URL list-strings for ``n`` originals."""
    tags = tags or HASHTAGS
    has_tag = rng.random(n) < p_tag
    tag_i = rng.integers(0, len(tags), n)
    has_url = rng.random(n) < p_url
    urls = random_urls(rng, n)
    h = np.array([list_str([tags[j]]) if k else "[]" for k, j in zip(has_tag, tag_i, strict=False)], dtype=object)
    u = np.array([list_str([x]) if k else "[]" for k, x in zip(has_url, urls, strict=False)], dtype=object)
    return h, u


def clients_for(rng: np.random.Generator, primary: np.ndarray, p_other: float = 0.1) -> np.ndarray:
    """Each post uses the account's main client, sometimes another one."""
    out = primary.copy()
    other = rng.random(len(out)) < p_other
    out[other] = rng.choice(np.array(CLIENTS[:5], dtype=object), size=int(other.sum()))
    return out


def originals(
    rng: np.random.Generator,
    ids: IdAllocator,
    frame: pd.DataFrame,
    authors: np.ndarray,
    t: np.ndarray,
    p_tag: float = 0.15,
    p_url: float = 0.12,
) -> PostBlock:
    """Original posts in each author's language with organic wording."""
    langs = frame["lang"].to_numpy()[authors]
    text = sentences(rng, langs)
    h, u = entities(rng, len(authors), p_tag, p_url)
    likes, rts = engagement(rng, frame["followers"].to_numpy()[authors])
    return block(
        ids.take(len(authors)),
        authors, t, ORIGINAL, text,
        np.array([x if x != "zh-tw" else "zh" for x in langs], dtype=object),
        clients_for(rng, frame["client"].to_numpy()[authors]),
        hashtags=h,
        urls=u,
        likes=likes,
        retweets=rts,
    )


def celebrity_posts(
    rng: np.random.Generator, ids: IdAllocator, frame: pd.DataFrame, idx: np.ndarray
) -> PostBlock:
    """Originals of popular accounts on an organic rhythm."""
    n = poisson_counts(rng, frame["rate"].to_numpy()[idx], np.full(len(idx), DAYS))
    authors = np.repeat(idx, n)
    t = sample_times(
        rng,
        frame["tz"].to_numpy()[authors],
        np.zeros(len(authors), np.int64),
        np.full(len(authors), DAYS),
        day_weights(),
        ORGANIC_HOURS,
    )
    return originals(rng, ids, frame, authors, t, p_tag=0.25, p_url=0.2)


def pool_weight(rng: np.random.Generator, frame: pd.DataFrame, b: PostBlock) -> np.ndarray:
    """Popularity of posts: followers^0.6 times a heavy-tailed virality draw."""
    f = frame["followers"].to_numpy()[b.author].astype(float)
    return np.power(f + 1.0, 0.6) * rng.lognormal(0, 1.3, len(b))


def background(
    rng: np.random.Generator, ids: IdAllocator, frame: pd.DataFrame, idx: np.ndarray, pool: Pool
) -> Iterator[PostBlock]:
    """Everyday activity of the accounts ``idx`` in chunks: originals, then replies, quotes, retweets."""
    for s in range(0, len(idx), CHUNK):
        chunk = idx[s : s + CHUNK]
        yield from _background_chunk(rng, ids, frame, chunk, pool)


def _background_chunk(
    rng: np.random.Generator, ids: IdAllocator, frame: pd.DataFrame, chunk: np.ndarray, pool: Pool
) -> Iterator[PostBlock]:
    start = np.maximum(frame["created_day"].to_numpy()[chunk], 0)
    counts = poisson_counts(rng, frame["rate"].to_numpy()[chunk], DAYS - start)
    rt_share = rng.beta(2.0, 2.5, len(chunk))
    reply_share = (1 - rt_share) * rng.beta(2.0, 8.0, len(chunk))
    quote_share = (1 - rt_share) * 0.06
    authors = np.repeat(chunk, counts)
    pos = np.repeat(np.arange(len(chunk)), counts)
    u = rng.random(len(authors))
    c1 = rt_share[pos]
    c2 = c1 + reply_share[pos]
    c3 = c2 + quote_share[pos]
    is_orig = u >= c3
    # originals
    oa = authors[is_orig]
    ot = sample_times(
        rng,
        frame["tz"].to_numpy()[oa],
        start[pos[is_orig]],
        np.full(len(oa), DAYS),
        day_weights(),
        ORGANIC_HOURS,
    )
    orig = originals(rng, ids, frame, oa, ot)
    yield orig
    popular = frame["followers"].to_numpy()[orig.author] >= POOL_FOLLOWERS
    if popular.any():
        sub = orig.keep(popular)
        pool.add(sub, pool_weight(rng, frame, sub))
    # reactions: each picks a target by popularity, then reacts after a delay
    kinds = np.where(u < c1, 1, np.where(u < c2, REPLY, QUOTE))[~is_orig]
    ra = authors[~is_orig]
    if not len(ra):
        return
    src = pool.arrays()
    pick = pool.sample(rng, len(ra))
    delay = np.where(
        kinds == 1,
        lognormal_delay(rng, len(ra), 90, 1.7),
        lognormal_delay(rng, len(ra), 60, 1.5, lo=1),
    )
    t = src["t"][pick] + delay
    ok = (t < END) & (src["author"][pick] != ra) & (t >= start[pos[~is_orig]] * 1440)
    ra, kinds, pick, t = ra[ok], kinds[ok], pick[ok], t[ok]
    screen = frame["screen_name"].to_numpy()
    client = clients_for(rng, frame["client"].to_numpy()[ra])
    out = []
    m = kinds == 1
    out.append(make_retweets(ids.take(int(m.sum())), screen, ra[m], t[m], client[m], src, pick[m]))
    for kind in (REPLY, QUOTE):
        m = kinds == kind
        a = ra[m]
        langs = frame["lang"].to_numpy()[a]
        text = sentences(rng, langs, max_words=12)
        if kind == REPLY:
            text = np.array(
                [f"@{screen[x]} {y}" for x, y in zip(src["author"][pick[m]], text, strict=False)], dtype=object
            )
        likes, rts = engagement(rng, frame["followers"].to_numpy()[a], scale=0.005)
        out.append(
            block(
                ids.take(len(a)),
                a,
                t[m],
                kind,
                text,
                np.array([x if x != "zh-tw" else "zh" for x in langs], dtype=object),
                client[m],
                ref_tid=src["tid"][pick[m]],
                ref_author=src["author"][pick[m]],
                likes=likes,
                retweets=rts,
            )
        )
    yield concat(out)
