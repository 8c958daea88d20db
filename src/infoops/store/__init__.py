"""The store: one DuckDB file shared by every stage."""

from infoops.store.db import DEFAULT_DB, Store, open_store
from infoops.store.schema import SCHEMA_VERSION

__all__ = ["DEFAULT_DB", "SCHEMA_VERSION", "Store", "open_store"]
