"""A simulated world rewritten in the FiveThirtyEight IRA layout without ids.

The copies of the IRA tweets researchers hold have no tweet id, no entity
columns, no retweeted-post id and retweet text without ``RT @name:``
(``author, content, region, language, publish_date, following, followers,
updates, post_type, retweet``). :func:`to_fivethirtyeight` rewrites a
simulated IO-archive world that way, so tests know the truth of what the
preset must recover.
"""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path

FTE_COLUMNS = ("author", "content", "region", "language", "publish_date", "following",
               "followers", "updates", "post_type", "retweet")
_RT = re.compile(r"^RT @[A-Za-z0-9_]{1,50}: ?")


def to_fivethirtyeight(world: Path, out: Path) -> dict[str, str]:
    """Write ``out`` from ``world/tweets.csv``; return userid -> screen name."""
    names: dict[str, str] = {}
    with (world / "tweets.csv").open(encoding="utf-8", newline="") as f, \
            out.open("w", encoding="utf-8", newline="") as g:
        w = csv.writer(g)
        w.writerow(FTE_COLUMNS)
        for row in csv.DictReader(f):
            names[row["userid"]] = row["user_screen_name"]
            rt = row["is_retweet"].lower() == "true"
            t = datetime.strptime(row["tweet_time"], "%Y-%m-%d %H:%M")
            w.writerow([
                row["user_screen_name"], _RT.sub("", row["tweet_text"]) if rt else row["tweet_text"],
                row["user_reported_location"] or "Unknown", row["tweet_language"],
                f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}", row["following_count"],
                row["follower_count"], "0", "RETWEET" if rt else "", "1" if rt else "0",
            ])
    return names
