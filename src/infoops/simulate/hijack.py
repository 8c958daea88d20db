"""Hijacked, bought or compromised accounts: an earlier life, a gap, a new owner.

ASPI (*Retweeting through the great firewall*, 2020) and the Stanford Internet
Observatory found old accounts in the June 2020 PRC and Turkey sets that had
tweeted for years in other languages, fell silent, and came back under a new
name, on another client, in Chinese or Turkish — sometimes with a bare "test"
post first. This module builds those accounts' profiles, their earlier posts
and the profile changes at takeover.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from infoops.simulate.accounts import (
    COMMON_CLIENTS,
    TIMEZONES,
    IdAllocator,
    created_days,
    display_names,
    make_population,
    screen_names,
)
from infoops.simulate.config import DAYS, WorldParams
from infoops.simulate.posts import (
    ORGANIC_HOURS,
    ORIGINAL,
    PostBlock,
    block,
    concat,
    day_weights,
    sample_times,
)
from infoops.simulate.text import sentences

OLD_LANGS = ["en", "es", "ar", "ko", "ja"]


@dataclass
class Hijack:
    """Old accounts taken over: earlier life, gap, profile change, client switch."""

    idx: np.ndarray
    old_lang: np.ndarray
    old_client: np.ndarray
    old_end_day: np.ndarray
    takeover_day: np.ndarray
    old_screen: np.ndarray
    old_display: np.ndarray
    old_description: np.ndarray


def hijackable(
    rng: np.random.Generator, n: int, params: WorldParams, op: str, role: str, group: str, lang: str
) -> dict[str, np.ndarray]:
    """Profiles of old accounts (created 2009–2016) now speaking ``lang``."""
    pop = make_population(
        rng,
        n,
        langs=[lang],
        lang_p=None,
        group=group,
        operation=op,
        role=role,
        followers=rng.lognormal(4.0, 1.6, n).astype(np.int64),
        created=created_days(rng, n, "2009-01-01", "2016-12-31"),
        rate=0.0,
        clients=COMMON_CLIENTS,
        bio_empty_p=0.6,
    )
    return pop


def make_hijack(
    rng: np.random.Generator,
    idx: np.ndarray,
    frame_cols: dict[str, np.ndarray],
    takeover_lo: int,
    takeover_hi: int,
) -> Hijack:
    n = len(idx)
    old_lang = rng.choice(np.array(OLD_LANGS, dtype=object), size=n)
    old_end = rng.integers(15, max(16, takeover_lo - 20), n)
    takeover = np.maximum(
        old_end + rng.integers(20, 60, n), rng.integers(takeover_lo, takeover_hi, n)
    )
    takeover = np.minimum(takeover, DAYS - 10)
    new_client = frame_cols["client"]
    old_client = np.array(
        [
            COMMON_CLIENTS[(COMMON_CLIENTS.index(c) + 1 + int(k)) % len(COMMON_CLIENTS)]
            for c, k in zip(new_client, rng.integers(0, 3, n), strict=False)
        ],
        dtype=object,
    )
    return Hijack(
        idx=idx,
        old_lang=old_lang,
        old_client=old_client,
        old_end_day=old_end,
        takeover_day=takeover,
        old_screen=screen_names(rng, n),
        old_display=display_names(rng, old_lang),
        old_description=np.where(rng.random(n) < 0.5, "", "just living life ✨").astype(object),
    )


def hijack_life(
    rng: np.random.Generator,
    ids: IdAllocator,
    frame: pd.DataFrame,
    h: Hijack,
) -> tuple[PostBlock, list[tuple[int, int, str, str, str]]]:
    """The earlier life of hijacked accounts and the profile change at takeover."""
    n = np.maximum(0, rng.poisson(0.4 * h.old_end_day))
    a = np.repeat(h.idx, n)
    pos = np.repeat(np.arange(len(h.idx)), n)
    tz = np.array([TIMEZONES[x][0] for x in h.old_lang[pos]], dtype=float)
    t = sample_times(
        rng, tz, np.zeros(len(a), np.int64), h.old_end_day[pos], day_weights(), ORGANIC_HOURS
    )
    text = sentences(rng, h.old_lang[pos])
    posts = block(ids.take(len(a)), a, t, ORIGINAL, text, h.old_lang[pos], h.old_client[pos])
    changes: list[tuple[int, int, str, str, str]] = []
    minutes = h.takeover_day * 1440 - rng.integers(60, 2 * 1440, len(h.idx))
    for i, acc in enumerate(h.idx):
        m = int(minutes[i])
        changes.append(
            (int(acc), m, "screen_name", h.old_screen[i], frame["screen_name"].iloc[acc])
        )
        changes.append(
            (int(acc), m, "display_name", h.old_display[i], frame["display_name"].iloc[acc])
        )
        if h.old_description[i] != frame["description"].iloc[acc]:
            changes.append(
                (int(acc), m, "description", h.old_description[i], frame["description"].iloc[acc])
            )
        changes.append(
            (int(acc), m, "language", h.old_lang[i], frame["account_language"].iloc[acc])
        )
    # the first post after takeover is often a bare test message
    first = h.idx[rng.random(len(h.idx)) < 0.5]
    ft = np.asarray(
        h.takeover_day[np.isin(h.idx, first)] * 1440 + rng.integers(60, 600, len(first))
    )
    test = block(
        ids.take(len(first)),
        first,
        ft,
        ORIGINAL,
        np.array(["测试" if x % 2 else "test" for x in range(len(first))], dtype=object),
        np.array(["zh" if x % 2 else "en" for x in range(len(first))], dtype=object),
        frame["client"].to_numpy()[first],
    )
    return concat([posts, test]), changes
