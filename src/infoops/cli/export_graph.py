"""``infoops export-graph``: a run's network(s) as GEXF (Gephi) or GraphML."""

from __future__ import annotations

import click

from infoops.cli.options import db_option


@click.command("export-graph")
@db_option
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="FILE.gexf or FILE.graphml (the suffix picks the format).")
@click.option("--network", help="One network id (default: every network of the run).")
@click.option("--run", "run_id", help="The detect run (default: the latest completed one).")
def command(db: str, out: str, network: str | None, run_id: str | None) -> None:
    """Export detected accounts (role, score, network) and their fused edges for Gephi."""
    from infoops.export.run_graph import export_graph
    from infoops.outputs import atomic_output, check_output
    from infoops.store import Store

    check_output(out)
    with Store(db, read_only=True) as store:
        store.completed_run(run_id)
        with atomic_output(out) as tmp:
            _, nodes, edges = export_graph(store, tmp, run_id=run_id, network=network)
    click.echo(f"{nodes:,} nodes and {edges:,} edges written to {out}")
