"""The flagged-accounts CSV: ``account_id,network_id,role,score``."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from infoops.errors import DetectionError, ExportError, NotFoundError
from infoops.store import Store

HEADER = ("account_id", "network_id", "role", "score")


def write_flagged(store: Store, run_id: str, path: str | os.PathLike[str]) -> int:
    """Write one row per member of ``run_id``'s networks; return the row count.

    ``role`` is ``core`` or ``amplifier`` (members without a role are written
    as ``amplifier``: they were flagged for co-acting, not for originating);
    ``score`` is clipped to [0, 1]. Rows are sorted by network, then score
    (highest first), then account id. Rows are streamed to the file.
    """
    runs = store.con.execute(
        "SELECT status FROM detect_runs WHERE run_id = ?", [run_id]
    ).fetchall()
    if not runs:
        raise NotFoundError(f"no detect run {run_id!r} in {store.path}")
    if runs[0][0] != "completed":
        raise DetectionError(f"detect run {run_id} is {runs[0][0]}, not completed; run detect again")
    cur = store.reader()
    cur.execute(
        """
        SELECT account_id, network_id,
               CASE WHEN role = 'core' THEN 'core' ELSE 'amplifier' END AS role,
               least(1.0, greatest(0.0, coalesce(score, 0.0))) AS score
        FROM members WHERE run_id = ?
        ORDER BY CAST(regexp_extract(network_id, '[0-9]+') AS BIGINT) NULLS LAST, network_id,
                 score DESC, account_id
        """,
        [run_id],
    )
    n = 0
    out = Path(path)
    try:
        fh = out.open("w", newline="", encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"{out}: cannot write the flagged CSV ({exc.strerror})") from exc
    with fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        while True:
            rows = cur.fetchmany(10_000)
            if not rows:
                break
            for acc, net, role, score in rows:
                w.writerow((acc, net, role, f"{float(score):.6g}"))
            n += len(rows)
    return n
