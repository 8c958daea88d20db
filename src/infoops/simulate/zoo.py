"""Zoo worlds: ``simulate_zoo(out, seed=..., scale=...)`` (``infoops simulate --zoo``).

Writes the same four files as :func:`infoops.simulate.simulate` — the same
writers, id scheme and time-ordered ``tweets.csv`` — but the world's
operations and hard negatives are drawn per seed from the families of
:mod:`infoops.simulate.zoo_params`. The standard worlds are untouched.

Order: every account is created first (celebrities, hard negatives, operations,
then ordinary users to fill the scale), ids are assigned by one keyed
permutation over all of them, so no id range or pattern tells populations
apart. Posts follow: hubs and state media (they join the retweetable pool),
everyday activity, the operations, then the hard negatives tied to them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from infoops.errors import SimulationError
from infoops.simulate.accounts import Accounts, IdAllocator, mix_ids
from infoops.simulate.hijack import hijack_life
from infoops.simulate.organic import (
    add_celebrities,
    add_organic,
    background,
    celebrity_posts,
    pool_weight,
)
from infoops.simulate.posts import Pool, PostBlock, concat
from infoops.simulate.world import (
    POOL_CAP,
    SimulationSummary,
    _BucketedTweets,
    _organic_profile_changes,
)
from infoops.simulate.writer import write_profile_changes, write_truth, write_users
from infoops.simulate.zoo_negatives import (
    ZooNeg,
    activist_posts,
    add_negative,
    few_posts,
    follower_posts,
    hub_posts,
    news_posts,
    same_stance_posts,
)
from infoops.simulate.zoo_ops import (
    ZooOp,
    add_op,
    amplification,
    campaigns,
    conversation,
    core_posts,
    cover,
    link_drops,
)
from infoops.simulate.zoo_params import ZooParams, draw_zoo


def build_zoo_accounts(params: ZooParams) -> tuple[pd.DataFrame, list[ZooOp], list[ZooNeg], np.ndarray]:
    """Every account of a zoo world: (frame, operations, hard negatives, celebrity indices)."""
    seed = params.seed
    accts = Accounts()
    n_celeb = max(3, round(params.celebrity_frac * params.n_accounts))
    celebs = add_celebrities(np.random.default_rng([seed, 1]), accts, n_celeb)
    negs = [
        add_negative(np.random.default_rng([seed, 200 + i]), accts, spec, params)
        for i, spec in enumerate(params.negatives)
    ]
    ops = [
        add_op(np.random.default_rng([seed, 100 + i]), accts, spec)
        for i, spec in enumerate(params.ops)
    ]
    n_org = params.n_accounts - accts.n
    if n_org < 100:
        raise SimulationError(
            f"zoo world (seed {seed}, {params.scale}) leaves only {n_org} ordinary accounts"
        )
    add_organic(np.random.default_rng([seed, 6]), accts, n_org, params)
    frame = accts.frame()
    for col in frame.columns:
        if frame[col].dtype != np.int64 and frame[col].dtype != np.float64:
            frame[col] = frame[col].to_numpy(dtype=object)
    rng = np.random.default_rng([seed, 7])
    key = int(rng.integers(1, 1 << 58))
    counter = rng.permutation(len(frame)).astype(np.uint64)
    frame["userid"] = mix_ids(counter, key).astype(str).astype(object)
    return frame, ops, negs, celebs


def simulate_zoo(
    out: str | Path,
    seed: int = 0,
    scale: str = "small",
    progress: Callable[[str], None] | None = None,
) -> SimulationSummary:
    """Write a zoo world (families drawn from ``seed``) with ground truth into ``out``.

    Same files and layouts as :func:`infoops.simulate.simulate`; the same
    ``seed`` and ``scale`` give byte-identical files. ``truth.csv`` names each
    operation (``broadcast_1``, ``converse_2``, …) and each account's group
    (e.g. ``broadcast_1_core``, ``state_media``, ``organic_same_stance``).
    """
    say = progress or (lambda msg: None)
    params = draw_zoo(seed, scale)
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SimulationError(
            f"{out}: cannot create the output folder ({exc}); pass another --out"
        ) from exc
    say(f"building {params.n_accounts:,} accounts ({', '.join(params.families())})")
    frame, ops, negs, celebs = build_zoo_accounts(params)
    by_id = np.argsort(frame["userid"].to_numpy())
    write_users(out / "users.csv", frame.iloc[by_id])
    write_truth(out / "truth.csv", frame.iloc[by_id])

    ids = IdAllocator(int(np.random.default_rng([seed, 8]).integers(1, 1 << 58)))
    pool = Pool(POOL_CAP)
    sink = _BucketedTweets(out, frame)
    changes: list[tuple[int, int, str, str, str]] = []
    try:
        _write_world(seed, params, frame, ops, negs, celebs, ids, pool, sink, changes, say)
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
        params=None,
    )


def _write_world(
    seed: int, params: ZooParams, frame: pd.DataFrame, ops: list[ZooOp], negs: list[ZooNeg],
    celebs: np.ndarray, ids: IdAllocator, pool: Pool, sink: _BucketedTweets,
    changes: list[tuple[int, int, str, str, str]], say: Callable[[str], None],
) -> None:
    say("popular accounts and hubs")
    rng = np.random.default_rng([seed, 11])
    celeb = celebrity_posts(rng, ids, frame, celebs)
    pool.add(celeb, pool_weight(rng, frame, celeb), permanent=True)
    sink.write(celeb)
    hubs: list[PostBlock] = []
    for i, neg in enumerate(negs):
        b = hub_posts(np.random.default_rng([seed, 300 + i]), ids, frame, neg, pool)
        hubs.append(b)
        sink.write(b)
    state = concat([b for b, n in zip(hubs, negs, strict=False) if n.spec.kind == "state_media"])
    say("everyday activity")
    group = frame["group"].to_numpy()
    everyday = [np.flatnonzero(group == "organic")] + [n.members for n in negs if n.everyday]
    for b in background(np.random.default_rng([seed, 13]), ids, frame,
                        np.sort(np.concatenate(everyday)), pool):
        sink.write(b)
    say("operations")
    cores: list[PostBlock] = []
    moments: list[np.ndarray] = []
    for i, op in enumerate(ops):
        rng = np.random.default_rng([seed, 400 + i])
        if op.hijack is not None:
            life, ch = hijack_life(rng, ids, frame, op.hijack)
            sink.write(life)
            changes.extend(ch)
        for b in cover(rng, ids, frame, op, pool):
            sink.write(b)
        c = core_posts(rng, ids, frame, op)
        sink.write(c)
        cores.append(c)
        for b in amplification(rng, ids, frame, op, c, state):
            sink.write(b)
        camp, starts = campaigns(rng, ids, frame, op)
        sink.write(camp)
        moments.append(starts)
        if op.spec.drops:
            sink.write(link_drops(rng, ids, frame, op))
        if op.spec.converse:
            engaged = [n for n in negs if n.spec.kind == "engaged_ordinary" and n.spec.op == i]
            who = engaged[0].members if engaged else np.zeros(0, np.int64)
            p = engaged[0].spec.p_engage if engaged else 0.0
            for b in conversation(rng, ids, frame, op, who, p):
                sink.write(b)
    say("hard negatives")
    for i, (neg, hub) in enumerate(zip(negs, hubs, strict=False)):
        rng = np.random.default_rng([seed, 500 + i])
        kind = neg.spec.kind
        if kind in ("community", "org_staff"):
            for b in follower_posts(rng, ids, frame, neg, hub):
                sink.write(b)
        elif kind == "same_stance":
            sink.write(same_stance_posts(rng, ids, frame, neg, ops[neg.spec.op],
                                         cores[neg.spec.op]))
        elif kind == "hashtag_activists":
            sink.write(activist_posts(rng, ids, frame, neg, ops[neg.spec.op],
                                      cores[neg.spec.op], moments[neg.spec.op]))
        elif kind == "few_posts":
            sink.write(few_posts(rng, ids, frame, neg, pool))
        elif kind in ("news_bots", "news_burst"):
            sink.write(news_posts(rng, ids, frame, neg, hub, seed))


__all__ = ["build_zoo_accounts", "draw_zoo", "simulate_zoo"]
