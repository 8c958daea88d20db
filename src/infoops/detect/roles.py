"""Roles inside each detected network: core accounts, amplifiers, and bystanders.

Published practice (Twitter Transparency, June 2020 PRC disclosure: 23,750
"core" accounts and ~150,000 "amplifier" accounts; Keller et al., 2020,
"Political astroturfing on Twitter"; Linvill & Warren, 2020, "Troll
factories") separates the accounts that *originate* an operation's content
from those that only *boost* it. Here the split is read from the network's
own interaction graph:

* **core** — a member whose own posts are reposted, quoted or replied to by
  at least ``min_amplifiers`` other members, and which is amplified by the
  network clearly more than it amplifies it (reposts/quotes/replies received
  from members at least 1.5 times those it aims at members: in retweet rings
  every member retweets every other, and what sets the originators apart is
  the balance).
  In a network with no internal amplification at all (copypasta: the members
  post the same texts instead of reposting) the originators are the members
  that usually post a text *before* their partners: a member whose posts come
  first in at least ``min_lead_share`` of its near-duplicate evidence pairs
  is core, the ones that follow are amplifiers. Without such evidence every
  member that mostly writes its own posts (``min_authored_share``) is core.
* **amplifier** — every other member: it mostly reposts or engages with
  other members.
* **bystander** (removed) — an account the network touches but that does not
  act with it: it never amplifies a member and has no coordination edge of
  its own (only fast-retweet edges in which it is the one retweeted), and
  most of the engagement it receives comes from outside the network, or it
  has no posts in the store at all (a celebrity the operation retweets, a
  journalist it replies to).
* **peripheral** (removed) — a member tied to the network by fewer than
  ``min_partners`` significant coordination partners that neither amplifies
  a member nor is amplified by one: a chance co-retweet partner that
  clustering attached to the nearest community (the 2-core idea: a single
  edge is not membership).

:func:`assign_roles` runs after clustering: it computes the features below in
DuckDB, classifies with :class:`RoleClassifier`, removes bystanders, scores
members and networks (:mod:`infoops.detect.scoring`) and writes the result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from infoops.detect.params import RoleParams
from infoops.errors import DetectionError
from infoops.store import Store

#: Traces where an edge means both accounts did something (not one being the target).
PASSIVE_TRACES = ("fast-retweet",)
#: Traces that summarise others and are not counted separately.
SUMMARY_TRACES = ("fused",)

#: Columns of :func:`role_features`.
FEATURE_COLUMNS = (
    "network_id", "account_id", "n_posts", "n_original", "n_authored", "n_amplify",
    "n_amp_internal", "n_amp_targets", "median_delay", "received", "received_internal",
    "n_amplifiers", "n_partners", "n_active_partners", "traces", "behaviour_traces", "verified",
    "followers", "created_at",
    "n_led", "n_followed", "n_tied", "n_tied_acting",
)
#: Traces whose edges a shared link can explain: every evidence pair two posts of the same
#: URL (the link's title copied by a share button or a feed bot, at the feed's minute).
LINK_EXPLAINED_TRACES = ("text-similarity", "synchronized")
#: Share of a post's reposters that must be members for reposting it to tie them
#: (:func:`role_features`, ``n_tied``).
TEAM_SHARE = 0.5
#: Traces whose evidence says who posted first (near-duplicate texts).
LEAD_TRACES = ("text-similarity",)


#: :func:`role_features`, part 1: members, their own posts and their amplification of each other.
_AMPLIFY_SQL = """
        WITH m AS (SELECT DISTINCT network_id, account_id FROM members WHERE run_id = $run),
        own AS (
            SELECT p.account_id, count(*) AS n_posts,
                   count(*) FILTER (WHERE p.kind = 'original') AS n_original,
                   count(*) FILTER (WHERE p.kind <> 'retweet') AS n_authored,
                   count(*) FILTER (WHERE p.kind IN ('retweet', 'quote', 'reply')) AS n_amplify
            FROM posts p WHERE p.account_id IN (SELECT account_id FROM m) GROUP BY ALL
        ),
        amp_1 AS MATERIALIZED (  -- see links_1 below for why this is two steps
            SELECT ms.network_id, p.account_id AS src,
                   coalesce(p.ref_account_id, p.reply_to_account_id) AS target, p.kind,
                   p.created_at, p.ref_post_id, p.post_id
            FROM posts p JOIN m ms ON ms.account_id = p.account_id
            WHERE p.kind IN ('retweet', 'quote', 'reply')
        ),
        amp AS (
            SELECT a.network_id, a.src, mt.account_id AS dst, a.kind, a.created_at, a.ref_post_id,
                   a.post_id
            FROM amp_1 a JOIN m mt ON mt.account_id = a.target AND mt.network_id = a.network_id
            WHERE mt.account_id <> a.src
        ),
        amp_out AS (
            SELECT a.network_id, a.src AS account_id, count(*) AS n_amp_internal,
                   count(DISTINCT a.dst) AS n_amp_targets,
                   median(epoch(a.created_at) - epoch(o.created_at))
                       FILTER (WHERE a.kind = 'retweet' AND o.created_at IS NOT NULL) AS median_delay
            FROM amp a LEFT JOIN posts o ON o.post_id = a.ref_post_id
            GROUP BY ALL
        ),
        amp_in AS (
            SELECT network_id, dst AS account_id, count(*) AS received_internal,
                   count(DISTINCT src) AS n_amplifiers
            FROM amp GROUP BY ALL
        ),
        recv AS (
            SELECT t.account_id, count(*) AS received
            FROM posts p JOIN (SELECT DISTINCT account_id FROM m) t
              ON t.account_id = coalesce(p.ref_account_id, p.reply_to_account_id)
            WHERE p.kind IN ('retweet', 'quote', 'reply') AND p.account_id <> t.account_id
            GROUP BY ALL
        ),
