"""Small IO-archive files for the hardening tests, built row by row."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from infoops.ioarchive import TWEET_COLUMNS_31, USER_COLUMNS


def tweet(i: int, **kw: Any) -> dict[str, str]:
    """A valid IO-archive tweet row (id 1000+i, author u<i % 7>), fields overridden by ``kw``."""
    row = {c: "" for c in TWEET_COLUMNS_31}
    row.update({
        "tweetid": str(1000 + i), "userid": f"u{i % 7}", "user_screen_name": f"name{i % 7}",
        "follower_count": "10", "following_count": "5", "account_creation_date": "2015-03-01",
        "account_language": "en", "tweet_language": "en", "tweet_text": f"post number {i}",
        "tweet_time": f"2020-01-{1 + i % 28:02d} 10:{i % 60:02d}", "tweet_client_name": "web",
        "is_retweet": "False", "quote_count": "0", "reply_count": "0", "like_count": "1",
        "retweet_count": "0", "hashtags": "['tag']", "urls": "[]", "user_mentions": "[]",
    })
    row.update({k: str(v) for k, v in kw.items()})
    return row


def csv_text(rows: list[dict[str, str]], columns: tuple[str, ...] = TWEET_COLUMNS_31) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({c: r.get(c, "") for c in columns})
    return buf.getvalue()


def write_tweets(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text(csv_text(rows), encoding="utf-8")
    return path


def write_users(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text(csv_text(rows, USER_COLUMNS), encoding="utf-8")
    return path


def tweets(n: int) -> list[dict[str, str]]:
    return [tweet(i) for i in range(n)]
