"""Names a package exports, imported on first use (PEP 562).

A package lists ``{public name: defining module}`` and gets the module-level
``__getattr__`` and ``__dir__`` from :func:`lazy_exports`, so that importing
the package (and the command line, which imports them all) stays cheap::

    __getattr__, __dir__ = lazy_exports(globals(), {"ingest": "infoops.ingest.run"})
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(namespace: dict[str, Any], exports: dict[str, str]
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for the package whose globals are ``namespace``."""
    package = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value  # the next lookup is a plain global
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    return __getattr__, __dir__
