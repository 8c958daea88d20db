"""Parameters of a detect run: every trace's window and threshold, the null
model and the clustering settings, serialised into ``detect_runs.params`` so
each run can be reproduced and compared.
"""

from __future__ import annotations

import dataclasses
import json
import numbers
from dataclasses import dataclass, field
from typing import Any

from infoops.errors import ParameterError

#: Trace names in the order they run (kebab-case, the public registry keys).
TRACE_NAMES = (
    "co-retweet",
    "fast-retweet",
    "co-url",
    "co-domain",
    "co-hashtag",
    "hashtag-sequence",
    "co-mention",
    "co-reply",
    "text-similarity",
    "synchronized",
)


@dataclass
class TraceParams:
    """Settings of one trace.

    Attributes
    ----------
    window:
        Seconds. Co-action traces: two actions on the same object count when
        at most ``window`` seconds apart. ``fast-retweet``: the largest delay
        between a post and its retweet. ``synchronized``: the width of a time
        bin.
    min_weight:
        Smallest raw weight (distinct objects; fast retweets) an edge needs
        before the null model tests it.
    max_burst:
        Objects acted on by more accounts than this are hubs and skipped (a
        post retweeted by 10k accounts would give 50M pairs and, under
        TF-IDF weighting, carries almost no information; Pacheco et al., 2021).
        On the medium simulated world (4.7M posts) the co-retweet cap of 200
        keeps 2.6M co-actions; 500 would give 39M. 0 means no cap.
    enabled:
        Run this trace in ``detect``.
    """

    window: float = 60.0
    min_weight: int = 2
    max_burst: int = 2000
    enabled: bool = True


def _default_traces() -> dict[str, TraceParams]:
    return {
        "co-retweet": TraceParams(window=1800, min_weight=2, max_burst=100),
        "fast-retweet": TraceParams(window=1800, min_weight=3, max_burst=0),
        "co-url": TraceParams(window=3600, min_weight=3, max_burst=100),
        "co-domain": TraceParams(window=600, min_weight=3, max_burst=50),
        "co-hashtag": TraceParams(window=600, min_weight=3, max_burst=50),
        "hashtag-sequence": TraceParams(window=3600, min_weight=2, max_burst=100),
        "co-mention": TraceParams(window=600, min_weight=3, max_burst=50),
        "co-reply": TraceParams(window=1800, min_weight=2, max_burst=100),
        "text-similarity": TraceParams(window=3600, min_weight=3, max_burst=100),
        "synchronized": TraceParams(window=60, min_weight=5, max_burst=30),
    }


@dataclass
class TextParams:
    """Near-duplicate text settings (character shingles + MinHash/LSH;
    Broder, 1997; Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3)."""

    shingle: int = 4
    threshold: float = 0.7
    num_perm: int = 64
    bands: int = 16
    min_chars: int = 12

    def validate(self) -> None:
        """Raise :class:`ParameterError` for the first setting out of its range."""
        check_whole("text.shingle", self.shingle, 1)
        check_range("text.threshold", self.threshold, 0.0, 1.0)
        check_num_perm(self.num_perm)
        check_whole("text.bands", self.bands, 1)
        if self.num_perm % self.bands:
            raise ParameterError(f"text.num_perm ({self.num_perm}) must be a multiple of text.bands ({self.bands})")
        check_whole("text.min_chars", self.min_chars, 0)


def _default_signal_weights() -> dict[str, float]:
    from infoops.detect.signals import REGISTRY

    return {name: sig.weight for name, sig in REGISTRY.items()}


#: Default weights of the behaviour components of a network's evidence (see
#: :mod:`infoops.detect.scoring`): the share of members showing each kind of
#: coordination that organic crowds rarely show.
BEHAVIOUR_WEIGHTS: dict[str, float] = {
    "copied_text": 0.6,
    "synchronized": 0.4,
    "multi_trace": 0.4,
    # counts from roles.min_mutual_cores (3) mutual cores up: an activist group's two
    # organisers boost each other too (docs/benchmarks.md, "Cores that boost one another")
    "mutual_cores": 0.5,
}


