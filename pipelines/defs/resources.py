"""Configuration shared by the UI, the CLI, sensors and schedules."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipelines.core.extract import EXTRACTOR_VERSION
from pipelines.core.reading import DEFAULT_MAX_BYTES
from pipelines.paths import DEFAULT_DB, DEFAULT_SEEDS
from pipelines.store.api import Store
from pipelines.store.eventlog import EventLog
from pipelines.store.lineindex import LineIndex


class TimelineSettings(dg.ConfigurableResource):
    """Where articles come from and where the warehouse goes (env TIMELINE_SEEDS, TIMELINE_DB)."""

    seeds_dir: str = DEFAULT_SEEDS
    db_path: str = DEFAULT_DB
    max_bytes: int = DEFAULT_MAX_BYTES
    workers: int = 0  # processes for extraction; 0 means one per CPU
    extractor_version: str = EXTRACTOR_VERSION  # a new version re-derives every document
    show_progress: bool = False  # a progress bar on stderr (the CLI turns it on)
    # A PostgreSQL URL whose advisory locks serialize the warehouse's writers on several
    # machines. None reads TIMELINE_LOCK_URL when a lock is taken, which keeps the password
    # out of the resource's config shown in the UI; "" turns the server lock off.
    lock_url: str | None = None

    @classmethod
    def from_env(cls) -> TimelineSettings:
        return cls(
            seeds_dir=os.environ.get("TIMELINE_SEEDS", DEFAULT_SEEDS),
            db_path=os.environ.get("TIMELINE_DB", DEFAULT_DB),
            max_bytes=int(os.environ.get("TIMELINE_MAX_BYTES", DEFAULT_MAX_BYTES)),
            workers=int(os.environ.get("TIMELINE_WORKERS", "0")),
        )

    @property
    def seeds(self) -> Path:
        return Path(self.seeds_dir)

    @property
    def db(self) -> Path:
        return Path(self.db_path)

    @property
    def store(self) -> Store:
        """The store's one face, which every asset goes through."""
        return Store(self.db, self.seeds, self.max_bytes, self.extractor_version, self.worker_count,
                     self.lock_url)

    @property
    def log(self) -> EventLog:
        return self.store.log

    @property
    def line_index(self) -> LineIndex:
        return self.store.line_index

    @property
    def worker_count(self) -> int | None:
        return self.workers or None
