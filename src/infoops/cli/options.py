"""Options shared by several commands, written once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from infoops.store import DEFAULT_DB

F = TypeVar("F", bound=Callable[..., Any])


def _check_db(ctx: click.Context, param: click.Parameter, value: str) -> str:
    # an empty path or :memory: would store into memory and lose it all on exit
    if value is None or not str(value).strip() or str(value).strip() == ":memory:":
        raise click.BadParameter(f"{value!r}: give a store file such as {DEFAULT_DB}")
    return value


def db_option(func: F) -> F:
    """``--db FILE``: the store to use (default ``infoops.duckdb``)."""
    return click.option(
        "--db",
        "db",
        default=DEFAULT_DB,
        show_default=True,
        envvar="INFOOPS_DB",
        type=click.Path(dir_okay=False),
        callback=_check_db,
        help="The DuckDB store file.",
    )(func)


def _name_value(item: str, option: str, form: str) -> tuple[str, str]:
    """``"name=value"`` as ``("name", "value")``; without a name or ``=`` it exits 2."""
    name, sep, value = item.partition("=")
    if not sep or not name.strip():
        raise click.BadParameter(f"{item!r}: expected {form}", param_hint=option)
    return name.strip(), value.strip()


def trace_values(values: tuple[str, ...], cast: Callable[[str], Any], option: str,
                 minimum: float = 0) -> dict[str, Any]:
    """``("co-retweet=60", ...)`` as ``{"co-retweet": 60}``; bad or negative values exit 2."""
    out: dict[str, Any] = {}
    for v in values:
        name, num = _name_value(v, option, "TRACE=VALUE, e.g. co-retweet=60")
        try:
            value = cast(num)
        except ValueError:
            raise click.BadParameter(f"{v!r}: {num!r} is not a number", param_hint=option) from None
        if not value >= minimum:  # also refuses NaN
            raise click.BadParameter(f"{v!r}: must be at least {minimum:g}", param_hint=option)
        out[name] = value
    return out


def setting_values(values: tuple[str, ...], option: str,
                   example: str = "min_network_score=0.5") -> dict[str, str]:
    """``("name=value", ...)`` as ``{"name": "value"}`` (the receiver validates); a missing ``=`` exits 2."""
    return dict(_name_value(v, option, f"NAME=VALUE, e.g. {example}") for v in values)


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
