"""The evidence behind one account or one network, for ``infoops show``.

:func:`account_report` and :func:`network_report` gather everything an
analyst needs to check a claim — profile, role, score, reason, each signal
with its evidence, the strongest coordination links and sample post pairs
with their time gaps — as plain dicts (the ``--json`` output);
:func:`format_account` and :func:`format_network` render them as text for a
terminal. Post text and names are hostile input: :func:`terminal_safe`
strips control and bidirectional-override characters and truncates.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import pandas as pd

from infoops.detect.signals import REGISTRY, SIGNALS, compute_signals
from infoops.errors import NotFoundError
from infoops.store import Store
from infoops.store.sql import first_row

#: Characters of a post shown before truncating.
TEXT_LIMIT = 160
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(value: object, limit: int = TEXT_LIMIT) -> str:
    """``value`` as one line safe to print: no control/bidi/format characters, truncated.

    Escape sequences (ANSI colours, cursor moves) and bidi overrides
    ("Trojan Source", Boucher & Anderson, 2021) could otherwise rewrite what
    the analyst sees. Newlines and tabs become spaces.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = _BIDI.sub("", str(value))
    text = "".join(
        " " if ch in "\n\r\t" else ch
        for ch in text
        if ch in "\n\r\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp")
    )
    text = re.sub(r" {2,}", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _run(store: Store, run_id: str | None) -> str:
    if run_id is None:
        return store.latest_detect_run()
    row = first_row(store.execute("SELECT status FROM detect_runs WHERE run_id = ?", [run_id]))
    if not row:
        raise NotFoundError(f"{store.path}: no detect run {run_id!r}; see `infoops status` for the runs")
    return run_id


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def resolve_account(store: Store, account: str) -> str:
    """The account id for an id or a screen name (with or without ``@``)."""
    row = first_row(store.execute("SELECT account_id FROM accounts WHERE account_id = ?", [account]))
    if row:
        return str(row[0])
    name = account.lstrip("@")
    rows = store.execute(
        "SELECT account_id FROM accounts WHERE lower(screen_name) = lower(?) ORDER BY account_id", [name]
    ).fetchall()
    if len(rows) == 1:
        return str(rows[0][0])
    if len(rows) > 1:
        raise NotFoundError(f"@{name} names {len(rows)} accounts; pass the account id instead")
    raise NotFoundError(f"{store.path}: no account {account!r} (give an account id or a screen name)")


def account_report(store: Store, account: str, run_id: str | None = None, links: int = 5,
                   samples: int = 3) -> dict[str, Any]:
    """Profile, membership, signals and strongest links of one account.

    ``links`` strongest significant edges are listed (by weight), each with
    up to ``samples`` evidence post pairs. Accounts outside every network of
    the run get their signals computed on the spot (without group-relative
    evidence).
    """
    run = _run(store, run_id)
    account_id = resolve_account(store, account)
    profile = _records(store.sql(
        "SELECT account_id, screen_name, display_name, created_at, followers, following, language, "
        "location, description, verified, statuses_count FROM accounts WHERE account_id = $a",
        {"a": account_id}))[0]
    posts = store.sql(
        "SELECT kind, count(*) AS n, min(created_at) AS first, max(created_at) AS last FROM posts "
        "WHERE account_id = $a GROUP BY kind ORDER BY kind", {"a": account_id})
    member = store.sql(
        "SELECT network_id, role, score, reason, signals FROM members WHERE run_id = $r AND account_id = $a",
        {"r": run, "a": account_id})
    report: dict[str, Any] = {"run_id": run, "profile": profile, "posts": _records(posts)}
    if len(member):
        m = member.iloc[0]
        report.update(network_id=m.network_id, role=m.role, score=float(m.score) if pd.notna(m.score) else None,
                      reason=m.reason, signals=json.loads(m.signals) if isinstance(m.signals, str) else {})
    else:
        report.update(network_id=None, role=None, score=None, reason=None)
        computed = compute_signals(store, [account_id])
        report["signals"] = {
            name: {k: v for k, v in _records(frame.drop(columns=["group_id"], errors="ignore"))[0].items()
                   if k != "account_id"}
            for name, frame in computed.items() if len(frame)
        }
    edges = store.sql(
        """
        SELECT CASE WHEN a = $acc THEN b ELSE a END AS other, trace, weight, p_value,
               acc.screen_name AS other_screen_name,
               EXISTS (SELECT 1 FROM members m WHERE m.run_id = $r AND m.network_id = $net
                       AND m.account_id = CASE WHEN a = $acc THEN b ELSE a END) AS same_network
        FROM edges LEFT JOIN accounts acc ON acc.account_id = CASE WHEN a = $acc THEN b ELSE a END
        WHERE run_id = $r AND (a = $acc OR b = $acc) AND coalesce(significant, TRUE)
        ORDER BY same_network DESC, weight DESC, p_value ASC NULLS LAST, other, trace LIMIT $k
        """,
        {"acc": account_id, "r": run, "k": int(links), "net": report.get("network_id") or ""},
    )
    report["links"] = []
    for link in _records(edges):
        ev = store.sql(
            """
            SELECT e.object, e.delta_seconds,
                   CASE WHEN e.a = $acc THEN e.post_a ELSE e.post_b END AS own_post,
                   CASE WHEN e.a = $acc THEN e.post_b ELSE e.post_a END AS other_post,
                   po.created_at AS own_time, po.text AS own_text,
                   pt.created_at AS other_time, pt.text AS other_text
            FROM evidence e
            LEFT JOIN posts po ON po.post_id = CASE WHEN e.a = $acc THEN e.post_a ELSE e.post_b END
            LEFT JOIN posts pt ON pt.post_id = CASE WHEN e.a = $acc THEN e.post_b ELSE e.post_a END
            WHERE e.run_id = $r AND e.trace = $t
              AND ((e.a = $acc AND e.b = $o) OR (e.b = $acc AND e.a = $o))
            ORDER BY abs(e.delta_seconds) NULLS LAST, own_post, other_post LIMIT $k
            """,
            {"acc": account_id, "o": link["other"], "r": run, "t": link["trace"], "k": int(samples)},
        )
        link["evidence"] = _records(ev)
        report["links"].append(link)
    return report


def network_report(store: Store, network_id: str, run_id: str | None = None, top: int = 10) -> dict[str, Any]:
    """Summary, cores, member counts, supporting traces and top signals of a network."""
    run = _run(store, run_id)
    net = store.sql("SELECT * FROM networks WHERE run_id = $r AND network_id = $n", {"r": run, "n": network_id})
    if net.empty:
        known = store.sql(
            "SELECT network_id FROM networks WHERE run_id = $r ORDER BY score DESC NULLS LAST LIMIT 5",
            {"r": run})["network_id"].tolist()
        was_rejected = store.sql(
            "SELECT reason FROM rejected_networks WHERE run_id = $r AND network_id = $n",
            {"r": run, "n": network_id})
        if not was_rejected.empty:
            raise NotFoundError(
                f"network {network_id!r} was rejected in run {run}: "
                f"{was_rejected['reason'][0]}; see `infoops show --rejected --network {network_id}`")
        raise NotFoundError(
            f"no network {network_id!r} in run {run}"
            + (f"; networks include: {', '.join(known)}" if known else "; the run found no networks")
        )
    row = _records(net.drop(columns=["detail"]))[0]
    detail = net.iloc[0]["detail"]
    row["detail"] = json.loads(detail) if isinstance(detail, str) and detail else None
    members = store.sql(
        """
        SELECT m.account_id, a.screen_name, m.role, m.score, a.followers,
               json_extract(m.signals, '$.behaviour.n_amplifiers')::BIGINT AS n_amplifiers,
               json_extract(m.signals, '$.behaviour.n_authored')::BIGINT AS n_authored
        FROM members m LEFT JOIN accounts a USING (account_id)
        WHERE m.run_id = $r AND m.network_id = $n
        """,
        {"r": run, "n": network_id},
    )
    cores = members[members.role == "core"].sort_values(
        ["n_amplifiers", "score", "account_id"], ascending=[False, False, True]).head(top)
    roles = members.groupby(members["role"].fillna("unassigned")).size().to_dict()
    traces = store.sql(
        """
        WITH m AS (SELECT account_id FROM members WHERE run_id = $r AND network_id = $n)
        SELECT trace, count(*) AS edges, sum(weight) AS total_weight, min(p_value) AS min_p_value
        FROM edges WHERE run_id = $r AND coalesce(significant, TRUE)
          AND a IN (SELECT account_id FROM m) AND b IN (SELECT account_id FROM m)
        GROUP BY trace ORDER BY edges DESC, trace
        """,
        {"r": run, "n": network_id},
    )
    shares = store.sql(
        "SELECT " + ", ".join(
            f"avg(coalesce(json_extract(signals, '$.{s}.flagged')::BOOLEAN, FALSE)::INT) AS \"{s}\""
            for s in SIGNALS)
        + " FROM members WHERE run_id = $r AND network_id = $n",
        {"r": run, "n": network_id},
    ).iloc[0]
    top_signals = sorted(((k, float(v)) for k, v in shares.items() if pd.notna(v) and v > 0), key=lambda kv: -kv[1])
    return {
        "run_id": run, "network": row, "roles": {k: int(v) for k, v in roles.items()},
        "cores": _records(cores), "traces": _records(traces),
        "signals": [{"signal": k, "share_flagged": v} for k, v in top_signals],
    }


def _when(value: object) -> str:
    return str(value)[:16].replace("T", " ") if value else "?"


def _gap(seconds: object) -> str:
    if seconds is None or (isinstance(seconds, float) and pd.isna(seconds)):
        return ""
    s = float(seconds)  # type: ignore[arg-type]
    return f"{s:.0f} s" if abs(s) < 120 else f"{s / 60:.0f} min" if abs(s) < 7200 else f"{s / 3600:.1f} h"


def format_account(report: dict[str, Any]) -> str:
    """Text rendering of :func:`account_report` (every data field sanitized)."""
    p = report["profile"]
    lines = [
        (
            f"Account {terminal_safe(p['account_id'])}  @{terminal_safe(p.get('screen_name'), 60)}"
            f"  \"{terminal_safe(p.get('display_name'), 60)}\""
        ),
        (
            f"  created {_when(p.get('created_at'))[:10]}; followers {_count(p.get('followers'))}; "
            f"following {_count(p.get('following'))}; language {terminal_safe(p.get('language'), 20)}"
            + ("; verified" if p.get("verified") else "")
        ),
    ]
    if p.get("description"):
        lines.append(f"  bio: {terminal_safe(p['description'])}")
    kinds = ", ".join(f"{r['n']:,} {r['kind']}" for r in report["posts"]) or "no posts in the store"
    lines.append(f"  posts: {kinds}")
    lines.append(f"Run {report['run_id']}")
    if report.get("network_id"):
        lines += [
            f"  network {terminal_safe(report['network_id'])}: {report['role']}, score {report['score']:.2f}",
            f"  why: {terminal_safe(report['reason'], 600)}",
        ]
    else:
        lines.append("  not a member of any network in this run")
    lines.append("Signals")
    for name in SIGNALS:
        sig = report.get("signals", {}).get(name)
        if not sig:
            continue
        mark = "!" if sig.get("flagged") else " "
        ev = terminal_safe(sig.get("evidence"), 300) or "-"
        lines.append(f"  {mark} {name:<20} {float(sig.get('value') or 0):.2f}  {ev}")
    lines.append("Strongest links")
    if not report["links"]:
        lines.append("  none")
    for link in report["links"]:
        p_txt = f", p={link['p_value']:.1e}" if link.get("p_value") is not None else ""
        lines.append(
            f"  {link['trace']} with {terminal_safe(link['other'], 40)} "
            f"(@{terminal_safe(link.get('other_screen_name'), 40)}): weight {link['weight']:g}{p_txt}"
        )
        for ev in link["evidence"]:
            lines.append(
                f"    {_when(ev.get('own_time'))} this: {terminal_safe(ev.get('own_text'), 80) or '-'}"
            )
            lines.append(
                f"    {_when(ev.get('other_time'))} them: {terminal_safe(ev.get('other_text'), 80) or '-'}"
                + (f"   (gap {_gap(ev.get('delta_seconds'))})" if _gap(ev.get("delta_seconds")) else "")
            )
    return "\n".join(lines)


def format_network(report: dict[str, Any]) -> str:
    """Text rendering of :func:`network_report` (every data field sanitized)."""
    n = report["network"]
    score = f"{n['score']:.2f}" if n.get("score") is not None else "?"
    lines = [
        f"Network {terminal_safe(n['network_id'])} (run {report['run_id']}): score {score}",
        f"  {terminal_safe(n.get('reason'), 600)}",
        "  members: " + ", ".join(f"{v:,} {k}" for k, v in sorted(report["roles"].items())),
        "Supporting traces",
    ]
    for t in report["traces"] or [{"trace": "none", "edges": 0, "total_weight": 0, "min_p_value": None}]:
        p_txt = f", min p={t['min_p_value']:.1e}" if t.get("min_p_value") is not None else ""
        lines.append(f"  {t['trace']:<18} {t['edges']:,} edges, weight {t['total_weight'] or 0:,.0f}{p_txt}")
    lines.append("Top signals (share of members flagged)")
    for s in report["signals"] or [{"signal": "none", "share_flagged": 0.0}]:
        words = REGISTRY[s["signal"]].words if s["signal"] in REGISTRY else ""
        lines.append(f"  {s['signal']:<20} {s['share_flagged']:.0%}  {words}")
    lines.append(f"Cores (top {len(report['cores'])})")
    for c in report["cores"]:
        lines.append(
            f"  {terminal_safe(c['account_id'], 40)} @{terminal_safe(c.get('screen_name'), 40)}: "
            f"score {c['score']:.2f}, amplified by {c.get('n_amplifiers') or 0:,} members, "
            f"{c.get('followers') if c.get('followers') is not None else '?'} followers"
        )
    return "\n".join(lines)


def rejected_report(store: Store, run_id: str | None = None,
                    network_id: str | None = None, top: int = 20) -> dict[str, Any]:
    """The networks a run examined and rejected, with scores and reasons.

    With ``network_id``, one rejected network and up to ``top`` of its
    accounts with the reason for each. Also lists, per kept network, how many
    accounts the run removed from it (bystanders, outsiders).
    """
    run = _run(store, run_id)
    nets = store.sql(
        "SELECT network_id, score, n_accounts, traces, reason FROM rejected_networks "
        "WHERE run_id = $r AND ($n IS NULL OR network_id = $n) "
        "ORDER BY score DESC NULLS LAST, n_accounts DESC, network_id",
        {"r": run, "n": network_id})
    if network_id is not None and nets.empty:
        raise NotFoundError(f"no rejected network {network_id!r} in run {run}; "
                            "`infoops show --rejected` lists them")
    removed = store.sql(
        "SELECT network_id, role, count(*) AS n FROM rejected_members r WHERE run_id = $r "
        "AND network_id IN (SELECT network_id FROM networks WHERE run_id = $r) GROUP BY ALL "
        "ORDER BY network_id, role", {"r": run})
    out: dict[str, Any] = {"run_id": run, "rejected": _records(nets),
                           "removed_from_kept": _records(removed)}
    if network_id is not None:
        out["accounts"] = _records(store.sql(
            "SELECT r.account_id, a.screen_name, r.role, r.score, r.reason "
            "FROM rejected_members r LEFT JOIN accounts a USING (account_id) "
            "WHERE r.run_id = $r AND r.network_id = $n "
            "ORDER BY r.score DESC NULLS LAST, r.account_id LIMIT $k",
            {"r": run, "n": network_id, "k": int(top)}))
    return out


def format_rejected(report: dict[str, Any]) -> str:
    """``infoops show --rejected`` as text."""
    rows = report["rejected"]
    lines = [f"Rejected networks (run {report['run_id']}): {len(rows):,}"]
    for r in rows:
        score = f"{r['score']:.2f}" if r.get("score") is not None else "?"
        lines.append(f"  {terminal_safe(r['network_id'], 20):<6} score {score}  "
                     f"{int(r['n_accounts'] or 0):,} accounts  {terminal_safe(r.get('traces'), 80)}")
        lines.append(f"         {terminal_safe(r.get('reason'), 400)}")
    for a in report.get("accounts", []):
        lines.append(f"  {terminal_safe(a['account_id'], 40)} @{terminal_safe(a.get('screen_name'), 40)}"
                     f" [{terminal_safe(a.get('role'), 20)}]: {terminal_safe(a.get('reason'), 300)}")
    if report["removed_from_kept"]:
        lines.append("Accounts removed from kept networks")
        for r in report["removed_from_kept"]:
            lines.append(f"  {terminal_safe(r['network_id'], 20)}: {int(r['n']):,} "
                         f"{terminal_safe(r['role'], 20)}")
    return "\n".join(lines)


def show(store: Store, account: str | None = None, network: str | None = None,
         run_id: str | None = None, as_json: bool = False, rejected: bool = False) -> str:
    """What ``infoops show`` prints for an account, a network, or the rejected networks."""
    if rejected:
        rep = rejected_report(store, run_id, network)
        return json.dumps(rep, ensure_ascii=False, indent=2, default=str) if as_json else format_rejected(rep)
    if network is not None:
        rep = network_report(store, network, run_id)
        return json.dumps(rep, ensure_ascii=False, indent=2, default=str) if as_json else format_network(rep)
    if account is None:
        raise NotFoundError("give an ACCOUNT (id or screen name) or --network NETWORK_ID")
    rep = account_report(store, account, run_id)
    return json.dumps(rep, ensure_ascii=False, indent=2, default=str) if as_json else format_account(rep)


def _count(v: Any) -> str:
    """A profile count, or ``not in the data`` (never ``None``)."""
    return "not in the data" if v is None else f"{int(v):,}"
