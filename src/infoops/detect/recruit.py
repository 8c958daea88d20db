"""Recruit the cores and amplifiers clustering missed; merge networks that share cores.

Co-action traces link accounts that *do the same thing*; the accounts an
operation's amplifiers all retweet — its cores — often do nothing in common
with each other or with their amplifiers at the same moment (a core posts,
its team retweets it minutes later), so clustering can leave them out and
split one operation into one network per team. Following the core/amplifier
structure of disclosed operations (Twitter Transparency, 2020; Keller et
al., 2020), an account outside every network of the run is recruited as a
core of a network when

* at least ``min_amplifiers`` distinct members repost or quote it, at least
  ``min_received`` times in all (replies do not count: operations talk to
  ordinary people — the 2020 Russia-linked accounts asked leading questions,
  the IRA replied to real users all the time — and a conversation is not
  ownership),
* at least ``min_owned_share`` of all the reposts/quotes/replies it receives
  in the store come from members of the run's networks (it is *owned* by
  the operation — a celebrity or journalist the operation also engages with
  draws most of its engagement from everyone else), and
* members amplified at least ``min_coverage`` of the posts it wrote (a
  team boosts everything its core posts; an organic account whose one
  popular post the members happened to retweet is not a core).

Networks whose members amplify the same recruited sources (at least two in
common, each taking a real part in both) are one operation and are merged;
the merged network keeps the id of its largest part.

Symmetrically, an account outside every network joins one as an amplifier
when at least ``min_posts`` of its posts, and at least ``min_share`` of all
its posts, repost or quote that network's members — "amplifiers mostly
repost or engage with the cores" (again, replying to members is
conversation, not amplification). An account with fewer posts than that (a
quiet amplifier: burst-created, no followers, a handful of retweets) joins
when at least ``quiet_min_posts`` of its posts, and ``min_share`` of them,
repost the network's members *and* it shares an account signal with the
operation — it was created in a burst or has no followers (Twitter found
those by association plus account signals). Cores and amplifiers are recruited
in alternating rounds (at most ``rounds``) until nothing changes: newly
found amplifiers can reveal cores that only they amplify.
"""

from __future__ import annotations

import pandas as pd

from infoops.detect.params import RoleParams
from infoops.store import Store


def find_sources(
    store: Store, run_id: str, min_amplifiers: int = 2, min_owned_share: float = 0.5,
    min_received: int = 10, min_coverage: float = 0.5,
) -> pd.DataFrame:
    """Candidate cores outside the run's networks, one row per (source, network).

    Columns: ``account_id`` (the source), ``network_id``, ``n_amplifiers``
    (distinct members of that network amplifying it), ``from_network``
    (their reposts/quotes/replies), ``from_members`` (from all networks),
    ``received`` (from anyone).
    """
    return store.sql(
        """
        WITH m AS (SELECT DISTINCT network_id, account_id FROM members WHERE run_id = $run),
        amp AS (
            SELECT m.network_id, p.account_id AS src,
                   coalesce(p.ref_account_id, p.reply_to_account_id) AS t,
                   coalesce(p.ref_post_id, p.reply_to_post_id) AS t_post
            FROM posts p JOIN m USING (account_id)
            WHERE p.kind IN ('retweet', 'quote')
        ),
        cand AS (
            SELECT t, network_id, count(*) AS from_network, count(DISTINCT src) AS n_amplifiers
            FROM amp
            WHERE t IS NOT NULL AND t <> src AND t NOT IN (SELECT account_id FROM m)
            GROUP BY ALL
        ),
        tot AS (
            SELECT t, sum(from_network) AS from_members, sum(n_amplifiers) AS amplifiers
            FROM cand GROUP BY t HAVING sum(n_amplifiers) >= $min_amp AND sum(from_network) >= $min_recv
        ),
        covered AS (
            SELECT t, count(DISTINCT t_post) AS n_covered FROM amp
            WHERE t IN (SELECT t FROM tot) GROUP BY t
        ),
        recv AS (
            SELECT coalesce(p.ref_account_id, p.reply_to_account_id) AS t, count(*) AS received
            FROM posts p
            WHERE p.kind IN ('retweet', 'quote')
              AND coalesce(p.ref_account_id, p.reply_to_account_id) IN (SELECT t FROM tot)
              AND p.account_id <> coalesce(p.ref_account_id, p.reply_to_account_id)
            GROUP BY 1
        ),
        own AS (
            SELECT account_id AS t, count(*) AS n_authored FROM posts
            WHERE kind <> 'retweet' AND account_id IN (SELECT t FROM tot) GROUP BY 1
        )
        SELECT cand.t AS account_id, cand.network_id, cand.n_amplifiers, cand.from_network,
               tot.from_members, recv.received, own.n_authored, covered.n_covered
        FROM cand JOIN tot USING (t) JOIN recv USING (t) JOIN own USING (t) JOIN covered USING (t)
        WHERE tot.from_members >= $share * recv.received AND own.n_authored > 0
          AND covered.n_covered >= $coverage * own.n_authored
        ORDER BY account_id, network_id
        """,
        {"run": run_id, "min_amp": int(min_amplifiers), "share": float(min_owned_share),
         "min_recv": int(min_received), "coverage": float(min_coverage)},
    )


