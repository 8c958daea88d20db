"""``infoops network``: export one trace's raw edges (before the null model)."""

from __future__ import annotations

import click

from infoops.cli.options import db_option, seed_option


@click.command("network")
@db_option
@click.option("--trace", required=True, help="Trace name, e.g. co-retweet, co-url, text-similarity.")
@click.option("--window", type=float, help="Time window in seconds (trace default if omitted).")
@click.option("--min-weight", type=click.IntRange(min=1), default=1, show_default=True, help="Smallest raw weight.")
@click.option("--max-burst", type=int,
              help="Skip moments with more accounts on one object (0: no cap; default: trace's).")
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="Output file: .csv, .gexf or .graphml.")
@seed_option()
def command(db: str, trace: str, window: float | None, min_weight: int,
            max_burst: int | None, out: str, seed: int) -> None:
    """Export one trace's raw weighted account pairs (account_a < account_b)."""
    from infoops.detect.trace_edges import raw_edges
    from infoops.export.edges import write_edges
    from infoops.outputs import check_output
    from infoops.store import Store

    check_output(out)
    with Store(db, read_only=True) as store:
        edges = raw_edges(store, trace, window, min_weight, max_burst=max_burst, seed=seed)
    fmt = write_edges(edges, out)
    click.echo(f"{len(edges)} {trace} edges written to {out} ({fmt})")
