"""The news hard negatives: a breaking-news burst and benign feed bots.

- ``news_burst``: within an hour of a breaking story most of a crowd shares
  its URL — by retweet, by the share button's identical text, or in their own
  words (cascades: Vosoughi, Roy & Aral, *Science* 2018; such bursts are the
  co-URL false positives Pacheco et al., ICWSM 2021, warn about).
- ``news_bots``: automated accounts post every item of the feeds they follow
  after a fixed polling lag (Lokot & Diakopoulos, *Digital Journalism* 2016).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from infoops.simulate.accounts import IdAllocator
from infoops.simulate.config import DAYS, END
from infoops.simulate.posts import (
    ORIGINAL,
    PostBlock,
    as_source,
    block,
    concat,
    lognormal_delay,
    make_retweets,
)
from infoops.simulate.text import list_str, sentences

if TYPE_CHECKING:  # pragma: no cover
    from infoops.simulate.negatives import NegativePlan

HEADLINES = [
    "BREAKING: Major earthquake strikes off the coast, tsunami warning issued",
    "BREAKING: Central bank announces emergency rate cut",
    "BREAKING: Explosion reported near the main railway station",
    "BREAKING: Supreme Court issues landmark ruling",
    "BREAKING: Health ministry confirms first cases of new variant",
]
FEED_DOMAINS = ["reuters.com", "apnews.com", "bbc.co.uk", "aljazeera.com"]
BOT_CLIENTS = ["dlvr.it", "IFTTT", "Buffer", "twittbot.net"]


def news_burst_posts(
    rng: np.random.Generator,
    ids: IdAllocator,
    frame: pd.DataFrame,
    plan: NegativePlan,
    news: PostBlock,
) -> PostBlock:
    """Within an hour of each breaking story, most of the crowd shares its URL."""
    screen = frame["screen_name"].to_numpy()
    out = []
    breaking = news.keep(np.char.startswith(news.text.astype(str), "BREAKING"))
    src = as_source(breaking)
    for j in range(len(breaking)):
        who = plan.sharers[rng.random(len(plan.sharers)) < rng.uniform(0.5, 0.8)]
        fast = rng.random(len(who)) < 0.85
        delay = np.where(
            fast,
            np.minimum(59, np.round(rng.exponential(12, len(who)))),
            60 + lognormal_delay(rng, len(who), 240, 1.2),
        ).astype(np.int64)
        t = breaking.t[j] + delay
        ok = t < END
        who, t = who[ok], t[ok]
        mode = rng.choice(3, size=len(who), p=[0.45, 0.35, 0.20])
        m = mode == 0
        out.append(
            make_retweets(
                ids.take(int(m.sum())),
                screen,
                who[m],
                t[m],
                frame["client"].to_numpy()[who[m]],
                src,
                np.full(int(m.sum()), j),
            )
        )
        url = breaking.urls[j]
        headline = breaking.text[j]
        m = mode == 1  # share button: identical text for everyone
        text = np.full(int(m.sum()), f"{headline} via @{screen[breaking.author[j]]}", dtype=object)
        out.append(
            block(
                ids.take(len(text)),
                who[m],
                t[m],
                ORIGINAL,
                text,
                "en",
                frame["client"].to_numpy()[who[m]],
                urls=np.full(len(text), url, dtype=object),
            )
        )
        m = mode == 2  # own words
        own = sentences(rng, frame["lang"].to_numpy()[who[m]], max_words=10)
        link = headline.rsplit(" ", 1)[-1]
        text = np.array([f"{x} {link}" for x in own], dtype=object)
        out.append(
            block(
                ids.take(len(text)),
                who[m],
                t[m],
                ORIGINAL,
                text,
                np.array(
                    [x if x != "zh-tw" else "zh" for x in frame["lang"].to_numpy()[who[m]]],
                    dtype=object,
                ),
                frame["client"].to_numpy()[who[m]],
                urls=np.full(len(text), url, dtype=object),
            )
        )
    return concat(out)


def news_bot_posts(
    rng: np.random.Generator, ids: IdAllocator, frame: pd.DataFrame, plan: NegativePlan
) -> PostBlock:
    """Feed bots post each item of the feeds they follow after a fixed polling lag."""
    n_feeds = len(FEED_DOMAINS)
    items = []
    for k in range(n_feeds):
        per_day = rng.uniform(2, 5)
        n = int(rng.poisson(per_day * DAYS))
        t = np.sort(rng.integers(0, END - 60, n))
        words = sentences(
            rng, np.full(n, "en", dtype=object), min_words=6, max_words=12, hostile_p=0.0
        )
        urls = [f"https://{FEED_DOMAINS[k]}/news/{p:x}" for p in rng.integers(1 << 36, 1 << 44, n)]
        items.append((t, words, urls))
    out = []
    for bot in plan.bots:
        feeds = rng.choice(n_feeds, size=int(rng.integers(1, 3)), replace=False)
        lag = int(rng.integers(1, 16))
        for k in feeds:
            t, words, urls = items[k]
            tt = t + lag + rng.integers(0, 2, len(t))
            text = np.array([f"{w.capitalize()} {u}" for w, u in zip(words, urls, strict=False)], dtype=object)
            out.append(
                block(
                    ids.take(len(t)),
                    np.full(len(t), bot),
                    np.minimum(tt, END - 1),
                    ORIGINAL,
                    text,
                    "en",
                    np.full(len(t), frame["client"].iloc[bot], dtype=object),
                    urls=np.array([list_str([u]) for u in urls], dtype=object),
                )
            )
    return concat(out)
