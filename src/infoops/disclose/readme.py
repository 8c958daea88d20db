"""The README of a release: what the network is, its dates and counts, the policy applied.

Written from counts and detect results only (no post text, no names), and the
release writer passes it through the same redaction as the posts.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from infoops.disclose.policy import Policy
from infoops.disclose.select import Selection
from infoops.ioarchive import TWEET_COLUMNS_30, USER_COLUMNS

if TYPE_CHECKING:  # pragma: no cover
    from infoops.disclose.release import ReleaseStats


def _table(counts: Counter[str], total: int, head: str, limit: int = 12) -> list[str]:
    lines = [f"| {head} | count | share |", "|---|---:|---:|"]
    items = counts.most_common()
    for k, v in items[:limit]:
        lines.append(f"| {k} | {v:,} | {100 * v / max(total, 1):.1f}% |")
    rest = sum(v for _, v in items[limit:])
    if rest:
        lines.append(f"| ({len(items) - limit} more) | {rest:,} | {100 * rest / max(total, 1):.1f}% |")
    return lines


def _oneline(value: object) -> str:
    return " ".join(str(value).split()).replace("|", "/")


def readme_text(name: str, sel: Selection, policy: Policy, stats: ReleaseStats,
                users_file: str, tweets_file: str) -> str:
    """Markdown README of release ``name``."""
    lines = [f"# {name}: information operations release", "", *_what(sel)]
    if sel.core_only:
        lines += ["", "Core accounts only: the network's amplifiers are left out."]
    lines += [
        "",
        "## Dates (UTC)",
        "",
        f"- Posts: {stats.first_post or 'none'} to {stats.last_post or 'none'}",
        f"- Accounts created: {stats.first_created or 'unknown'} to {stats.last_created or 'unknown'}",
        "",
        "## Counts",
        "",
        f"{stats.accounts:,} accounts ({stats.anonymised:,} anonymised), {stats.posts:,} posts.",
        "",
        "| role | accounts | anonymised |",
        "|---|---:|---:|",
    ]
    for role, n in sorted(stats.roles.items()):
        lines.append(f"| {role} | {n:,} | {stats.roles_anonymised[role]:,} |")
    lines += ["", "Accounts by profile language:", ""]
    lines += _table(stats.account_languages, stats.accounts, "account_language")
    lines += ["", "Posts by language:", ""]
    lines += _table(stats.post_languages, stats.posts, "tweet_language")
    lines += ["", "Posts by kind:", ""]
    lines += _table(stats.kinds, stats.posts, "kind")
    lines += _files_and_policy(policy, users_file, tweets_file)
    return "\n".join(lines) + "\n"


def _what(sel: Selection) -> list[str]:
    """Which accounts the release holds, and why they were selected."""
    net = sel.network
    lines: list[str] = []
    if sel.case_id:
        title = _oneline(sel.case.get("title") or "")
        lines += [
            f"The accounts that case `{sel.case_id}`{f' ({title})' if title else ''} confirmed"
            " as part of the operation (and, where the case recorded takedowns, only those"
            " taken down and not restored)"
            + (f", from network `{sel.network_id}` of detect run `{sel.run_id}`." if sel.network_id else ".")
        ]
    else:
        lines += [f"The accounts of network `{sel.network_id}` found by infoops detect run `{sel.run_id}`."]
    if net:
        score = net.get("score")
        lines += [
            "",
            f"- Detection score: {score:.3f}" if isinstance(score, float) else "- Detection score: n/a",
            f"- Linked by: {_oneline(net.get('traces') or 'n/a')}",
            f"- Why: {_oneline(net.get('reason') or 'n/a')}",
        ]
    return lines


def _files_and_policy(policy: Policy, users_file: str, tweets_file: str) -> list[str]:
    """The files of a release and the anonymisation policy applied."""
    return [
        "",
        "## Files",
        "",
        f"- `{users_file}`: one row per account; columns {', '.join(USER_COLUMNS)}.",
        (f"- `{tweets_file}`: one row per post, oldest first, each with its author's profile;"
        f" the 30-column layout ({', '.join(TWEET_COLUMNS_30)}). `tweet_time` is"
        " `YYYY-MM-DD HH:MM` UTC; `hashtags`, `urls` and `user_mentions` are Python-list strings."),
        "- `manifest.json`: the SHA-256 of every other file, the policy and the counts.",
        "",
        "## Policy applied",
        "",
        (f"- An account with fewer than {policy.follower_threshold:,} followers is anonymised. The"
        " follower count is the latest profile the store holds (`accounts.followers`), not a"
        " snapshot taken at the moment of action; an account whose count is unknown is anonymised."),
        ("- Anonymised: its user id, screen name and display name are replaced by one token,"
        f" HMAC-SHA256 of the account id keyed with the operator's secret (first {policy.token_hex}"
        " hex characters). The same token stands for the account everywhere: `userid`,"
        " `user_mentions`, `in_reply_to_userid`, `retweet_userid`, `@name` and `RT @name:` in post"
        " text and profile descriptions, and handles or ids inside URLs. Releases made with the same"
        " secret use the same tokens, so they can be joined; the secret is in neither the store nor"
        " the release."),
        (f"- Accounts with {policy.follower_threshold:,} followers or more keep their id, screen name"
        " and display name."),
        ("- Accounts outside the network appear only where a post refers to them (reply target,"
        " retweeted or mentioned account): as a token, or by their real id when they have"
        f" {policy.follower_threshold:,} followers or more. An `@handle` that matches no account"
        " the operator knows is replaced by a token too."),
        ("- Post ids, text, hashtags, URLs, languages, clients and counts are released as the"
        " platform recorded them, apart from the replacements above. Profile history, media"
        " hashes and the detection evidence are not released."),
        "",
        "Check the files against `manifest.json` with `sha256sum`.",
    ]