"""
#: :func:`role_features`, part 2: coordination partners and who posted first, inside each network.
_LINKS_SQL = """        -- near-duplicate / same-minute edges whose every evidence pair is two posts of
        -- the same link (the texts are the link's title and the minutes the feed's:
        -- share buttons, feed bots), or two replies to the same post (people answering
        -- one question alike): sharing a link or a conversation, not copying a message
        ev_shared AS (
            SELECT ev.trace, ev.a, ev.b, ev.post_a, ev.post_b
            FROM evidence ev
            JOIN post_urls ua ON ua.post_id = ev.post_a
            JOIN post_urls ub ON ub.post_id = ev.post_b AND ub.url = ua.url
            WHERE ev.run_id = $run AND ev.trace IN $linkable
            UNION
            SELECT ev.trace, ev.a, ev.b, ev.post_a, ev.post_b
            FROM evidence ev
            JOIN posts pa ON pa.post_id = ev.post_a
            JOIN posts pb ON pb.post_id = ev.post_b AND pb.reply_to_post_id = pa.reply_to_post_id
            WHERE ev.run_id = $run AND ev.trace IN $linkable
        ),
        explained AS (
            SELECT ev.trace, ev.a, ev.b FROM evidence ev
            LEFT JOIN ev_shared sh USING (trace, a, b, post_a, post_b)
            WHERE ev.run_id = $run AND ev.trace IN $linkable
            GROUP BY ALL HAVING bool_and(sh.post_a IS NOT NULL)
        ),
        e_1 AS (
            SELECT x.*, ex.trace IS NOT NULL AS explained FROM edges x
            LEFT JOIN explained ex ON ex.trace = x.trace AND ex.a = x.a AND ex.b = x.b
            WHERE x.run_id = $run AND coalesce(x.significant, TRUE)
        ),
        e AS (
            SELECT trace, a AS account_id, b AS other,
                   trace IN $passive AND coalesce(TRY_CAST(json_extract(detail, '$.a_to_b') AS BIGINT), 1) = 0
                       AS passive, explained
            FROM e_1
            UNION ALL
            SELECT trace, b, a,
                   trace IN $passive AND coalesce(TRY_CAST(json_extract(detail, '$.b_to_a') AS BIGINT), 1) = 0,
                   explained
            FROM e_1
        ),
        has_detail AS (SELECT count(*) FILTER (WHERE trace NOT IN $summary) > 0 AS ok FROM e),
        ev AS (
            SELECT e.a AS account_id, e.b AS other, pa.created_at < pb.created_at AS first
            FROM evidence e JOIN posts pa ON pa.post_id = e.post_a
            JOIN posts pb ON pb.post_id = e.post_b
            WHERE e.run_id = $run AND e.trace IN $lead AND pa.created_at <> pb.created_at
        ),
        -- account pairs of both kinds: coordination edges and who-posted-first
        links AS (
            SELECT 'edge' AS kind, trace, account_id, other, passive, NULL::BOOLEAN AS first,
                   explained
            FROM e
            UNION ALL SELECT 'lead', NULL, account_id, other, NULL, first, NULL FROM ev
            UNION ALL SELECT 'lead', NULL, other, account_id, NULL, NOT first, NULL FROM ev
        ),
        -- Each side's network looked up in its own materialised step and
        -- compared afterwards: given both lookups at once, the planner pairs
        -- every two members first (quadratic in the membership) and only then
        -- looks at the links.
        links_1 AS MATERIALIZED (
            SELECT l.*, m1.network_id AS na FROM links l JOIN m m1 ON m1.account_id = l.account_id
        ),
        inside AS MATERIALIZED (
            SELECT l.* FROM links_1 l JOIN m m2 ON m2.account_id = l.other
            WHERE m2.network_id = l.na
        ),
        partners AS (
            SELECT na AS network_id, account_id,
                   count(DISTINCT other) AS n_partners,
                   count(DISTINCT other) FILTER (WHERE NOT passive) AS n_active_partners,
                   string_agg(DISTINCT trace, ',' ORDER BY trace) AS traces,
                   string_agg(DISTINCT trace, ',' ORDER BY trace) FILTER (WHERE NOT explained)
                       AS behaviour_traces
            FROM inside CROSS JOIN has_detail
            WHERE kind = 'edge' AND NOT (has_detail.ok AND trace IN $summary)
            GROUP BY ALL
        ),
        lead AS (
            SELECT na AS network_id, account_id,
                   count(*) FILTER (WHERE first) AS n_led,
                   count(*) FILTER (WHERE NOT first) AS n_followed
            FROM inside WHERE kind = 'lead'
            GROUP BY ALL
        ),
