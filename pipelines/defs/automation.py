"""The sensor that turns new, changed and deleted seed files into partition runs, and the
daily re-ingestion schedule."""


import hashlib
import json
from pathlib import Path

import dagster as dg

from pipelines.defs.assets import seed_files
from pipelines.defs.resources import TimelineSettings
from pipelines.store.ingest import seed_paths

ingest_job = dg.define_asset_job(
    "ingest_seed_files",
    selection=dg.AssetSelection.all(),
    partitions_def=seed_files,
    description="Read, extract, record and publish the selected seed files.",
)

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def file_digest(path: Path, chunk: int = 1 << 20) -> str:
    """Content hash of a seed file, streamed (dumps can be large)."""
    h = hashlib.sha256()
    try:
        if path.is_symlink():
            return "symlink:" + str(path.readlink())
        with path.open("rb") as handle:
            while block := handle.read(chunk):
                h.update(block)
    except OSError as exc:
        return f"unreadable:{exc.errno}"
    return h.hexdigest()


def seed_changes(seeds: Path, cursor: dict[str, str]) -> tuple[dict[str, str], list[str], list[str]]:
    """(new cursor, new or changed paths, deleted paths) by content hash."""
    now = {rel: file_digest(seeds / rel) for rel in seed_paths(seeds)}
    changed = sorted(rel for rel, digest in now.items() if cursor.get(rel) != digest)
    deleted = sorted(set(cursor) - set(now))
    return now, changed, deleted


@dg.sensor(
    job=ingest_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches the seeds folder: one run per new or changed file (by content hash), "
    "and one per deleted file, which withdraws its documents.",
)
def seed_folder_sensor(context: dg.SensorEvaluationContext, settings: TimelineSettings):
    cursor = json.loads(context.cursor) if context.cursor else {}
    now, changed, deleted = seed_changes(settings.seeds, cursor)
    known = set(context.instance.get_dynamic_partitions(seed_files.name)) if context.instance else set()
    new_keys = [rel for rel in changed if rel not in known]
    requests = [dg.RunRequest(partition_key=rel, run_key=f"{rel}@{now[rel]}") for rel in changed]
    requests += [dg.RunRequest(partition_key=rel, run_key=f"{rel}@deleted@{cursor[rel]}")
                 for rel in deleted if rel in known]
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[seed_files.build_add_request(new_keys)] if new_keys else [],
        cursor=json.dumps(now, sort_keys=True),
    )


@dg.schedule(
    job=ingest_job,
    cron_schedule="0 3 * * *",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Daily re-ingestion of every known seed file at 03:00 in one run. Unchanged "
    "files append nothing; off by default.",
)
def daily_reingest(context: dg.ScheduleEvaluationContext):
    keys = context.instance.get_dynamic_partitions(seed_files.name)
    if not keys:
        return dg.SkipReason("no seed files known yet: the sensor adds them")
    return dg.RunRequest(
        run_key=None,
        tags={RANGE_START: keys[0], RANGE_END: keys[-1]},
    )
