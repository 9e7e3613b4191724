"""Readers of the published file. Kept apart from the writer's modules so the CLI can
read without importing Polars or the log."""

from __future__ import annotations

from pathlib import Path

import duckdb


def connect_read_only(db_path: Path | str) -> duckdb.DuckDBPyConnection:
    """A reader's connection. Never blocks a run: runs do not lock the published file."""
    return duckdb.connect(str(db_path), read_only=True)
