"""Languages of a network's posts and accounts, and reported location against language.

A mismatch between where accounts say they are and the language they post in is a
classic tell of an inauthentic network (e.g. accounts "in" the US posting only in
Chinese; Stanford Internet Observatory 2020). The language of an account's posts
is its most frequent post language (the mode), compared with its profile language
and its reported location.
"""

from __future__ import annotations

import duckdb


def post_languages(con: duckdb.DuckDBPyConnection, members: str, limit: int = 12) -> list[tuple[str, int]]:
    """``(language, posts)`` for the network's posts, most frequent first (``und`` = unknown)."""
    return [
        (str(lang), int(n))
        for lang, n in con.execute(
            f"SELECT coalesce(nullif(p.language, ''), 'und') AS lang, count(*) AS n FROM posts p "
            f"JOIN {members} m USING (account_id) GROUP BY lang ORDER BY n DESC, lang LIMIT {int(limit)}"
        ).fetchall()
    ]


def account_languages(
    con: duckdb.DuckDBPyConnection, members: str, limit: int = 12
) -> list[tuple[str, int]]:
    """``(profile language, accounts)`` for the network's accounts."""
    return [
        (str(lang), int(n))
        for lang, n in con.execute(
            f"SELECT coalesce(nullif(a.language, ''), 'und') AS lang, count(*) AS n "
            f"FROM {members} m LEFT JOIN accounts a USING (account_id) "
            f"GROUP BY lang ORDER BY n DESC, lang LIMIT {int(limit)}"
        ).fetchall()
    ]


def location_vs_language(
    con: duckdb.DuckDBPyConnection, members: str, limit: int = 15
) -> list[tuple[str, str, str, int]]:
    """Accounts by ``(reported location, profile language, main post language)``.

    The main post language of an account is the mode of its posts' languages
    (ties broken alphabetically). Returns the ``limit`` most common combinations.
    """
    return [
        (str(loc), str(plang), str(mlang), int(n))
        for loc, plang, mlang, n in con.execute(
            f"""
            WITH pl AS (
                SELECT p.account_id, coalesce(nullif(p.language, ''), 'und') AS lang, count(*) AS n
                FROM posts p JOIN {members} m USING (account_id) GROUP BY ALL
            ), mode AS (
                SELECT account_id, lang FROM pl
                QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY n DESC, lang) = 1
            )
            SELECT coalesce(nullif(trim(a.location), ''), '(none)') AS loc,
                   coalesce(nullif(a.language, ''), 'und') AS plang,
                   coalesce(mode.lang, '(no posts)') AS mlang, count(*) AS n
            FROM {members} m LEFT JOIN accounts a USING (account_id)
            LEFT JOIN mode USING (account_id)
            GROUP BY ALL ORDER BY n DESC, loc, plang, mlang LIMIT {int(limit)}
            """
        ).fetchall()
    ]
