"""Build a whole world and write it: ``simulate(out, seed=..., scale=...)``.

Accounts are built first (every population, in a fixed order, each with its
own seeded generator); posts are then generated population by population and
streamed into per-day bucket files, which are finally sorted by time and
concatenated into ``tweets.csv``. Row order therefore follows the clock, as in
a collection, and says nothing about who belongs to which population.
"""

from __future__ import annotations

import pickle
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from infoops.ioarchive import TWEET_COLUMNS_31
from infoops.simulate.accounts import Accounts, IdAllocator, mix_ids
from infoops.simulate.config import DAYS, SimulationError, WorldParams, draw_params
from infoops.simulate.hijack import hijack_life
from infoops.simulate.negatives import NegativePlan, add_negatives, hub_posts, negative_posts
from infoops.simulate.operations import (
    OpPlan,
    add_prc,
    add_russia,
    add_turkey,
    prc_posts,
    russia_posts,
    turkey_posts,
)
from infoops.simulate.organic import (
    add_celebrities,
    add_organic,
    background,
    celebrity_posts,
    pool_weight,
)
from infoops.simulate.posts import Pool, PostBlock, concat
from infoops.simulate.writer import (
    TweetRows,
    minutes_to_str,
    open_csv,
    write_profile_changes,
    write_truth,
    write_users,
)

POOL_CAP = 300_000


@dataclass
class SimulationSummary:
    """What :func:`simulate` wrote."""

    out: Path
    seed: int
    scale: str
    n_accounts: int
    n_posts: int
    n_profile_changes: int
    groups: dict[str, int] = field(default_factory=dict)
    params: WorldParams | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "out": str(self.out),
            "seed": self.seed,
            "scale": self.scale,
            "n_accounts": self.n_accounts,
            "n_posts": self.n_posts,
            "n_profile_changes": self.n_profile_changes,
            "groups": self.groups,
        }


class _BucketedTweets:
    """Posts go to one temporary file per day; :meth:`finish` sorts each day by time into tweets.csv.

    Buckets hold pickled column slices (not CSV), so each row is formatted once.
    """

    def __init__(self, out: Path, frame: pd.DataFrame) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix=".tweets-", dir=out))
        self.out = out
        self.format = TweetRows(frame)
        self.files = [open(self.tmp / f"{d:03d}.pkl", "wb") for d in range(DAYS)]  # noqa: SIM115 (closed in finish/abort)
        self.created = frame["created_day"].to_numpy() * 1440
        self.rows = 0

    def write(self, b: PostBlock) -> None:
        b = b.keep(b.t >= self.created[b.author])  # nobody posts before their account exists
        day = b.t // 1440
        order = np.argsort(day, kind="stable")
        b = b.keep(order)
        day = day[order]
        bounds = np.searchsorted(day, np.arange(DAYS + 1))
        for d in np.unique(day):
            pickle.dump(
                b.keep(slice(bounds[d], bounds[d + 1])),
                self.files[d],
                protocol=pickle.HIGHEST_PROTOCOL,
            )
        self.rows += len(b)

    def finish(self) -> None:
        for bucket in self.files:
            bucket.close()
        fh, out = open_csv(self.out / "tweets.csv")
        with fh:
            out.writerow(TWEET_COLUMNS_31)
            for d in range(DAYS):
                parts = []
                with open(self.tmp / f"{d:03d}.pkl", "rb") as g:
                    while True:
                        try:
                            parts.append(pickle.load(g))
                        except EOFError:
                            break
                day = concat(parts)
                day = day.keep(np.lexsort((day.tweetid, day.t)))
                out.writerows(self.format.rows(day))
        shutil.rmtree(self.tmp)

    def abort(self) -> None:
        for f in self.files:
            f.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


@dataclass
class Plans:
    """Account indices and behaviour plans of every population."""

    celebrities: np.ndarray
    negatives: NegativePlan
    prc: OpPlan
    russia: OpPlan
    turkey: OpPlan
    organic: np.ndarray


def build_accounts(params: WorldParams) -> tuple[pd.DataFrame, Plans]:
    """Every account of the world (public profile, behaviour parameters, truth labels)."""
    seed = params.seed
    accts = Accounts()
    n = params.n_accounts
    n_celeb = max(5, round(params.frac["celebrity"] * n))
    celebrities = add_celebrities(np.random.default_rng([seed, 1]), accts, n_celeb)
    negatives = add_negatives(np.random.default_rng([seed, 2]), accts, params)
    prc = add_prc(np.random.default_rng([seed, 3]), accts, params)
    russia = add_russia(np.random.default_rng([seed, 4]), accts, params)
    turkey = add_turkey(np.random.default_rng([seed, 5]), accts, params)
    n_org = n - accts.n
    if n_org < 50:
        raise SimulationError(f"scale {params.scale!r} leaves only {n_org} organic accounts")
    organic = add_organic(np.random.default_rng([seed, 6]), accts, n_org, params)
    frame = accts.frame()
    for col in frame.columns:  # plain object arrays: fast element access while writing
        if frame[col].dtype != np.int64 and frame[col].dtype != np.float64:
            frame[col] = frame[col].to_numpy(dtype=object)
    rng = np.random.default_rng([seed, 7])
    key = int(rng.integers(1, 1 << 58))
    counter = rng.permutation(len(frame)).astype(np.uint64)
    frame["userid"] = mix_ids(counter, key).astype(str).astype(object)
    return frame, Plans(celebrities, negatives, prc, russia, turkey, organic)


