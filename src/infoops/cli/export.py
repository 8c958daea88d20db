"""``infoops export parquet``: the canonical tables as Parquet."""

from __future__ import annotations

import click

from infoops.cli.options import db_option


@click.group("export")
def command() -> None:
    """Export the store for other tools (see also `infoops export-graph`)."""


@command.command("parquet")
@db_option
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Folder to write (posts partitioned by day).")
def parquet(db: str, out: str) -> None:
    """Write the canonical tables as Parquet, the layout `detect --engine spark` reads."""
    from infoops.export.parquet import export_parquet
    from infoops.store import Store

    with Store(db, read_only=True) as store:
        counts = export_parquet(store, out)
    for table, n in counts.items():
        click.echo(f"{table:<16}{n:>12} rows")
    click.echo(f"written to {out}")
