"""The store: one DuckDB file shared by every stage.

``Store`` and ``open_store`` load DuckDB on first use (module ``__getattr__``,
PEP 562), so commands that never open a store start without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infoops._lazy import lazy_exports
from infoops.store.schema import SCHEMA_VERSION

#: The store file a command uses unless told otherwise (``--db``).
DEFAULT_DB = "infoops.duckdb"

_EXPORTS = {"Store": "infoops.store.db", "open_store": "infoops.store.db"}

__all__ = ["DEFAULT_DB", "SCHEMA_VERSION", "Store", "open_store"]

if TYPE_CHECKING:  # pragma: no cover
    from infoops.store.db import Store as Store
    from infoops.store.db import open_store as open_store

__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
