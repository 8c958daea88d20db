"""``infoops simulate``: write a simulated world with ground truth."""

from __future__ import annotations

import json

import click

from infoops.cli.options import json_option, quiet_option, seed_option
from infoops.simulate.names import SCALES, VARIANTS


@click.command("simulate")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to write the world into.",
)
@seed_option(default=0)
@click.option(
    "--scale",
    type=click.Choice(list(SCALES)),
    default="small",
    show_default=True,
    help="tiny ≈ 1k accounts, small ≈ 5k / 250k posts, medium ≈ 50k / 2M, large ≈ 200k / 10M.",
)
@click.option(
    "--variant",
    type=click.Choice(VARIANTS),
    default="standard",
    show_default=True,
    help="Tactics of the PRC-like operation: standard, copypasta (no retweets at all) "
         "or hijacked (no new accounts).",
)
@click.option(
    "--zoo",
    is_flag=True,
    help="A zoo world: which operations and hard negatives it holds, and all their "
         "parameters, are drawn from the seed (tiny, small or medium; see docs/simulator.md).",
)
@quiet_option
@json_option
def command(
    out: str, seed: int, scale: str, variant: str, zoo: bool, quiet: bool, as_json: bool
) -> None:
    """Write tweets.csv, users.csv (IO-archive layout), profile_changes.csv and truth.csv."""
    from infoops.simulate.world import simulate
    from infoops.simulate.zoo import draw_zoo, simulate_zoo

    say = None if quiet or as_json else (lambda msg: click.echo(f"  {msg} ...", err=True))
    if zoo and variant != "standard":
        raise click.UsageError("--variant applies to the standard worlds; drop it with --zoo")
    if zoo:
        summary = simulate_zoo(out, seed=seed, scale=scale, progress=say)
        families = draw_zoo(seed, scale).families()
    else:
        summary = simulate(out, seed=seed, scale=scale, progress=say, variant=variant)
    if as_json:
        d = summary.to_dict()
        if zoo:
            d["families"] = families
        click.echo(json.dumps(d, indent=2))
    elif zoo:
        click.echo(
            f"wrote {summary.n_accounts:,} accounts, {summary.n_posts:,} posts, "
            f"{summary.n_profile_changes:,} profile changes to {summary.out} (zoo seed {seed}, "
            f"{scale}; families: {', '.join(families)})"
        )
    else:
        click.echo(
            f"wrote {summary.n_accounts:,} accounts, {summary.n_posts:,} posts, "
            f"{summary.n_profile_changes:,} profile changes to {summary.out} (seed {seed}, {scale}"
            + (f", {variant}" if variant != "standard" else "") + ")"
        )
