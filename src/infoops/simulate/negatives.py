"""Hard negatives: authentic crowds that act together and must not be flagged.

Each population produces the traces a naive coordination detector keys on —
fast co-retweets, shared URLs, shared hashtags, identical text, synchronized
schedules — for authentic reasons:

- ``fan_community``: fans retweet their idol within minutes of every post
  (fandom "streaming" practice; Malik & Haidar, 2020, on K-pop fan activism).
- ``activist_campaign``: established accounts push Hong Kong hashtags in
  Chinese and English in bursts around real 2020 events, with varied wording.
- ``news_burst``: thousands share one breaking-news URL within an hour, many
  with the share button's identical text (Vosoughi et al., *Science* 2018, on
  cascades; Pacheco et al. 2021 warn about such false positives).
- ``news_bots``: benign feed bots post the same headlines on a schedule.
- ``org_staff``: an organisation's staff retweet it quickly, every time.

The popular account at the centre of each (idol, outlet, organisation) belongs
to the same group, because a detector that flags the crowd tends to flag it
as its "core".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from infoops.simulate.accounts import Accounts, IdAllocator, created_days, make_population
from infoops.simulate.config import DAYS, END, WorldParams
from infoops.simulate.news import (
    BOT_CLIENTS,
    FEED_DOMAINS,
    HEADLINES,
    news_bot_posts,
    news_burst_posts,
)
from infoops.simulate.organic import LANG_P, LANGS, clients_for, originals, pool_weight
from infoops.simulate.posts import (
    OFFICE_HOURS,
    ORGANIC_HOURS,
    ORIGINAL,
    REPLY,
    Pool,
    PostBlock,
    as_source,
    block,
    concat,
    day_weights,
    lognormal_delay,
    make_retweets,
    poisson_counts,
    sample_times,
)
from infoops.simulate.text import (
    ACTIVIST_EN,
    ACTIVIST_HASHTAGS,
    ACTIVIST_ZH,
    EMOJI,
    list_str,
    sentences,
    topic_sentences,
)

IDOL_TAGS = ["StarlightComeback", "StreamNOVA", "AuroraDay", "ZENITH_1stWin", "HappyLunaDay"]
ORG_NAMES = ["Green Future Foundation", "OpenCity Lab", "Northwind Health", "BrightPath Schools"]


@dataclass
class NegativePlan:
    idols: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    fans: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    activists: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    leaders: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    outlets: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sharers: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    bots: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    orgs: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    staff: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    staff_org: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


def _n(params: WorldParams, key: str, minimum: int) -> int:
    return max(minimum, round(params.frac[key] * params.n_accounts))


def add_negatives(rng: np.random.Generator, accts: Accounts, params: WorldParams) -> NegativePlan:
    """Create the accounts of the five hard-negative groups."""
    plan = NegativePlan()
    r = params.organic_rate
    # fan community: one idol per ~400 fans
    n_fans = _n(params, "fan_community", 30)
    n_idols = 1 + n_fans // 400
    plan.idols = accts.add(
        **make_population(
            rng,
            n_idols,
            langs=["ko", "ja", "en", "es"],
            lang_p=None,
            group="fan_community",
            followers=rng.lognormal(13.5, 0.6, n_idols).astype(np.int64),
            created=created_days(rng, n_idols, "2012-01-01", "2017-01-01"),
            rate=rng.uniform(1.5, 3.0, n_idols),
            bio_empty_p=0.0,
        )
    )
    plan.fans = accts.add(
        **make_population(
            rng,
            n_fans,
            langs=["en", "es", "ko", "ja", "ar", "tr"],
            lang_p=[0.45, 0.15, 0.15, 0.1, 0.08, 0.07],
            group="fan_community",
            followers=rng.lognormal(5.6, 1.4, n_fans).astype(np.int64),
            created=created_days(rng, n_fans, "2011-01-01", "2019-12-01"),
            rate=r * 0.6,
        )
    )
    # activist campaign: established accounts, a few leaders with large followings
    n_act = _n(params, "activist_campaign", 25)
    followers = rng.lognormal(6.3, 1.4, n_act).astype(np.int64)
    n_lead = min(6, max(2, n_act // 40))
    followers[:n_lead] = rng.lognormal(10.5, 0.7, n_lead).astype(np.int64)
    plan.activists = accts.add(
        **make_population(
            rng,
            n_act,
            langs=["zh-tw", "en", "zh"],
            lang_p=[0.45, 0.45, 0.10],
            group="activist_campaign",
            followers=followers,
            created=created_days(rng, n_act, "2009-01-01", "2018-12-01"),
            rate=r * 0.7,
        )
    )
    plan.leaders = plan.activists[:n_lead]
    # news burst: one outlet per event, and the crowd that shares its story
    n_out = len(params.news_events)
    plan.outlets = accts.add(
        **make_population(
            rng,
            n_out,
            langs=["en"],
            lang_p=None,
            group="news_burst",
            followers=rng.lognormal(14.5, 0.4, n_out).astype(np.int64),
            created=created_days(rng, n_out, "2007-03-01", "2010-01-01"),
            rate=np.full(n_out, 8.0),
            bio_empty_p=0.0,
        )
    )
    n_share = _n(params, "news_burst", 80)
    f = rng.lognormal(4.6, 1.9, n_share).astype(np.int64)
    f[rng.random(n_share) < 0.07] = 0
    plan.sharers = accts.add(
        **make_population(
            rng,
            n_share,
            langs=LANGS,
            lang_p=LANG_P,
            group="news_burst",
            followers=f,
            created=created_days(rng, n_share, "2007-01-01", "2020-06-01", recent_bias=0.6),
            rate=r,
        )
    )
    # benign news-feed bots
    n_bots = _n(params, "news_bots", 4)
    plan.bots = accts.add(
        **make_population(
            rng,
            n_bots,
            langs=["en"],
            lang_p=None,
            group="news_bots",
            followers=rng.lognormal(6.5, 1.5, n_bots).astype(np.int64),
            created=created_days(rng, n_bots, "2010-01-01", "2018-01-01"),
            rate=0.0,
            clients=BOT_CLIENTS,
            bio_empty_p=0.0,
        )
    )
    # organisations and their staff
    n_staff = _n(params, "org_staff", 8)
    n_orgs = max(1, n_staff // 25)
    plan.orgs = accts.add(
        **make_population(
            rng,
            n_orgs,
            langs=["en"],
            lang_p=None,
            group="org_staff",
            followers=rng.lognormal(10.0, 0.8, n_orgs).astype(np.int64),
            created=created_days(rng, n_orgs, "2009-01-01", "2014-01-01"),
            rate=rng.uniform(0.6, 1.5, n_orgs),
            clients=["Twitter Web App", "Hootsuite Inc."],
            bio_empty_p=0.0,
        )
    )
    pop = make_population(
        rng,
        n_staff,
        langs=["en", "es"],
        lang_p=[0.8, 0.2],
        group="org_staff",
        followers=rng.lognormal(5.5, 1.2, n_staff).astype(np.int64),
        created=created_days(rng, n_staff, "2010-01-01", "2019-06-01"),
        rate=r * 0.5,
    )
    plan.staff_org = rng.integers(0, n_orgs, n_staff)
    pop["description"] = np.array(
        [
            f"{x} | {['Comms', 'Policy', 'Research', 'Events'][i % 4]} @ "
            f"{ORG_NAMES[o % len(ORG_NAMES)]}. Views my own"
            for i, (x, o) in enumerate(zip(pop["description"], plan.staff_org, strict=False))
        ],
        dtype=object,
    )
    plan.staff = accts.add(**pop)
    return plan


def hub_posts(
    rng: np.random.Generator,
    ids: IdAllocator,
    frame: pd.DataFrame,
    plan: NegativePlan,
    params: WorldParams,
    pool: Pool,
) -> tuple[PostBlock, PostBlock, PostBlock]:
    """Posts of the idols, organisations and outlets; they join the retweetable pool."""
    # idol posts: originals with fan hashtags, on an organic rhythm
    n = poisson_counts(rng, frame["rate"].to_numpy()[plan.idols], np.full(len(plan.idols), DAYS))
    a = np.repeat(plan.idols, n)
    t = sample_times(
        rng,
        frame["tz"].to_numpy()[a],
        np.zeros(len(a), np.int64),
        np.full(len(a), DAYS),
        day_weights(),
        ORGANIC_HOURS,
    )
    idol = originals(rng, ids, frame, a, t, p_tag=0.0, p_url=0.3)
    idol.hashtags = np.array(
        [list_str([IDOL_TAGS[(i + params.seed) % len(IDOL_TAGS)]]) for i in a], dtype=object
    )
    pool.add(idol, pool_weight(rng, frame, idol), permanent=True)
    # organisation posts: weekdays, office hours in the organisation's time zone
    n = poisson_counts(
        rng, frame["rate"].to_numpy()[plan.orgs], np.full(len(plan.orgs), DAYS * 5 / 7)
    )
    a = np.repeat(plan.orgs, n)
    t = sample_times(
        rng,
        frame["tz"].to_numpy()[a],
        np.zeros(len(a), np.int64),
        np.full(len(a), DAYS),
        day_weights(weekdays_only=0.95),
        OFFICE_HOURS,
    )
    org = originals(rng, ids, frame, a, t, p_tag=0.4, p_url=0.5)
    pool.add(org, pool_weight(rng, frame, org) * 0.3, permanent=True)
    # outlets: the breaking story at each event time, plus routine headlines
    news: list[PostBlock] = []
    for k, (outlet, day) in enumerate(zip(plan.outlets, params.news_events, strict=False)):
        k_posts = int(rng.poisson(frame["rate"].iloc[outlet] * DAYS))
        a = np.full(k_posts, outlet)
        t = sample_times(
            rng,
            frame["tz"].to_numpy()[a],
            np.zeros(k_posts, np.int64),
            np.full(k_posts, DAYS),
            day_weights(),
            ORGANIC_HOURS,
        )
        news.append(originals(rng, ids, frame, a, t, p_tag=0.1, p_url=0.9))
        tb = day * 1440 + int(rng.integers(0, 1440))
        headline = HEADLINES[(params.seed + k) % len(HEADLINES)]
        url = f"https://{FEED_DOMAINS[k % len(FEED_DOMAINS)]}/world/{int(rng.integers(1 << 40, 1 << 44)):x}"
        news.append(
            block(
                ids.take(1),
                np.array([outlet]),
                np.array([tb]),
                ORIGINAL,
                np.array([f"{headline} {url}"], dtype=object),
                "en",
                np.array(["TweetDeck"], dtype=object),
                urls=np.array([list_str([url])], dtype=object),
                likes=np.array([int(rng.integers(5000, 50000))]),
                retweets=np.array([int(rng.integers(5000, 50000))]),
            )
        )
    out = concat(news)
    if len(out):
        pool.add(out, pool_weight(rng, frame, out) * 0.5, permanent=True)
    return idol, org, out


def fan_posts(
    rng: np.random.Generator,
    ids: IdAllocator,
    frame: pd.DataFrame,
    plan: NegativePlan,
    idol: PostBlock,
    params: WorldParams,
) -> Iterator[PostBlock]:
    """Fans retweet (and reply to) their idol's posts within minutes, in batches of fans."""
    p = rng.beta(1.5, 3.0, len(plan.fans))
    out: list[PostBlock] = []
    screen = frame["screen_name"].to_numpy()
    src = as_source(idol)
    speed = rng.uniform(0.3, 1.0, len(plan.fans))  # some fans are always fastest
    stan = plan.idols[rng.integers(0, len(plan.idols), len(plan.fans))]  # each fan follows one idol
    for j, fan in enumerate(plan.fans):
        if len(out) >= 500:
            yield concat(out)
            out = []
        sel = np.flatnonzero((rng.random(len(idol)) < p[j]) & (idol.author == stan[j]))
        delay = 1 + np.minimum(
            59, np.round(rng.gamma(1.5, params.fan_delay_max_min / 3 * speed[j], len(sel)))
        )
        t = idol.t[sel] + delay.astype(np.int64)
        ok = t < END
        sel, t = sel[ok], t[ok]
        replies = rng.random(len(sel)) < 0.08
        rs, rt_ = sel[~replies], t[~replies]
        client = clients_for(rng, np.full(len(rs), frame["client"].iloc[fan], dtype=object))
        out.append(
            make_retweets(ids.take(len(rs)), screen, np.full(len(rs), fan), rt_, client, src, rs)
        )
        qs, qt = sel[replies], t[replies]
        if len(qs):
            text = sentences(
                rng, np.full(len(qs), frame["lang"].iloc[fan], dtype=object), max_words=8
            )
            text = np.array(
                [
                    f"@{screen[idol.author[i]]} {x} {EMOJI[i % len(EMOJI)]}"
                    for i, x in zip(qs, text, strict=False)
                ],
                dtype=object,
            )
            out.append(
                block(
                    ids.take(len(qs)),
                    np.full(len(qs), fan),
                    qt,
                    REPLY,
                    text,
                    np.full(len(qs), frame["lang"].iloc[fan], dtype=object).astype(object),
                    np.full(len(qs), frame["client"].iloc[fan], dtype=object),
                    ref_tid=idol.tweetid[qs],
                    ref_author=idol.author[qs],
                    hashtags=idol.hashtags[qs],
                )
            )
    yield concat(out)


