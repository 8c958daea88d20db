"""Exports of the store for other tools (Parquet for Spark, pandas, polars)."""
