"""The sensor that turns new, changed and deleted seed files into partition runs, and the
daily re-ingestion schedule (a run of the whole folder's partition)."""


from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from pipelines.core.reading import seed_entries
from pipelines.defs.assets import WHOLE_FOLDER, seed_files
from pipelines.defs.resources import TimelineSettings
from pipelines.store.manifest import RACY_NS, file_digest

ingest_job = dg.define_asset_job(
    "ingest_seed_files",
    selection=dg.AssetSelection.all(),
    description="Read, extract, record and publish the selected seed files.",
)

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


CURSOR_VERSION = 2
# More new files than this in one tick become one run of the whole folder's partition, not
# one run each (nor a run over their range of partitions, whose cost in Dagster's records
# grows with the number of files).
BATCH_NEW_FILES = 25


@dataclass(slots=True)
class SeedCursor:
    """What the sensor saw last: per file its content hash and the (size, mtime) it was
    hashed at, so unchanged files are not re-read every tick. `generation` grows with
    every tick that requests runs and is part of the run keys, so a file that returns to
    an earlier content (or is deleted a second time) still gets a run."""

    generation: int = 0
    files: dict[str, tuple[str, int, int]] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: str | None) -> SeedCursor:
        if not raw:
            return cls()
        data = json.loads(raw)
        if data.get("v") != CURSOR_VERSION:  # first format: {path: digest}
            return cls(0, {rel: (digest, -1, -1) for rel, digest in data.items()})
        return cls(int(data["gen"]), {rel: tuple(v) for rel, v in data["files"].items()})

    def dump(self) -> str:
        return json.dumps({"v": CURSOR_VERSION, "gen": self.generation,
                           "files": {rel: list(v) for rel, v in sorted(self.files.items())}},
                          separators=(",", ":"))

    def digests(self) -> dict[str, str]:
        return {rel: v[0] for rel, v in self.files.items()}


def _stat(path: Path) -> tuple[int, int]:
    try:
        st = path.lstat()
    except OSError:
        return -1, -1
    return st.st_size, st.st_mtime_ns


def scan_folder(seeds: Path, previous: SeedCursor) -> dict[str, tuple[str, int, int]]:
    """Every seed file with its content hash; hashes only files whose size or mtime moved."""
    trusted_before = time.time_ns() - RACY_NS
    out = {}
    for rel, path in seed_entries(seeds).items():
        size, mtime = _stat(path)
        known = previous.files.get(rel)
        if known and known[1:] == (size, mtime) and size >= 0:
            out[rel] = known
        elif mtime < trusted_before:
            out[rel] = (file_digest(path), size, mtime)
        else:
            out[rel] = (file_digest(path), -1, -1)  # hash again next tick
    return out


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
    files = scan_folder(settings.seeds, previous)
    before = previous.digests()
    changed = sorted(rel for rel, v in files.items() if before.get(rel) != v[0])
    deleted = sorted(set(before) - set(files))
    known = set(context.instance.get_dynamic_partitions(seed_files.name)) if context.instance else set()
    new_keys = [rel for rel in changed if rel not in known]
    cursor = SeedCursor(previous.generation, files)
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
    requests = [dg.RunRequest(partition_key=rel, run_key=f"{rel}@{files[rel][0][:16]}#{gen}")
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