def activist_posts(
    rng: np.random.Generator,
    ids: IdAllocator,
    frame: pd.DataFrame,
    plan: NegativePlan,
    params: WorldParams,
) -> Iterator[PostBlock]:
    """Bursts of varied hashtag posts around events, and retweets of the campaign's leaders."""
    acts = plan.activists
    lang = frame["lang"].to_numpy()[acts]
    out = []
    for day in params.activist_events:
        n = rng.poisson(rng.uniform(1.0, 4.0), len(acts))
        a = np.repeat(acts, n)
        la = np.repeat(lang, n)
        start = day * 1440 + int(rng.integers(2, 12)) * 60  # event afternoon/evening in Hong Kong
        t = start + np.round(rng.gamma(1.5, 150, len(a))).astype(np.int64)
        out.append(_campaign_originals(rng, ids, frame, a, la, t))
    # a low, steady campaign presence between events
    days = np.full(len(acts), DAYS)
    steady = np.where(np.isin(acts, plan.leaders), 0.4, 0.08)  # leaders post most days
    n = poisson_counts(rng, steady, days)
    a = np.repeat(acts, n)
    t = sample_times(
        rng,
        frame["tz"].to_numpy()[a],
        np.zeros(len(a), np.int64),
        np.full(len(a), DAYS),
        day_weights(),
        ORGANIC_HOURS,
    )
    out.append(_campaign_originals(rng, ids, frame, a, frame["lang"].to_numpy()[a], t))
    origs = concat(out)
    # activists retweet the leaders' campaign posts within minutes to hours
    yield origs
    lead = origs.keep(np.isin(origs.author, plan.leaders))
    src = as_source(lead)
    screen = frame["screen_name"].to_numpy()
    rts: list[PostBlock] = []
    p = rng.beta(2.0, 5.0, len(acts))  # how closely each activist follows the leaders
    for j in range(len(lead)):
        if len(rts) >= 200:
            yield concat(rts)
            rts = []
        who = acts[rng.random(len(acts)) < p]
        who = who[who != lead.author[j]]
        t = lead.t[j] + lognormal_delay(rng, len(who), 10, 1.3, lo=1)
        ok = t < END
        who, t = who[ok], t[ok]
        rts.append(
            make_retweets(
                ids.take(len(who)),
                screen,
                who,
                t,
                frame["client"].to_numpy()[who],
                src,
                np.full(len(who), j),
            )
        )
    yield concat(rts)


