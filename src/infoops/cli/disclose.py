"""``infoops disclose``: write an anonymised IO-archive release, or check one for leaks."""

from __future__ import annotations

import click

from infoops.cli.options import db_option, quiet_option


@click.command("disclose")
@click.option("--network", help="Release this network (e.g. N2) of a detect run.")
@click.option("--run", "run_id", help="The detect run of --network (default: the latest completed).")
@click.option("--case", "case_id", help="Release the accounts this review case confirmed.")
@click.option("--name", help="Release name, e.g. china_052020 (prefix of the file names).")
@click.option("--core-only", is_flag=True, help="Leave the amplifiers out.")
@click.option("--secret-file", type=click.Path(dir_okay=False),
              help="File holding the hashing secret (else $INFOOPS_DISCLOSE_SECRET).")
@click.option("--out", type=click.Path(file_okay=False), help="New folder to write the release to.")
@click.option("--check", "check_dir", type=click.Path(file_okay=False),
              help="Check this release folder for leaked identities instead.")
@db_option
@quiet_option
def command(network: str | None, run_id: str | None, case_id: str | None, name: str | None,
            core_only: bool, secret_file: str | None, out: str | None, check_dir: str | None,
            db: str, quiet: bool) -> None:
    """Write a research release (IO-archive CSVs, README, manifest) or --check one."""
    from infoops.disclose.cli import run_check, run_release

    if check_dir is not None:
        if network or case_id or name or out or run_id or core_only:
            raise click.UsageError("--check DIR takes only --db and --secret-file")
        text, ok = run_check(db, check_dir, secret_file)
        click.echo(text)
        if not ok:
            raise click.exceptions.Exit(1)
        return
    if bool(network) == bool(case_id):
        raise click.UsageError("give either --network N [--run R] or --case C (or --check DIR)")
    if run_id and not network:
        raise click.UsageError("--run goes with --network")
    if not name or not out:
        raise click.UsageError("a release needs --name NAME and --out DIR")
    click.echo(run_release(db, network=network, run_id=run_id, case_id=case_id, name=name,
                           out=out, core_only=core_only, secret_file=secret_file,
                           progress=None if quiet else (lambda m: click.echo(f"... {m}", err=True))))
