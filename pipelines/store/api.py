"""The store's one face: the steps of a run, and what a reader asks of a warehouse.

`timeline run`, the Dagster assets (UI, schedule, sensor) and the tests go through
`Store` and nothing under it, so an article takes one path however its run was started:

    scan -> extract -> append -> publish        (then verify, as-of, for readers)

No Dagster here: the assets are thin wrappers that add Dagster's metadata.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.core.extract import EXTRACTOR_VERSION, WarmPool
from pipelines.core.reading import DEFAULT_MAX_BYTES
from pipelines.store.eventlog import EventLog
from pipelines.store.ingest import (
    Appended,
    ExtractionBatch,
    Scan,
    append_to_log,
    extract_changed,
    plan_extraction,
    scan_seeds,
    seed_paths,
)
from pipelines.store.integrity import check_before_writing
from pipelines.store.lineindex import INDEX_FOLDER, LineIndex
from pipelines.store.manifest import (
    SeedDigests,
    SeedManifest,
    hold_digests,
    record_if_held,
    seed_digests,
    unchanged_since_last_run,
)
from pipelines.store.warehouse import (
    PublishResult,
    catch_up,
    publish,
    release_caught_up,
    verify_warehouse,
)

Progress = Callable[[int], None]
# A first run over this many bytes of seed files forks its extraction workers before it
# scans (`Store.warm_pool`): about the 400,000 characters at which a pool pays (gzipped
# dumps hold ~2.5 characters a byte, text files ~0.4).
WARM_POOL_MIN_BYTES = 512 * 1024


@dataclass(frozen=True, slots=True)
class Store:
    """A warehouse (the published DuckDB file, its log beside it) and the folder it ingests."""

    db: Path
    seeds: Path
    max_bytes: int = DEFAULT_MAX_BYTES
    extractor_version: str = EXTRACTOR_VERSION
    workers: int | None = None  # extraction processes; None: one per CPU
    lock_url: str | None = None  # PostgreSQL lock server for writers on several machines; None: TIMELINE_LOCK_URL
    reread: bool = False  # read every dump, even one unchanged since its last scan (`--force`)
    # One log object for the store's life, so the state it read is read once per run.
    _log: EventLog = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_log", EventLog.beside(self.db, self.lock_url))

    @property
    def log(self) -> EventLog:
        return self._log

    @property
    def line_index(self) -> LineIndex:
        return LineIndex(self.log.directory / INDEX_FOLDER)

    # ------------------------------------------------------------------ planning

    def folder_paths(self) -> list[str]:
        """Every seed path a whole-folder run covers: the folder's files and the paths the
        log has documents or rejections from (a deleted file's documents are withdrawn)."""
        return sorted(set(seed_paths(self.seeds)) | self.log.read_state().seed_paths())

    def unchanged(self) -> bool:
        """Same files, same extractor and limits as the last whole-folder run: nothing to do."""
        return unchanged_since_last_run(self.db, self.seeds, self.extractor_version, self.max_bytes)

    def refuse_if_damaged(self) -> None:
        """Raise LogIntegrityError when the log lost history: nothing may be appended."""
        check_before_writing(self.db)

    # ------------------------------------------------------------------ a run

    def scan(self, paths: list[str], progress: Progress | None = None, whole_folder: bool = False,
             reread: bool = False) -> Scan:
        """Read the seed files of `paths`: documents by identity, rejections with reasons.
        A whole-folder run takes the files' digests first; once it publishes they are the
        manifest that lets the next unchanged run stop early."""
        digests = seed_digests(self.seeds, self._last_full_run_digests()) if whole_folder else None
        scan = scan_seeds(self.seeds, paths, self.max_bytes, progress, index=self.line_index,
                          reread=reread or self.reread)
        scan.digests = digests
        return scan

    def _last_full_run_digests(self) -> SeedDigests | None:
        """The digests the manifest of the last whole-folder run recorded for this folder:
        a file whose identity is the one recorded is not hashed again."""
        manifest = SeedManifest.load(self.db)
        if manifest is None or manifest.seeds_root != str(self.seeds.resolve()):
            return None
        return manifest.digests()

    def unchanged_scan(self) -> Scan:
        """The scan of a whole-folder run that `unchanged()` vouched for, without reading a
        file: extract, append and publish then do nothing (nothing is withdrawn either: the
        manifest saw every file the last full run saw, with the same bytes)."""
        return Scan(str(self.seeds), set(), self.max_bytes, unchanged_folder=True)

    def plan(self, scan: Scan) -> ExtractionBatch:
        """What `extract` will extract from `scan` (planned on the log as it is now)."""
        return plan_extraction(scan, self.log, self.extractor_version)

    def extract(self, scan: Scan, progress: Progress | None = None,
                planned: ExtractionBatch | None = None,
                fork_after: threading.Thread | None = None, pool: WarmPool | None = None) -> ExtractionBatch:
        """Extract the documents that are new to the log or changed, into a spool.
        `planned`: `plan(scan)`'s batch, planned again if the log changed since.
        `fork_after`: a thread still running beside (the catch-up): the extraction starts in
        this process and its pool forks once the thread has ended. `pool`: workers forked
        ahead (`warm_pool`), which the extraction uses and shuts down."""
        return extract_changed(scan, self.log, self.extractor_version, self.workers, progress, planned,
                               fork_after, pool)

    def warm_pool(self) -> WarmPool:
        """Extraction workers forked now, sharing the extractors' tables this process builds
        first: for a run `pool_ahead` vouched for. Call before any thread is started."""
        return WarmPool(self.workers or os.cpu_count() or 1)

    def pool_ahead(self, paths: list[str]) -> bool:
        """Whether a run over `paths` forks its workers ahead (`warm_pool`): a first run (an empty log) over at least
        `WARM_POOL_MIN_BYTES` of seed files, on a machine that forks, with two workers or more."""
        if (self.workers or os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods() \
                or self.log.segments():
            return False
        size = 0
        for name in paths:
            with contextlib.suppress(OSError):
                size += (self.seeds / name).stat().st_size
        return size >= WARM_POOL_MIN_BYTES

    def append(self, batch: ExtractionBatch, run_id: str) -> Appended:
        """Append the run's facts to the log (never after a lost history)."""
        self.refuse_if_damaged()
        appended = append_to_log(batch, self.log, self.extractor_version, run_id)
        if batch.scan.digests is not None and appended.covers_log:
            hold_digests(self.db, run_id, batch.scan.digests)
        return appended

    def publish(self, run_id: str | None = None, rebuild: bool = False,
                staged: Callable[[duckdb.DuckDBPyConnection], None] | None = None) -> PublishResult:
        """Bring the published file up to the log's head, audited and swapped atomically;
        a whole-folder run's digests become the manifest once it is published. `staged`:
        see `warehouse.publish`."""
        result = publish(self.db, self.log, rebuild=rebuild, staged=staged)
        if run_id is not None:
            record_if_held(self.db, run_id, self.seeds, self.extractor_version, self.max_bytes)
        return result

    def catch_up(self) -> bool:
        """Bring the buffer the next publish writes up to the published one, ahead of the
        publish (see `warehouse.catch_up`). Safe from another thread: it opens its own log
        and takes the log's lock."""
        return catch_up(self.db, EventLog.beside(self.db))

    def release_caught_up(self) -> None:
        """Close the caught-up buffer a publish did not take (see `warehouse.catch_up`)."""
        release_caught_up()

    # ------------------------------------------------------------------ readers

    def verify(self) -> tuple[list[str], list[str]]:
        """(problems, findings) of a full check of the log and the published file."""
        return verify_warehouse(self.db, self.log)
