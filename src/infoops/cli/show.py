"""``infoops show``: the evidence for one account or one network."""

from __future__ import annotations

import click

from infoops.cli.options import db_option, json_option


@click.command("show")
@click.argument("account", required=False)
@click.option("--network", "network", metavar="NETWORK_ID", help="Show a network instead of an account.")
@click.option("--run", "run_id", metavar="RUN", help="Detect run (default: the latest completed).")
@db_option
@json_option
def command(account: str | None, network: str | None, run_id: str | None, db: str, as_json: bool) -> None:
    """Print the evidence for ACCOUNT (id or @screen_name) or for --network N."""
    from infoops.detect.explain import show
    from infoops.store import Store

    if (account is None) == (network is None):
        raise click.UsageError("give either ACCOUNT or --network NETWORK_ID")
    with Store(db, read_only=True) as store:
        store.completed_run(run_id)
        click.echo(show(store, account=account, network=network, run_id=run_id, as_json=as_json))