def _organic_profile_changes(
    rng: np.random.Generator, frame: pd.DataFrame, share: float = 0.03
) -> list[tuple[int, int, str, str, str]]:
    """Ordinary users rename themselves and edit their bios too."""
    organic = np.flatnonzero(frame["operation"].to_numpy() == "none")
    who = organic[rng.random(len(organic)) < share]
    t = rng.integers(0, DAYS * 1440, len(who))
    out = []
    for a, m, u in zip(who, t, rng.random(len(who)), strict=False):
        if m < frame["created_day"].iloc[a] * 1440:
            continue
        if u < 0.6:
            new = frame["display_name"].iloc[a]
            out.append(
                (int(a), int(m), "display_name", f"{new} 🎄" if u < 0.3 else new.upper(), new)
            )
        else:
            out.append((int(a), int(m), "description", "", frame["description"].iloc[a]))
    return out


def _write_posts(sink: _BucketedTweets, seed: int, ids: IdAllocator, frame: pd.DataFrame, plans: Plans,
                 params: WorldParams, pool: Pool, changes: list[tuple[int, int, str, str, str]],
                 say: Callable[[str], None]) -> None:
    """Every group's posts into ``sink``, each stage with its own seeded generator, in a
    fixed order (the same seed gives the same world); hijacked accounts' profile changes
    go to ``changes``."""
    say("popular accounts")
    rng = np.random.default_rng([seed, 11])
    celeb = celebrity_posts(rng, ids, frame, plans.celebrities)
    pool.add(celeb, pool_weight(rng, frame, celeb), permanent=True)
    sink.write(celeb)
    neg = plans.negatives
    hubs = hub_posts(np.random.default_rng([seed, 12]), ids, frame, neg, params, pool)
    for b in hubs:
        sink.write(b)
    say("organic activity")
    everyday = np.sort(np.concatenate([plans.organic, neg.fans, neg.activists, neg.sharers,
                                       neg.staff]))
    for b in background(np.random.default_rng([seed, 13]), ids, frame, everyday, pool):
        sink.write(b)
    say("hard negatives")
    rng = np.random.default_rng([seed, 14])
    for b in negative_posts(rng, ids, frame, neg, params, pool, hubs):
        sink.write(b)
    say("operations")
    rng = np.random.default_rng([seed, 15])
    for plan in (plans.prc, plans.turkey):
        assert plan.hijack is not None
        life, ch = hijack_life(rng, ids, frame, plan.hijack)
        sink.write(life)
        changes.extend(ch)
    for b in prc_posts(rng, ids, frame, plans.prc, params, pool):
        sink.write(b)
    rng = np.random.default_rng([seed, 16])
    for b in russia_posts(rng, ids, frame, plans.russia, pool):
        sink.write(b)
    rng = np.random.default_rng([seed, 17])
    for b in turkey_posts(rng, ids, frame, plans.turkey, params):
        sink.write(b)


def simulate(
    out: str | Path,
    seed: int = 0,
    scale: str = "small",
    progress: Callable[[str], None] | None = None,
    variant: str = "standard",
) -> SimulationSummary:
    """Write a simulated world with ground truth into the folder ``out``.

    Writes ``tweets.csv`` and ``users.csv`` (IO-archive layouts),
    ``profile_changes.csv`` and ``truth.csv`` (``userid,operation,role,group``).
    The same ``seed``, ``scale`` and ``variant`` give byte-identical files;
    ``variant`` changes the PRC-like operation's tactics (see
    :data:`infoops.simulate.config.VARIANTS`).
    """
    say = progress or (lambda msg: None)
    params = draw_params(seed, scale, variant)
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SimulationError(
            f"{out}: cannot create the output folder ({exc}); pass another --out"
        ) from exc
    say(f"building {params.n_accounts:,} accounts")
    frame, plans = build_accounts(params)
    by_id = np.argsort(frame["userid"].to_numpy())
    write_users(out / "users.csv", frame.iloc[by_id])
    write_truth(out / "truth.csv", frame.iloc[by_id])

    ids = IdAllocator(int(np.random.default_rng([seed, 8]).integers(1, 1 << 58)))
    pool = Pool(POOL_CAP)
    sink = _BucketedTweets(out, frame)
    changes: list[tuple[int, int, str, str, str]] = []
    try:
        _write_posts(sink, seed, ids, frame, plans, params, pool, changes, say)
        say("sorting tweets.csv by time")
        sink.finish()
    except BaseException:
        sink.abort()
        raise
    changes.extend(_organic_profile_changes(np.random.default_rng([seed, 18]), frame))
    write_profile_changes(out / "profile_changes.csv", frame, changes)
    groups = frame["group"].value_counts().sort_index()
    return SimulationSummary(
        out=out,
        seed=seed,
        scale=scale,
        n_accounts=len(frame),
        n_posts=sink.rows,
        n_profile_changes=len(changes),
        groups={str(k): int(v) for k, v in groups.items()},
        params=params,
    )


__all__ = ["SimulationSummary", "minutes_to_str", "simulate"]
