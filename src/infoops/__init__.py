"""infoops: find, explain, take down and disclose coordinated influence operations.

The stages talk through one DuckDB store (:mod:`infoops.store`)::

    readers (ingest) -> store -> detectors (detect) -> results -> report / review / disclose

Notebook users start with :func:`infoops.open_store`::

    >>> import infoops
    >>> store = infoops.open_store("infoops.duckdb")
    >>> store.table("posts").head()          # pandas
    >>> store.arrow("accounts")               # pyarrow.Table
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infoops._lazy import lazy_exports

__all__ = ["Store", "__version__", "open_store"]
__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from infoops.store import Store as Store
    from infoops.store import open_store as open_store

# the store (and DuckDB) load on first use, so `infoops --help` starts at once
__getattr__, __dir__ = lazy_exports(globals(), {"Store": "infoops.store", "open_store": "infoops.store"})
