"""The command line starts without the heavy libraries it does not need.

Start-up time is a benchmark (docs/benchmarks.md); what is tested here is the
cause it depends on: which modules ``infoops --help`` and ``infoops status``
import. A module-level ``import pandas`` in a command module or a package
``__init__`` fails this test.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "numpy", "pyarrow", "scipy", "igraph", "leidenalg", "numba", "sklearn", "duckdb")

_PROBE = """
import json, sys
from infoops.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = {heavy!r}
print(json.dumps(sorted(m for m in heavy if m in sys.modules)), file=sys.stderr)
"""


def _loaded(*args: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", _PROBE.format(heavy=HEAVY), *args],
                          capture_output=True, text=True, timeout=120)
    return json.loads(proc.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("ingest", "--help"),
                                  ("detect", "--help"), ("simulate", "--help")])
def test_help_loads_no_heavy_library(args: tuple[str, ...]) -> None:
    assert _loaded(*args) == []


def test_status_loads_only_duckdb(tmp_path) -> None:
    from infoops.store import Store

    db = tmp_path / "s.duckdb"
    with Store(str(db)):
        pass
    assert _loaded("status", "--db", str(db)) == ["duckdb"]


def test_package_names_still_resolve() -> None:
    import infoops
    import infoops.ingest
    import infoops.simulate
    import infoops.store

    assert infoops.open_store is infoops.store.open_store
    assert callable(infoops.ingest.ingest) and "ioarchive-tweets" in infoops.ingest.ALL_FORMATS
    assert infoops.simulate.SCALES["tiny"] == 1_000
    with pytest.raises(AttributeError):
        _ = infoops.store.no_such_name
