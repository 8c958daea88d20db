"""Ingest: read platform data (files or folders) into the store.

>>> from infoops import open_store
>>> from infoops.ingest import ingest
>>> result = ingest(open_store("infoops.duckdb"), ["tweets.csv.gz"])   # doctest: +SKIP
>>> result.rows_read == result.rows_stored + result.rows_quarantined + result.rows_duplicate
True

Formats are detected from content (see :mod:`infoops.ingest.fields` for the
presets and :mod:`infoops.ingest.twitter_json` for API JSON).
"""

from infoops.ingest.fields import (
    ALL_FORMATS,
    PRESETS,
    Layout,
    MappingSpec,
    load_mapping_file,
    load_mapping_spec,
    mapping_for,
    parse_map_options,
)
from infoops.ingest.parse import parse_list_strings, parse_timestamps
from infoops.ingest.run import IngestResult, SourceResult, ingest
from infoops.ingest.status import store_status

__all__ = [
    "ALL_FORMATS", "PRESETS", "IngestResult", "Layout", "MappingSpec", "SourceResult", "ingest",
    "load_mapping_file", "load_mapping_spec", "mapping_for", "parse_list_strings", "parse_map_options",
    "parse_timestamps",
    "store_status",
]
