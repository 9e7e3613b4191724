"""Where a run's time goes: each step of `timeline run` timed in one process.

    python -m bench.stages SEEDS DB  ->  one JSON object on stdout

The steps are the functions the Dagster assets call (scan, plan, extract, append,
publish), so the difference between this total and the wall time of `timeline run` is
imports plus Dagster's own cost.
"""

from __future__ import annotations

import contextlib
import json
import pickle
import sys
import time
from pathlib import Path


def main(seeds: Path, db: Path) -> dict:
    t = time.perf_counter()
    from bench.entry import _install_stub, events_missing

    if events_missing():
        _install_stub()
    from pipelines.core.extract import EXTRACTOR_VERSION, extract_stream
    from pipelines.store.audits import AuditFailed
    from pipelines.store.eventlog import EventLog
    from pipelines.store.facts import plan_run
    from pipelines.store.ingest import append_to_log, extract_changed, read_documents, scan_seeds
    from pipelines.store.warehouse import publish

    out: dict[str, float | int] = {"import_store": time.perf_counter() - t}
    log = EventLog.beside(db)

    t = time.perf_counter()
    scan = scan_seeds(seeds)
    out["scan"] = time.perf_counter() - t
    out["docs"] = len(scan.docs)

    t = time.perf_counter()
    state = log.read_state()
    plan = plan_run(scan.docs, scan.rejections, scan.scope_paths, state, EXTRACTOR_VERSION)
    out["plan"] = time.perf_counter() - t
    out["to_extract"] = len(plan.to_extract)

    t = time.perf_counter()
    blob = pickle.dumps(plan.to_extract, protocol=pickle.HIGHEST_PROTOCOL)
    out["pickle_docs"] = time.perf_counter() - t
    out["pickle_mb"] = len(blob) / 1e6

    t = time.perf_counter()
    quarter = plan.to_extract[: max(1, len(plan.to_extract) // 4)]
    for _ in extract_stream(read_documents(scan, quarter), workers=1):
        pass
    out["extract_quarter_1worker"] = time.perf_counter() - t

    t = time.perf_counter()
    batch = extract_changed(scan, log)
    out["extract"] = time.perf_counter() - t
    out["mentions"] = batch.mentions
    out["events"] = batch.events

    t = time.perf_counter()
    appended = append_to_log(batch, log)
    out["append"] = time.perf_counter() - t
    out["facts"] = appended.total

    t = time.perf_counter()
    try:
        publish(db, log)
    except AuditFailed as failed:  # timed all the same: the build and audits ran
        out["publish_failed"] = str(failed)
    out["publish"] = time.perf_counter() - t

    # The same steps on an unchanged folder, bare and then through Dagster: the gap is
    # Dagster's fixed cost per run (in process, imports already paid).
    t = time.perf_counter()
    again = scan_seeds(seeds)
    append_to_log(extract_changed(again, log), log)
    with contextlib.suppress(AuditFailed):
        publish(db, log)
    bare = time.perf_counter() - t
    t = time.perf_counter()
    import dagster as dg  # noqa: F401 - timed on its own

    from pipelines.defs.resources import TimelineSettings
    from pipelines.runner import run_pipeline

    out["import_dagster"] = time.perf_counter() - t
    settings = TimelineSettings(seeds_dir=str(seeds), db_path=str(db))
    t = time.perf_counter()
    outcome = run_pipeline(settings, dg.DagsterInstance.ephemeral())
    out["unchanged_dagster"] = time.perf_counter() - t
    out["unchanged_bare"] = bare
    out["dagster_ok"] = int(outcome.success)
    return out


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]))))
