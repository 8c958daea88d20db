"""The report page: shell, styles, the ranked summary and the run's parameters.

The page carries no script at all, and a Content-Security-Policy that forbids
scripts and every remote load, so hostile text that slipped through escaping could
still not run or call home. Everything from the data passes :mod:`infoops.report.safe`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from infoops import __version__
from infoops.report import safe

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

CSS = """
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:0 16px 48px;color:#222;
 line-height:1.4}
h1{margin-top:24px}h2{border-top:3px solid #0072B2;padding-top:8px;margin-top:40px}
h3{margin:24px 0 6px}table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top;
 overflow-wrap:anywhere;max-width:520px}
th{background:#f3f6fa;white-space:nowrap}td.n{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#555;font-size:13px}.trunc{color:#a33;font-size:11px}
.post{unicode-bidi:isolate;white-space:pre-wrap}
.grid{display:flex;flex-wrap:wrap;gap:16px}.grid>div{flex:1 1 420px}
code{font-size:12px;overflow-wrap:anywhere}svg.chart{max-width:100%;height:auto}
td.n,.metrics td{white-space:nowrap}
section.network,section#appendix{content-visibility:auto;contain-intrinsic-size:auto 6000px}
table.ranked td{white-space:nowrap}table.ranked td:last-child{white-space:normal;min-width:280px}p.analyst{font-size:15px;max-width:860px}
.sorted{display:none}.sorted.default{display:table}
#ranked-views:has(.sorted:target) .sorted.default{display:none}
#ranked-views .sorted:target{display:table}
nav a{margin-right:10px}.badge{display:inline-block;padding:0 6px;border-radius:8px;
 background:#D55E00;color:#fff;font-size:11px}
"""


def n(v: Any) -> str:
    """An integer with thousands separators (``–`` for missing)."""
    return "–" if v is None else f"{int(v):,}"


def pct(v: float | None) -> str:
    """A share in [0, 1] as a percentage with one decimal."""
    return "–" if v is None else f"{100 * v:.1f}%"


def num(v: float | None, digits: int = 2) -> str:
    """A float with ``digits`` decimals."""
    return "–" if v is None else f"{v:,.{digits}f}"


def metric_table(rows: Iterable[tuple[str, str, str]]) -> str:
    """Rows of ``(key, label, formatted value)``, each ``<tr data-metric=key>``; label escaped."""
    body = "".join(
        f'<tr data-metric="{safe.attr(k)}"><th>{safe.text(label)}</th><td class="n">{value}</td></tr>'
        for k, label, value in rows
    )
    return f'<table class="metrics">{body}</table>'


def table(header: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "") -> str:
    """A table whose cells are already-safe HTML; headers are escaped."""
    head = "".join(f"<th>{safe.text(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{safe.attr(cls)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def page(title: str, body: str) -> str:
    """The complete, self-contained HTML document."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="infoops {__version__}">'
        f"<title>{safe.text(title)}</title><style>{CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def _span(net: dict[str, Any]) -> str:
    lo, hi = net.get("span") or (None, None)
    if not lo:
        return "–"
    return safe.text(lo) if lo == hi else f"{safe.text(lo)} – {safe.text(hi)}"


def _langs(net: dict[str, Any]) -> str:
    langs = net.get("languages") or []
    return ", ".join(f"{safe.text(lang, 20)} {100 * share:.0f}%" for lang, share in langs) or "–"


#: The orders the ranked table can be read in (no script: each is a table of its own,
#: shown by its link's ``#anchor``): key, link text, sort key.
ORDERS = (
    ("evidence", "coordination evidence", lambda r: r["rank"]),
    ("score", "score", lambda r: (-(r["score"] or 0), r["rank"])),
    ("size", "size", lambda r: (-r["accounts"], r["rank"])),
    ("posts", "posts", lambda r: (-r["posts"], r["rank"])),
    ("start", "first active", lambda r: ((r.get("span") or ("9999",))[0] or "9999", r["rank"])),
)


def summary(data: Any) -> str:
    """The top section: the ranked networks (size, languages, top hashtag, active span,
    score, why), readable in several orders, and the traces that had no input."""
    detailed = {s.network_id: s.rank for s in data.sections}
    rows = []
    for net in data.networks:
        name = safe.text(net["network_id"], 40)
        if net["network_id"] in detailed:
            name = f'<a href="#net-{net["rank"]}">{name}</a>'
        tag = net.get("top_hashtag")
        rows.append((net, [
            str(net["rank"]), name, n(net["accounts"]), f"{n(net['core'])} / {n(net['amplifier'])}",
            n(net["posts"]), _langs(net), f"#{safe.text(tag, 40)}" if tag else "–", _span(net),
            n(net.get("pairs", 0)), num(net["score"], 3), safe.text(net["traces"].replace(",", ", "), 200),
            safe.text(net["reason"], 160),
        ]))
    head = ["#", "network", "accounts", "core / amplifiers", "posts", "main languages",
            "top hashtag", "active (5th–95th pct.)", "coordinated pairs", "score", "traces", "why"]
    if rows:
        links = " ".join(f'<a href="#rank-{k}">{safe.text(label)}</a>' for k, label, _ in ORDERS)
        views = "".join(
            table(head, [r for _, r in sorted(rows, key=lambda nr: key(nr[0]))],
                  "ranked sorted" + (" default" if k == "evidence" else "")).replace(
                "<table ", f'<table id="rank-{k}" ', 1)
            for k, _, key in ORDERS)
        ranked = ('<p class="note">Ranked by coordination evidence: the member pairs the null '
                  "model tied together (on any trace). It grows with size and with how many "
                  "behaviours tie the accounts, and reads no account signal, so an operation of "
                  "established personas ranks where its coordination puts it even when its score "
                  "(the detector's keep/drop score, which weighs account signals) is low.</p>"
                  f'<p class="note">Sort by: {links}</p><div id="ranked-views">{views}</div>')
    else:
        ranked = '<p class="note">No networks detected in this run.</p>'
    omitted = (f'<p class="note">Detailed sections for the top {len(data.sections)} networks; '
               f"{data.omitted} more are listed above only (use <code>--network ID</code>).</p>"
               if data.omitted else "")
    gaps = ('<p class="note">Network ids are numbered when clusters are found, before the '
            "roles stage; a missing number is a cluster that was rejected (below) or merged "
            "into another network.</p>" if data.networks else "")
    return (
        '<section id="summary" data-section="summary"><h2>Networks, ranked</h2>'
        f"{ranked}{omitted}{gaps}{no_input(data.run)}{_rejected(data)}"
        '<p class="note">Run metadata and every detection parameter: '
        '<a href="#appendix">appendix</a>.</p></section>'
    )


def no_input(run: dict[str, Any]) -> str:
    """One line per trace that had no input in this data, with why (empty if none)."""
    from infoops.detect.inputs import empty_traces

    empty = empty_traces(run.get("summary") or {})
    if not empty:
        return ""
    items = "".join(f'<li data-trace="{safe.attr(t)}"><strong>{safe.text(t)}</strong>: '
                    f"{safe.text(why, 400)}</li>" for t, why in empty.items())
    return ('<div id="no-input" data-section="no-input"><h3>Not in this data</h3>'
            f'<p class="note">{len(empty)} trace(s) had nothing to work with, so they could not '
            f"link any accounts (their zeros say nothing about coordination):</p><ul>{items}</ul></div>")


def appendix(data: Any) -> str:
    """The run's metadata, parameters and raw summary, at the end of the report."""
    run = data.run
    run_rows = [("run_id", "detect run", safe.text(run["run_id"])),
                ("status", "status", safe.text(run["status"])),
                ("started_at", "started", safe.text(run["started_at"])),
                ("finished_at", "finished", safe.text(run["finished_at"])),
                ("store", "store", safe.text(data.store_path, 200)),
                ("seed", "report seed", n(data.seed))]
    params = _flatten(run["params"])
    summary_rows = _flatten(run["summary"])
    return (
        '<section id="appendix" data-section="appendix"><h2>Appendix: the run</h2>'
        f"<h3>Run</h3>{metric_table(run_rows)}"
        f"<details><summary><strong>Detection parameters</strong> ({len(params)})</summary>"
        + (table(["parameter", "value"], params, "params") if params else '<p class="note">none recorded</p>')
        + "</details>"
        + (f"<details><summary><strong>Run summary</strong> ({len(summary_rows)} values)</summary>"
           + table(["key", "value"], summary_rows, "run-summary") + "</details>" if summary_rows else "")
        + "</section>"
    )


def _rejected(data: Any) -> str:
    """The networks below the threshold, so that an analyst sees each near miss and why."""
    rejected = getattr(data, "rejected", [])
    if not rejected:
        return ""
    rows = [[safe.text(r["network_id"], 40), num(r["score"], 3), n(r["accounts"]),
             safe.text(r["traces"], 200), safe.text(r["reason"], 300)] for r in rejected]
    more = data.rejected_total - len(rejected)
    return (
        '<div id="rejected" data-section="rejected"><h3>Below the threshold</h3>'
        '<p class="note">Clusters detection examined and did not report, highest score first, '
        "with the reason (<code>infoops show --rejected</code> lists them all).</p>"
        + table(["network", "score", "accounts", "traces", "why rejected"], rows, "rejected")
        + (f'<p class="note">{more:,} more, lower.</p>' if more > 0 else "")
        + "</div>"
    )


def _flatten(obj: Any, prefix: str = "") -> list[list[str]]:
    if isinstance(obj, dict):
        out: list[list[str]] = []
        for k, v in sorted(obj.items(), key=lambda kv: str(kv[0])):
            out.extend(_flatten(v, f"{prefix}{k}."))
        return out
    if prefix == "":
        return [] if obj in (None, "", [], {}) else [["value", safe.text(json.dumps(obj, default=str), 300)]]
    shown = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False, default=str)
    return [[safe.text(prefix[:-1], 80), safe.text(shown, 300)]]
