"""Files for other tools, written from the store and a run's results.

- :mod:`~infoops.export.flagged`: the flagged-accounts CSV (``account_id,network_id,role,score``);
- :mod:`~infoops.export.edges`: one trace's raw edges as CSV, GEXF or GraphML;
- :mod:`~infoops.export.run_graph`: a detect run's networks (members, roles, fused edges)
  as GEXF or GraphML;
- :mod:`~infoops.export.graphfiles`: the GEXF 1.3 / GraphML writers and the one suffix
  dispatch (:func:`~infoops.export.graphfiles.output_format`) every export uses;
- :mod:`~infoops.export.parquet`: the canonical tables as Parquet (for Spark, pandas, polars).

Exports read results; they never recompute detection. Failures raise
:class:`~infoops.errors.ExportError`.
"""
