"""How runs execute: the executor picked by TIMELINE_EXECUTOR, and an IO manager that
works for every executor and for runs over a range of partitions.

Switching executors needs no code change:

    TIMELINE_EXECUTOR=in_process    every step in the run's process
    TIMELINE_EXECUTOR=multiprocess  one process per step (parallel extraction of partitions)
    TIMELINE_EXECUTOR=celery        steps are Celery tasks (broker TIMELINE_CELERY_BROKER,
                                    results TIMELINE_CELERY_BACKEND; `pip install -e '.[scale]'`)
    TIMELINE_EXECUTOR=k8s           one Kubernetes job per step (needs dagster-k8s)
    unset                           Dagster's default: multiprocess, or in_process when the
                                    run config says `execution: {config: {in_process: {}}}`

The CLI (pipelines.runner) always runs in process with an in-memory IO manager; this
module is what the UI, the sensor, the schedule and the daemon use. See deploy/README.md.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import dagster as dg

from pipelines.atomicfile import atomic_path

EXECUTOR_ENV = "TIMELINE_EXECUTOR"
CELERY_BROKER_ENV = "TIMELINE_CELERY_BROKER"
CELERY_BACKEND_ENV = "TIMELINE_CELERY_BACKEND"
DEFAULT_CELERY_BROKER = "redis://127.0.0.1:6379/0"
EXECUTOR_CHOICES = ("default", "in_process", "multiprocess", "celery", "k8s")


def celery_config(env: dict[str, str] | None = None) -> dict[str, Any]:
    """Broker and result backend for the Celery executor (and its workers: deploy/celery.yaml)."""
    env = os.environ if env is None else env
    broker = env.get(CELERY_BROKER_ENV) or DEFAULT_CELERY_BROKER
    # Celery's default result backend (rpc://) needs an AMQP broker; with Redis the
    # results go back through Redis too.
    return {"broker": broker, "backend": env.get(CELERY_BACKEND_ENV) or broker}


def executor_from_env(env: dict[str, str] | None = None) -> dg.ExecutorDefinition:
    """The executor named by TIMELINE_EXECUTOR; an unknown name fails the code location load
    loudly instead of silently running somewhere else."""
    env = os.environ if env is None else env
    name = (env.get(EXECUTOR_ENV) or "default").strip().lower().replace("-", "_")
    if name == "default":
        return dg.multi_or_in_process_executor
    if name == "in_process":
        return dg.in_process_executor
    if name == "multiprocess":
        return dg.multiprocess_executor
    if name == "celery":
        try:
            from dagster_celery import celery_executor
        except ImportError as exc:
            raise RuntimeError(
                f"{EXECUTOR_ENV}=celery needs dagster-celery: pip install -e '.[scale]'") from exc
        return celery_executor.configured(celery_config(env), name="celery")
    if name == "k8s":
        try:
            from dagster_k8s import k8s_job_executor
        except ImportError as exc:
            raise RuntimeError(
                f"{EXECUTOR_ENV}=k8s needs dagster-k8s==0.29.27 (see deploy/k8s/)") from exc
        return k8s_job_executor
    raise ValueError(f"{EXECUTOR_ENV}={name!r}: expected one of {', '.join(EXECUTOR_CHOICES)}")


# ---------------------------------------------------------------- IO manager


def partition_part(keys: Sequence[str] | None) -> str:
    """File name for the partitions an output covers: the key itself for one partition
    (quoted: keys are paths like 'sub/a.txt'), a digest of the set for a range."""
    if not keys:
        return "__all__"
    if len(keys) == 1:
        return quote(keys[0], safe="")
    digest = hashlib.sha256("\n".join(sorted(keys)).encode("utf-8")).hexdigest()[:20]
    return f"range-{len(keys)}-{digest}"


class PickleFiles(dg.IOManager):
    """Step outputs pickled under one directory every step process can reach.

    Dagster's fs_io_manager refuses outputs that cover several partitions, which is what
    the assets' single-run backfill policy and the daily schedule produce; this one keys
    such outputs by the set of partitions, so a range run works under any executor. Files
    are written to a temporary name and renamed, so a reader never sees half a pickle.
    """

    def __init__(self, base: Path, range_keep_seconds: float) -> None:
        self.base = base
        self.range_keep_seconds = range_keep_seconds

    def _asset_path(self, key: dg.AssetKey, partitions: Sequence[str] | None) -> Path:
        return self.base.joinpath("assets", *key.path, partition_part(partitions) + ".pkl")

    def _output_path(self, context: dg.OutputContext) -> Path:
        if context.has_asset_key:
            keys = context.asset_partition_keys if context.has_asset_partitions else None
            return self._asset_path(context.asset_key, keys)
        return self.base.joinpath("runs", *context.get_identifier()).with_suffix(".pkl")

    def _input_path(self, context: dg.InputContext) -> Path:
        if context.has_asset_key:
            keys = context.asset_partition_keys if context.has_asset_partitions else None
            return self._asset_path(context.asset_key, keys)
        return self.base.joinpath("runs", *context.upstream_output.get_identifier()).with_suffix(".pkl")

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        path = self._output_path(context)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path, durable=False) as tmp, open(tmp, "wb") as handle:
            pickle.dump(obj, handle, protocol=pickle.HIGHEST_PROTOCOL)
        if path.name.startswith("range-"):
            self._prune_ranges(path)
        context.add_output_metadata({"pickle": dg.MetadataValue.path(str(path)),
                                     "pickle_bytes": path.stat().st_size})

    def _prune_ranges(self, keep: Path) -> None:
        # Each daily run covers one more partition than the last, so range files would pile
        # up (each holds the whole corpus); old ones are never read again.
        cutoff = time.time() - self.range_keep_seconds
        for old in keep.parent.glob("range-*.pkl"):
            try:
                if old != keep and old.stat().st_mtime < cutoff:
                    old.unlink()
            except FileNotFoundError:
                pass

    def load_input(self, context: dg.InputContext) -> Any:
        path = self._input_path(context)
        if not path.exists():
            raise dg.Failure(
                f"no stored output at {path}: materialize the upstream asset for the same "
                "partitions in this run (the ingest job selects every asset)")
        with open(path, "rb") as handle:
            return pickle.load(handle)  # our own files, written by handle_output


class SharedPickleIOManager(dg.ConfigurableIOManagerFactory):
    """Pickles step outputs under `base_dir`, by default the instance's storage directory
    (DAGSTER_HOME/storage), which worker processes on the same host share. For workers on
    other hosts point `base_dir` at a shared volume (deploy/README.md)."""

    base_dir: str | None = None
    range_keep_seconds: float = 86400.0

    def create_io_manager(self, context: dg.InitResourceContext) -> PickleFiles:
        if self.base_dir:
            base = Path(self.base_dir)
        elif context.instance is not None:
            base = Path(context.instance.storage_directory())
        else:
            raise dg.DagsterInvariantViolationError(
                "SharedPickleIOManager needs a base_dir or a Dagster instance")
        return PickleFiles(base / "timeline_io", self.range_keep_seconds)


def io_manager_from_env(env: dict[str, str] | None = None) -> SharedPickleIOManager:
    """TIMELINE_IO_DIR moves step outputs to a shared volume for multi-host executors."""
    env = os.environ if env is None else env
    return SharedPickleIOManager(base_dir=env.get("TIMELINE_IO_DIR") or None)
