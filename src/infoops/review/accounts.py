"""What the review pages show about one account, and search across the store."""

from __future__ import annotations

from typing import Any

import duckdb

from infoops.errors import NotFoundError
from infoops.review import appeals, redetect, takedown
from infoops.review.networks import PAGE_SIZE, signals_of
from infoops.review.rows import one, posts_by_id, rows
from infoops.store.sql import scalar

#: Results per kind of search hit.
SEARCH_LIMIT = 50


def account(con: duckdb.DuckDBPyConnection, account_id: str, run_id: str | None) -> dict[str, Any]:
    """Profile, history, activity by kind and day, memberships, links, decisions and live state."""
    profile = one(con, "SELECT account_id, screen_name, display_name, created_at, followers, "
                       "following, language, location, description, profile_url, verified, "
                       "statuses_count FROM accounts WHERE account_id = ?", [account_id])
    if profile is None:
        raise NotFoundError(f"no account {account_id!r}; search by id, @name, #hashtag or URL")
    out: dict[str, Any] = {"profile": profile, "run_id": run_id}
    out["history"] = rows(con, "SELECT changed_at, field, old_value, new_value FROM "
                               "profile_changes WHERE account_id = ? ORDER BY changed_at",
                          [account_id])
    # one scan of posts for both the activity table and the timeline
    daily = con.execute(
        "SELECT kind, strftime(date_trunc('day', created_at), '%Y-%m-%d') AS day, count(*), "
        "min(created_at), max(created_at) FROM posts WHERE account_id = ? GROUP BY ALL",
        [account_id]).fetchall()
    kinds: dict[str, dict[str, Any]] = {}
    days: dict[str, int] = {}
    for kind, day, n, first, last in daily:
        k = kinds.setdefault(kind, {"kind": kind, "n": 0, "first": first, "last": last})
        k["n"] += int(n)
        if first is not None and (k["first"] is None or first < k["first"]):
            k["first"] = first
        if last is not None and (k["last"] is None or last > k["last"]):
            k["last"] = last
        if day is not None:
            days[day] = days.get(day, 0) + int(n)
    out["posts_by_kind"] = [{**k, "first": _text(k["first"]), "last": _text(k["last"])}
                            for _, k in sorted(kinds.items())]
    out["timeline"] = [{"day": d, "n": n} for d, n in sorted(days.items())]
    memberships = rows(con, "SELECT m.run_id, m.network_id, m.role, m.score, m.reason, "
                            "m.signals::TEXT AS signals FROM members m JOIN detect_runs d "
                            "USING (run_id) WHERE m.account_id = ? ORDER BY d.started_at DESC",
                       [account_id])
    for m in memberships:
        m["signals"] = signals_of(m["signals"])
    out["memberships"] = memberships
    out["links"] = links(con, account_id, run_id) if run_id else []
    out["live"] = takedown.is_live(con, account_id)
    out["takedowns"] = takedown.history(con, account_id)
    out["decisions"] = redetect.prior_decisions(con, [account_id]).get(account_id, [])
    out["decision_history"] = rows(con, "SELECT d.case_id, d.decision, d.policy, d.note, "
                                        "d.decided_by, d.decided_at FROM decisions d WHERE "
                                        "d.account_id = ? ORDER BY d.decision_id DESC",
                                   [account_id])
    out["appeals"] = appeals.list_appeals(con, account_id=account_id)
    return out


def _text(value: Any) -> Any:
    return value.isoformat(sep=" ", timespec="seconds") if hasattr(value, "isoformat") else value


def links(con: duckdb.DuckDBPyConnection, account_id: str, run_id: str, k: int = 10,
          samples: int = 3) -> list[dict[str, Any]]:
    """The account's strongest significant links in a run, each with sample evidence posts."""
    # each direction on its own: an OR of the two ends scans slower than two equality scans
    found = rows(
        con,
        """
        WITH e AS (
            SELECT b AS other, trace, weight, p_value FROM edges
            WHERE run_id = $r AND a = $acc AND coalesce(significant, TRUE) AND trace <> 'fused'
            UNION ALL
            SELECT a AS other, trace, weight, p_value FROM edges
            WHERE run_id = $r AND b = $acc AND coalesce(significant, TRUE) AND trace <> 'fused'),
        top AS (SELECT * FROM e ORDER BY weight DESC, other, trace LIMIT $k)
        SELECT top.other, x.screen_name AS other_name, top.trace, top.weight, top.p_value
        FROM top LEFT JOIN accounts x ON x.account_id = top.other
        ORDER BY top.weight DESC, top.other, top.trace
        """, {"acc": account_id, "r": run_id, "k": int(k)})
    if not found:
        return found
    # one pass over the account's evidence for all its links (not one query per link)
    samples_of = rows(
        con,
        """
        WITH l AS (SELECT unnest($others::TEXT[]) AS other, unnest($traces::TEXT[]) AS trace),
        ev AS (
            SELECT trace, object, delta_seconds, b AS other, post_a AS own_post,
                   post_b AS other_post FROM evidence WHERE run_id = $r AND a = $acc
            UNION ALL
            SELECT trace, object, delta_seconds, a AS other, post_b AS own_post,
                   post_a AS other_post FROM evidence WHERE run_id = $r AND b = $acc),
        pick AS (
            SELECT ev.*, row_number() OVER (PARTITION BY ev.other, ev.trace
                   ORDER BY abs(ev.delta_seconds) NULLS LAST, ev.own_post, ev.other_post) AS k
            FROM ev JOIN l USING (other, trace)),
        wanted AS (SELECT * FROM pick WHERE k <= $k)
        SELECT w.other, w.trace, w.object, w.delta_seconds, w.own_post, w.other_post
        FROM wanted w ORDER BY w.other, w.trace, w.k
        """, {"acc": account_id, "r": run_id, "k": int(samples),
              "others": [link["other"] for link in found],
              "traces": [link["trace"] for link in found]})
    texts = posts_by_id(con, [e["own_post"] for e in samples_of]
                        + [e["other_post"] for e in samples_of])
    for e in samples_of:
        own, other = texts.get(e["own_post"], {}), texts.get(e["other_post"], {})
        e.update(own_time=own.get("created_at"), own_text=own.get("text"),
                 other_time=other.get("created_at"), other_text=other.get("text"))
    keys = ("object", "delta_seconds", "own_post", "own_time", "own_text", "other_post",
            "other_time", "other_text")
    for link in found:
        link["evidence"] = [{k: e[k] for k in keys} for e in samples_of
                            if e["other"] == link["other"] and e["trace"] == link["trace"]]
    return found


