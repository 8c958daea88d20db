"""Hard negatives of zoo worlds: authentic behaviour that looks coordinated.

- ``community`` — authentic communities with *internal hubs*: a fandom's idol
  and fan-site/update accounts, an activist group's organisers, a party's local
  branches. Members engage mostly with the hubs, so the hubs draw most of
  their engagement from inside the community (Malik & Haidar 2020 on K-pop
  fan activism; Keller et al., *Political Communication* 2020, on why such
  groups resemble astroturfing).
- ``org_staff`` — an organisation posts in office hours; its staff retweet it
  within minutes, nearly every time (employee advocacy).
- ``state_media`` — popular accounts (state broadcasters, officials) that
  operations retweet; they are targets, not members (Twitter labels state
  media and removed the fake networks around them, June 2020).
- ``same_stance`` — ordinary users who agree with an operation: they retweet
  a handful of its cores' posts within minutes and use its hashtags, among
  hundreds of posts about their own lives.
- ``hashtag_activists`` — authentic activists push the operation's hashtags in
  the same minutes as its campaigns.
- ``few_posts`` — accounts with one to five posts in the half-year.
- ``engaged_ordinary`` — ordinary users who answer an operation's leading
  questions and whom its members reply to (posts in :mod:`zoo_ops`).
- ``news_bots``, ``news_burst`` — as in the standard worlds (:mod:`news`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from infoops.simulate.accounts import Accounts, IdAllocator, created_days, make_population
from infoops.simulate.config import DAYS, END
from infoops.simulate.negatives import NegativePlan
from infoops.simulate.news import (
    BOT_CLIENTS,
    FEED_DOMAINS,
    HEADLINES,
    news_bot_posts,
    news_burst_posts,
)
from infoops.simulate.organic import LANG_P, LANGS, originals, pool_weight
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
from infoops.simulate.text import EMOJI, list_str, sentences
from infoops.simulate.zoo_ops import OP_TOPICS, ZooOp
from infoops.simulate.zoo_params import NegSpec, ZooParams

_COMMUNITY_TAGS = {
    "fandom": ["StreamNOVA", "AuroraDay", "ZENITH_1stWin", "HappyLunaDay", "StarlightComeback",
               "VOTE4ECHO", "BlueMoonTour"],
    "activists": ["ClimateStrike", "SaveTheRiver", "HousingForAll", "FreePress", "NoToCuts",
                  "CleanAirNow"],
    "party": ["VoteGreen", "LocalFirst", "TownHall", "CouncilElection", "CanvassWeekend",
              "OurDistrict"],
}
_COMMUNITY_LANGS = {
    "fandom": (["en", "es", "ko", "ja", "ar", "tr"], [0.45, 0.15, 0.15, 0.1, 0.08, 0.07]),
    "activists": (["en", "es", "ru", "tr", "zh-tw", "ar"], None),
    "party": (["en", "es", "ru", "tr", "ar"], None),
}
_STATE_DOMAINS = ["state-tv.example", "national-news.example", "official-daily.example"]


@dataclass
class ZooNeg:
    """Accounts of one hard-negative population."""

    spec: NegSpec
    hubs: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    members: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    everyday: bool = True  # members get the organic background
    lang: str = "en"


def _people(
    rng: np.random.Generator, n: int, group: str, langs: list[str], lang_p: list[float] | None,
    followers: np.ndarray, start: str = "2009-01-01", end: str = "2019-10-01", rate: float = 0.0,
    clients: list[str] | None = None,
) -> dict[str, np.ndarray]:
    return make_population(rng, n, langs=langs, lang_p=lang_p, group=group, followers=followers,
                           created=created_days(rng, n, start, end), rate=rate, clients=clients)


def _mostly(lang: str) -> tuple[list[str], list[float]]:
    """An operation's language for most accounts, English or another language for the rest."""
    other = "en" if lang != "en" else "es"
    return [lang, other], [0.75, 0.25]


