"""Default locations, shared by the CLI (which must start without importing Dagster) and
the Dagster resources."""

DEFAULT_SEEDS = "seeds"
DEFAULT_DB = "warehouse/timeline.duckdb"
