"""Execution engines for the analytics: the embedded DuckDB (default) and Apache Spark."""