def add_negative(
    rng: np.random.Generator, accts: Accounts, spec: NegSpec, params: ZooParams
) -> ZooNeg:
    """Accounts of one hard-negative population (hubs first, then members)."""
    g, n, r = spec.group, spec.n, params.organic_rate
    neg = ZooNeg(spec)
    if spec.kind == "community":
        langs, lang_p = _COMMUNITY_LANGS[spec.sub]
        if spec.sub != "fandom":
            langs, lang_p = [str(rng.choice(langs))], None
        neg.lang = langs[0]
        hub_f = {"fandom": (8.0, 1.2), "activists": (8.0, 1.0), "party": (7.0, 0.8)}[spec.sub]
        f = rng.lognormal(*hub_f, spec.hubs)
        if spec.sub == "fandom":
            f[0] = rng.lognormal(13.0, 0.6)  # the idol; the other hubs are fan sites
        neg.hubs = accts.add(**_people(rng, spec.hubs, g, langs, lang_p, f.astype(np.int64),
                                       "2010-01-01", "2018-01-01",
                                       rate=float(rng.uniform(0.5, 3.0))))
        neg.members = accts.add(**_people(
            rng, n, g, langs, lang_p, rng.lognormal(5.3, 1.4, n).astype(np.int64),
            rate=r * float(rng.uniform(0.5, 1.5))))
    elif spec.kind == "org_staff":
        neg.hubs = accts.add(**_people(
            rng, spec.hubs, g, ["en"], None, rng.lognormal(10, 0.8, spec.hubs).astype(np.int64),
            rate=float(rng.uniform(0.6, 1.5)), clients=["Twitter Web App", "Hootsuite Inc."]))
        neg.members = accts.add(**_people(rng, n, g, ["en", "es"], [0.8, 0.2],
                                          rng.lognormal(5.5, 1.2, n).astype(np.int64),
                                          rate=r * 0.6))
    elif spec.kind == "news_bots":
        neg.members = accts.add(**_people(rng, n, g, ["en"], None,
                                          rng.lognormal(6.5, 1.5, n).astype(np.int64),
                                          clients=BOT_CLIENTS))
        neg.everyday = False
    elif spec.kind == "news_burst":
        k = int(rng.integers(1, 4))
        neg.hubs = accts.add(**_people(rng, k, g, ["en"], None,
                                       rng.lognormal(14.0, 0.5, k).astype(np.int64),
                                       "2007-03-01", "2010-01-01", rate=6.0))
        f = rng.lognormal(4.6, 1.9, n).astype(np.int64)
        f[rng.random(n) < 0.07] = 0
        neg.members = accts.add(**_people(rng, n, g, LANGS, LANG_P, f, "2007-01-01",
                                          "2020-05-01", rate=r))
    elif spec.kind == "state_media":
        langs = [op.lang for op in params.ops for _ in range(op.targets)] or ["en"]
        neg.hubs = np.concatenate([
            accts.add(**_people(rng, 1, g, [langs[i % len(langs)]], None,
                                (rng.lognormal(12.5, 1.0, 1) + 50_000).astype(np.int64),
                                "2008-01-01", "2013-01-01", rate=float(rng.uniform(3, 10))))
            for i in range(n)
        ])
        neg.everyday = False
    elif spec.kind == "few_posts":
        f = rng.lognormal(2.5, 1.5, n).astype(np.int64)
        f[rng.random(n) < 0.3] = 0
        neg.members = accts.add(**_people(rng, n, g, LANGS, LANG_P, f, "2009-01-01", "2020-05-01"))
        neg.everyday = False
    else:  # same_stance, hashtag_activists, engaged_ordinary: people near an operation
        op = params.ops[spec.op]
        langs, lang_p = _mostly(op.lang)
        neg.lang = op.lang
        mu, scale = {"same_stance": (5.5, float(rng.uniform(2, 5))),
                     "hashtag_activists": (6.0, 1.0), "engaged_ordinary": (3.5, 1.0)}[spec.kind]
        f = rng.lognormal(mu, 1.5, n).astype(np.int64)
        f[rng.random(n) < 0.08] = 0
        neg.members = accts.add(**_people(rng, n, g, langs, lang_p, f, "2008-01-01",
                                          "2019-12-01", rate=r * scale))
    return neg


