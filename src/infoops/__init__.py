"""infoops: find, explain, take down and disclose coordinated influence operations.

The stages talk through one DuckDB store (:mod:`infoops.store`)::

    readers (ingest) -> store -> detectors (detect) -> results -> report / review / disclose

Notebook users start with :func:`infoops.open_store`::

    >>> import infoops
    >>> store = infoops.open_store("infoops.duckdb")
    >>> store.table("posts").head()          # pandas
    >>> store.arrow("accounts")               # pyarrow.Table
"""

from infoops.store import Store, open_store

__all__ = ["Store", "__version__", "open_store"]
__version__ = "0.1.0"
