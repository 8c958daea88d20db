"""Operations of zoo worlds: accounts and posts of one :class:`OpSpec`.

One generator covers every archetype; the spec switches its parts on and
off and sets their numbers, so traits combine freely:

- *copypasta and amplification* (Twitter Safety, 11 June 2020; SIO,
  *Sockpuppets Spin COVID Yarns*; ASPI, *Retweeting through the Great
  Firewall*, 2020): cores post near-duplicate messages, amplifiers retweet
  them after a log-normal delay whose median is drawn from 1–30 minutes
  (slow amplification: Pacheco et al., ICWSM 2021, use windows up to 30 min);
- *quiet amplifiers*: burst-created, mostly zero-follower accounts with only
  1–5 retweets of the cores in the whole half-year (most of the 2020 PRC
  amplifiers had almost no activity; ASPI 2020);
- *established personas* (Linvill & Warren, *Political Communication* 2020,
  on the IRA's long-lived "right troll" / "left troll" personas): old
  accounts whose follower counts follow the NBC IRA sample, no creation
  bursts, mostly their own posts plus some coordinated retweets and hashtags;
- *conversing with ordinary users* (SIO on the June 2020 Russia set: leading
  questions that pushed followers to pro-government replies): questions
  answered by members *and* ordinary users; members reply to ordinary users'
  posts and get answers back;
- *link drops* (cross-posting the same link in small groups; SIO on the
  "Current Policy" network; Giglietto et al. 2020 on coordinated link sharing);
- *hashtag campaigns* (Turkey-like rings; Keller et al., *Political
  Communication* 2020, on astroturfing campaigns pushing hashtags in bursts);
- *amplifying state media / popular accounts* (the operation retweets them,
  the targets are not members; Twitter labels state media and removed the
  network around it);
- hijacked or bought old accounts (ASPI 2020; reuses :mod:`hijack`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from infoops.simulate.accounts import (
    COMMON_CLIENTS,
    Accounts,
    IdAllocator,
    burst_days,
    created_days,
    make_population,
)
from infoops.simulate.config import DAYS, END, day_of
from infoops.simulate.hijack import Hijack, make_hijack
from infoops.simulate.organic import clients_for, originals, random_urls
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
    PRC_TOPICS,
    RUSSIA_ANSWERS,
    RUSSIA_QUESTIONS_EN,
    RUSSIA_QUESTIONS_RU,
    RUSSIA_SUBJECTS,
    TURKEY_SLOGANS,
    base_messages,
    list_str,
    mutate,
    sentences,
    topic_sentences,
)
from infoops.simulate.zoo_params import OpSpec

#: Follower quantiles (5, 10, 25, 50, 75, 90, 95, 99 %) of the 454 IRA accounts NBC News
#: reconstructed (shared/data/nbc_ira/users.csv): established personas had ordinary,
#: often large, followings — 0.3 % with none.
IRA_FOLLOWER_Q = np.array([26, 82, 674, 1468, 2823, 15904, 20247, 60897], dtype=float)
_Q_LEVELS = np.array([0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99])

#: Topic words per operation language (zh reuses the PRC topics; others are political vocabularies).
OP_TOPICS: dict[str, list[list[str]]] = {
    "zh": PRC_TOPICS,
    "tr": [TURKEY_SLOGANS],
    "ru": [["Запад", "санкции", "НАТО", "правда", "ложь", "СМИ", "народ", "страна", "враги",
            "победа", "выборы", "провокация", "биолаборатории", "мир", "защита", "Россия"]],
    "en": [["truth", "media", "lies", "West", "sanctions", "NATO", "pipeline", "elites",
            "sovereignty", "cover-up", "labs", "protests", "funding", "war", "people", "why"]],
    "es": [["soberanía", "pueblo", "injerencia", "imperio", "mentiras", "medios", "verdad",
            "patria", "golpe", "sanciones", "dignidad", "gobierno", "elecciones", "bloqueo"]],
    "ar": [["السيادة", "الشعب", "التدخل", "الأكاذيب", "الإعلام", "الحقيقة", "الوطن",
            "العقوبات", "الكرامة", "الحكومة", "الانتخابات", "الغرب"]],
}
_DOMAIN_WORDS = ["insight", "daily", "observer", "wire", "voice", "news", "patriot", "truth",
                 "review", "today", "front", "pulse"]


def persona_followers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Follower counts drawn from the IRA sample's quantile function (log-linear between quantiles)."""
    u = rng.uniform(0.03, 0.995, n)
    logq = np.log(IRA_FOLLOWER_Q + 1.0)
    lo_slope = (logq[1] - logq[0]) / (_Q_LEVELS[1] - _Q_LEVELS[0])
    v = np.interp(u, _Q_LEVELS, logq, left=np.nan, right=np.nan)
    low = u < _Q_LEVELS[0]
    v[low] = logq[0] - lo_slope * (_Q_LEVELS[0] - u[low])
    high = u > _Q_LEVELS[-1]
    v[high] = logq[-1] + 20 * (u[high] - _Q_LEVELS[-1])
    return np.maximum(0, np.round(np.exp(v) - 1)).astype(np.int64)