def hub_posts(
    rng: np.random.Generator, ids: IdAllocator, frame: pd.DataFrame, neg: ZooNeg, pool: Pool
) -> PostBlock:
    """Originals of the hubs (community hubs, organisations, state media, outlets); they join the pool."""
    if not len(neg.hubs):
        return concat([])
    kind = neg.spec.sub or neg.spec.kind
    office = kind in ("party", "org_staff")
    rate = frame["rate"].to_numpy()[neg.hubs]
    n = poisson_counts(rng, rate, np.full(len(neg.hubs), DAYS))
    a = np.repeat(neg.hubs, n)
    t = sample_times(rng, frame["tz"].to_numpy()[a], np.zeros(len(a), np.int64),
                     np.full(len(a), DAYS), day_weights(weekdays_only=0.95 if office else 0.0),
                     OFFICE_HOURS if office else ORGANIC_HOURS)
    p_url = {"state_media": 0.8, "news_burst": 0.9}.get(kind, 0.4)
    b = originals(rng, ids, frame, a, t, p_tag=0.0, p_url=p_url)
    tags = _COMMUNITY_TAGS.get(kind)
    if tags:
        tag = tags[int(rng.integers(0, len(tags)))]
        has = rng.random(len(b)) < 0.6
        b.hashtags = np.where(has, list_str([tag]), "[]").astype(object)
        b.text = np.array([f"{x} #{tag}" if h else x for x, h in zip(b.text, has, strict=False)], dtype=object)
    if kind == "state_media":
        dom = _STATE_DOMAINS[int(rng.integers(0, len(_STATE_DOMAINS)))]
        urls = [f"https://{dom}/{p:x}" for p in rng.integers(1 << 32, 1 << 40, len(b))]
        b.urls = np.array([list_str([u]) for u in urls], dtype=object)
        b.text = np.array([f"{x} {u}" for x, u in zip(b.text, urls, strict=False)], dtype=object)
    weight = {"state_media": 1.0, "news_burst": 0.5}.get(kind, 0.15)
    if len(b):
        pool.add(b, pool_weight(rng, frame, b) * weight, permanent=True)
    return b


