"""Which accounts a release holds: a detected network, or the accounts a case confirmed.

A network release takes the members of one network of a detect run (the
latest completed run unless one is named). A case release follows the
contract shared with the review app: the accounts of ``case_accounts`` whose
decision is ``confirm`` and, where the case has any ``takedowns`` rows, only
those whose takedown is ``active``. ``core_only`` keeps the core accounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from infoops.errors import NotFoundError
from infoops.store import Store
from infoops.store.sql import first_row


@dataclass(frozen=True)
class Selection:
    """The accounts of one release and where they come from.

    ``members``: (account_id, role) pairs, role ``core`` / ``amplifier`` or
    None when the detect run does not know the account (an account an analyst
    added to a case). ``network``: the ``networks`` row (score, traces,
    reason, ...), when there is one. ``case``: the ``cases`` row of a case release.
    """

    run_id: str | None
    network_id: str | None
    case_id: str | None
    core_only: bool
    members: tuple[tuple[str, str | None], ...]
    network: dict[str, Any] = field(default_factory=dict)
    case: dict[str, Any] = field(default_factory=dict)

    def source(self) -> dict[str, Any]:
        """What the manifest records, enough for :func:`select_source` to redo the selection."""
        return {"run_id": self.run_id, "network_id": self.network_id,
                "case_id": self.case_id, "core_only": self.core_only}

    @property
    def account_ids(self) -> set[str]:
        return {a for a, _ in self.members}


def _row_dict(store: Store, sql: str, params: list[Any]) -> dict[str, Any]:
    cur = store.reader()
    result = cur.execute(sql, params)
    names = [d[0] for d in result.description or ()]
    row = first_row(result)
    return dict(zip(names, row, strict=False)) if row else {}


def select_network(store: Store, network_id: str, run_id: str | None = None,
                   core_only: bool = False) -> Selection:
    """The members of network ``network_id`` of ``run_id`` (default: the latest completed run)."""
    run = run_id or store.latest_detect_run()
    if not _row_dict(store, "SELECT run_id FROM detect_runs WHERE run_id = ?", [run]):
        raise NotFoundError(f"{store.path}: no detect run {run!r}; `infoops status` lists the runs")
    net = _row_dict(store, "SELECT * FROM networks WHERE run_id = ? AND network_id = ?", [run, network_id])
    if not net:
        have = [r[0] for r in store.reader().execute(
            "SELECT network_id FROM networks WHERE run_id = ? ORDER BY score DESC", [run]).fetchall()]
        raise NotFoundError(
            f"no network {network_id!r} in run {run}; its networks: {', '.join(have) or 'none'}"
        )
    rows = store.reader().execute(
        "SELECT account_id, role FROM members WHERE run_id = ? AND network_id = ? "
        + ("AND role = 'core' " if core_only else "") + "ORDER BY account_id",
        [run, network_id],
    ).fetchall()
    return Selection(run, network_id, None, core_only, tuple((r[0], r[1]) for r in rows), net)


def _no_case(case_id: str) -> NotFoundError:
    return NotFoundError(f"no case {case_id!r}; cases come from `infoops serve`")


def select_case(store: Store, case_id: str, core_only: bool = False) -> Selection:
    """The accounts case ``case_id`` confirmed (and took down, where it has takedowns)."""
    tables = set(store.tables())
    if not {"cases", "case_accounts"} <= tables:
        raise _no_case(case_id)
    case = _row_dict(store, "SELECT * FROM cases WHERE case_id = ?", [case_id])
    if not case:
        raise _no_case(case_id)
    run, net = case.get("run_id"), case.get("network_id")
    takedown = ""
    if "takedowns" in tables:
        takedown = (
            " AND (NOT EXISTS (SELECT 1 FROM takedowns t WHERE t.case_id = c.case_id)"
            " OR EXISTS (SELECT 1 FROM takedowns t WHERE t.case_id = c.case_id"
            " AND t.account_id = c.account_id AND t.status = 'active'))"
        )
    rows = store.reader().execute(
        "SELECT DISTINCT c.account_id, m.role FROM case_accounts c "
        "LEFT JOIN members m ON m.account_id = c.account_id AND m.run_id = ? AND m.network_id = ? "
        f"WHERE c.case_id = ? AND c.decision = 'confirm'{takedown} ORDER BY c.account_id",
        [run, net, case_id],
    ).fetchall()
    members = tuple((r[0], r[1]) for r in rows if not core_only or r[1] == "core")
    network = (_row_dict(store, "SELECT * FROM networks WHERE run_id = ? AND network_id = ?", [run, net])
               if run and net else {})
    return Selection(run, net, case_id, core_only, members, network, case)


def select_source(store: Store, source: dict[str, Any]) -> Selection:
    """Redo a release's selection from its manifest's ``source``."""
    if source.get("case_id"):
        return select_case(store, str(source["case_id"]), bool(source.get("core_only")))
    if not source.get("network_id") or not source.get("run_id"):
        raise NotFoundError("the manifest names neither a case nor a network and run")
    return select_network(store, str(source["network_id"]), str(source["run_id"]),
                          bool(source.get("core_only")))