"""
#: :func:`role_features`, part 3: posts that tie a member to its network.
_TIED_SQL = """        -- posts that tie a member to its network: reposts/quotes of members, its own
        -- posts that members reposted or quoted (``amplified``), reposts of what
        -- another member reposted, and the posts behind its coordination edges
        -- a post members repost as a team: at least two of them, and they are at least
        -- $team of everyone who reposted it (a popular post that members also happened
        -- to repost, among thousands, ties no one: its other reposters are the base rate)
        co_rt_1 AS MATERIALIZED (
            SELECT network_id, ref_post_id, count(DISTINCT src) AS k FROM amp_1
            WHERE kind = 'retweet' AND ref_post_id IS NOT NULL
            GROUP BY ALL HAVING count(DISTINCT src) >= 2
        ),
        rt_all AS (
            SELECT ref_post_id, count(DISTINCT account_id) AS n FROM posts
            WHERE kind = 'retweet' AND ref_post_id IN (SELECT ref_post_id FROM co_rt_1)
            GROUP BY 1
        ),
        co_rt AS (
            SELECT c.network_id, c.ref_post_id FROM co_rt_1 c JOIN rt_all USING (ref_post_id)
            WHERE c.k >= $team * rt_all.n
        ),
        ev_1 AS MATERIALIZED (
            SELECT ma.network_id, e.a, e.b, e.post_a, e.post_b
            FROM evidence e JOIN m ma ON ma.account_id = e.a WHERE e.run_id = $run
        ),
        ev_in AS MATERIALIZED (
            SELECT e.* FROM ev_1 e JOIN m mb ON mb.account_id = e.b AND mb.network_id = e.network_id
        ),
        tied AS (
            SELECT network_id, src AS account_id, post_id, FALSE AS amplified
            FROM amp WHERE kind IN ('retweet', 'quote')
            UNION ALL
            SELECT network_id, dst, ref_post_id, TRUE
            FROM amp WHERE kind IN ('retweet', 'quote') AND ref_post_id IS NOT NULL
            UNION ALL
            SELECT a.network_id, a.src, a.post_id, FALSE
            FROM amp_1 a JOIN co_rt c USING (network_id, ref_post_id) WHERE a.kind = 'retweet'
            UNION ALL SELECT network_id, a, post_a, FALSE FROM ev_in WHERE post_a IS NOT NULL
            UNION ALL SELECT network_id, b, post_b, FALSE FROM ev_in WHERE post_b IS NOT NULL
        ),
        tied_n AS (
            SELECT network_id, account_id, count(DISTINCT post_id) AS n_tied,
                   count(DISTINCT post_id) FILTER (WHERE NOT amplified) AS n_tied_acting
            FROM tied GROUP BY ALL
        )
