"""``infoops detect``: run detection and print a summary."""

from __future__ import annotations

import click

from infoops.cli.options import (
    db_option,
    json_option,
    memory_option,
    quiet_option,
    seed_option,
    setting_values,
    trace_values,
)


@click.command("detect")
@db_option
@click.option("--out", type=click.Path(dir_okay=False), help="Write flagged accounts CSV.")
@seed_option()
@click.option("--window", multiple=True, metavar="TRACE=SECONDS", help="A trace's time window.")
@click.option("--min-weight", multiple=True, metavar="TRACE=N", help="A trace's minimum weight.")
@click.option("--traces", help="Comma-separated traces to run (default: all).")
@click.option("--alpha", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              help="False-discovery rate of the null model (0.01).")
@click.option("--resolution", type=click.FloatRange(0, min_open=True), help="Leiden resolution (1.0).")
@click.option("--role", "role", multiple=True, metavar="NAME=VALUE",
              help="A setting of the roles/membership/scoring stage, e.g. min_network_score=0.5 "
                   "or signal_weights.office_hours=0.2 (see RoleParams).")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb",
              show_default=True, help="Where the traces run (spark: pip install "
                                      "'infoops[spark]', Java 17).")
@click.option("--spark-master", default="local[*]", show_default=True,
              help="Spark master URL for --engine spark (local[N], spark://HOST:7077, yarn).")
@click.option("--input", "input_dir", metavar="DIR",
              help="Parquet folder from `infoops export parquet` for --engine spark "
                   "(default: export the store to a temporary folder).")
@memory_option
@json_option
@quiet_option
def command(db: str, out: str | None, seed: int, window: tuple[str, ...],
            min_weight: tuple[str, ...], traces: str | None, alpha: float | None,
            resolution: float | None, role: tuple[str, ...], engine: str, spark_master: str,
            input_dir: str | None, memory_limit: str | None, as_json: bool,
            quiet: bool) -> None:
    """Run every coordination trace, the null model and clustering; store the run."""
    from infoops.outputs import check_output
    from infoops.workflow import run_detect_command

    if out:
        check_output(out)  # before an hour of detection, not after
    text = run_detect_command(
        db, out=out, seed=seed, windows=trace_values(window, float, "--window"),
        min_weights=trace_values(min_weight, int, "--min-weight"),
        traces=traces, alpha=alpha, resolution=resolution, memory_limit=memory_limit,
        as_json=as_json, engine=engine, spark_master=spark_master, input_dir=input_dir,
        roles=setting_values(role, "--role"),
        progress=None if quiet else (lambda m: click.echo(f"... {m}", err=True)),
    )
    click.echo(text)
