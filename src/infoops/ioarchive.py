"""Column layouts of the Twitter Information Operations archive.

Twitter's (later X's) Information Operations disclosures ship per-operation
``*_tweets_csv_hashed.csv`` and ``*_users_csv_hashed.csv`` files. Two tweet
layouts exist: the older 31-column one (``in_reply_to_tweetid`` before
``in_reply_to_userid``, plus ``poll_choices``) and the 30-column one without
``poll_choices``. Readers match columns by name, never by position.
"""

from __future__ import annotations

TWEET_COLUMNS_31: tuple[str, ...] = (
    "tweetid", "userid", "user_display_name", "user_screen_name",
    "user_reported_location", "user_profile_description", "user_profile_url",
    "follower_count", "following_count", "account_creation_date", "account_language",
    "tweet_language", "tweet_text", "tweet_time", "tweet_client_name",
    "in_reply_to_tweetid", "in_reply_to_userid", "quoted_tweet_tweetid",
    "is_retweet", "retweet_userid", "retweet_tweetid", "latitude", "longitude",
    "quote_count", "reply_count", "like_count", "retweet_count",
    "hashtags", "urls", "user_mentions", "poll_choices",
)

def _newer_layout(old: tuple[str, ...]) -> tuple[str, ...]:
    """The 30-column layout: reply user before reply tweet, and no ``poll_choices``."""
    swap = {"in_reply_to_tweetid": "in_reply_to_userid", "in_reply_to_userid": "in_reply_to_tweetid"}
    return tuple(swap.get(c, c) for c in old if c != "poll_choices")


TWEET_COLUMNS_30: tuple[str, ...] = _newer_layout(TWEET_COLUMNS_31)

#: The users file repeats the tweets file's profile columns (``userid`` .. ``account_language``).
USER_COLUMNS: tuple[str, ...] = TWEET_COLUMNS_31[1:11]

PROFILE_CHANGE_COLUMNS: tuple[str, ...] = ("userid", "changed_at", "field", "old_value", "new_value")

#: ``tweet_time`` is ``YYYY-MM-DD HH:MM`` (UTC); ``account_creation_date`` is ``YYYY-MM-DD``.
TWEET_TIME_FORMAT = "%Y-%m-%d %H:%M"
CREATION_DATE_FORMAT = "%Y-%m-%d"
