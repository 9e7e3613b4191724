"""The sensor that turns new, changed and deleted seed files into partition runs, and the
daily re-ingestion schedule (a run of the whole folder's partition)."""


from __future__ import annotations

import json
from dataclasses import dataclass, field

import dagster as dg

from pipelines.defs.assets import WHOLE_FOLDER, seed_files
from pipelines.defs.resources import TimelineSettings
from pipelines.store.manifest import SeedDigests, seed_digests

ingest_job = dg.define_asset_job(
    "ingest_seed_files",
    selection=dg.AssetSelection.all(),
    description="Read, extract, record and publish the selected seed files.",
)

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


CURSOR_VERSION = 3
# More new files than this in one tick become one run of the whole folder's partition, not
# one run each (nor a run over their range of partitions, whose cost in Dagster's records
# grows with the number of files).
BATCH_NEW_FILES = 25


@dataclass(slots=True)
class SeedCursor:
    """What the sensor saw last: per file its content hash and the identity it was hashed
    at (`SeedDigests`, as the manifest keeps them), so unchanged files are not re-read every
    tick. `generation` grows with every tick that requests runs and is part of the run
    keys, so a file that returns to an earlier content (or is deleted a second time) still
    gets a run."""

    generation: int = 0
    seen: SeedDigests = field(default_factory=SeedDigests)

    @classmethod
    def parse(cls, raw: str | None) -> SeedCursor:
        if not raw:
            return cls()
        data = json.loads(raw)
        if "v" not in data:  # the first format: {path: digest}
            return cls(0, SeedDigests(dict(data)))
        if data["v"] == 2:  # {path: [digest, size, mtime]}: hashed once more, then kept as now
            return cls(int(data["gen"]), SeedDigests({rel: v[0] for rel, v in data["files"].items()}))
        return cls(int(data["gen"]), SeedDigests(data["files"], data["identities"]))

    def dump(self) -> str:
        return json.dumps({"v": CURSOR_VERSION, "gen": self.generation, "files": dict(sorted(self.seen.files.items())),
                           "identities": dict(sorted(self.seen.identities.items()))}, separators=(",", ":"))


@dg.sensor(
    job=ingest_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches the seeds folder: one run per new or changed file (by content hash), "
    "and one per deleted file, which withdraws its documents. Many new files at once are "
    "one run of the whole folder's partition ('.').",
)
def seed_folder_sensor(context: dg.SensorEvaluationContext, settings: TimelineSettings):
    previous = SeedCursor.parse(context.cursor)
    # hashes only the files whose identity moved since the last tick
    seen = seed_digests(settings.seeds, previous.seen)
    files, before = seen.files, previous.seen.files
    changed = sorted(rel for rel, digest in files.items() if before.get(rel) != digest)
    deleted = sorted(set(before) - set(files))
    known = set(context.instance.get_dynamic_partitions(seed_files.name)) if context.instance else set()
    new_keys = [rel for rel in changed if rel not in known]
    cursor = SeedCursor(previous.generation, seen)
    if not changed and not deleted:
        return dg.SensorResult(run_requests=[], cursor=cursor.dump())
    cursor.generation += 1
    gen = cursor.generation
    adding = ([WHOLE_FOLDER] if WHOLE_FOLDER not in known else []) + new_keys
    partitions = [seed_files.build_add_request(adding)]
    if len(new_keys) > BATCH_NEW_FILES:
        # The folder's run covers the changed and deleted files as well.
        request = dg.RunRequest(partition_key=WHOLE_FOLDER,
                                run_key=f"folder:{len(new_keys)} new,{len(changed)} changed#{gen}")
        return dg.SensorResult(run_requests=[request], dynamic_partitions_requests=partitions,
                               cursor=cursor.dump())
    requests = [dg.RunRequest(partition_key=rel, run_key=f"{rel}@{files[rel][:16]}#{gen}")
                for rel in changed]
    # A deleted file's partition stays: its run reads nothing and so withdraws what the
    # log has from that path.
    requests += [dg.RunRequest(partition_key=rel, run_key=f"{rel}@deleted#{gen}")
                 for rel in deleted if rel in known]
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=partitions if adding else [],
        cursor=cursor.dump(),
    )


@dg.schedule(
    job=ingest_job,
    cron_schedule="0 3 * * *",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Daily re-ingestion of every known seed file at 03:00 in one run. A folder "
    "unchanged since the last full run (the manifest beside the log) starts no run; "
    "unchanged files append nothing; off by default.",
)
def daily_reingest(context: dg.ScheduleEvaluationContext, settings: TimelineSettings):
    if WHOLE_FOLDER not in context.instance.get_dynamic_partitions(seed_files.name):
        return dg.SkipReason("no seed files known yet: the sensor adds them")
    # The CLI's short-cut: every seed file, the extractor, the log and the published file
    # as the last full run left them means a run would find nothing to do.
    if settings.store.unchanged():
        return dg.SkipReason("nothing changed since the last full run (seed files, extractor, "
                             "log and published file as recorded in its manifest)")
    return dg.RunRequest(run_key=None, partition_key=WHOLE_FOLDER)