def _campaign_originals(
    rng: np.random.Generator,
    ids: IdAllocator,
    frame: pd.DataFrame,
    a: np.ndarray,
    la: np.ndarray,
    t: np.ndarray,
) -> PostBlock:
    n = len(a)
    zh = la != "en"
    text = np.empty(n, dtype=object)
    text[zh] = topic_sentences(rng, int(zh.sum()), ACTIVIST_ZH, "zh", 4, 12)
    text[~zh] = topic_sentences(rng, int((~zh).sum()), ACTIVIST_EN, "en", 6, 16)
    tags = rng.choice(len(ACTIVIST_HASHTAGS), size=(n, 2))
    two = rng.random(n) < 0.4
    hashtags = np.array(
        [list_str([ACTIVIST_HASHTAGS[x] for x in (r if k else r[:1])]) for r, k in zip(tags, two, strict=False)],
        dtype=object,
    )
    text = np.array(
        [
            x + "".join(f" #{ACTIVIST_HASHTAGS[j]}" for j in (r if k else r[:1]))
            for x, r, k in zip(text, tags, two, strict=False)
        ],
        dtype=object,
    )
    has_url = rng.random(n) < 0.25
    dom = np.array(
        ["hongkongfp.com", "scmp.com", "theguardian.com", "bbc.co.uk", "rthk.hk"], dtype=object
    )
    urls = np.array(
        [
            list_str([f"https://{dom[d]}/{p:x}"]) if k else "[]"
            for k, d, p in zip(
                has_url, rng.integers(0, len(dom), n), rng.integers(1 << 32, 1 << 40, n), strict=False
            )
        ],
        dtype=object,
    )
    return block(
        ids.take(n),
        a,
        np.minimum(t, END - 1),
        ORIGINAL,
        text,
        np.where(zh, "zh", "en").astype(object),
        clients_for(rng, frame["client"].to_numpy()[a]),
        hashtags=hashtags,
        urls=urls,
    )


