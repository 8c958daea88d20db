"""Ingest: read platform data (files or folders) into the store.

>>> from infoops import open_store
>>> from infoops.ingest import ingest
>>> result = ingest(open_store("infoops.duckdb"), ["tweets.csv.gz"])   # doctest: +SKIP
>>> result.rows_read == result.rows_stored + result.rows_quarantined + result.rows_duplicate
True

Formats are detected from content (see :mod:`infoops.ingest.fields` for the
presets and :mod:`infoops.ingest.twitter_json` for API JSON).

Names are imported on first use (module ``__getattr__``, PEP 562), so the
command line starts without loading pandas or DuckDB it does not need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infoops._lazy import lazy_exports

#: Public name -> the module that defines it.
_EXPORTS = {
    "ALL_FORMATS": "infoops.ingest.fields",
    "PRESETS": "infoops.ingest.fields",
    "Layout": "infoops.ingest.fields",
    "MappingSpec": "infoops.ingest.fields",
    "load_mapping_file": "infoops.ingest.fields",
    "load_mapping_spec": "infoops.ingest.fields",
    "mapping_for": "infoops.ingest.fields",
    "parse_map_options": "infoops.ingest.fields",
    "parse_list_strings": "infoops.ingest.parse",
    "parse_timestamps": "infoops.ingest.parse",
    "IngestResult": "infoops.ingest.run",
    "SourceResult": "infoops.ingest.run",
    "ingest": "infoops.ingest.run",
    "store_status": "infoops.ingest.status",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from infoops.ingest.fields import ALL_FORMATS as ALL_FORMATS
    from infoops.ingest.fields import PRESETS as PRESETS
    from infoops.ingest.fields import Layout as Layout
    from infoops.ingest.fields import MappingSpec as MappingSpec
    from infoops.ingest.fields import load_mapping_file as load_mapping_file
    from infoops.ingest.fields import load_mapping_spec as load_mapping_spec
    from infoops.ingest.fields import mapping_for as mapping_for
    from infoops.ingest.fields import parse_map_options as parse_map_options
    from infoops.ingest.parse import parse_list_strings as parse_list_strings
    from infoops.ingest.parse import parse_timestamps as parse_timestamps
    from infoops.ingest.run import IngestResult as IngestResult
    from infoops.ingest.run import SourceResult as SourceResult
    from infoops.ingest.run import ingest as ingest
    from infoops.ingest.status import store_status as store_status

__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
