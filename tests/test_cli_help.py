"""Every command has help text and the tool reports its version."""

import pytest
from click.testing import CliRunner

from infoops import __version__
from infoops.cli import cli


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help(runner: CliRunner, name: str) -> None:
    command = cli.commands[name]
    assert command.help and command.help.strip(), f"{name} has no help text"
    result = runner.invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
