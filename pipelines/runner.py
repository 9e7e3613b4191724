"""Materialize the asset graph in process, as `timeline run --dagster` and tests do.

The UI runs the same assets (`timeline run`'s default, `pipelines.local_run`, runs the
same steps without Dagster). A whole-folder run is the folder's partition (`.`), one
partition however many files the folder holds; a run of one file is that file's
partition, as the sensor runs it.
"""

from __future__ import annotations

import os

import dagster as dg
from dagster._utils.error import SerializableErrorInfo

from pipelines.defs.assets import FORCE_TAG, WHOLE_FOLDER, seed_files
from pipelines.defs.automation import RANGE_END, RANGE_START
from pipelines.defs.resources import TimelineSettings
from pipelines.local_run import RunOutcome, describe
from pipelines.store.ingest import seed_paths


def instance_for_cli() -> dg.DagsterInstance:
    """The project instance when DAGSTER_HOME is set (runs show in the UI), else ephemeral."""
    if home := os.environ.get("DAGSTER_HOME"):
        os.makedirs(home, exist_ok=True)
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def run_pipeline(settings: TimelineSettings, instance: dg.DagsterInstance | None = None,
                 log_level: str = "CRITICAL", only: list[str] | None = None, force: bool = False) -> RunOutcome:
    """Run every asset over the seeds folder in this process; Dagster's log at `log_level`
    (the outcome carries a failure's cause, so the console log stays quiet by default).
    `only`: these seed paths alone (one file given to the CLI); the others the folder or
    the log knows are left as they are, so nothing is withdrawn. `force`: read every file
    even when the seed manifest says the folder is unchanged."""
    from pipelines.definitions import defs  # the graph the UI shows, exports included

    assets = list(defs.assets or [])
    instance = instance or instance_for_cli()
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    if only is None:
        if not seed_paths(settings.seeds) and settings.log.head_seq() == 0:
            settings.store.publish()  # an empty but valid warehouse
            return RunOutcome(True, None, 0)
        keys = [WHOLE_FOLDER]
    else:
        keys = sorted(only)
    existing = set(instance.get_dynamic_partitions(seed_files.name))
    missing = [k for k in keys if k not in existing]
    if missing:
        instance.add_dynamic_partitions(seed_files.name, missing)
    ordered = [k for k in instance.get_dynamic_partitions(seed_files.name) if k in set(keys)]
    # A range covers every partition between its ends in the instance's order; we need
    # exactly `keys`, so when others lie between them, run the selection key by key.
    all_keys = instance.get_dynamic_partitions(seed_files.name)
    span = all_keys[all_keys.index(ordered[0]) : all_keys.index(ordered[-1]) + 1]
    resources = {"settings": settings, "io_manager": dg.mem_io_manager}
    forced = {FORCE_TAG: "true"} if force else {}
    if set(span) == set(keys):
        result = dg.materialize(
            assets, instance=instance, resources=resources, run_config=run_config,
            tags={RANGE_START: ordered[0], RANGE_END: ordered[-1], **forced}, raise_on_error=False,
        )
        return _outcome(result, len(keys))
    for key in ordered:
        result = dg.materialize(assets, instance=instance, resources=resources,
                                run_config=run_config, partition_key=key, tags=forced, raise_on_error=False)
        if not result.success:
            return _outcome(result, len(keys))
    return _outcome(result, len(keys))


def _outcome(result: dg.ExecuteInProcessResult, partitions: int) -> RunOutcome:
    if result.success:
        return RunOutcome(True, result.run_id, partitions)
    failures = [e for e in result.all_events if e.is_step_failure]
    data = failures[0].step_failure_data if failures else None
    if data is None or data.error is None:
        return RunOutcome(False, result.run_id, partitions, "run failed before any step ran")
    step = failures[0].step_key
    if _innermost(data.error).cls_name == "DagsterExecutionInterruptedError":
        # Dagster turns SIGINT into this inside a step; what was written before it (whole
        # log segments) stays, and a publish never half-replaces the published file.
        line = (f"interrupted in step {step}: the published timeline is the last good one; "
                "run again to finish")
        return RunOutcome(False, result.run_id, partitions, line, data.error.to_string(), True)
    # Dagster wraps the asset's exception ("Error occurred while executing op ..."); the
    # innermost cause is what went wrong, and an OSError's message names its file.
    line = f"step {step}: {root_cause(data.error)}"
    return RunOutcome(False, result.run_id, partitions, line, data.error.to_string())


def root_cause(error: SerializableErrorInfo) -> str:
    """The innermost error of Dagster's wrapper chain, on one line: what actually went wrong."""
    error = _innermost(error)
    return describe(error.cls_name, error.message)


def _innermost(error: SerializableErrorInfo) -> SerializableErrorInfo:
    while error.cause is not None:
        error = error.cause
    return error
