"""Options shared by several commands, written once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from infoops.store import DEFAULT_DB

F = TypeVar("F", bound=Callable[..., Any])


def db_option(func: F) -> F:
    """``--db FILE``: the store to use (default ``infoops.duckdb``)."""
    return click.option(
        "--db",
        "db",
        default=DEFAULT_DB,
        show_default=True,
        envvar="INFOOPS_DB",
        type=click.Path(dir_okay=False),
        help="The DuckDB store file.",
    )(func)


def quiet_option(func: F) -> F:
    """``--quiet``: no progress output."""
    return click.option("--quiet", "-q", is_flag=True, help="No progress output.")(func)


def seed_option(default: int = 0) -> Callable[[F], F]:
    """``--seed N``: the seed of every randomized step."""

    def deco(func: F) -> F:
        return click.option(
            "--seed", default=default, show_default=True, type=int,
            help="Seed for every randomized step (same seed, same result).",
        )(func)

    return deco


def json_option(func: F) -> F:
    """``--json``: machine-readable output."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(func)


def memory_option(func: F) -> F:
    """``--memory-limit SIZE``: cap DuckDB's memory (it spills to disk past it)."""
    return click.option(
        "--memory-limit",
        "memory_limit",
        metavar="SIZE",
        help="Most memory DuckDB may use before spilling to disk, e.g. 8GB or 40% "
             "(default: $INFOOPS_MEMORY_LIMIT, else 50% of the machine).",
    )(func)
