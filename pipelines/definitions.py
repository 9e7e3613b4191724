"""The Dagster code location: every definition is assembled here."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.assets import ALL_ASSETS
from pipelines.defs.automation import daily_reingest, ingest_job, seed_folder_sensor
from pipelines.defs.exports import EXPORT_ASSETS
from pipelines.defs.resources import TimelineSettings

defs = dg.Definitions(
    assets=[*ALL_ASSETS, *EXPORT_ASSETS],
    jobs=[ingest_job],
    sensors=[seed_folder_sensor],
    schedules=[daily_reingest],
    resources={"settings": TimelineSettings.from_env()},
)
