"""Writing a world in the IO-archive layout, block by block.

``tweets.csv`` uses the 31-column header of the Twitter IO archive exactly;
every row carries the author's current profile, as the archive's rows do.
Files are written with the :mod:`csv` module (minimal quoting, ``\\n`` line
ends), so text with commas, quotes and newlines round-trips.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from infoops.ioarchive import PROFILE_CHANGE_COLUMNS, USER_COLUMNS
from infoops.simulate.accounts import creation_dates
from infoops.simulate.posts import QUOTE, REPLY, RETWEET, PostBlock

TRUTH_COLUMNS = ("userid", "operation", "role", "group")
_BASE = np.datetime64("2020-01-01T00:00", "m")


def minutes_to_str(t: np.ndarray) -> list[str]:
    """``YYYY-MM-DD HH:MM`` strings for minutes from T0."""
    s = np.datetime_as_string(_BASE + np.asarray(t, np.int64).astype("timedelta64[m]"), unit="m")
    return [x.replace("T", " ") for x in s.tolist()]


def open_csv(path: Path) -> tuple[IO[str], Any]:
    f = open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115 (the caller closes it)
    return f, csv.writer(f, lineterminator="\n")


class TweetRows:
    """Turns :class:`PostBlock` objects into ``tweets.csv`` rows (31 IO-archive columns)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.uid = frame["userid"].to_numpy()
        prof = {
            "user_display_name": frame["display_name"],
            "user_screen_name": frame["screen_name"],
            "user_reported_location": frame["location"],
            "user_profile_description": frame["description"],
            "user_profile_url": frame["profile_url"],
            "follower_count": frame["followers"].astype(str),
            "following_count": frame["following"].astype(str),
            "account_creation_date": pd.Series(creation_dates(frame["created_day"].to_numpy())),
            "account_language": frame["account_language"],
        }
        self.prof = {k: v.to_numpy(dtype=object) for k, v in prof.items()}

    def rows(self, b: PostBlock) -> Iterator[tuple[object, ...]]:
        n = len(b)
        if not n:
            return iter(())
        a = b.author
        uid = self.uid
        kind = b.kind
        tid = b.tweetid.astype(str).astype(object)
        ref_tid = b.ref_tid.astype(str).astype(object)
        ref_uid = uid[np.maximum(b.ref_author, 0)]
        empty = np.full(n, "", dtype=object)
        is_rt = kind == RETWEET
        is_reply = kind == REPLY
        # Real archives leave retweet_userid empty on some retweets; keyed on the id, not on labels.
        rt_uid = np.where(is_rt & (b.tweetid % 37 != 0), ref_uid, empty)
        mentions = []
        for k, ra, extra in zip(kind.tolist(), b.ref_author.tolist(), b.mentions, strict=False):
            ids = [uid[ra]] if k in (RETWEET, REPLY) else []
            ids.extend(uid[x] for x in extra)
            mentions.append("[" + ", ".join(f"'{x}'" for x in ids) + "]")
        orig = ~is_rt
        cols = [
            tid,
            uid[a],
            self.prof["user_display_name"][a],
            self.prof["user_screen_name"][a],
            self.prof["user_reported_location"][a],
            self.prof["user_profile_description"][a],
            self.prof["user_profile_url"][a],
            self.prof["follower_count"][a],
            self.prof["following_count"][a],
            self.prof["account_creation_date"][a],
            self.prof["account_language"][a],
            b.lang,
            b.text,
            minutes_to_str(b.t),
            b.client,
            np.where(is_reply, ref_tid, empty),
            np.where(is_reply, ref_uid, empty),
            np.where(kind == QUOTE, ref_tid, empty),
            np.where(is_rt, "True", "False"),
            rt_uid,
            np.where(is_rt, ref_tid, empty),
            empty,
            empty,
            np.where(orig, b.retweets // 5, 0),
            np.where(orig, b.likes // 8, 0),
            np.where(orig, b.likes, 0),
            np.where(orig, b.retweets, 0),
            b.hashtags, b.urls, mentions, empty,
        ]
        return zip(*[c.tolist() if isinstance(c, np.ndarray) else c for c in cols], strict=False)


def write_users(path: Path, frame: pd.DataFrame) -> None:
    f, w = open_csv(path)
    with f:
        w.writerow(USER_COLUMNS)
        w.writerows(
            zip(
                frame["userid"],
                frame["display_name"],
                frame["screen_name"],
                frame["location"],
                frame["description"],
                frame["profile_url"],
                frame["followers"],
                frame["following"],
                creation_dates(frame["created_day"].to_numpy()),
                frame["account_language"], strict=False,
            )
        )


def write_truth(path: Path, frame: pd.DataFrame) -> None:
    f, w = open_csv(path)
    with f:
        w.writerow(TRUTH_COLUMNS)
        w.writerows(zip(frame["userid"], frame["operation"], frame["role"], frame["group"], strict=False))


def write_profile_changes(
    path: Path, frame: pd.DataFrame, changes: list[tuple[int, int, str, str, str]]
) -> None:
    """``changes``: (account index, minute, field, old, new), written in time order."""
    f, w = open_csv(path)
    uid = frame["userid"].to_numpy()
    with f:
        w.writerow(PROFILE_CHANGE_COLUMNS)
        for a, t, fld, old, new in sorted(changes, key=lambda c: (c[1], c[0], c[2])):
            w.writerow((uid[a], minutes_to_str(np.array([t]))[0], fld, old, new))
