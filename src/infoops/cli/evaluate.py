"""``infoops evaluate``: score a detection against a simulated world's truth."""

from __future__ import annotations

import json

import click
from click.core import ParameterSource

from infoops.cli.options import db_option, json_option
from infoops.errors import EvaluationError


@click.command("evaluate")
@click.option(
    "--truth",
    "truth",
    required=True,
    type=click.Path(dir_okay=False),
    help="truth.csv from simulate.",
)
@db_option
@click.option(
    "--flagged",
    "flagged",
    type=click.Path(dir_okay=False),
    help="Flagged CSV (account_id,network_id,role,score) instead of the store's latest detect run.",
)
@click.option(
    "--run", "run_id", default=None, help="Detect run to score (default: latest completed)."
)
@json_option
@click.pass_context
def command(
    ctx: click.Context, truth: str, db: str, flagged: str | None, run_id: str | None, as_json: bool
) -> None:
    """Precision, recall, F1, per-operation recall, hard negatives flagged, role accuracy, ARI."""
    from infoops.simulate.evaluation import evaluate, format_evaluation
    from infoops.store import Store

    if flagged and ctx.get_parameter_source("db") == ParameterSource.COMMANDLINE:
        raise EvaluationError("give --db or --flagged, not both")
    if flagged:
        result = evaluate(truth, flagged=flagged)
    else:
        with Store(db, read_only=True) as store:
            result = evaluate(truth, store=store, run_id=run_id)
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else format_evaluation(result))
