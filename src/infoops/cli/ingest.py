"""``infoops ingest PATH...``: read files or folders into the store."""

from __future__ import annotations

import json

import click

from infoops.cli.options import db_option, json_option, memory_option, quiet_option
from infoops.ingest.fields import ALL_FORMATS


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@db_option
@click.option("--format", "fmt", type=click.Choice(ALL_FORMATS), help="Read every source with this layout.")
@click.option("--map", "maps", multiple=True, metavar="FIELD=COLUMN", help="Map a canonical field to a column.")
@click.option("--mapping", "mapping_file", type=click.Path(dir_okay=False),
              help="TOML file of field = \"column\", optionally with [files.\"GLOB\"] sections per file.")
@click.option("--time-range", "time_range", metavar="START..END",
              help="Plausible times (YYYY-MM-DD..YYYY-MM-DD); rows outside are quarantined "
                   "(default 2006-01-01 to tomorrow).")
@memory_option
@quiet_option
@json_option
def command(paths: tuple[str, ...], db: str, fmt: str | None, maps: tuple[str, ...],
            mapping_file: str | None, time_range: str | None, memory_limit: str | None, quiet: bool,
            as_json: bool) -> None:
    """Ingest PATH... (files or folders; format detected from content)."""
    from infoops.ingest import ingest, mapping_for, parse_map_options
    from infoops.ingest.progress import ProgressPrinter, format_result
    from infoops.ingest.stage import parse_time_range
    from infoops.store import Store

    mapping = mapping_for(mapping_file, parse_map_options(maps))
    times = parse_time_range(time_range) if time_range else None
    printer = None if quiet else ProgressPrinter()
    with Store(db, memory_limit=memory_limit) as store:
        try:
            result = ingest(store, list(paths), format=fmt, mapping=mapping,
                            progress=printer, time_range=times)
        finally:
            if printer is not None:
                printer.close()
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else format_result(result))