def merge_plan(sources: pd.DataFrame, sizes: dict[str, int], min_amplifiers: int = 2,
               min_share: float = 0.1, min_shared: int = 2,
               mergeable: set[str] | None = None) -> tuple[dict[str, str], pd.DataFrame]:
    """Which networks merge, and where each source goes.

    A source joins the network that amplifies it most (``from_network``; ties:
    the smallest id). Another network amplifying it takes a real part in it
    when at least ``min_amplifiers`` of its members and at least ``min_share``
    of the members' engagement with the source come from it (a few cover
    retweets of another operation's core are not a shared source). Two
    networks merge when they take a real part in at least ``min_shared``
    common sources: the teams of one operation boost the same cores again and
    again, while two operations whose cover activity happens to land on the
    same small organic account share that one account only (on the 12M-post
    simulated world every true core was amplified by one network, and every
    source shared by two operations was such an organic account).
    ``sources`` is :func:`find_sources`' frame. With ``mergeable``, only
    networks in it merge (a network that was rejected on its own evidence
    does not join a kept one through a shared source).

    Returns ``(renames, recruits)``: ``renames`` maps a network id to the id
    of the merged network it joins (only networks that change); ``recruits``
    has ``network_id, account_id`` for every source, in its merged network.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    ranked = sources.sort_values(["account_id", "from_network", "network_id"],
                                 ascending=[True, False, True], kind="stable")
    main = ranked.drop_duplicates("account_id").set_index("account_id")["network_id"]
    part = ((ranked["n_amplifiers"] >= min_amplifiers)
            & (ranked["from_network"] >= min_share * ranked["from_members"]))
    ranked = ranked[part.to_numpy() | (ranked["network_id"].to_numpy()
                                       == ranked["account_id"].map(main).to_numpy())]
    shared: dict[tuple[str, str], int] = {}
    for _acc, grp in ranked.groupby("account_id", sort=True):
        nets = sorted(set(grp["network_id"]))
        for i, x in enumerate(nets):
            for y in nets[i + 1:]:
                shared[(x, y)] = shared.get((x, y), 0) + 1
    for (x, y), count in sorted(shared.items()):
        if mergeable is not None and not (x in mergeable and y in mergeable):
            continue
        ra, rb = find(x), find(y)
        if count >= min_shared and ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    components: dict[str, list[str]] = {}
    for n in sorted(set(parent)):
        components.setdefault(find(n), []).append(n)
    renames: dict[str, str] = {}
    for parts in components.values():
        # the largest part names the merged network (ties: the smallest id)
        head = min(parts, key=lambda n: (-sizes.get(n, 0), n))
        renames.update({n: head for n in parts if n != head})
    recruits = pd.DataFrame({"account_id": main.index,
                             "network_id": [renames.get(n, n) for n in main.to_numpy()]})
    return renames, recruits[["network_id", "account_id"]].reset_index(drop=True)


def find_amplifiers(store: Store, run_id: str, min_posts: int = 3, min_share: float = 0.5,
                    quiet_min_posts: int | None = None) -> pd.DataFrame:
    """Accounts outside the run's networks that mostly amplify one network's members.

    With ``quiet_min_posts``, accounts with fewer than ``min_posts`` posts in
    all and at least ``quiet_min_posts`` reposts/quotes of the network (and
    ``min_share`` of their posts) are candidates too, marked ``quiet``; the
    caller checks their account signals.

    Returns ``network_id, account_id, n_to_network, n_posts, quiet``, one row
    per account (the network it amplifies most; ties: the smallest id).
    """
    low = min_posts if quiet_min_posts is None else min(min_posts, quiet_min_posts)
    return store.sql(
        """
        WITH m AS (SELECT DISTINCT network_id, account_id FROM members WHERE run_id = $run),
        a AS (
            SELECT p.account_id, mt.network_id, count(*) AS n_to_network
            FROM posts p JOIN m mt ON mt.account_id = coalesce(p.ref_account_id, p.reply_to_account_id)
            WHERE p.kind IN ('retweet', 'quote')
              AND p.account_id NOT IN (SELECT account_id FROM m)
            GROUP BY ALL HAVING count(*) >= $low
        ),
        tot AS (
            SELECT account_id, count(*) AS n_posts FROM posts
            WHERE account_id IN (SELECT account_id FROM a) GROUP BY 1
        )
        SELECT a.network_id, a.account_id, a.n_to_network, tot.n_posts,
               a.n_to_network < $min_posts AS quiet
        FROM a JOIN tot USING (account_id)
        WHERE a.n_to_network >= $share * tot.n_posts
          AND (a.n_to_network >= $min_posts OR tot.n_posts < $min_posts)
        QUALIFY row_number() OVER (PARTITION BY a.account_id ORDER BY a.n_to_network DESC, a.network_id) = 1
        ORDER BY a.account_id
        """,
        {"run": run_id, "min_posts": int(min_posts), "share": float(min_share), "low": int(low)},
    )


def quiet_with_signals(store: Store, candidates: pd.DataFrame) -> pd.DataFrame:
    """The quiet candidates that were created in a burst or have no followers."""
    from infoops.detect.signals import creation_bursts, low_followers

    if candidates.empty:
        return candidates
    ids = list(candidates["account_id"])
    burst = creation_bursts(store, ids)
    few = low_followers(store, ids)
    ok = set(burst.loc[burst["flagged"].fillna(False).astype(bool), "account_id"]) | set(
        few.loc[few["flagged"].fillna(False).astype(bool), "account_id"])
    return candidates[candidates["account_id"].isin(ok)]


def recruit(store: Store, run_id: str, params: RoleParams,
            mergeable: set[str] | None = None) -> tuple[pd.DataFrame, dict[str, str]]:
    """Recruit owned sources (cores) and amplifiers; merge networks sharing sources.

    See the module docstring; every threshold comes from ``params``
    (:class:`infoops.detect.params.RoleParams`). Returns ``(recruits,
    renames)``: ``recruits`` has ``network_id, account_id, kind`` ('core' |
    'amplifier' | 'quiet amplifier') for every recruited account, in the
    network it ended in; ``renames`` maps each network merged away to the
    network it joined. Only networks in ``mergeable`` (default: all) merge.
    """
    frames: list[pd.DataFrame] = []
    renames_all: dict[str, str] = {}
    for _ in range(params.recruit_rounds):
        cores, renames = _recruit_cores(store, run_id, params, mergeable)
        renames_all = {old: renames.get(new, new) for old, new in renames_all.items()}
        renames_all.update(renames)
        frames = [f.assign(network_id=f["network_id"].replace(renames)) for f in frames]
        amps = find_amplifiers(store, run_id, params.amplifier_min_posts,
                               params.amplifier_min_share, params.quiet_min_posts)
        quiet = amps[amps["quiet"].astype(bool)]
        amps = pd.concat([amps[~amps["quiet"].astype(bool)].assign(kind="amplifier"),
                          quiet_with_signals(store, quiet).assign(kind="quiet amplifier")])
        _insert_members(store, run_id, amps)
        frames += [cores.assign(kind="core"), amps[["network_id", "account_id", "kind"]]]
        if cores.empty and amps.empty:
            break
    recruits = (pd.concat(frames, ignore_index=True) if frames
                else pd.DataFrame(columns=["network_id", "account_id", "kind"]))
    return recruits[["network_id", "account_id", "kind"]], renames_all


def _insert_members(store: Store, run_id: str, rows: pd.DataFrame) -> None:
    if rows.empty:
        return
    with store.registered("_recruits", rows[["network_id", "account_id"]].assign(run_id=run_id)), \
            store.transaction():
        store.execute(
            "INSERT INTO members (run_id, network_id, account_id) "
            "SELECT run_id, network_id, account_id FROM _recruits"
        )


def _recruit_cores(store: Store, run_id: str, params: RoleParams,
                   mergeable: set[str] | None) -> tuple[pd.DataFrame, dict[str, str]]:
    sources = find_sources(store, run_id, params.min_amplifiers, params.owned_share,
                           params.source_min_received, params.source_min_coverage)
    if sources.empty:
        return pd.DataFrame(columns=["network_id", "account_id"]), {}
    sizes = dict(
        store.execute(
            "SELECT network_id, count(*) FROM members WHERE run_id = ? GROUP BY 1", [run_id]
        ).fetchall()
    )
    renames, recruits = merge_plan(sources, sizes, params.min_amplifiers,
                                   params.merge_min_share, params.merge_min_shared, mergeable)
    apply_renames(store, run_id, renames)
    _insert_members(store, run_id, recruits)
    return recruits, renames


def apply_renames(store: Store, run_id: str, renames: dict[str, str]) -> None:
    """Move the members of each network in ``renames`` into its target; drop the old rows."""
    if not renames:
        return
    con = store.con
    frame = pd.DataFrame({"old": list(renames), "new": list(renames.values())}, dtype="object")
    with store.registered("_renames", frame), store.transaction():
        con.execute(
            "UPDATE members SET network_id = r.new FROM _renames r "
            "WHERE members.run_id = $run AND members.network_id = r.old",
            {"run": run_id},
        )
        con.execute(
            "DELETE FROM networks WHERE run_id = $run AND network_id IN (SELECT old FROM _renames)",
            {"run": run_id},
        )
