"""What a network pushes: top hashtags, URLs, domains, mentioned and retweeted accounts.

These frequency tables are the first thing the published takedown analyses list
(Stanford Internet Observatory 2020; ASPI 2020); counts are posts, and for
accounts also how many distinct network members did it.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Ranked:
    """One row of a top list: the item, how many posts, and how many member accounts."""

    item: str
    posts: int
    accounts: int
    note: str = ""


def _ranked(con: duckdb.DuckDBPyConnection, sql: str) -> list[Ranked]:
    return [Ranked(str(i), int(p), int(a), str(n or "")) for i, p, a, n in con.execute(sql).fetchall()]


def top_hashtags(con: duckdb.DuckDBPyConnection, members: str, limit: int = 15) -> list[Ranked]:
    """Hashtags (case-folded) by posts of the network using them."""
    return _ranked(con, f"""
        SELECT lower(h.tag) AS item, count(DISTINCT p.post_id) AS posts,
               count(DISTINCT p.account_id) AS accounts, NULL
        FROM posts p JOIN {members} m USING (account_id) JOIN post_hashtags h USING (post_id)
        GROUP BY item ORDER BY posts DESC, item LIMIT {int(limit)}""")


def top_urls(con: duckdb.DuckDBPyConnection, members: str, limit: int = 15) -> list[Ranked]:
    """URLs by posts of the network sharing them."""
    return _ranked(con, f"""
        SELECT u.url AS item, count(DISTINCT p.post_id) AS posts,
               count(DISTINCT p.account_id) AS accounts, NULL
        FROM posts p JOIN {members} m USING (account_id) JOIN post_urls u USING (post_id)
        GROUP BY item ORDER BY posts DESC, item LIMIT {int(limit)}""")


def top_domains(con: duckdb.DuckDBPyConnection, members: str, limit: int = 15) -> list[Ranked]:
    """Link domains (``www.`` stripped) by posts of the network."""
    return _ranked(con, f"""
        SELECT regexp_replace(lower(coalesce(u.domain, '')), '^www\\.', '') AS item,
               count(DISTINCT p.post_id) AS posts, count(DISTINCT p.account_id) AS accounts, NULL
        FROM posts p JOIN {members} m USING (account_id) JOIN post_urls u USING (post_id)
        WHERE coalesce(u.domain, '') <> ''
        GROUP BY item ORDER BY posts DESC, item LIMIT {int(limit)}""")


def _account_note(alias: str, members: str) -> str:
    return (
        f"CASE WHEN {alias} IN (SELECT account_id FROM {members}) "
        f"THEN 'member (' || coalesce((SELECT any_value(role) FROM {members} x "
        f"WHERE x.account_id = {alias}), '?') || ')' ELSE 'outside' END"
    )


def account_label(account: str, screen_name: str = "a.screen_name") -> str:
    """SQL: how an account is shown everywhere: ``@name`` when its screen name is
    known (also an unresolved ``@name`` mention), else ``id 123...`` (one convention:
    ``@`` always means a screen name)."""
    return (f"CASE WHEN NULLIF({screen_name}, '') IS NOT NULL THEN '@' || ltrim({screen_name}, '@') "
            f"WHEN starts_with({account}, '@') THEN {account} ELSE 'id ' || {account} END")


def top_mentioned(con: duckdb.DuckDBPyConnection, members: str, limit: int = 15) -> list[Ranked]:
    """Accounts the network mentions most (screen name where known), and whether they are members."""
    return _ranked(con, f"""
        WITH x AS (
            SELECT pm.account_id AS target, count(DISTINCT p.post_id) AS posts,
                   count(DISTINCT p.account_id) AS accounts
            FROM posts p JOIN {members} m USING (account_id) JOIN post_mentions pm USING (post_id)
            GROUP BY target)
        SELECT {account_label('x.target')} AS item, x.posts, x.accounts,
               {_account_note('x.target', members)}
        FROM x LEFT JOIN accounts a ON a.account_id = x.target
        ORDER BY x.posts DESC, item LIMIT {int(limit)}""")


def top_retweeted(con: duckdb.DuckDBPyConnection, members: str, limit: int = 15) -> list[Ranked]:
    """Accounts whose posts the network retweets most, and whether they are members."""
    return _ranked(con, f"""
        WITH x AS (
            SELECT p.ref_account_id AS target, count(*) AS posts,
                   count(DISTINCT p.account_id) AS accounts
            FROM posts p JOIN {members} m USING (account_id)
            WHERE p.kind = 'retweet' AND p.ref_account_id IS NOT NULL
            GROUP BY target)
        SELECT {account_label('x.target')} AS item, x.posts, x.accounts,
               {_account_note('x.target', members)}
        FROM x LEFT JOIN accounts a ON a.account_id = x.target
        ORDER BY x.posts DESC, item LIMIT {int(limit)}""")
