"""``infoops show``: the evidence for one account or one network."""

from __future__ import annotations

import click

from infoops.cli.options import db_option, json_option


@click.command("show")
@click.argument("account", required=False)
@click.option("--network", "network", metavar="NETWORK_ID", help="Show a network instead of an account.")
@click.option("--rejected", is_flag=True,
              help="List the networks the run rejected, with score and reason "
                   "(with --network N: that one and its accounts).")
@click.option("--run", "run_id", metavar="RUN", help="Detect run (default: the latest completed).")
@db_option
@json_option
def command(account: str | None, network: str | None, rejected: bool, run_id: str | None, db: str,
            as_json: bool) -> None:
    """Print the evidence for ACCOUNT (id or @screen_name), for --network N, or --rejected."""
    from infoops.report.show import show
    from infoops.store import Store

    if rejected and account is not None:
        raise click.UsageError("--rejected lists networks; give --network N, not an account")
    if not rejected and (account is None) == (network is None):
        raise click.UsageError("give either ACCOUNT or --network NETWORK_ID (or --rejected)")
    with Store(db, read_only=True) as store:
        store.completed_run(run_id)
        click.echo(show(store, account=account, network=network, run_id=run_id, as_json=as_json,
                        rejected=rejected))
