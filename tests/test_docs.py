"""The README documents every command and option (as sqlite-utils' test_docs.py does).

Walks the click command tree of :mod:`infoops.cli`; a command or option added
without a word in the README fails here.
"""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from infoops.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    out = []
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        out.append((path, command))
        if isinstance(command, click.Group):
            out.extend(_commands(command, path))
    return out


COMMANDS = _commands(cli)
OPTIONS = sorted({(" ".join(path), opt) for path, command in [((), cli), *COMMANDS] for param in command.params
                  if isinstance(param, click.Option) for opt in param.opts if opt.startswith("--")
                  and opt not in ("--help",)})


@pytest.mark.parametrize("path", [" ".join(p) for p, _ in COMMANDS])
def test_every_command_is_in_the_readme(path: str) -> None:
    assert f"infoops {path}" in README, f"README.md does not show `infoops {path}`"


@pytest.mark.parametrize(("command", "option"), OPTIONS)
def test_every_option_is_in_the_readme(command: str, option: str) -> None:
    where = f"infoops {command}".strip()
    assert option in README, f"README.md does not mention {option} (of `{where}`)"