def follower_posts(
    rng: np.random.Generator, ids: IdAllocator, frame: pd.DataFrame, neg: ZooNeg, hubs: PostBlock
) -> Iterator[PostBlock]:
    """Members retweet (sometimes reply to) their hubs' posts; fan sites retweet the idol fast."""
    if not len(hubs) or not len(neg.members):
        return
    s = neg.spec
    screen = frame["screen_name"].to_numpy()
    lang = frame["lang"].to_numpy()
    src = as_source(hubs)
    hub_w = np.ones(len(neg.hubs))
    if s.sub == "fandom":
        hub_w[1:] = 0.5
    # how engaged each member is (mean p_engage); staff work for one organisation and retweet
    # that share of its posts; community members follow some hubs and engage with about
    # engagement × K of their posts in the half-year (K drawn per community)
    eng = rng.beta(2.0, 2.0 * (1 - s.p_engage) / max(s.p_engage, 1e-3) + 0.1, len(neg.members))
    hub_of_post = np.searchsorted(neg.hubs, hubs.author)
    if s.kind == "org_staff":
        follows = np.eye(len(neg.hubs), dtype=bool)[rng.integers(0, len(neg.hubs), len(neg.members))]
        budget = None
    else:
        follows = rng.random((len(neg.members), len(neg.hubs))) < 0.5
        follows[:, 0] = True
        budget = eng * (rng.uniform(40, 250) if s.sub == "fandom" else rng.uniform(20, 150))
    out: list[PostBlock] = []
    for j, m in enumerate(neg.members):
        if len(out) >= 400:
            yield concat(out)
            out = []
        w = (hub_w * follows[j])[hub_of_post]
        if budget is None:
            prob = eng[j] * w
        else:
            prob = np.minimum(0.95, budget[j] * w / max(float(w.sum()), 1e-9))
        sel = np.flatnonzero(rng.random(len(hubs)) < prob)
        t = hubs.t[sel] + lognormal_delay(rng, len(sel), s.delay_median, 1.2, lo=1)
        ok = t < END
        sel, t = sel[ok], t[ok]
        rep = rng.random(len(sel)) < 0.08
        who = np.full(int((~rep).sum()), m)
        out.append(make_retweets(ids.take(len(who)), screen, who, t[~rep],
                                 np.full(len(who), frame["client"].iloc[m], dtype=object), src,
                                 sel[~rep]))
        k = int(rep.sum())
        if k:
            text = sentences(rng, np.full(k, lang[m], dtype=object), max_words=8)
            text = np.array([f"@{screen[hubs.author[i]]} {x} {EMOJI[i % len(EMOJI)]}"
                             for i, x in zip(sel[rep], text, strict=False)], dtype=object)
            out.append(block(ids.take(k), np.full(k, m), t[rep], REPLY, text,
                             "zh" if lang[m] == "zh-tw" else lang[m],
                             np.full(k, frame["client"].iloc[m], dtype=object),
                             ref_tid=hubs.tweetid[sel[rep]], ref_author=hubs.author[sel[rep]]))
    if s.sub == "fandom" and len(neg.hubs) > 1:
        idol = np.flatnonzero(hubs.author == neg.hubs[0])
        for site in neg.hubs[1:]:
            sel = idol[rng.random(len(idol)) < rng.uniform(0.6, 0.95)]
            t = hubs.t[sel] + lognormal_delay(rng, len(sel), 2, 0.8, lo=1)
            ok = t < END
            out.append(make_retweets(ids.take(int(ok.sum())), screen, np.full(int(ok.sum()), site),
                                     t[ok], np.full(int(ok.sum()), frame["client"].iloc[site],
                                                    dtype=object), src, sel[ok]))
    yield concat(out)


def same_stance_posts(
    rng: np.random.Generator, ids: IdAllocator, frame: pd.DataFrame, neg: ZooNeg, op: ZooOp,
    cores: PostBlock,
) -> PostBlock:
    """A handful of retweets of the operation's cores within minutes, and posts with its hashtags."""
    s = neg.spec
    out = []
    if len(cores):
        k = rng.poisson(rng.uniform(2, 15), len(neg.members))
        who = np.repeat(neg.members, k)
        pick = rng.integers(0, len(cores), len(who))
        t = cores.t[pick] + lognormal_delay(rng, len(who), s.delay_median, 1.3, lo=1)
        ok = t < END
        who, pick, t = who[ok], pick[ok], t[ok]
        out.append(make_retweets(ids.take(len(who)), frame["screen_name"].to_numpy(), who, t,
                                 frame["client"].to_numpy()[who], as_source(cores), pick))
    out.append(_tagged(rng, ids, frame, neg, op, rng.poisson(rng.uniform(2, 10), len(neg.members)),
                       None))
    return concat(out)


def _tagged(
    rng: np.random.Generator, ids: IdAllocator, frame: pd.DataFrame, neg: ZooNeg, op: ZooOp,
    counts: np.ndarray, t: np.ndarray | None,
) -> PostBlock:
    """Own-worded posts carrying one of the operation's hashtags (at ``t``, or at organic times)."""
    tags = op.spec.hashtags or ["news"]
    a = np.repeat(neg.members, counts)
    if t is None:
        t = sample_times(rng, frame["tz"].to_numpy()[a], np.zeros(len(a), np.int64),
                         np.full(len(a), DAYS), day_weights(), ORGANIC_HOURS)
    lang = frame["lang"].to_numpy()[a]
    words = [w for ws in OP_TOPICS[op.spec.lang] for w in ws]
    # their own words, with the cause's vocabulary mixed in (not the operation's narrow script)
    text = sentences(rng, lang, vocab_extra={op.spec.lang: words}, max_words=14)
    tag = rng.integers(0, len(tags), len(a))
    text = np.array([f"{x} #{tags[k]}" for x, k in zip(text, tag, strict=False)], dtype=object)
    return block(ids.take(len(a)), a, np.clip(t, 0, END - 1), ORIGINAL, text,
                 np.array(["zh" if x == "zh-tw" else x for x in lang], dtype=object),
                 frame["client"].to_numpy()[a],
                 hashtags=np.array([list_str([tags[k]]) for k in tag], dtype=object))


