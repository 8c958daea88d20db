"""``infoops status``: what the store holds."""

from __future__ import annotations

import json

import click

from infoops.cli.options import db_option, json_option


@click.command("status")
@db_option
@json_option
def command(db: str, as_json: bool) -> None:
    """Show what the store holds: accounts, posts by kind, quarantine, runs."""
    from infoops.ingest.status import format_status, store_status
    from infoops.store import Store

    with Store(db, read_only=True) as store:
        status = store_status(store)
    click.echo(json.dumps(status, indent=2) if as_json else format_status(status))
