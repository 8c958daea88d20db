"""State-backed operations modelled on Twitter's June 2020 takedown.

- PRC-like (Twitter Safety, 11 June 2020; Stanford Internet Observatory,
  *Sockpuppets Spin COVID Yarns*; ASPI, *Retweeting through the Great
  Firewall*, 2020): core accounts post Chinese copypasta on Hong Kong,
  COVID-19, Taiwan and Guo Wengui in Beijing office hours, Monday to Friday,
  rising in March; amplifiers, mostly with zero followers and created in
  bursts (one batch dormant for months), retweet the cores within minutes;
  about a tenth are hijacked or bought old accounts with an earlier life in
  another language, a gap, a profile change and a client switch.
- Russia-like (the 1,152 "Current Policy" accounts): moderately established
  accounts cross-post the same links and answer each other's leading questions.
- Turkey-like (7,340 accounts): retweet rings of new and compromised accounts
  boosting pro-government slogans and hashtags.

Sizes, delays, burst dates and tactics come from :class:`WorldParams`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

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
from infoops.simulate.config import DAYS, END, WorldParams, day_of
from infoops.simulate.hijack import Hijack, hijackable, make_hijack
from infoops.simulate.organic import clients_for, originals
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
    PRC_HASHTAGS,
    PRC_TOPICS,
    RUSSIA_ANSWERS,
    RUSSIA_QUESTIONS_EN,
    RUSSIA_QUESTIONS_RU,
    RUSSIA_SUBJECTS,
    TURKEY_HASHTAGS,
    TURKEY_SLOGANS,
    base_messages,
    list_str,
    mutate,
    sentences,
    topic_sentences,
)

RUSSIA_DOMAINS = [
    "geopolitica-insight.com", "truthwire-daily.net", "eurasia-observer.org", "youtube.com",
]


@dataclass
class OpPlan:
    name: str
    core: np.ndarray
    amp: np.ndarray
    active_day: np.ndarray  # per account (aligned with np.concatenate([core, amp]))
    hijack: Hijack | None = None
    teams: list[np.ndarray] = field(default_factory=list)  # per core: amplifiers that boost it
    rings: list[np.ndarray] = field(default_factory=list)
    _sorted: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    def active(self, idx: np.ndarray) -> np.ndarray:
        """First active day of each account in ``idx`` (members only)."""
        if self._sorted is None:
            members = np.concatenate([self.core, self.amp])
            order = np.argsort(members)
            self._sorted = (members[order], self.active_day[order])
        members, days = self._sorted
        return days[np.searchsorted(members, idx)]


def add_prc(rng: np.random.Generator, accts: Accounts, params: WorldParams) -> OpPlan:
    """Core and amplifier accounts of the PRC-like network."""
    n = max(20, round(params.frac["prc"] * params.n_accounts))
    n_core = max(4, round(params.prc_core_share * n))
    n_amp = n - n_core
    share = 1.0 if params.variant == "hijacked" else params.prc_hijacked_share
    n_hij_core = round(share * n_core)
    n_hij_amp = round(share * n_amp)
    core_bursts = [
        f"2019-{m:02d}-{int(rng.integers(1, 25)):02d}"
        for m in rng.choice(range(6, 13), 3, replace=False)
    ]
    amp_bursts = [
        f"2020-{m:02d}-{int(rng.integers(1, 25)):02d}"
        for m in rng.choice(range(1, 4), 2, replace=False)
    ]
    dormant_burst = f"2019-{int(rng.integers(7, 10)):02d}-{int(rng.integers(1, 25)):02d}"

    def fresh(k: int, role: str, bursts: list[str], zero_share: float) -> dict[str, np.ndarray]:
        f = np.where(rng.random(k) < zero_share, 0, rng.lognormal(1.5, 1.2, k)).astype(np.int64)
        pop = make_population(
            rng,
            k,
            langs=["zh"],
            lang_p=None,
            group=f"prc_{role}",
            operation="prc",
            role=role,
            followers=f,
            created=burst_days(rng, k, bursts, width=6),
            rate=0.0,
            clients=COMMON_CLIENTS,
            bio_empty_p=0.85 if role == "amplifier" else 0.5,
        )
        pop["account_language"] = np.where(rng.random(k) < 0.3, "en", "zh-cn").astype(object)
        return pop

    core_pop = fresh(n_core - n_hij_core, "core", core_bursts, 0.4)
    core_pop["rate"] = rng.uniform(0.1, 0.5, len(core_pop["rate"]))
    core = accts.add(**core_pop)
    n_dormant = (n_amp - n_hij_amp) // int(rng.integers(3, 6))  # 0 when all are hijacked
    amp_pop = fresh(
        n_amp - n_hij_amp - n_dormant, "amplifier", amp_bursts, params.prc_zero_followers
    )
    amp = accts.add(**amp_pop)
    dormant_pop = fresh(n_dormant, "amplifier", [dormant_burst], params.prc_zero_followers)
    dormant = accts.add(**dormant_pop)
    hij_core_pop = hijackable(rng, n_hij_core, params, "prc", "core", "prc_hijacked", "zh")
    hij_core_pop["rate"] = rng.uniform(0.1, 0.5, n_hij_core)
    hij_core = accts.add(**hij_core_pop)
    hij_amp_pop = hijackable(rng, n_hij_amp, params, "prc", "amplifier", "prc_hijacked", "zh")
    hij_amp = accts.add(**hij_amp_pop)
    hij_cols = {"client": np.concatenate([hij_core_pop["client"], hij_amp_pop["client"]])}
    hijack = make_hijack(
        rng,
        np.concatenate([hij_core, hij_amp]),
        hij_cols,
        day_of("2020-03-01"),
        day_of("2020-04-15"),
    )

    cores = np.concatenate([core, hij_core])
    amps = np.concatenate([amp, dormant, hij_amp])
    # active from creation (+ a few days), the dormant batch from its activation, hijacked from takeover
    act_core = np.concatenate(
        [np.maximum(0, core_pop["created_day"] + 3), hijack.takeover_day[:n_hij_core]]
    )
    act_amp = np.concatenate(
        [
            np.maximum(0, amp_pop["created_day"] + 3),
            np.full(n_dormant, params.prc_dormant_activation_day) + rng.integers(0, 5, n_dormant),
            hijack.takeover_day[n_hij_core:],
        ]
    )
    # each amplifier boosts one to three cores
    teams: list[list[int]] = [[] for _ in cores]
    for a in amps:
        for c in rng.choice(len(cores), size=int(rng.integers(1, 4)), replace=False):
            teams[c].append(int(a))
    return OpPlan(
        "prc",
        cores,
        amps,
        np.concatenate([act_core, act_amp]).astype(np.int64),
        hijack,
        [np.array(t, np.int64) for t in teams],
    )


def prc_posts(
    rng: np.random.Generator,
    ids: IdAllocator,
    frame: pd.DataFrame,
    plan: OpPlan,
    params: WorldParams,
    pool: Pool,
) -> Iterator[PostBlock]:
    """Copypasta from the cores in office hours; amplifiers retweet them within minutes."""
    messages = base_messages(rng, PRC_TOPICS, int(rng.integers(3, 9)), "zh")
    cores = plan.core
    n = poisson_counts(rng, frame["rate"].to_numpy()[cores], DAYS - plan.active(cores))
    a = np.repeat(cores, n)
    office = rng.random(len(a)) < params.prc_office_share
    start = plan.active(a)
    t = np.empty(len(a), np.int64)
    for mask, hours, wd in ((office, OFFICE_HOURS, 0.97), (~office, ORGANIC_HOURS, 0.0)):
        t[mask] = sample_times(
            rng,
            np.full(int(mask.sum()), 8.0),
            start[mask],
            np.full(int(mask.sum()), DAYS),
            day_weights(params.prc_ramp_day, 0.15, wd),
            hours,
        )
    pick = rng.integers(0, len(messages), len(a))
    edits = rng.integers(0, 4, len(a))
    text = np.array(
        [mutate(rng, messages[k][1], "zh", int(e)) for k, e in zip(pick, edits, strict=False)], dtype=object
    )
    has_tag = rng.random(len(a)) < 0.4
    tag_i = rng.integers(0, len(PRC_HASHTAGS), len(a))
    hashtags = np.array(
        [list_str([PRC_HASHTAGS[j]]) if k else "[]" for k, j in zip(has_tag, tag_i, strict=False)], dtype=object
    )
    text = np.array(
        [f"{x} #{PRC_HASHTAGS[j]}" if k else x for x, k, j in zip(text, has_tag, tag_i, strict=False)],
        dtype=object,
    )
    client = clients_for(rng, frame["client"].to_numpy()[a], 0.05)
    likes = rng.poisson(0.3, len(a))
    core_posts = block(
        ids.take(len(a)),
        a, t, ORIGINAL, text, "zh", client,
        hashtags=hashtags,
        likes=likes,
        retweets=rng.poisson(0.5, len(a)),
    )
    yield core_posts
    copypasta = params.variant == "copypasta"
    if not copypasta:
        # some organic-looking behaviour: cores also retweet popular accounts and reply to them
        yield _organic_cover(rng, ids, frame, cores, plan, pool, 0.08)
    # amplifiers (and a few other cores) retweet each core post
    src = as_source(core_posts)
    screen = frame["screen_name"].to_numpy()
    team_of = {int(c): plan.teams[i] for i, c in enumerate(cores)}
    who_all, t_all, pick_all = [], [], []
    mu = rng.uniform(3, 10)
    for j in range(len(core_posts)):
        team = team_of[int(core_posts.author[j])]
        k = min(len(team), 1 + int(rng.poisson(mu)))
        if k == 0:
            continue
        who = rng.choice(team, size=k, replace=False)
        tt = core_posts.t[j] + lognormal_delay(rng, k, params.prc_delay_median_min, 1.0)
        ok = (tt < END) & (tt >= plan.active(who) * 1440)
        who_all.append(who[ok])
        t_all.append(tt[ok])
        pick_all.append(np.full(int(ok.sum()), j))
    if who_all:
        who = np.concatenate(who_all)
        tt = np.concatenate(t_all)
        pk = np.concatenate(pick_all)
        client = clients_for(rng, frame["client"].to_numpy()[who], 0.05)
        if copypasta:
            # no retweets: each amplifier posts its own near-copy of the core's text
            copies = np.array(
                [mutate(rng, messages[int(pick[j])][1], "zh", int(e))
                 + (f" #{PRC_HASHTAGS[tag_i[j]]}" if has_tag[j] else "")
                 for j, e in zip(pk, rng.integers(1, 3, len(pk)), strict=False)],
                dtype=object,
            )
            yield block(ids.take(len(who)), who, tt, ORIGINAL, copies, "zh", client,
                        hashtags=hashtags[pk])
        else:
            yield make_retweets(ids.take(len(who)), screen, who, tt, client, src, pk)
    # amplifiers occasionally post copypasta themselves
    amps = plan.amp
    n = poisson_counts(rng, np.full(len(amps), 0.03), DAYS - plan.active(amps))
    a = np.repeat(amps, n)
    t = sample_times(
        rng,
        np.full(len(a), 8.0),
        plan.active(a),
        np.full(len(a), DAYS),
        day_weights(params.prc_ramp_day, 0.15, 0.9),
        OFFICE_HOURS,
    )
    text = np.array(
        [mutate(rng, messages[int(k)][1], "zh", 2) for k in rng.integers(0, len(messages), len(a))],
        dtype=object,
    )
    yield block(ids.take(len(a)), a, t, ORIGINAL, text, "zh", frame["client"].to_numpy()[a])


def _organic_cover(
    rng: np.random.Generator,
    ids: IdAllocator,
    frame: pd.DataFrame,
    members: np.ndarray,
    plan: OpPlan,
    pool: Pool,
    rate: float,
) -> PostBlock:
    """A thin layer of ordinary retweets of popular posts, so members are not pure broadcasters."""
    n = poisson_counts(rng, np.full(len(members), rate), DAYS - plan.active(members))
    a = np.repeat(members, n)
    src = pool.arrays()
    pick = pool.sample(rng, len(a))
    t = src["t"][pick] + lognormal_delay(rng, len(a), 120, 1.5)
    ok = (t < END) & (t >= plan.active(a) * 1440) & (src["author"][pick] != a)
    a, pick, t = a[ok], pick[ok], t[ok]
    return make_retweets(
        ids.take(len(a)),
        frame["screen_name"].to_numpy(),
        a,
        t,
        frame["client"].to_numpy()[a],
        src,
        pick,
    )


def add_russia(rng: np.random.Generator, accts: Accounts, params: WorldParams) -> OpPlan:
    """Moderately established accounts (created 2014–2019, hundreds of followers)."""
    n = max(8, round(params.frac["russia"] * params.n_accounts))
    n_core = max(2, round(params.russia_core_share * n))
    idx = []
    for role, k in (("core", n_core), ("amplifier", n - n_core)):
        pop = make_population(
            rng,
            k,
            langs=["en", "ru"],
            lang_p=[0.6, 0.4],
            group=f"russia_{role}",
            operation="russia",
            role=role,
            followers=rng.lognormal(5.8, 1.0, k).astype(np.int64),
            created=created_days(rng, k, "2014-01-01", "2019-10-01"),
            rate=0.25,
            clients=COMMON_CLIENTS,
            bio_empty_p=0.2,
        )
        pop["tz"] = np.full(k, 3.0)  # operated from Moscow whatever the persona's language
        idx.append(accts.add(**pop))
    return OpPlan("russia", idx[0], idx[1], np.zeros(n, np.int64))


def _cells(rng: np.random.Generator, members: np.ndarray, cores: np.ndarray) -> list[np.ndarray]:
    """Split an operation's members into cells of 12-25 (one size per world),
    each with at least one core account where there are enough cores."""
    size = rng.uniform(12.0, 25.0)
    n_cells = max(1, round(len(members) / size))
    core_set = np.isin(members, cores)
    order = np.concatenate([rng.permutation(members[core_set]), rng.permutation(members[~core_set])])
    # deal accounts round-robin: cores first, so cores spread over the cells
    return [np.sort(order[i::n_cells]) for i in range(n_cells)]


def russia_posts(
    rng: np.random.Generator, ids: IdAllocator, frame: pd.DataFrame, plan: OpPlan, pool: Pool
) -> Iterator[PostBlock]:
    """Cross-posted links and leading questions answered by other members."""
    members = np.concatenate([plan.core, plan.amp])
    lang = frame["lang"].to_numpy()
    screen = frame["screen_name"].to_numpy()
    # ordinary cover activity of established personas
    n = poisson_counts(rng, frame["rate"].to_numpy()[members], np.full(len(members), DAYS))
    a = np.repeat(members, n)
    t = sample_times(
        rng,
        frame["tz"].to_numpy()[a],
        np.zeros(len(a), np.int64),
        np.full(len(a), DAYS),
        day_weights(),
        ORGANIC_HOURS,
    )
    yield originals(rng, ids, frame, a, t, p_tag=0.1, p_url=0.1)
    yield _organic_cover(rng, ids, frame, members, plan, pool, 0.15)
    # The operation works in cells (teams of 12-25 personas, as troll farms
    # were organised in departments): each link campaign is pushed by most of
    # one cell plus a few members of other cells, and the number of campaigns
    # grows with the membership, so every persona takes part in a similar
    # number of campaigns at every scale.
    cells = _cells(rng, members, plan.core)
    per_member = rng.uniform(7.0, 16.0)
    mean_team = 14.0
    n_links = max(int(DAYS / 5), round(per_member * len(members) / mean_team))
    out = []
    for _ in range(n_links):
        domain = RUSSIA_DOMAINS[int(rng.integers(0, len(RUSSIA_DOMAINS)))]
        url = f"https://{domain}/{int(rng.integers(1 << 36, 1 << 44)):x}"
        cell = cells[int(rng.integers(0, len(cells)))]
        cell_cores = np.intersect1d(cell, plan.core)
        pick_from = cell_cores if len(cell_cores) else plan.core
        first = pick_from[int(rng.integers(0, len(pick_from)))]
        k = min(len(cell), 3 + int(rng.poisson(rng.uniform(6, 20))))
        who = rng.choice(cell, size=k, replace=False)
        guests = rng.choice(members, size=min(len(members), int(rng.poisson(2.0))), replace=False)
        who = np.union1d(np.union1d(who, guests), [first])
        t0 = int(
            sample_times(
                rng, np.array([3.0]), np.array([0]), np.array([DAYS]), day_weights(), ORGANIC_HOURS
            )[0]
        )
        t = t0 + np.where(who == first, 0, lognormal_delay(rng, len(who), 45, 1.2, lo=1))
        same_title = rng.random() < 0.5
        title = topic_sentences(
            rng, 1, [*RUSSIA_SUBJECTS, "truth", "media", "lies", "West"], "en", 4, 8
        )[0]
        text = sentences(rng, lang[who], max_words=10)
        text = np.array([f"{title if same_title else x} {url}" for x in text], dtype=object)
        ok = t < END
        out.append(
            block(
                ids.take(int(ok.sum())),
                who[ok],
                t[ok],
                ORIGINAL,
                text[ok],
                np.array(["en" if same_title else x for x in lang[who[ok]]], dtype=object),
                frame["client"].to_numpy()[who[ok]],
                urls=np.full(int(ok.sum()), list_str([url]), dtype=object),
            )
        )
    # leading questions from cores, answered by members within minutes to hours
    n_q = poisson_counts(rng, np.full(len(plan.core), 0.04), np.full(len(plan.core), DAYS))
    qa = np.repeat(plan.core, n_q)
    qt = sample_times(
        rng,
        np.full(len(qa), 3.0),
        np.zeros(len(qa), np.int64),
        np.full(len(qa), DAYS),
        day_weights(),
        ORGANIC_HOURS,
    )
    qtext = np.array(
        [
            (
                RUSSIA_QUESTIONS_RU[int(u * len(RUSSIA_QUESTIONS_RU))]
                if lang[x] == "ru"
                else RUSSIA_QUESTIONS_EN[int(u * len(RUSSIA_QUESTIONS_EN))]
            ).format(x=RUSSIA_SUBJECTS[int(v * len(RUSSIA_SUBJECTS))])
            for x, u, v in zip(qa, rng.random(len(qa)), rng.random(len(qa)), strict=False)
        ],
        dtype=object,
    )
    questions = block(
        ids.take(len(qa)), qa, qt, ORIGINAL, qtext, lang[qa], frame["client"].to_numpy()[qa]
    )
    out.append(questions)
    cell_of = {int(a): c for c in cells for a in c}
    for j in range(len(questions)):
        asker = int(questions.author[j])
        home = cell_of[asker]
        others = home[home != asker] if rng.random() < 0.8 and len(home) > 2 else members
        others = others[others != asker]
        who = rng.choice(others, size=min(len(others), 2 + int(rng.poisson(6))), replace=False)
        t = questions.t[j] + lognormal_delay(rng, len(who), 15, 1.2, lo=1)
        ok = t < END
        who, t = who[ok], t[ok]
        ans = [RUSSIA_ANSWERS[int(u * len(RUSSIA_ANSWERS))] for u in rng.random(len(who))]
        text = np.array([f"@{screen[questions.author[j]]} {x}" for x in ans], dtype=object)
        out.append(
            block(
                ids.take(len(who)),
                who, t, REPLY, text,
                lang[who],
                frame["client"].to_numpy()[who],
                ref_tid=np.full(len(who), questions.tweetid[j]),
                ref_author=np.full(len(who), questions.author[j]),
            )
        )
    yield concat(out)


def add_turkey(rng: np.random.Generator, accts: Accounts, params: WorldParams) -> OpPlan:
    """Retweet rings of new accounts (created in bursts) and compromised old ones."""
    n = max(10, round(params.frac["turkey"] * params.n_accounts))
    n_comp = round(params.turkey_compromised_share * n)
    n_new = n - n_comp
    bursts = [
        f"2019-{m:02d}-{int(rng.integers(1, 25)):02d}"
        for m in rng.choice(range(9, 13), 2, replace=False)
    ]
    f = np.where(rng.random(n_new) < 0.3, 0, rng.lognormal(3.0, 1.4, n_new)).astype(np.int64)
    new_pop = make_population(
        rng,
        n_new,
        langs=["tr"],
        lang_p=None,
        group="turkey_new",
        operation="turkey",
        role="amplifier",
        followers=f,
        created=burst_days(rng, n_new, bursts, width=8),
        rate=0.0,
        clients=COMMON_CLIENTS,
        bio_empty_p=0.5,
    )
    new = accts.add(**new_pop)
    comp_pop = hijackable(rng, n_comp, params, "turkey", "amplifier", "turkey_compromised", "tr")
    comp = accts.add(**comp_pop)
    hijack = make_hijack(
        rng, comp, {"client": comp_pop["client"]}, day_of("2020-02-20"), day_of("2020-04-01")
    )
    members = np.concatenate([new, comp])
    active = np.concatenate([np.maximum(0, new_pop["created_day"] + 2), hijack.takeover_day])
    order = rng.permutation(len(members))
    rings = [
        members[order[s : s + params.turkey_ring_size]]
        for s in range(0, n, params.turkey_ring_size)
    ]
    # the most active quarter of each ring originates; the rest mostly retweet
    cores = np.concatenate([r[: max(1, len(r) // 4)] for r in rings])
    role = np.array(accts.cols["role"][-1], dtype=object)
    is_core_comp = np.isin(comp, cores)
    role[is_core_comp] = "core"
    accts.cols["role"][-1] = role
    role_new = np.array(accts.cols["role"][-2], dtype=object)
    role_new[np.isin(new, cores)] = "core"
    accts.cols["role"][-2] = role_new
    amps = np.setdiff1d(members, cores)
    plan = OpPlan("turkey", cores, amps, np.zeros(0, np.int64), hijack, rings=rings)
    all_m = np.concatenate([cores, amps])
    plan.active_day = active[all_m - members[0]]  # members are one contiguous index range
    return plan


def turkey_posts(
    rng: np.random.Generator,
    ids: IdAllocator,
    frame: pd.DataFrame,
    plan: OpPlan,
    params: WorldParams,
) -> Iterator[PostBlock]:
    """Slogans with campaign hashtags, retweeted round the ring within minutes."""
    screen = frame["screen_name"].to_numpy()
    core_set = set(plan.core.tolist())
    for ring in plan.rings:
        rate = np.array([rng.uniform(0.15, 0.6) if m in core_set else 0.04 for m in ring])
        n = poisson_counts(rng, rate, DAYS - plan.active(ring))
        a = np.repeat(ring, n)
        t = sample_times(
            rng,
            np.full(len(a), 3.0),
            plan.active(a),
            np.full(len(a), DAYS),
            day_weights(),
            ORGANIC_HOURS,
        )
        text = topic_sentences(rng, len(a), TURKEY_SLOGANS, "tr", 4, 10)
        tag = rng.integers(0, len(TURKEY_HASHTAGS), len(a))
        text = np.array([f"{x} #{TURKEY_HASHTAGS[k]}" for x, k in zip(text, tag, strict=False)], dtype=object)
        posts = block(
            ids.take(len(a)),
            a, t, ORIGINAL, text, "tr",
            clients_for(rng, frame["client"].to_numpy()[a], 0.05),
            hashtags=np.array([list_str([TURKEY_HASHTAGS[k]]) for k in tag], dtype=object),
        )
        yield posts
        src = as_source(posts)
        p = rng.uniform(0.3, 0.7, len(ring))
        who_all, t_all, pick_all = [], [], []
        for j in range(len(posts)):
            sel = (rng.random(len(ring)) < p) & (ring != posts.author[j])
            who = ring[sel]
            tt = posts.t[j] + lognormal_delay(rng, len(who), 6, 1.0, lo=1)
            ok = (tt < END) & (tt >= plan.active(who) * 1440)
            who_all.append(who[ok])
            t_all.append(tt[ok])
            pick_all.append(np.full(int(ok.sum()), j))
        if who_all:
            who = np.concatenate(who_all)
            yield make_retweets(
                ids.take(len(who)),
                screen,
                who,
                np.concatenate(t_all),
                frame["client"].to_numpy()[who],
                src,
                np.concatenate(pick_all),
            )
