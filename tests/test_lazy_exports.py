"""The packages' lazy exports (PEP 562) and the imports type checkers read agree.

Each package lists ``_EXPORTS`` for run time and repeats the same names as
``if TYPE_CHECKING:`` imports for mypy and editors; this keeps the two lists
from drifting apart and checks that every name resolves to its module.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGES = ("infoops.detect", "infoops.ingest", "infoops.simulate", "infoops.store")


def _type_checking_imports(path: Path) -> dict[str, str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for imp in node.body:
                if isinstance(imp, ast.ImportFrom):
                    out.update({a.asname or a.name: str(imp.module) for a in imp.names})
    return out


@pytest.mark.parametrize("name", PACKAGES)
def test_exports_match_the_type_checking_imports_and_resolve(name: str) -> None:
    package = importlib.import_module(name)
    exports = package._EXPORTS
    assert _type_checking_imports(Path(str(package.__file__))) == exports
    assert set(exports) <= set(package.__all__)
    for attr, module in exports.items():
        assert getattr(package, attr) is getattr(importlib.import_module(module), attr)
