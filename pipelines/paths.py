"""Default locations, shared by the CLI (which must start without importing Dagster) and
the Dagster resources."""

from pathlib import Path

DEFAULT_SEEDS = "seeds"
DEFAULT_DB = "warehouse/timeline.duckdb"


def log_dir_for(db_path: Path) -> Path:
    """The event log that belongs to a published DuckDB file: warehouse/timeline.log/."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + ".log")
