"""What a zoo world contains: behaviour families and their parameters, drawn from a seed.

A zoo world (``infoops simulate --zoo``) is not one template with jittered
numbers. Each seed draws *which* operations and hard negatives the world
holds, and every parameter of each from a wide range, independently per
family, so no two worlds share a template and a detector tuned to one cannot
lean on constants. docs/simulator.md ("The world zoo") lists the families,
their ranges and the published observation behind each.

Operations are built from an *archetype* (how the accounts coordinate) plus
independently drawn *traits* (slow amplification, very small size, quiet
amplifiers, hijacked accounts, amplifying state media, talking to ordinary
users, link drops, office hours). Hard negatives are drawn the same way;
some are tied to an operation (same-stance users retweet *its* cores and use
*its* hashtags).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from infoops.simulate.config import DAYS, SCALE_RATE, SCALES, SimulationError

#: Scales a zoo world can take (large worlds are the non-zoo benchmark's job).
ZOO_SCALES = ("tiny", "small", "medium")

#: How operation accounts coordinate.
#: ``broadcast``: cores post near-duplicate messages, amplifiers retweet them (PRC-like);
#: ``ring``: every member posts slogans with campaign hashtags and retweets ring-mates (Turkey-like);
#: ``converse``: leading questions, replies, cross-posted links (Russia "Current Policy"-like);
#: ``persona``: established personas, mostly their own posts, some coordinated retweets and
#: hashtags (IRA-like); ``drops``: the same link posted by a few members in small drops.
ARCHETYPES = ("broadcast", "ring", "converse", "persona", "drops")
_ARCHETYPE_P = (0.3, 0.2, 0.2, 0.17, 0.13)
#: Content languages of operations and the hashtags each can push.
OP_LANGS = ("zh", "ru", "en", "tr", "es", "ar")

#: Hard-negative families: ``community`` (authentic community with internal hubs: a fandom's
#: fan sites, an activist group's organisers, a party's local branches), ``org_staff``,
#: ``news_bots``, ``state_media`` (popular accounts operations retweet), ``same_stance``
#: (organic users who retweet an operation's cores and use its hashtags), ``hashtag_activists``
#: (push an operation's hashtags in the same minutes), ``few_posts``, ``engaged_ordinary``
#: (ordinary users who answer an operation's questions and are replied to), ``news_burst``.
NEGATIVE_KINDS = (
    "community", "org_staff", "news_bots", "state_media", "same_stance", "hashtag_activists",
    "few_posts", "engaged_ordinary", "news_burst",
)
COMMUNITY_KINDS = ("fandom", "activists", "party")
#: ``truth.group`` of each hard-negative kind (communities by their kind).
NEGATIVE_GROUP = {
    "fandom": "fan_community", "activists": "activist_group", "party": "party_branches",
    "org_staff": "org_staff", "news_bots": "news_bots", "state_media": "state_media",
    "same_stance": "organic_same_stance", "hashtag_activists": "hashtag_activists",
    "few_posts": "few_posts", "engaged_ordinary": "engaged_ordinary", "news_burst": "news_burst",
}


@dataclass
class OpSpec:
    """One operation of a zoo world. Shares are of its own members."""

    name: str
    archetype: str
    lang: str
    n: int
    core_share: float
    established: bool  # personas with ordinary followers and no creation bursts
    zero_share: float  # zero-follower share of new (non-established) accounts
    hijacked_share: float
    delay_median: float  # minutes, amplification delay
    delay_sigma: float
    office_share: float  # share of core posts in office hours (0: organic rhythm)
    tz: float
    core_rate: float  # originals per core per day
    amp_mu: float  # mean amplifiers per core post (before the team cap)
    cover_rate: float  # own everyday posts per member per day
    quiet_share: float  # amplifiers with only 1-5 retweets of the cores
    targets: int  # popular / state-media accounts it retweets (0: none)
    target_share: float  # of its retweets, share that go to targets
    converse: bool  # questions answered by ordinary users; members reply to ordinary users
    drops: int  # link drops over the half-year
    drop_size: tuple[int, int]
    campaigns: int  # hashtag campaigns (many members, same hashtag, same minutes)
    start_day: int
    hashtags: list[str] = field(default_factory=list)

    def traits(self) -> list[str]:
        """Family names this operation instantiates (for tables and tests)."""
        t = [self.archetype]
        if self.delay_median >= 5:
            t.append("slow_amp")
        if self.n <= 30:
            t.append("small_op")
        if self.established:
            t.append("established_personas")
        if self.quiet_share > 0:
            t.append("quiet_amp")
        if self.hijacked_share > 0:
            t.append("hijacked")
        if self.targets:
            t.append("amplifies_state_media")
        if self.converse:
            t.append("converses")
        if self.drops:
            t.append("link_drops")
        if self.office_share > 0:
            t.append("office_hours")
        if self.campaigns:
            t.append("hashtag_campaigns")
        return t


@dataclass
class NegSpec:
    """One hard-negative population of a zoo world."""

    kind: str
    group: str
    n: int
    op: int = -1  # index of the operation it is tied to (-1: none)
    sub: str = ""  # community kind
    hubs: int = 0
    p_engage: float = 0.0  # how strongly members follow the hubs / the operation
    delay_median: float = 10.0


@dataclass
class ZooParams:
    """Everything a seed decides about a zoo world."""

    seed: int
    scale: str
    n_accounts: int
    organic_rate: float
    celebrity_frac: float
    ops: list[OpSpec]
    negatives: list[NegSpec]

    def families(self) -> list[str]:
        """Sorted family names present (operation traits and hard-negative kinds)."""
        out = {t for op in self.ops for t in op.traits()}
        out |= {n.sub or n.kind for n in self.negatives}
        return sorted(out)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


_TAGS = {
    "zh": ["香港", "新冠肺炎", "台湾", "中国", "真相", "祖国", "正能量", "乱港", "美国病毒", "团结"],
    "ru": ["правда", "Россия", "санкции", "НАТО", "Донбасс", "мир", "Запад", "наши"],
    "en": ["truth", "WakeUp", "MediaBlackout", "FollowTheMoney", "Sovereignty", "NoWar",
           "Biolabs", "Freedom"],
    "tr": ["DevletinYanındayız", "TürkiyeGüçlü", "MilliBirlik", "YerliVeMilli", "Güçlüİrade",
           "VatanSevgisi"],
    "es": ["Soberanía", "LaVerdad", "Patria", "NoALaInjerencia", "Pueblo", "Dignidad"],
    "ar": ["الحقيقة", "السيادة", "الوطن", "لا_للتدخل", "الشعب", "الكرامة"],
}
_TZ = {"zh": 8.0, "ru": 3.0, "en": 3.0, "tr": 3.0, "es": -5.0, "ar": 3.0}


def _op_size(rng: np.random.Generator, n_accounts: int) -> int:
    """Very small (8–30) a third of the time, else 1–7 % of the world."""
    if rng.random() < 0.33 or (n_accounts < 1500 and rng.random() < 0.3):
        return int(rng.integers(8, 31))
    return max(31, round(float(rng.uniform(0.01, 0.07)) * n_accounts))


def draw_op(rng: np.random.Generator, k: int, n_accounts: int) -> OpSpec:
    """One operation: an archetype, then each trait drawn independently."""
    arch = str(rng.choice(ARCHETYPES, p=_ARCHETYPE_P))
    lang = str(rng.choice(OP_LANGS))
    n = _op_size(rng, n_accounts)
    established = arch == "persona" or (arch in ("converse", "drops") and rng.random() < 0.7) or (
        rng.random() < 0.15
    )
    slow = rng.random() < 0.5
    delay = float(rng.uniform(5, 30) if slow else rng.uniform(0.8, 5))
    broadcastish = arch in ("broadcast", "ring", "persona")
    tags = list(rng.choice(_TAGS[lang], size=int(rng.integers(1, 4)), replace=False))
    tags = [f"{t}{int(rng.integers(2, 99))}" if rng.random() < 0.3 else t for t in tags]
    return OpSpec(
        name=f"{arch}_{k + 1}",
        archetype=arch,
        lang=lang,
        n=n,
        core_share=float(
            rng.uniform(0.1, 0.3) if arch in ("broadcast", "persona") else rng.uniform(0.2, 0.45)
        ),
        established=established,
        zero_share=0.0 if established else float(rng.uniform(0.3, 0.9)),
        hijacked_share=float(rng.uniform(0.05, 0.4)) if rng.random() < 0.35 else 0.0,
        delay_median=delay,
        delay_sigma=float(rng.uniform(0.7, 1.6)),
        office_share=float(rng.uniform(0.6, 0.92)) if rng.random() < 0.4 else 0.0,
        tz=_TZ[lang] if rng.random() < 0.8 else float(rng.choice([-5.0, 0.0, 1.0, 8.0])),
        core_rate=float(rng.uniform(0.08, 0.6)),
        amp_mu=float(rng.uniform(1.5, 10) if arch != "persona" else rng.uniform(0.5, 3)),
        cover_rate=float(
            rng.uniform(0.2, 0.8) if established else rng.uniform(0.0, 0.08)
        ),
        quiet_share=float(rng.uniform(0.1, 0.5))
        if broadcastish and not established and rng.random() < 0.45 else 0.0,
        targets=int(rng.integers(1, 4)) if rng.random() < 0.35 else 0,
        target_share=float(rng.uniform(0.1, 0.5)),
        converse=arch == "converse" or rng.random() < 0.2,
        drops=int(rng.integers(8, 40)) if arch == "drops" or rng.random() < 0.25 else 0,
        drop_size=(2, int(rng.integers(3, 7))),
        campaigns=int(rng.integers(3, 15)) if arch == "ring" or rng.random() < 0.3 else 0,
        start_day=int(rng.integers(0, DAYS // 3)),
        hashtags=[str(t) for t in tags],
    )


def draw_negatives(
    rng: np.random.Generator, n_accounts: int, ops: list[OpSpec]
) -> list[NegSpec]:
    """Hard negatives; each kind present with its own probability, sizes drawn per world."""
    out: list[NegSpec] = []

    def size(lo: float, hi: float, minimum: int) -> int:
        return max(minimum, round(float(rng.uniform(lo, hi)) * n_accounts))

    # fans react within minutes (notifications on); activists and party members see posts later
    delays = {"fandom": (1.0, 10.0), "activists": (5.0, 60.0), "party": (10.0, 90.0)}
    for sub in COMMUNITY_KINDS:
        if rng.random() < 0.7:
            n = size(0.02, 0.06, 25)
            out.append(NegSpec("community", NEGATIVE_GROUP[sub], n, sub=sub,
                               hubs=int(rng.integers(2, 8)), p_engage=float(rng.uniform(0.15, 0.6)),
                               delay_median=float(rng.uniform(*delays[sub]))))
    if rng.random() < 0.7:
        out.append(NegSpec("org_staff", "org_staff", size(0.005, 0.015, 10),
                           hubs=int(rng.integers(1, 4)), p_engage=float(rng.uniform(0.5, 0.95)),
                           delay_median=float(rng.uniform(2, 15))))
    if rng.random() < 0.6:
        out.append(NegSpec("news_bots", "news_bots", size(0.002, 0.004, 3)))
    if rng.random() < 0.5:
        out.append(NegSpec("news_burst", "news_burst", size(0.03, 0.1, 30)))
    if rng.random() < 0.6:
        out.append(NegSpec("few_posts", "few_posts", size(0.03, 0.1, 20)))
    # popular accounts that operations retweet exist whenever some operation targets them
    n_targets = sum(op.targets for op in ops)
    if n_targets or rng.random() < 0.3:
        out.append(NegSpec("state_media", "state_media", max(n_targets, 2)))
    for i, op in enumerate(ops):
        if rng.random() < 0.55:
            out.append(NegSpec("same_stance", NEGATIVE_GROUP["same_stance"],
                               size(0.01, 0.04, 15), op=i, p_engage=float(rng.uniform(0.01, 0.08)),
                               delay_median=float(rng.uniform(1, 30))))
        if (op.campaigns or op.hashtags) and rng.random() < 0.4:
            out.append(NegSpec("hashtag_activists", NEGATIVE_GROUP["hashtag_activists"],
                               size(0.01, 0.03, 12), op=i, p_engage=float(rng.uniform(0.3, 0.8)),
                               delay_median=float(rng.uniform(2, 20))))
        if op.converse:
            out.append(NegSpec("engaged_ordinary", NEGATIVE_GROUP["engaged_ordinary"],
                               max(10, round(op.n * float(rng.uniform(0.5, 3.0)))), op=i,
                               p_engage=float(rng.uniform(0.1, 0.5))))
    return out


def draw_zoo(seed: int, scale: str) -> ZooParams:
    """Draw a zoo world's families and parameters from ``seed`` (same seed, same world)."""
    if scale not in ZOO_SCALES:
        raise SimulationError(
            f"--zoo supports --scale {', '.join(ZOO_SCALES)} (got {scale!r})"
        )
    if seed < 0:
        raise SimulationError(f"--seed must be >= 0 (got {seed})")
    rng = np.random.default_rng([seed, 4242])
    n = SCALES[scale]
    k_ops = int(rng.integers(1, 4)) if scale == "tiny" else int(rng.integers(2, 6))
    ops = [draw_op(rng, k, n) for k in range(k_ops)]
    negatives = draw_negatives(rng, n, ops)
    return ZooParams(
        seed=seed,
        scale=scale,
        n_accounts=n,
        organic_rate=SCALE_RATE[scale] * float(rng.uniform(0.7, 1.3)),
        celebrity_frac=float(rng.uniform(0.002, 0.006)),
        ops=ops,
        negatives=negatives,
    )
