"""Shared fixtures: temp-dir stores, the CLI runner, the shared real data."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from infoops.store import Store

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


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


def shared(*parts: str) -> Path:
    """Path to a file in ../shared/data, skipping the test when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared dataset not present: ../shared/data/{'/'.join(parts)}")
    return path