@dataclass
class ZooOp:
    """Account indices of one operation and what its posts need."""

    spec: OpSpec
    core: np.ndarray
    amp: np.ndarray
    quiet: np.ndarray
    active: dict[int, int]
    hijack: Hijack | None
    domains: list[str]

    def members(self) -> np.ndarray:
        return np.concatenate([self.core, self.amp])

    def active_of(self, idx: np.ndarray) -> np.ndarray:
        return np.array([self.active[int(a)] for a in idx], dtype=np.int64)


def add_op(rng: np.random.Generator, accts: Accounts, spec: OpSpec) -> ZooOp:
    """Accounts of one operation: established personas, burst-created accounts, hijacked ones."""
    n_core = max(2, round(spec.core_share * spec.n))
    n_amp = max(1, spec.n - n_core)
    n_hij = round(spec.hijacked_share * spec.n)
    hij_core = min(n_core - 1, round(n_hij * n_core / spec.n))
    hij_amp = min(n_amp, n_hij - hij_core)
    langs = [spec.lang] if spec.lang not in ("ru", "ar", "es") else [spec.lang, "en"]
    lang_p = None if len(langs) == 1 else [0.7, 0.3]
    start = spec.start_day
    bursts = [
        f"2019-{int(m):02d}-{int(rng.integers(1, 25)):02d}"
        for m in rng.choice(range(3, 13), int(rng.integers(1, 4)), replace=False)
    ]
    width = int(rng.integers(3, 11))

    def pop(k: int, role: str, kind: str) -> dict[str, np.ndarray]:
        if kind == "established":
            followers = persona_followers(rng, k)
            created = created_days(rng, k, "2008-06-01", "2018-12-31")
            clients, bio = None, 0.2
        else:
            zero = spec.zero_share if kind == "new" else max(spec.zero_share, 0.85)
            mu = 3.0 if role == "core" else 1.5
            followers = np.where(rng.random(k) < zero, 0, rng.lognormal(mu, 1.3, k))
            created = burst_days(rng, k, bursts, width=width)
            clients, bio = COMMON_CLIENTS, (0.5 if role == "core" else 0.8)
        p = make_population(
            rng, k, langs=langs, lang_p=lang_p, group=f"{spec.name}_{role}",
            operation=spec.name, role=role, followers=followers, created=created,
            rate=spec.cover_rate if kind == "established" else 0.0, clients=clients,
            bio_empty_p=bio,
        )
        if kind != "established":
            p["rate"] = np.full(k, spec.cover_rate * 0.3)
        p["tz"] = np.where(rng.random(k) < 0.85, spec.tz, p["tz"])
        return p

    kind = "established" if spec.established else "new"
    n_quiet = round(spec.quiet_share * (n_amp - hij_amp))
    core_p = pop(n_core - hij_core, "core", kind)
    core = accts.add(**core_p)
    amp_p = pop(n_amp - hij_amp - n_quiet, "amplifier", kind)
    amp = accts.add(**amp_p)
    quiet_p = pop(n_quiet, "amplifier", "quiet")
    quiet_p["rate"] = np.zeros(n_quiet)
    quiet = accts.add(**quiet_p)
    active: dict[int, int] = {}
    for idx, p in ((core, core_p), (amp, amp_p), (quiet, quiet_p)):
        first = np.maximum(p["created_day"] + rng.integers(1, 10, len(idx)), start)
        if kind == "established":
            first = start + rng.integers(0, 10, len(idx))
        for a, d in zip(idx, first, strict=False):
            active[int(a)] = int(min(d, DAYS - 20))
    hijack = None
    if hij_core + hij_amp:
        hp = pop(hij_core + hij_amp, "amplifier", "established")
        hp["followers"] = rng.lognormal(4.0, 1.6, len(hp["followers"])).astype(np.int64)
        hp["created_day"] = created_days(rng, hij_core + hij_amp, "2009-01-01", "2016-12-31")
        hp["group"] = np.full(hij_core + hij_amp, f"{spec.name}_hijacked", dtype=object)
        hp["role"][:hij_core] = "core"
        hp["rate"] = np.full(hij_core + hij_amp, spec.cover_rate * 0.3)
        hp["client"] = rng.choice(np.array(COMMON_CLIENTS, dtype=object), hij_core + hij_amp)
        hij = accts.add(**hp)
        lo = max(start, day_of("2020-02-01"))
        hijack = make_hijack(rng, hij, {"client": hp["client"]}, lo, min(DAYS - 30, lo + 45))
        for a, d in zip(hij, hijack.takeover_day, strict=False):
            active[int(a)] = int(d)
        core = np.concatenate([core, hij[:hij_core]])
        amp = np.concatenate([amp, hij[hij_core:]])
    domains = [
        f"{_DOMAIN_WORDS[int(a)]}-{_DOMAIN_WORDS[int(b)]}.{['com', 'net', 'org', 'info'][int(c)]}"
        for a, b, c in zip(rng.integers(0, 12, 3), rng.integers(0, 12, 3), rng.integers(0, 4, 3), strict=False)
    ]
    return ZooOp(spec, core, np.concatenate([amp, quiet]), quiet, active, hijack, domains)


