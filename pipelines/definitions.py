"""The Dagster code location: every definition is assembled here."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.assets import ALL_ASSETS
from pipelines.defs.automation import daily_reingest, ingest_job, seed_folder_sensor
from pipelines.defs.executors import executor_from_env, io_manager_from_env
from pipelines.defs.exports import EXPORT_ASSETS
from pipelines.defs.resources import TimelineSettings

defs = dg.Definitions(
    assets=[*ALL_ASSETS, *EXPORT_ASSETS],
    jobs=[ingest_job],
    sensors=[seed_folder_sensor],
    schedules=[daily_reingest],
    # TIMELINE_EXECUTOR picks the executor (deploy/README.md); step outputs go through an
    # IO manager every executor's processes can read, ranges of partitions included.
    resources={"settings": TimelineSettings.from_env(), "io_manager": io_manager_from_env()},
    executor=executor_from_env(),
)