"""
#: :func:`role_features`, part 4: one row per member.
_SELECT_SQL = """        SELECT m.network_id, m.account_id,
               coalesce(own.n_posts, 0) AS n_posts, coalesce(own.n_original, 0) AS n_original,
               coalesce(own.n_authored, 0) AS n_authored, coalesce(own.n_amplify, 0) AS n_amplify,
               coalesce(ao.n_amp_internal, 0) AS n_amp_internal,
               coalesce(ao.n_amp_targets, 0) AS n_amp_targets, ao.median_delay,
               coalesce(recv.received, 0) AS received,
               coalesce(ai.received_internal, 0) AS received_internal,
               coalesce(ai.n_amplifiers, 0) AS n_amplifiers,
               coalesce(pt.n_partners, 0) AS n_partners,
               coalesce(pt.n_active_partners, 0) AS n_active_partners,
               coalesce(pt.traces, '') AS traces,
               coalesce(pt.behaviour_traces, '') AS behaviour_traces,
               coalesce(acc.verified, FALSE) AS verified, acc.followers, acc.created_at,
               coalesce(ld.n_led, 0) AS n_led, coalesce(ld.n_followed, 0) AS n_followed,
               coalesce(tn.n_tied, 0) AS n_tied, coalesce(tn.n_tied_acting, 0) AS n_tied_acting
        FROM m
        LEFT JOIN own USING (account_id)
        LEFT JOIN amp_out ao USING (network_id, account_id)
        LEFT JOIN amp_in ai USING (network_id, account_id)
        LEFT JOIN recv USING (account_id)
        LEFT JOIN partners pt USING (network_id, account_id)
        LEFT JOIN accounts acc USING (account_id)
        LEFT JOIN lead ld USING (network_id, account_id)
        LEFT JOIN tied_n tn USING (network_id, account_id)
        ORDER BY m.network_id, m.account_id