def _times(
    rng: np.random.Generator, tz: np.ndarray, start: np.ndarray, hours: np.ndarray, wd: float
) -> np.ndarray:
    return sample_times(rng, tz, start, np.full(len(tz), DAYS), day_weights(weekdays_only=wd), hours)


def _with_tags(
    rng: np.random.Generator, text: np.ndarray, tags: list[str], p: float
) -> tuple[np.ndarray, np.ndarray]:
    has = rng.random(len(text)) < p
    pick = rng.integers(0, max(1, len(tags)), len(text))
    if not tags:
        has[:] = False
    out = np.array([f"{x} #{tags[j]}" if h else x for x, h, j in zip(text, has, pick, strict=False)], dtype=object)
    hashtags = np.array([list_str([tags[j]]) if h else "[]" for h, j in zip(has, pick, strict=False)], dtype=object)
    return out, hashtags


def _tlang(lang: str) -> str:
    return "zh" if lang == "zh-tw" else lang


def core_posts(
    rng: np.random.Generator, ids: IdAllocator, frame: pd.DataFrame, op: ZooOp
) -> PostBlock:
    """What the operation pushes: copypasta (broadcast, persona) or own-worded topic posts."""
    s = op.spec
    authors = op.core if s.archetype != "ring" else op.members()
    rate = np.full(len(authors), s.core_rate)
    if s.archetype == "ring":
        rate = np.where(np.isin(authors, op.core), s.core_rate, s.core_rate * 0.15)
    elif s.archetype in ("converse", "drops"):
        rate *= 0.4
    keep = ~np.isin(authors, op.quiet)
    authors, rate = authors[keep], rate[keep]
    n = poisson_counts(rng, rate, DAYS - op.active_of(authors))
    a = np.repeat(authors, n)
    office = rng.random(len(a)) < s.office_share
    t = np.empty(len(a), np.int64)
    for mask, hours, wd in ((office, OFFICE_HOURS, 0.97), (~office, ORGANIC_HOURS, 0.0)):
        t[mask] = _times(rng, np.full(int(mask.sum()), s.tz), op.active_of(a[mask]), hours, wd)
    topics = OP_TOPICS[s.lang]
    if s.archetype in ("broadcast", "persona"):
        msgs = base_messages(rng, topics, int(rng.integers(2, 8)), s.lang)
        text = np.array(
            [mutate(rng, msgs[int(k)][1], s.lang, int(e))
             for k, e in zip(rng.integers(0, len(msgs), len(a)), rng.integers(0, 4, len(a)), strict=False)],
            dtype=object,
        )
    else:
        words = [w for ws in topics for w in ws]
        text = topic_sentences(rng, len(a), words, s.lang, 5, 14)
    text, tags = _with_tags(rng, text, s.hashtags, float(rng.uniform(0.2, 0.7)))
    return block(
        ids.take(len(a)), a, t, ORIGINAL, text, _tlang(s.lang),
        clients_for(rng, frame["client"].to_numpy()[a], 0.05),
        hashtags=tags, likes=rng.poisson(0.5, len(a)), retweets=rng.poisson(0.5, len(a)),
    )


