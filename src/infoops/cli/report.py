"""``infoops report``: write the self-contained HTML investigation report."""

from __future__ import annotations

import click

from infoops.cli.options import db_option, quiet_option, seed_option


@click.command("report")
@db_option
@click.option("--out", default="report.html", show_default=True,
              type=click.Path(dir_okay=False), help="The HTML file to write.")
@click.option("--network", help="Report only this network id (default: all, ranked).")
@click.option("--run", "run_id", help="The detect run (default: the latest completed one).")
@click.option("--max-networks", default=25, show_default=True, type=int,
              help="Networks given a detailed section when reporting all.")
@seed_option()
@quiet_option
def command(db: str, out: str, network: str | None, run_id: str | None, max_networks: int,
            seed: int, quiet: bool) -> None:
    """Write one HTML file (opens offline) on the detected networks: counts, timelines,
    narratives, network picture and evidence."""
    from infoops.outputs import atomic_output, check_output
    from infoops.report import write_report
    from infoops.store import Store

    check_output(out, create_folders=True)
    with Store(db, read_only=True) as store:
        store.completed_run(run_id)
        with atomic_output(out, create_folders=True) as tmp:
            write_report(store, tmp, run_id=run_id, network=network, seed=seed,
                         max_networks=max_networks,
                         progress=None if quiet else (lambda m: click.echo(f"... {m}", err=True)))
    click.echo(f"report written to {out}")
