"""The ``infoops`` command line: thin commands over the library.

Each command lives in its own module in this package and exposes a click
command object named ``command``; :func:`main` discovers and registers them.
Core code raises :class:`infoops.errors.InfoopsError`; :func:`main` turns
those into a one-line message on stderr and the error's exit code.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import click

from infoops import __version__
from infoops.errors import InfoopsError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="infoops")
def cli() -> None:
    """Find, explain, take down and disclose coordinated influence operations."""


def _register() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name == "options":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        command = getattr(module, "command", None)
        if isinstance(command, click.Command):
            cli.add_command(command)


_register()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point.

    Errors become one line on stderr, never a traceback: the library's own
    (:class:`InfoopsError`, with their exit codes), and, as a last line of
    defence, resource errors (disk full, out of memory, files that cannot be
    written) and anything unexpected (exit 1; ``INFOOPS_DEBUG=1`` shows the
    traceback).
    """
    try:
        cli.main(args=argv, prog_name="infoops", standalone_mode=False)
    except InfoopsError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except (MemoryError, RecursionError, Exception) as exc:  # the last line of defence
        if os.environ.get("INFOOPS_DEBUG"):
            raise
        from infoops.errors import describe_failure

        click.echo(f"Error: {describe_failure(exc)}", err=True)
        sys.exit(1)