def _retweet_rows(
    rng: np.random.Generator, ids: IdAllocator, frame: pd.DataFrame, op: ZooOp,
    src: dict[str, np.ndarray], who: list[np.ndarray], pick: list[np.ndarray],
) -> PostBlock:
    """Retweets by ``who[j]`` of ``src`` post ``pick[j]`` after the operation's delay."""
    if not who:
        return concat([])
    w = np.concatenate(who).astype(np.int64)
    pk = np.concatenate(pick).astype(np.int64)
    t = src["t"][pk] + lognormal_delay(rng, len(w), op.spec.delay_median, op.spec.delay_sigma, lo=0)
    ok = (t < END) & (t >= op.active_of(w) * 1440) & (src["author"][pk] != w)
    w, pk, t = w[ok], pk[ok], t[ok]
    return make_retweets(ids.take(len(w)), frame["screen_name"].to_numpy(), w, t,
                         clients_for(rng, frame["client"].to_numpy()[w], 0.05), src, pk)


def amplification(
    rng: np.random.Generator, ids: IdAllocator, frame: pd.DataFrame, op: ZooOp, cores: PostBlock,
    targets: PostBlock,
) -> Iterator[PostBlock]:
    """Retweets of the cores' posts (teams; rings), quiet amplifiers' few retweets, and targets."""
    s = op.spec
    loud = op.members()[~np.isin(op.members(), op.quiet)]
    src = as_source(cores)
    who, pick = [], []
    if s.archetype == "ring":
        size = int(rng.integers(10, 35))
        perm = rng.permutation(loud)
        ring_of = {int(a): perm[(i // size) * size: (i // size + 1) * size] for i, a in enumerate(perm)}
        p = rng.uniform(0.2, 0.7)
        for j, a in enumerate(cores.author):
            ring = ring_of.get(int(a), perm[:size])
            sel = ring[(rng.random(len(ring)) < p) & (ring != a)]
            who.append(sel)
            pick.append(np.full(len(sel), j))
    else:
        amps = loud[~np.isin(loud, op.core)]
        # each amplifier boosts one to three cores (every amplifier is on some team)
        teams: dict[int, list[int]] = {int(c): [] for c in op.core}
        for a in amps:
            k = min(len(op.core), int(rng.integers(1, 4)))
            for c in rng.choice(op.core, size=k, replace=False):
                teams[int(c)].append(int(a))
        team = {c: np.array(v, dtype=np.int64) for c, v in teams.items()}
        for j, a in enumerate(cores.author):
            pool = team.get(int(a), amps)
            if s.archetype in ("broadcast", "persona"):
                pool = np.concatenate([pool, op.core[op.core != a][: int(rng.integers(0, 3))]])
            k = min(len(pool), 1 + int(rng.poisson(s.amp_mu)))
            if k:
                sel = rng.choice(pool, size=k, replace=False)
                who.append(sel)
                pick.append(np.full(k, j))
    # quiet amplifiers: one to five retweets of the cores in the whole half-year
    if len(cores):
        for q in op.quiet:
            k = int(rng.integers(1, 6))
            later = np.flatnonzero(cores.t >= op.active[int(q)] * 1440)
            if len(later):
                who.append(np.full(min(k, len(later)), q))
                pick.append(rng.choice(later, size=min(k, len(later)), replace=False))
    yield _retweet_rows(rng, ids, frame, op, src, who, pick)
    if s.targets and len(targets):
        # the operation boosts a share of its targets' posts in teams, like its own
        mine = targets.keep(np.isin(targets.author, np.unique(targets.author)[: s.targets]))
        boost = mine.keep(rng.random(len(mine)) < s.target_share)
        tsrc = as_source(boost)
        who, pick = [], []
        for j in range(len(boost)):
            k = min(len(loud), 1 + int(rng.poisson(s.amp_mu)))
            who.append(rng.choice(loud, size=k, replace=False))
            pick.append(np.full(k, j))
        yield _retweet_rows(rng, ids, frame, op, tsrc, who, pick)


def cover(
    rng: np.random.Generator, ids: IdAllocator, frame: pd.DataFrame, op: ZooOp, pool: Pool
) -> Iterator[PostBlock]:
    """Everyday posts of the members (originals in their language; retweets of popular posts)."""
    m = op.members()
    rate = frame["rate"].to_numpy()[m]
    n = poisson_counts(rng, rate, DAYS - op.active_of(m))
    a = np.repeat(m, n)
    t = _times(rng, frame["tz"].to_numpy()[a], op.active_of(a), ORGANIC_HOURS, 0.0)
    yield originals(rng, ids, frame, a, t, p_tag=0.1, p_url=0.1)
    n = poisson_counts(rng, rate * 0.6, DAYS - op.active_of(m))
    a = np.repeat(m, n)
    src = pool.arrays()
    pk = pool.sample(rng, len(a))
    t = src["t"][pk] + lognormal_delay(rng, len(a), 120, 1.5)
    ok = (t < END) & (t >= op.active_of(a) * 1440) & (src["author"][pk] != a)
    a, pk, t = a[ok], pk[ok], t[ok]
    yield make_retweets(ids.take(len(a)), frame["screen_name"].to_numpy(), a, t,
                        frame["client"].to_numpy()[a], src, pk)


def campaigns(
    rng: np.random.Generator, ids: IdAllocator, frame: pd.DataFrame, op: ZooOp
) -> tuple[PostBlock, np.ndarray]:
    """Hashtag pushes: many members post own-worded text with one hashtag within minutes.

    Returns the posts and the campaign start times (hashtag activists join them)."""
    s = op.spec
    loud = op.members()[~np.isin(op.members(), op.quiet)]
    words = [w for ws in OP_TOPICS[s.lang] for w in ws]
    starts = np.sort(rng.integers(max(s.start_day, 1) * 1440, END - 600, s.campaigns))
    out = []
    for t0 in starts:
        ok = loud[op.active_of(loud) * 1440 <= t0]
        who = ok[rng.random(len(ok)) < rng.uniform(0.3, 0.8)]
        tag = s.hashtags[int(rng.integers(0, len(s.hashtags)))] if s.hashtags else "news"
        t = t0 + lognormal_delay(rng, len(who), max(2.0, s.delay_median), 1.0)
        text = topic_sentences(rng, len(who), words, s.lang, 4, 12)
        text = np.array([f"{x} #{tag}" for x in text], dtype=object)
        out.append(block(ids.take(len(who)), who, np.minimum(t, END - 1), ORIGINAL, text,
                         _tlang(s.lang), frame["client"].to_numpy()[who],
                         hashtags=np.full(len(who), list_str([tag]), dtype=object)))
    return concat(out), starts


def link_drops(
    rng: np.random.Generator, ids: IdAllocator, frame: pd.DataFrame, op: ZooOp
) -> PostBlock:
    """The same link posted by 2–6 members within minutes to hours, in many small drops."""
    s = op.spec
    loud = op.members()[~np.isin(op.members(), op.quiet)]
    lang = frame["lang"].to_numpy()
    out = []
    for _ in range(s.drops):
        k = min(len(loud), int(rng.integers(s.drop_size[0], s.drop_size[1] + 1)))
        who = rng.choice(loud, size=k, replace=False)
        t0 = int(_times(rng, np.array([s.tz]), np.array([s.start_day]), ORGANIC_HOURS, 0.0)[0])
        t = t0 + np.concatenate([[0], lognormal_delay(rng, k - 1, 20, 1.2, lo=1)])
        url = random_urls(rng, 1, op.domains, np.full(len(op.domains), 1 / len(op.domains)))[0]
        same = rng.random() < 0.5
        title = topic_sentences(rng, 1, [w for ws in OP_TOPICS[s.lang] for w in ws], s.lang, 4, 9)[0]
        own = sentences(rng, lang[who], max_words=10)
        text = np.array([f"{title if same else x} {url}" for x in own], dtype=object)
        ok = (t < END) & (t >= op.active_of(who) * 1440)
        out.append(block(ids.take(int(ok.sum())), who[ok], t[ok], ORIGINAL, text[ok],
                         np.array([_tlang(s.lang) if same else _tlang(x) for x in lang[who[ok]]],
                                  dtype=object),
                         frame["client"].to_numpy()[who[ok]],
                         urls=np.full(int(ok.sum()), list_str([url]), dtype=object)))
    return concat(out)


def _replies(
    ids: IdAllocator, frame: pd.DataFrame, who: np.ndarray, t: np.ndarray, text: np.ndarray,
    to: PostBlock, j: np.ndarray,
) -> PostBlock:
    lang = frame["lang"].to_numpy()
    return block(ids.take(len(who)), who, t, REPLY, text,
                 np.array([_tlang(x) for x in lang[who]], dtype=object),
                 frame["client"].to_numpy()[who], ref_tid=to.tweetid[j], ref_author=to.author[j])


def conversation(
    rng: np.random.Generator, ids: IdAllocator, frame: pd.DataFrame, op: ZooOp,
    engaged: np.ndarray, p_engage: float,
) -> Iterator[PostBlock]:
    """Leading questions answered by members and ordinary users; members reply to ordinary users."""
    s = op.spec
    screen = frame["screen_name"].to_numpy()
    lang = frame["lang"].to_numpy()
    loud = op.members()[~np.isin(op.members(), op.quiet)]
    nq = poisson_counts(rng, np.full(len(op.core), rng.uniform(0.02, 0.1)),
                        DAYS - op.active_of(op.core))
    qa = np.repeat(op.core, nq)
    qt = _times(rng, np.full(len(qa), s.tz), op.active_of(qa), ORGANIC_HOURS, 0.0)
    words = [w for ws in OP_TOPICS[s.lang] for w in ws]
    qtext = []
    for x, u, v in zip(qa, rng.random(len(qa)), rng.random(len(qa)), strict=False):
        subj = RUSSIA_SUBJECTS[int(v * len(RUSSIA_SUBJECTS))]
        if lang[x] == "ru":
            qtext.append(RUSSIA_QUESTIONS_RU[int(u * len(RUSSIA_QUESTIONS_RU))].format(x=subj))
        elif lang[x] == "en":
            qtext.append(RUSSIA_QUESTIONS_EN[int(u * len(RUSSIA_QUESTIONS_EN))].format(x=subj))
        else:
            qtext.append(str(topic_sentences(rng, 1, words, s.lang, 5, 10)[0]) + "?")
    qs = block(ids.take(len(qa)), qa, qt, ORIGINAL, np.array(qtext, dtype=object),
               np.array([_tlang(x) for x in lang[qa]], dtype=object), frame["client"].to_numpy()[qa])
    yield qs
    out = []
    for j in range(len(qs)):
        asker = qs.author[j]
        mem = loud[loud != asker]
        mem = rng.choice(mem, size=min(len(mem), 1 + int(rng.poisson(2.5))), replace=False)
        ordi = engaged[rng.random(len(engaged)) < p_engage * 0.3]
        who = np.concatenate([mem, ordi]).astype(np.int64)
        t = qs.t[j] + lognormal_delay(rng, len(who), 20, 1.3, lo=1)
        ok = t < END
        who, t = who[ok], t[ok]
        canned = np.array([RUSSIA_ANSWERS[int(u * len(RUSSIA_ANSWERS))] for u in rng.random(len(who))],
                          dtype=object)
        own = sentences(rng, lang[who], max_words=10)
        ans = np.where(rng.random(len(who)) < 0.6, canned, own)
        text = np.array([f"@{screen[asker]} {x}" for x in ans], dtype=object)
        out.append(_replies(ids, frame, who, t, text, qs, np.full(len(who), j)))
    yield concat(out)
    # members reply to ordinary users' posts; the users often answer back
    if not len(engaged):
        return
    n = rng.poisson(rng.uniform(1, 4), len(engaged))
    a = np.repeat(engaged, n)
    t = _times(rng, frame["tz"].to_numpy()[a], np.full(len(a), s.start_day), ORGANIC_HOURS, 0.0)
    theirs = originals(rng, ids, frame, a, t, p_tag=0.05, p_url=0.05)
    yield theirs
    hit = np.flatnonzero(rng.random(len(theirs)) < 0.6)
    who = loud[rng.integers(0, len(loud), len(hit))]
    t = theirs.t[hit] + lognormal_delay(rng, len(hit), 30, 1.4, lo=1)
    ok = (t < END) & (t >= op.active_of(who) * 1440)
    hit, who, t = hit[ok], who[ok], t[ok]
    text = np.array([f"@{screen[theirs.author[i]]} {x}"
                     for i, x in zip(hit, sentences(rng, lang[who], max_words=12), strict=False)], dtype=object)
    mreplies = _replies(ids, frame, who, t, text, theirs, hit)
    yield mreplies
    back = np.flatnonzero(rng.random(len(mreplies)) < 0.5)
    bwho = mreplies.ref_author[back]
    bt = mreplies.t[back] + lognormal_delay(rng, len(back), 40, 1.4, lo=1)
    ok = bt < END
    back, bwho, bt = back[ok], bwho[ok], bt[ok]
    text = np.array([f"@{screen[mreplies.author[i]]} {x}"
                     for i, x in zip(back, sentences(rng, lang[bwho], max_words=12), strict=False)], dtype=object)
    yield _replies(ids, frame, bwho, bt, text, mreplies, back)