def activist_posts(
    rng: np.random.Generator, ids: IdAllocator, frame: pd.DataFrame, neg: ZooNeg, op: ZooOp,
    cores: PostBlock, moments: np.ndarray,
) -> PostBlock:
    """Activists post the operation's hashtags within minutes of its campaigns (or tagged posts)."""
    s = neg.spec
    if not len(moments):
        tagged = cores.t[cores.hashtags != "[]"]
        moments = rng.choice(tagged, size=min(len(tagged), int(rng.integers(5, 16))),
                             replace=False) if len(tagged) else np.zeros(0, np.int64)
    out = []
    for t0 in moments:
        join = (rng.random(len(neg.members)) < s.p_engage).astype(np.int64)
        t = t0 + lognormal_delay(rng, int(join.sum()), s.delay_median, 1.0, lo=1)
        out.append(_tagged(rng, ids, frame, neg, op, join, t))
    return concat(out)


def few_posts(
    rng: np.random.Generator, ids: IdAllocator, frame: pd.DataFrame, neg: ZooNeg, pool: Pool
) -> PostBlock:
    """One to five posts each: retweets of popular posts (state media included) and originals."""
    k = rng.integers(1, 6, len(neg.members))
    a = np.repeat(neg.members, k)
    rt = rng.random(len(a)) < 0.6
    src = pool.arrays()
    pick = pool.sample(rng, int(rt.sum()))
    t = src["t"][pick] + lognormal_delay(rng, len(pick), 45, 1.8)
    ra = a[rt]
    ok = t < END
    rts = make_retweets(ids.take(int(ok.sum())), frame["screen_name"].to_numpy(), ra[ok], t[ok],
                        frame["client"].to_numpy()[ra[ok]], src, pick[ok])
    oa = a[~rt]
    ot = sample_times(rng, frame["tz"].to_numpy()[oa], np.zeros(len(oa), np.int64),
                      np.full(len(oa), DAYS), day_weights(), ORGANIC_HOURS)
    return concat([rts, originals(rng, ids, frame, oa, ot)])


def news_posts(
    rng: np.random.Generator, ids: IdAllocator, frame: pd.DataFrame, neg: ZooNeg, hubs: PostBlock,
    seed: int,
) -> PostBlock:
    """Feed bots' items, or a breaking story per outlet shared by the crowd within the hour."""
    if neg.spec.kind == "news_bots":
        return news_bot_posts(rng, ids, frame, NegativePlan(bots=neg.members))
    news = []
    for k, outlet in enumerate(neg.hubs):
        tb = int(rng.integers(20, DAYS - 5)) * 1440 + int(rng.integers(0, 1440))
        url = f"https://{FEED_DOMAINS[k % len(FEED_DOMAINS)]}/world/{int(rng.integers(1 << 40, 1 << 44)):x}"
        news.append(block(ids.take(1), np.array([outlet]), np.array([tb]), ORIGINAL,
                          np.array([f"{HEADLINES[(seed + k) % len(HEADLINES)]} {url}"], dtype=object),
                          "en", np.array(["TweetDeck"], dtype=object),
                          urls=np.array([list_str([url])], dtype=object)))
    breaking = concat(news)
    crowd = news_burst_posts(rng, ids, frame, NegativePlan(sharers=neg.members), breaking)
    return concat([breaking, crowd])