"""


def role_features(store: Store, run_id: str) -> pd.DataFrame:
    """Per-member behaviour inside its network, one row per member of ``run_id``.

    Columns (:data:`FEATURE_COLUMNS`): posts by kind (``n_original``;
    ``n_authored`` = originals + quotes + replies; ``n_amplify`` = retweets +
    quotes + replies), ``n_amp_internal`` (of those, the ones aimed at another
    member) and ``n_amp_targets`` (distinct members aimed at), the median
    delay in seconds of its internal retweets, engagement it received
    (``received``, ``received_internal``, ``n_amplifiers`` = distinct members
    engaging), its significant coordination partners in the network
    (``n_partners``; ``n_active_partners`` leaves out fast-retweet edges in
    which it was only the one retweeted) and the traces involved
    (``behaviour_traces``: the same without near-duplicate and same-minute
    edges whose every evidence pair is two posts of one link, see
    :data:`LINK_EXPLAINED_TRACES`);
    ``n_led`` / ``n_followed``: in the near-duplicate evidence pairs it shares
    with other members, how often its post came first / second;
    ``n_tied``: its distinct posts that tie it to the network (reposts and
    quotes of members, its own posts that members reposted or quoted, reposts
    of posts another member reposted when members are at least
    :data:`TEAM_SHARE` of all who reposted them, the posts behind its
    coordination edges with members) and ``n_tied_acting`` the same without its own posts
    that members amplified (what it *did*, not what was done to it).
    """
    return store.sql(
        _AMPLIFY_SQL + _LINKS_SQL + _TIED_SQL + _SELECT_SQL,
        {"run": run_id, "passive": list(PASSIVE_TRACES), "summary": list(SUMMARY_TRACES),
         "lead": list(LEAD_TRACES), "team": TEAM_SHARE, "linkable": list(LINK_EXPLAINED_TRACES)},
    )


@dataclass
class RoleClassifier:
    """Core / amplifier / bystander from :func:`role_features` (rules above).

    Follows scikit-learn's estimator conventions: hyper-parameters are set in
    ``__init__``, :meth:`fit` validates the features and learns, per network,
    whether it amplifies itself at all (``amplifying_networks_``), and
    returns ``self``; :meth:`predict` returns one label per row.

    Parameters
    ----------
    min_amplifiers:
        Distinct members that must amplify an account for it to be core.
    min_balance:
        Smallest amplification balance ``(in - out) / (in + out)`` of a core,
        where ``in`` counts the reposts/quotes/replies it received from
        members and ``out`` those it aimed at members (0.2: it receives at
        least 1.5 times what it gives).
    min_authored_share:
        In a network without internal amplification, the share of its posts
        a member must have written itself (not reposted) to be core.
    min_lead_share:
        In a network without internal amplification, the share of its
        near-duplicate evidence pairs in which a member posted first for it
        to be core (used where the member has such evidence).
    max_bystander_internal_share:
        A passive member is a bystander when at most this share of the
        engagement it receives comes from the network.
    min_partners:
        A member with fewer significant coordination partners in its network,
        and no amplification to or from members, is removed as peripheral.
    popular_followers, popular_owned_share:
        A passive member with at least ``popular_followers`` followers is a
        bystander unless at least ``popular_owned_share`` of its engagement
        comes from the network: a state broadcaster an operation amplifies
        draws much of its engagement from the operation and still has an
        audience of its own; it is the operation's target.
    """

    min_amplifiers: int = 2
    min_balance: float = 0.2
    min_authored_share: float = 0.5
    min_lead_share: float = 0.6
    max_bystander_internal_share: float = 0.5
    min_partners: int = 2
    popular_followers: int = 5000
    popular_owned_share: float = 0.9

    @classmethod
    def from_params(cls, params: RoleParams) -> RoleClassifier:
        """The classifier with the run's role settings."""
        return cls(params.min_amplifiers, params.min_balance, params.min_authored_share,
                   params.min_lead_share, params.max_bystander_internal_share,
                   params.min_partners, params.popular_followers, params.popular_owned_share)

    def fit(self, features: pd.DataFrame) -> RoleClassifier:
        missing = set(FEATURE_COLUMNS) - set(features.columns)
        if missing:
            raise DetectionError(f"role features lack column(s) {sorted(missing)}")
        if self.min_amplifiers < 1 or not -1 <= self.min_balance < 1:
            raise DetectionError("RoleClassifier: need min_amplifiers >= 1 and -1 <= min_balance < 1")
        amplified = features.groupby("network_id")["n_amp_internal"].sum()
        self.amplifying_networks_ = frozenset(amplified[amplified > 0].index)
        return self

    def bystanders(self, features: pd.DataFrame) -> np.ndarray:
        """Boolean mask of members that the network only touches (bystanders
        and peripheral members; see the module docstring)."""
        received = features["received"].to_numpy(float)
        internal = features["received_internal"].to_numpy(float)
        share = np.where(received > 0, internal / np.maximum(received, 1), 0.0)
        passive = (features["n_amp_internal"].to_numpy() == 0) & (
            features["n_active_partners"].to_numpy() == 0
        )
        no_posts = features["n_posts"].to_numpy() == 0
        peripheral = (
            (features["n_partners"].to_numpy() < self.min_partners)
            & (features["n_amp_internal"].to_numpy() == 0)
            & (features["received_internal"].to_numpy() == 0)
        )
        followers = features["followers"].astype(float).fillna(0).to_numpy()
        popular = (followers >= self.popular_followers) & (share < self.popular_owned_share)
        return no_posts | peripheral | (passive & ((share <= self.max_bystander_internal_share)
                                                   | popular))

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """``'core'``, ``'amplifier'`` or ``'bystander'`` for each row."""
        if not hasattr(self, "amplifying_networks_"):
            raise DetectionError("RoleClassifier: call fit() before predict()")
        received = features["received_internal"].to_numpy(float)
        given = features["n_amp_internal"].to_numpy(float)
        balance = (received - given) / np.maximum(received + given, 1)
        authored = features["n_authored"].to_numpy(float)
        writes = authored > 0
        authored_share = authored / np.maximum(features["n_posts"].to_numpy(float), 1)
        amplified = (features["n_amplifiers"].to_numpy() >= self.min_amplifiers) & (balance > self.min_balance)
        flat = ~features["network_id"].isin(self.amplifying_networks_).to_numpy()
        led = features["n_led"].to_numpy(float)
        pairs = led + features["n_followed"].to_numpy(float)
        leads = np.where(pairs > 0, led / np.maximum(pairs, 1) >= self.min_lead_share,
                         authored_share >= self.min_authored_share)
        core = writes & (amplified | (flat & leads))
        labels = np.where(core, "core", "amplifier").astype(object)
        labels[self.bystanders(features)] = "bystander"
        return labels

    def fit_predict(self, features: pd.DataFrame) -> np.ndarray:
        return self.fit(features).predict(features)