@dataclass
class RoleParams:
    """Every setting of the after-clustering stage: roles, membership, recruitment,
    merging and scoring (:mod:`infoops.detect.refine`, :mod:`infoops.detect.roles`,
    :mod:`infoops.detect.recruit`, :mod:`infoops.detect.scoring`).

    Recorded with the run in ``detect_runs.params`` under ``roles``; settable
    from the command line with ``--role NAME=VALUE``.

    Roles (:class:`infoops.detect.roles.RoleClassifier`)
    ----------------------------------------------------
    min_amplifiers:
        Distinct members that must amplify an account for it to be core.
    min_balance:
        Smallest amplification balance ``(in - out) / (in + out)`` of a core.
    min_authored_share:
        Without internal amplification, share of own (not reposted) posts of a core.
    min_lead_share:
        Without internal amplification, share of near-duplicate pairs a core posted first.
    max_bystander_internal_share:
        A passive member is a bystander when at most this share of the engagement
        it receives comes from the network.
    min_partners:
        Fewer significant partners than this and no amplification either way:
        peripheral, removed.
    popular_followers, popular_owned_share:
        A passive member with this many followers is a bystander (the
        operation's target) unless this share of its engagement comes from
        the network.

    Membership (an account-level decision)
    --------------------------------------
    min_member_share:
        Share of an account's posts that must be tied to its network (amplify a
        member, be amplified by members of a network that owns it, repost what
        other members repost, or be the evidence of a coordination edge with a
        member) for it to stay a member.
    confident_member_share, min_partner_share, min_member_signal:
        Below ``confident_member_share`` tied posts, a member also needs
        coordination partners among at least ``min_partner_share`` of the
        other members, or account signals of strength ``min_member_signal``:
        an ordinary user of the same stance retweets the operation a dozen
        times and co-retweets with a few of its amplifiers, not with the
        network.
    owned_share:
        Share of the engagement an account receives that must come from its
        network for the network to *own* it (its amplified posts then count
        for it; a popular account amplified by an operation is its target).

    Scoring (:mod:`infoops.detect.scoring`)
    ---------------------------------------
    k0:
        Coordination partners at which a member's coordination reaches 1 - 1/e.
    signal_weights:
        Noisy-OR weight of each account signal.
    behaviour_weights:
        Noisy-OR weight of each behaviour component of a network's evidence.
    min_mutual_cores:
        Cores of a network that must repost another core both ways before
        ``mutual_cores`` counts (two organisers boosting each other is
        ordinary; a dozen personas trading reposts is not).
    self_amplification_weight:
        How much self-amplification strengthens a network's other evidence.
    full_core_share:
        Share of owned cores among members at which self-amplification is full.
    min_members, min_network_score:
        Networks with fewer members, or a lower score, are rejected (kept in
        ``rejected_networks`` with the reason).

    Recruitment and merging (:mod:`infoops.detect.recruit`, :mod:`infoops.detect.campaigns`)
    -----------------------------------------------------------------------------------------
    recruit:
        Recruit owned sources (cores) and amplifiers clustering missed.
    source_min_received, source_min_coverage:
        A source needs this many reposts/quotes from members and members must
        have amplified this share of its own posts.
    amplifier_min_posts, amplifier_min_share:
        An account joins as amplifier with this many reposts/quotes of members,
        this share of all its posts.
    quiet_min_posts:
        A low-activity account (fewer posts than ``amplifier_min_posts``) joins
        with at least this many, all its posts aimed at members, only when it
        also shares an account signal (creation burst or no followers).
    recruit_rounds:
        Alternating rounds of core and amplifier recruitment.
    merge_min_share, merge_min_shared:
        Two networks merge through sources when each takes at least
        ``merge_min_share`` of the engagement of at least ``merge_min_shared``
        common sources.
    merge_similarity:
        Campaign cosine at which networks merge (None: never).
    """

    min_amplifiers: int = 2
    min_balance: float = 0.2
    min_authored_share: float = 0.5
    min_lead_share: float = 0.6
    max_bystander_internal_share: float = 0.5
    min_partners: int = 2
    popular_followers: int = 5000
    popular_owned_share: float = 0.9
    min_member_share: float = 0.1
    confident_member_share: float = 0.4
    min_partner_share: float = 0.2
    min_member_signal: float = 0.45
    owned_share: float = 0.6
    k0: float = 10.0
    signal_weights: dict[str, float] = field(default_factory=_default_signal_weights)
    behaviour_weights: dict[str, float] = field(default_factory=lambda: dict(BEHAVIOUR_WEIGHTS))
    min_mutual_cores: int = 3
    self_amplification_weight: float = 0.6
    full_core_share: float = 0.1
    min_members: int = 3
    min_network_score: float = 0.4
    recruit: bool = True
    source_min_received: int = 10
    source_min_coverage: float = 0.5
    amplifier_min_posts: int = 3
    amplifier_min_share: float = 0.5
    quiet_min_posts: int = 2
    recruit_rounds: int = 3
    merge_min_share: float = 0.1
    merge_min_shared: int = 2
    merge_similarity: float | None = 0.6

    #: Settings that are shares or probabilities, in [0, 1].
    _SHARES = ("min_authored_share", "min_lead_share", "max_bystander_internal_share",
               "min_member_share", "confident_member_share", "min_partner_share",
               "min_member_signal", "owned_share", "popular_owned_share", "self_amplification_weight",
               "full_core_share", "min_network_score", "source_min_coverage",
               "amplifier_min_share", "merge_min_share")
    #: Settings that are counts, at least 1.
    _COUNTS = ("min_amplifiers", "min_partners", "popular_followers", "min_members", "source_min_received",
               "amplifier_min_posts", "quiet_min_posts", "recruit_rounds", "merge_min_shared",
               "min_mutual_cores")

    def __post_init__(self) -> None:
        full = _default_signal_weights()
        unknown = set(self.signal_weights) - set(full)
        if unknown:
            raise ParameterError(
                f"roles: unknown signal(s) {sorted(unknown)} in signal_weights; "
                f"choose from {', '.join(full)}")
        full.update(self.signal_weights)
        self.signal_weights = full
        beh = dict(BEHAVIOUR_WEIGHTS)
        unknown = set(self.behaviour_weights) - set(beh)
        if unknown:
            raise ParameterError(
                f"roles: unknown behaviour(s) {sorted(unknown)} in behaviour_weights; "
                f"choose from {', '.join(beh)}")
        beh.update(self.behaviour_weights)
        self.behaviour_weights = beh
        for name in self._SHARES:
            check_range(f"roles.{name}", getattr(self, name), 0.0, 1.0)
        for name in self._COUNTS:
            check_whole(f"roles.{name}", getattr(self, name), 1)
        check_range("roles.min_balance", self.min_balance, -1.0, 1.0)
        check_positive("roles.k0", self.k0)
        for kind, weights in (("signal_weights", self.signal_weights),
                              ("behaviour_weights", self.behaviour_weights)):
            for name, w in weights.items():
                check_range(f"roles.{kind}.{name}", w, 0.0, 1.0)
        if self.merge_similarity is not None:
            check_range("roles.merge_similarity", self.merge_similarity, 0.0, 1.0)

    def with_overrides(self, values: dict[str, str]) -> RoleParams:
        """A copy with settings given as text (``--role NAME=VALUE``), parsed by type.

        ``signal_weights.NAME`` and ``behaviour_weights.NAME`` set one weight;
        ``merge_similarity=none`` switches campaign merging off.
        """
        data = dataclasses.asdict(self)
        fields = {f.name: f for f in dataclasses.fields(self)}
        for key, text in values.items():
            head, _, sub = key.partition(".")
            if head in ("signal_weights", "behaviour_weights") and sub:
                data[head] = {**data[head], sub: _parse_number(key, text, float)}
                continue
            if head not in fields or sub or head in ("signal_weights", "behaviour_weights"):
                raise ParameterError(
                    f"unknown role setting {key!r}; choose from "
                    f"{', '.join(sorted(n for n in fields if not n.startswith('_')))}, "
                    "signal_weights.NAME, behaviour_weights.NAME")
            current = getattr(self, head)
            if head == "merge_similarity" and text.strip().lower() in ("none", "off", ""):
                data[head] = None
            elif isinstance(current, bool):
                if text.strip().lower() not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
                    raise ParameterError(f"roles.{head}: expected true or false, got {text!r}")
                data[head] = text.strip().lower() in ("true", "1", "yes", "on")
            elif isinstance(current, int):
                data[head] = _parse_number(key, text, int)
            else:
                data[head] = _parse_number(key, text, float)
        return RoleParams(**data)


