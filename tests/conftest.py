"""Shared fixtures: temp-dir stores, the CLI runner, samples of real data."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from infoops.store import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: Samples of the real public datasets (sources and licences: fixtures/README.md).
REALDATA = FIXTURES / "realdata"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "test.duckdb")
    yield s
    s.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cli.duckdb"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def realdata(name: str) -> Path:
    """A committed sample of real data (``tests/fixtures/realdata/NAME``)."""
    path = REALDATA / name
    assert path.exists(), f"missing fixture {path}"
    return path
