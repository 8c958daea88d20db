"""Scales, the world's time span, and the parameters a seed draws.

Every quantity that shapes a world (population sizes, delays, burst dates,
tactics) is drawn from the seed within a realistic range, so no two seeds give
the same template and a detector cannot be tuned to one constant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from infoops.errors import SimulationError
from infoops.simulate.names import SCALES, VARIANTS

#: Mean posts per day of an average organic account, per scale.
SCALE_RATE: dict[str, float] = {"tiny": 0.12, "small": 0.17, "medium": 0.16, "large": 0.17}


#: The world covers 2020-01-01 00:00 UTC to 2020-06-30 23:59 UTC (minutes from T0).
T0 = datetime(2020, 1, 1, tzinfo=UTC)
DAYS = 182
END = DAYS * 1440
#: 2020-01-01 was a Wednesday: weekday of day d is (d + 2) % 7 (0 = Monday).
T0_WEEKDAY = 2


def day_of(date: str) -> int:
    """Day index (from T0) of an ISO date."""
    return (datetime.fromisoformat(date).replace(tzinfo=UTC) - T0).days


@dataclass
class WorldParams:
    """Everything a seed decides about a world. Fractions are of all accounts."""

    seed: int
    scale: str
    n_accounts: int
    organic_rate: float
    frac: dict[str, float] = field(default_factory=dict)
    prc_core_share: float = 0.2
    prc_zero_followers: float = 0.8
    prc_delay_median_min: float = 10.0
    prc_ramp_day: int = 70
    prc_dormant_activation_day: int = 100
    prc_hijacked_share: float = 0.1
    prc_office_share: float = 0.85
    russia_core_share: float = 0.3
    turkey_ring_size: int = 20
    turkey_compromised_share: float = 0.35
    fan_delay_max_min: float = 10.0
    news_events: list[int] = field(default_factory=list)
    activist_events: list[int] = field(default_factory=list)
    variant: str = "standard"

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def draw_params(seed: int, scale: str, variant: str = "standard") -> WorldParams:
    """Draw a world's parameters from ``seed`` (same seed, same parameters)."""
    if scale not in SCALES:
        raise SimulationError(f"unknown scale {scale!r}; use one of: {', '.join(SCALES)}")
    if variant not in VARIANTS:
        raise SimulationError(f"unknown variant {variant!r}; use one of: {', '.join(VARIANTS)}")
    if seed < 0:
        raise SimulationError(f"--seed must be >= 0 (got {seed})")
    rng = np.random.default_rng([seed, 9001])
    n = SCALES[scale]
    frac = {
        "celebrity": float(rng.uniform(0.003, 0.006)),
        "fan_community": float(rng.uniform(0.04, 0.07)),
        "activist_campaign": float(rng.uniform(0.03, 0.05)),
        "news_burst": float(rng.uniform(0.08, 0.14)),
        "news_bots": float(rng.uniform(0.002, 0.004)),
        "org_staff": float(rng.uniform(0.006, 0.012)),
        "prc": float(rng.uniform(0.05, 0.08)),
        "russia": float(rng.uniform(0.008, 0.015)),
        "turkey": float(rng.uniform(0.02, 0.035)),
    }
    news_events = sorted(
        int(d)
        for d in rng.choice(np.arange(20, DAYS - 5), size=int(rng.integers(1, 4)), replace=False)
    )
    # Hong Kong events of the first half of 2020 (New Year march, May 24 protests against
    # the security law, June 4 vigil, the law's passage) with a few days of jitter.
    hk_dates = ["2020-01-01", "2020-05-24", "2020-06-04", "2020-06-30"]
    activist_events = sorted(
        {min(DAYS - 1, max(0, day_of(d) + int(rng.integers(-2, 3)))) for d in hk_dates}
    )
    return WorldParams(
        seed=seed,
        scale=scale,
        n_accounts=n,
        organic_rate=SCALE_RATE[scale] * float(rng.uniform(0.85, 1.15)),
        frac=frac,
        prc_core_share=float(rng.uniform(0.14, 0.26)),
        prc_zero_followers=float(rng.uniform(0.7, 0.88)),
        prc_delay_median_min=float(rng.uniform(2.0, 30.0)),
        prc_ramp_day=day_of("2020-03-01") + int(rng.integers(0, 25)),
        prc_dormant_activation_day=day_of("2020-04-01") + int(rng.integers(0, 45)),
        prc_hijacked_share=float(rng.uniform(0.07, 0.13)),
        prc_office_share=float(rng.uniform(0.75, 0.92)),
        russia_core_share=float(rng.uniform(0.2, 0.4)),
        turkey_ring_size=int(rng.integers(10, 35)),
        turkey_compromised_share=float(rng.uniform(0.2, 0.5)),
        fan_delay_max_min=float(rng.uniform(6.0, 12.0)),
        news_events=news_events,
        activist_events=activist_events,
        variant=variant,
    )
