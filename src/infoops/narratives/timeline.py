"""Timelines: posts over time, the hour × weekday rhythm, and the working time zone.

State-backed operations tend to post in their operators' office hours; the
analyses of the 2020 takedowns (Stanford Internet Observatory 2020; ASPI 2020)
read the operators' time zone off the hour-of-day/day-of-week heatmap. Here that
reading is made explicit: :func:`working_timezone` picks the UTC offset under which
the largest share of posts falls in weekday office hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Local office hours: 09:00 to 17:59, Monday to Friday.
OFFICE_HOURS = range(9, 18)


def posts_over_time(
    con: duckdb.DuckDBPyConnection, members: str, periods: list[str], period: str
) -> dict[str, list[int]]:
    """Posts per period by kind (``original``, ``retweet``, ``quote``, ``reply``).

    ``periods`` is the grid (``YYYY-MM-DD`` starts of each ``period``) to align to.
    """
    rows = con.execute(
        f"SELECT strftime(date_trunc('{period}', p.created_at), '%Y-%m-%d') AS per, p.kind, "
        f"count(*) FROM posts p JOIN {members} m USING (account_id) "
        f"WHERE p.created_at IS NOT NULL GROUP BY ALL"
    ).fetchall()
    index = {p: i for i, p in enumerate(periods)}
    out: dict[str, list[int]] = {}
    for per, kind, n in rows:
        if per in index:
            out.setdefault(kind, [0] * len(periods))[index[per]] += n
    return dict(sorted(out.items()))


def hour_weekday(con: duckdb.DuckDBPyConnection, members: str) -> list[list[int]]:
    """Posts per UTC weekday (rows, Monday first) and hour (columns 0–23)."""
    rows = con.execute(
        f"SELECT isodow(p.created_at) - 1, hour(p.created_at), count(*) FROM posts p "
        f"JOIN {members} m USING (account_id) WHERE p.created_at IS NOT NULL GROUP BY ALL"
    ).fetchall()
    matrix = [[0] * 24 for _ in range(7)]
    for d, h, n in rows:
        matrix[int(d)][int(h)] += int(n)
    return matrix


@dataclass(frozen=True)
class WorkingTimezone:
    """The best-fitting UTC offset and how well office hours explain the posting."""

    offset: int
    office_share: float
    weekend_share: float
    posts: int

    @property
    def label(self) -> str:
        return f"UTC{self.offset:+d}"


def working_timezone(matrix: list[list[int]]) -> WorkingTimezone | None:
    """The UTC offset (−12…+14 h) maximising the share of posts in local office hours.

    A post at UTC weekday ``d`` hour ``h`` is at local hour ``h + offset`` (rolling
    into the next or previous day). Office hours are :data:`OFFICE_HOURS` on
    Monday–Friday. Ties go to the offset whose office-hour posts are centred on the
    middle of the office day, then to the offset nearest UTC. ``weekend_share`` is the share
    of posts on a local Saturday or Sunday under the chosen offset. Returns ``None``
    when there are no posts.
    """
    total = sum(map(sum, matrix))
    if total == 0:
        return None
    best: tuple[float, float, int, float] | None = None
    for off in sorted(range(-12, 15), key=abs):
        office = weekend = 0
        hours = 0.0
        for d in range(7):
            for h in range(24):
                n = matrix[d][h]
                if not n:
                    continue
                local = d * 24 + h + off
                ld, lh = (local // 24) % 7, local % 24
                if ld >= 5:
                    weekend += n
                elif lh in OFFICE_HOURS:
                    office += n
                    hours += n * lh
        share = office / total
        # among equally good offsets, prefer the one centring the activity in the office day
        centre = -abs(hours / office - (OFFICE_HOURS.start + OFFICE_HOURS.stop - 1) / 2) if office else 0.0
        if best is None or (share, centre) > (best[0], best[1]):
            best = (share, centre, off, weekend / total)
    assert best is not None
    return WorkingTimezone(best[2], best[0], best[3], total)
