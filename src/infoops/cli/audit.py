"""``infoops audit``: print the review audit log and prove it untouched."""

from __future__ import annotations

import json

import click

from infoops.cli.options import db_option, json_option


@click.command("audit")
@db_option
@click.option("--verify", is_flag=True,
              help="Recompute the hash chain; exit 1 if any entry was changed, removed or "
                   "reordered.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(0),
              help="How many of the newest entries to print (0: none).")
@json_option
def command(db: str, verify: bool, limit: int, as_json: bool) -> None:
    """Print the audit log (newest first); with --verify, check its hash chain."""
    from infoops.errors import InfoopsError
    from infoops.review import audit
    from infoops.review.access import open_with_retry

    with open_with_retry(db) as store:
        entries = audit.entries(store.con, limit=limit) if limit else []
        check = audit.verify(store.con) if verify else None
    if as_json:
        click.echo(json.dumps({"entries": entries, "verify": check.__dict__ if check else None},
                              indent=2, ensure_ascii=False, default=str))
    else:
        for e in entries:
            click.echo(f"{e['seq']:>6} {e['logged_at']} {e['actor']:<12} {e['action']:<18} "
                       f"{e['object_type']} {e['object_id'] or ''}"
                       + (f"  why: {e['reason'][:80]}" if e.get("reason") else ""))
    if check is not None:
        if not check.ok:
            raise InfoopsError(f"audit log broken at entry {check.bad_seq}: {check.problem}")
        if not as_json:
            click.echo(f"audit log intact: {check.entries} entries, head {check.head}")
