"""The Dagster side: thin assets over the core and the store, checks, sensor, schedule."""
