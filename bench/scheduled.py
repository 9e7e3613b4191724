"""The daily schedule on an unchanged folder, through Dagster, in one fresh process.

    python -m bench.scheduled SEEDS DB INSTANCE_DIR  ->  one JSON object on stdout

What the scheduler daemon does at 03:00: evaluate `daily_reingest` (its tick), and what a
run of the ingest job over the whole folder's partition costs when one is launched (by
the tick, the sensor or a person in the UI) on a folder where nothing changed. The tick
is evaluated as the project's tests do (`dg.build_schedule_context`), against a local
instance that knows the folder's partition, as the sensor would have left it; the run is
`run_pipeline`, the job's assets through `dg.materialize`, as `timeline run --dagster`.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(seeds: Path, db: Path, instance_dir: Path) -> dict:
    t = time.perf_counter()
    import dagster as dg

    from pipelines.defs.assets import WHOLE_FOLDER, seed_files
    from pipelines.defs.automation import daily_reingest
    from pipelines.defs.resources import TimelineSettings
    from pipelines.runner import run_pipeline

    out: dict = {"import_s": time.perf_counter() - t}
    instance_dir.mkdir(parents=True, exist_ok=True)
    instance = dg.DagsterInstance.local_temp(str(instance_dir))
    if WHOLE_FOLDER not in instance.get_dynamic_partitions(seed_files.name):
        instance.add_dynamic_partitions(seed_files.name, [WHOLE_FOLDER])
    settings = TimelineSettings(seeds_dir=str(seeds), db_path=str(db))

    t = time.perf_counter()
    with dg.build_schedule_context(instance=instance, resources={"settings": settings}) as context:
        decision = daily_reingest(context)
    out["tick_s"] = time.perf_counter() - t
    out["tick"] = ("skip: " + (decision.skip_message or "")) if isinstance(decision, dg.SkipReason) \
        else f"run requested: partition {decision.partition_key}"

    t = time.perf_counter()
    outcome = run_pipeline(settings, instance)
    out["run_s"] = time.perf_counter() - t
    out["run_ok"] = outcome.success
    if not outcome.success:
        out["run_error"] = str(outcome.error)
    return out


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))), flush=True)