def owned(features: pd.DataFrame, owned_share: float) -> np.ndarray:
    """Members whose network *owns* them: at least ``owned_share`` of the
    reposts, quotes and replies they receive in the store come from it.

    An operation's cores draw their reach from the operation; a popular
    account it amplifies (a state broadcaster, a celebrity) draws most of its
    engagement from everyone else and is the operation's target, not its
    member (Twitter labels state media and removed the fake network around
    them, June 2020)."""
    received = features["received"].to_numpy(float)
    internal = features["received_internal"].to_numpy(float)
    return (received > 0) & (internal >= owned_share * received)


def tied_share(features: pd.DataFrame, owned_share: float) -> np.ndarray:
    """Share of each member's posts that tie it to its network (``n_tied`` /
    ``n_posts``; for a member its network does not own, its own posts that
    members amplified do not count: being retweeted is not taking part)."""
    tied = np.where(owned(features, owned_share), features["n_tied"].to_numpy(float),
                    features["n_tied_acting"].to_numpy(float))
    return tied / np.maximum(features["n_posts"].to_numpy(float), 1.0)


def outsiders(features: pd.DataFrame, params: RoleParams) -> np.ndarray:
    """Members whose own activity does not make them members (boolean mask).

    Membership is an account-level decision on the account's own evidence:
    an operation's amplifiers exist to amplify and its cores post what the
    others amplify, whereas an ordinary user who agrees with the operation
    (retweets a handful of its posts among hundreds of its own), a
    journalist it replies to or a broadcaster it amplifies has coordination
    edges but a life of its own. A member stays when at least
    ``params.min_member_share`` of its posts tie it to the network
    (:func:`tied_share`)."""
    return tied_share(features, params.owned_share) < params.min_member_share


def weak_members(members: pd.DataFrame, params: RoleParams) -> np.ndarray:
    """Members whose tie to the network is too thin for their own evidence (boolean mask).

    ``members`` has :func:`role_features` columns plus ``signal_strength``
    (:func:`infoops.detect.scoring.member_scores`). A member with fewer than
    ``params.confident_member_share`` of its posts tied to the network must
    also coordinate with at least ``params.min_partner_share`` of the other
    members or carry account signals of strength ``params.min_member_signal``
    (see :class:`infoops.detect.params.RoleParams`)."""
    size = members.groupby("network_id")["account_id"].transform("size").to_numpy(float)
    partner_share = members["n_partners"].to_numpy(float) / np.maximum(size - 1, 1)
    share = tied_share(members, params.owned_share)
    return ((share < params.confident_member_share)
            & (partner_share < params.min_partner_share)
            & (members["signal_strength"].to_numpy(float) < params.min_member_signal))