def check_trace(name: str) -> str:
    """``name`` when it is a trace (:data:`TRACE_NAMES`); :class:`ParameterError` if not."""
    if name not in TRACE_NAMES:
        raise ParameterError(f"unknown trace {name!r}; choose from {', '.join(TRACE_NAMES)}")
    return name


def check_whole(name: str, value: object, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < low:
        raise ParameterError(f"{name} must be a whole number >= {low}, got {value!r}")


def check_positive(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not float(value) > 0:
        raise ParameterError(f"{name} must be a number > 0, got {value!r}")


def check_num_perm(num_perm: object) -> None:
    """MinHash permutations: a power of two in 1..1024 (the kernels fold hashes in halves)."""
    if (isinstance(num_perm, bool) or not isinstance(num_perm, numbers.Integral)
            or not 1 <= int(num_perm) <= 1024 or int(num_perm) & (int(num_perm) - 1)):
        raise ParameterError(f"num_perm must be a power of two in 1..1024, got {num_perm!r}")


def _parse_number(key: str, text: str, cast: type) -> Any:
    try:
        return cast(text)
    except ValueError:
        raise ParameterError(f"roles.{key}: {text!r} is not a {cast.__name__}") from None


def check_range(name: str, value: object, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not low <= float(value) <= high:
        if high == float("inf"):
            raise ParameterError(f"{name} must be a number >= {low:g}, got {value!r}")
        raise ParameterError(f"{name} must be a number in [{low:g}, {high:g}], got {value!r}")


@dataclass
class DetectParams:
    """Everything a detect run depends on (besides the store and the seed).

    Attributes
    ----------
    traces:
        Per-trace settings keyed by trace name (see :data:`TRACE_NAMES`).
    text:
        Near-duplicate text settings.
    alpha:
        False-discovery rate of the null-model test (Benjamini & Hochberg, 1995)
        over the candidate pairs of a trace.
    resolution:
        Leiden resolution (RB configuration / modularity when 1.0).
    min_network_size:
        Smallest cluster reported as a network.
    min_network_edges:
        Fewest significant fused edges inside a cluster for it to count.
    min_mean_degree:
        Lowest mean number of significant fused edges per member inside a
        cluster.
    evidence_per_pair:
        Evidence rows kept per (trace, pair): the closest co-actions.
    roles:
        The after-clustering stage's settings (:class:`RoleParams`).
    """

    traces: dict[str, TraceParams] = field(default_factory=_default_traces)
    text: TextParams = field(default_factory=TextParams)
    alpha: float = 0.01
    resolution: float = 1.0
    min_network_size: int = 3
    min_network_edges: int = 3
    min_mean_degree: float = 2.0
    evidence_per_pair: int = 5
    roles: RoleParams = field(default_factory=RoleParams)

    def __post_init__(self) -> None:
        if isinstance(self.roles, dict):
            self.roles = RoleParams(**self.roles)
        full = _default_traces()
        for name, tp in self.traces.items():
            full[check_trace(name)] = tp if isinstance(tp, TraceParams) else TraceParams(**tp)
        self.traces = full
        if isinstance(self.text, dict):
            self.text = TextParams(**self.text)
        self.validate()

    def validate(self) -> None:
        """Raise :class:`ParameterError` for the first setting out of its range."""
        if isinstance(self.alpha, bool) or not isinstance(self.alpha, numbers.Real) or not 0 < float(self.alpha) < 1:
            raise ParameterError(f"alpha must be a number in (0, 1), got {self.alpha!r}")
        for name, tp in self.traces.items():
            check_range(f"{name}.window", tp.window, 0.0, float("inf"))
            check_whole(f"{name}.min_weight", tp.min_weight, 1)
            check_whole(f"{name}.max_burst", tp.max_burst, 0)
        check_positive("resolution", self.resolution)
        check_whole("min_network_size", self.min_network_size, 1)
        check_whole("min_network_edges", self.min_network_edges, 0)
        check_range("min_mean_degree", self.min_mean_degree, 0.0, float("inf"))
        check_whole("evidence_per_pair", self.evidence_per_pair, 0)
        self.text.validate()

    def enabled(self) -> list[str]:
        return [n for n in TRACE_NAMES if self.traces[n].enabled]

    def with_overrides(
        self,
        windows: dict[str, float] | None = None,
        min_weights: dict[str, int] | None = None,
        only: list[str] | None = None,
    ) -> DetectParams:
        """A copy with some traces' windows/min weights changed or a subset enabled."""
        new = dataclasses.replace(
            self, traces={k: dataclasses.replace(v) for k, v in self.traces.items()}
        )
        for what, values in (("window", windows or {}), ("min_weight", min_weights or {})):
            for name, value in values.items():
                setattr(new.traces[check_trace(name)], what, value)
        if only is not None:
            for name in only:
                check_trace(name)
            for name, tp in new.traces.items():
                tp.enabled = name in only
        new.__post_init__()
        return new

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | dict[str, Any]) -> DetectParams:
        data = json.loads(text) if isinstance(text, str) else dict(text)
        return cls(**data)
