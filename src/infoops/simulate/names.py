"""The simulator's scale and variant names, in a module the command line loads at once."""

from __future__ import annotations

__all__ = ["SCALES", "VARIANTS"]

#: Accounts per scale; posts follow from activity (about 30–50 per account).
SCALES: dict[str, int] = {"tiny": 1_000, "small": 5_000, "medium": 50_000, "large": 200_000}

#: Tactic variants of the PRC-like operation (``simulate(variant=...)``):
#: ``standard`` (cores post, amplifiers retweet them; new, dormant and hijacked
#: accounts), ``copypasta`` (nobody in the operation retweets: amplifiers post
#: near-copies of the cores' texts instead), ``hijacked`` (no new accounts:
#: every member is an old account taken over in spring 2020).
VARIANTS = ("standard", "copypasta", "hijacked")