def posts(con: duckdb.DuckDBPyConnection, account_id: str, *, view: str = "all",
          limit: int = PAGE_SIZE, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """An account's posts, newest first: ``live`` (what the platform shows), ``archive``
    (removed by a takedown) or ``all`` (each marked ``removed`` or not)."""
    table = {"live": "live_posts", "archive": "removed_posts", "all": "posts"}.get(view)
    if table is None:
        raise NotFoundError(f"posts view {view!r}: use live, archive or all")
    total = int(scalar(con, f"SELECT count(*) FROM {table} WHERE account_id = ?", [account_id]))
    page = rows(
        con,
        f"""
        SELECT p.post_id, p.created_at, p.kind, p.text, p.language, p.client, p.ref_post_id,
               p.ref_account_id, p.reply_to_post_id,
               p.post_id IN (SELECT post_id FROM removed_posts WHERE account_id = $a) AS removed
        FROM {table} p WHERE p.account_id = $a
        ORDER BY p.created_at DESC NULLS LAST, p.post_id LIMIT $k OFFSET $o
        """, {"a": account_id, "k": int(limit), "o": int(offset)})
    return page, total


def live_members(con: duckdb.DuckDBPyConnection, run_id: str, network_id: str, *,
                 limit: int = PAGE_SIZE, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """The network's members the platform still shows (the live view), with live post counts."""
    base = ("FROM members m JOIN live_accounts a USING (account_id) "
            "WHERE m.run_id = $r AND m.network_id = $n")
    params = {"r": run_id, "n": network_id}
    total = int(scalar(con, f"SELECT count(*) {base}", params))
    page = rows(con, f"SELECT m.account_id, a.screen_name, m.role, "
                     f"(SELECT count(*) FROM live_posts p WHERE p.account_id = m.account_id) "
                     f"AS live_posts {base} ORDER BY m.score DESC NULLS LAST, m.account_id "
                     f"LIMIT $k OFFSET $o", {**params, "k": int(limit), "o": int(offset)})
    return page, total


def search(con: duckdb.DuckDBPyConnection, query: str, limit: int = SEARCH_LIMIT) -> dict[str, Any]:
    """Accounts by id or screen name, and by the hashtags and URLs they posted."""
    q = (query or "").strip()
    out: dict[str, Any] = {"query": q, "accounts": [], "hashtag": [], "url": []}
    if not q:
        return out
    name = q.lstrip("@")
    out["accounts"] = rows(
        con,
        "SELECT account_id, screen_name, display_name, followers FROM accounts "
        "WHERE account_id = $q OR lower(screen_name) = lower($name) "
        "OR (length($name) >= 3 AND starts_with(lower(screen_name), lower($name))) "
        "ORDER BY account_id = $q DESC, lower(screen_name) = lower($name) DESC, screen_name "
        "LIMIT $k", {"q": q, "name": name, "k": int(limit)})
    tag = q.lstrip("#").lower()
    if tag:
        out["hashtag"] = rows(
            con,
            "SELECT p.account_id, a.screen_name, count(*) AS posts FROM post_hashtags h "
            "JOIN posts p USING (post_id) LEFT JOIN accounts a ON a.account_id = p.account_id "
            "WHERE lower(h.tag) = $t GROUP BY ALL ORDER BY posts DESC, p.account_id LIMIT $k",
            {"t": tag, "k": int(limit)})
    if "." in q or "/" in q:
        out["url"] = rows(
            con,
            "SELECT p.account_id, a.screen_name, count(*) AS posts, any_value(u.url) AS url "
            "FROM post_urls u JOIN posts p USING (post_id) "
            "LEFT JOIN accounts a ON a.account_id = p.account_id "
            "WHERE u.url = $q OR lower(u.domain) = lower($q) OR starts_with(u.url, $q) "
            "GROUP BY ALL ORDER BY posts DESC, p.account_id LIMIT $k",
            {"q": q, "k": int(limit)})
    return out
