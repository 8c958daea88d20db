"""What a store holds: counts for ``infoops status``."""

from __future__ import annotations

from typing import Any

from infoops.store import Store
from infoops.store.sql import first_row


def _one(store: Store, sql: str) -> int:
    row = first_row(store.con.execute(sql))
    return int(row[0]) if row and row[0] is not None else 0


def store_status(store: Store) -> dict[str, Any]:
    """Counts of every canonical table, posts by kind, and the ingest/detect runs.

    Returns a JSON-ready dict: ``accounts`` (with ``stubs``), ``posts`` (with
    ``by_kind``), ``hashtags``, ``urls``, ``mentions``, ``media``,
    ``profile_changes``, ``quarantined``, ``ingest_runs`` (count and the
    latest run), ``detect_runs`` and ``schema_version``.
    """
    tables = set(store.tables())
    kinds = dict(store.con.execute(
        "SELECT kind, count(*) FROM posts GROUP BY kind ORDER BY kind").fetchall())
    latest = first_row(store.con.execute(
        "SELECT run_id, status, started_at, finished_at, rows_read, rows_stored, rows_quarantined, "
        "rows_duplicate FROM ingest_runs ORDER BY started_at DESC LIMIT 1"
    ))
    last_run = None
    if latest:
        keys = ("run_id", "status", "started_at", "finished_at", "rows_read", "rows_stored",
                "rows_quarantined", "rows_duplicate")
        last_run = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in zip(keys, latest, strict=False)}
    return {
        "store": store.path,
        "schema_version": store.schema_version(),
        "accounts": _one(store, "SELECT count(*) FROM accounts"),
        "stub_accounts": _one(store, "SELECT count(*) FROM accounts WHERE is_stub"),
        "posts": sum(kinds.values()),
        "posts_by_kind": {k: int(kinds.get(k, 0)) for k in ("original", "retweet", "quote", "reply")},
        "hashtags": _one(store, "SELECT count(*) FROM post_hashtags"),
        "urls": _one(store, "SELECT count(*) FROM post_urls"),
        "mentions": _one(store, "SELECT count(*) FROM post_mentions"),
        "media": _one(store, "SELECT count(*) FROM post_media") if "post_media" in tables else 0,
        "profile_changes": _one(store, "SELECT count(*) FROM profile_changes"),
        "quarantined": _one(store, "SELECT count(*) FROM quarantine"),
        "ingest_runs": _one(store, "SELECT count(*) FROM ingest_runs"),
        "last_ingest": last_run,
        "detect_runs": _one(store, "SELECT count(*) FROM detect_runs"),
        "ingest_runs_by_status": _by_status(store, "ingest_runs"),
        "detect_runs_by_status": _by_status(store, "detect_runs"),
        "last_detect": _last_detect(store),
    }


def _by_status(store: Store, table: str) -> dict[str, int]:
    return {str(k): int(n) for k, n in store.con.execute(
        f"SELECT status, count(*) FROM {table} GROUP BY status ORDER BY status").fetchall()}


def _last_detect(store: Store) -> dict[str, Any] | None:
    row = first_row(store.con.execute(
        "SELECT run_id, status, started_at, finished_at FROM detect_runs ORDER BY started_at DESC LIMIT 1"))
    if not row:
        return None
    keys = ("run_id", "status", "started_at", "finished_at")
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in zip(keys, row, strict=False)}


def _statuses(counts: dict[str, int]) -> str:
    return f" ({', '.join(f'{k} {n:,}' for k, n in counts.items())})" if counts else ""


def format_status(status: dict[str, Any]) -> str:
    """The status dict as aligned text lines."""
    k = status["posts_by_kind"]
    lines = [
        f"store            {status['store']} (schema v{status['schema_version']})",
        f"accounts         {status['accounts']:,} ({status['stub_accounts']:,} stubs)",
        (f"posts            {status['posts']:,} (original {k['original']:,}, retweet {k['retweet']:,}, "
        f"quote {k['quote']:,}, reply {k['reply']:,})"),
        f"hashtags         {status['hashtags']:,}",
        f"urls             {status['urls']:,}",
        f"mentions         {status['mentions']:,}",
        f"media            {status['media']:,}",
        f"profile changes  {status['profile_changes']:,}",
        f"quarantined      {status['quarantined']:,}",
        f"ingest runs      {status['ingest_runs']:,}{_statuses(status.get('ingest_runs_by_status', {}))}",
        f"detect runs      {status['detect_runs']:,}{_statuses(status.get('detect_runs_by_status', {}))}",
    ]
    last = status.get("last_ingest")
    if last:
        lines.append(f"last ingest      {last['run_id']} {last['status']}: read {last['rows_read']:,}, "
                     f"stored {last['rows_stored']:,}, quarantined {last['rows_quarantined']:,}, "
                     f"duplicate {last['rows_duplicate']:,}")
    det = status.get("last_detect")
    if det:
        lines.append(f"last detect      {det['run_id']} {det['status']}")
    return "\n".join(lines)