def staff_posts(
    rng: np.random.Generator,
    ids: IdAllocator,
    frame: pd.DataFrame,
    plan: NegativePlan,
    org: PostBlock,
) -> PostBlock:
    """Staff retweet their organisation's posts within minutes, nearly every time."""
    screen = frame["screen_name"].to_numpy()
    src = as_source(org)
    out = []
    p = rng.uniform(0.6, 0.95, len(plan.staff))
    for j, s in enumerate(plan.staff):
        mine = np.flatnonzero(
            (org.author == plan.orgs[plan.staff_org[j]]) & (rng.random(len(org)) < p[j])
        )
        t = org.t[mine] + lognormal_delay(rng, len(mine), 4, 0.8, lo=1)
        ok = t < END
        mine, t = mine[ok], t[ok]
        out.append(
            make_retweets(
                ids.take(len(mine)),
                screen,
                np.full(len(mine), s),
                t,
                np.full(len(mine), frame["client"].iloc[s], dtype=object),
                src,
                mine,
            )
        )
    return concat(out)


def negative_posts(
    rng: np.random.Generator,
    ids: IdAllocator,
    frame: pd.DataFrame,
    plan: NegativePlan,
    params: WorldParams,
    pool: Pool,
    hubs: tuple[PostBlock, PostBlock, PostBlock],
) -> Iterator[PostBlock]:
    """All special posts of the hard negatives (their everyday posts come from the organic background)."""
    idol, org, news = hubs
    yield from fan_posts(rng, ids, frame, plan, idol, params)
    yield from activist_posts(rng, ids, frame, plan, params)
    yield news_burst_posts(rng, ids, frame, plan, news)
    yield news_bot_posts(rng, ids, frame, plan)
    yield staff_posts(rng, ids, frame, plan, org)
