"""A run in this process without Dagster: `timeline run`'s default.

The same steps as the asset graph (scan, extract, append, publish, page, picture), through
the same store face (`pipelines.store.api.Store`) and export functions, in the same order,
without Dagster's per-run bookkeeping (an instance, an execution plan, events per step:
~3 s a run here, a fifth of a 3,000-article run). Runs started from the UI, the schedule
or the sensor, and `timeline run --dagster`, go through the assets instead.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import traceback
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipelines.progress import phase
from pipelines.store.api import Store
from pipelines.store.fact import FactKind

if TYPE_CHECKING:
    import duckdb

    from pipelines.core.extract import WarmPool
    from pipelines.publish.background import PictureDrawer
    from pipelines.store.scanahead import ScanAhead


@dataclass(slots=True)
class RunOutcome:
    success: bool
    run_id: str | None
    partitions: int  # seed paths the run covered
    error: str | None = None  # one line: the step, the exception's class and message
    traceback: str | None = None  # the whole chain, for --debug
    interrupted: bool = False  # stopped by SIGINT (Ctrl-C), not failed


# Errors whose message is the whole story; others are named by their class as well.
SELF_EXPLAINING = {"LogIntegrityError", "AuditFailed", "Failure", "PictureFailed"}


def describe(cls_name: str, message: str) -> str:
    """An error on one line, its class named unless its message says it all."""
    message = " ".join(message.split())
    _, named, rest = message.partition(f"{cls_name}: ")
    message = rest if named else message
    return message if cls_name in SELF_EXPLAINING else f"{cls_name}: {message}"


def run_in_process(store: Store, only: list[str] | None = None, show_progress: bool = False) -> RunOutcome:
    """Scan, extract, append, publish and write the page and picture, step by step.

    `only`: these seed paths alone (one file given to the CLI); the others the folder or the
    log knows are left as they are, so nothing is withdrawn. Steps are named as the assets
    are, so a failure reads the same whichever way the run went.
    """
    run_id = uuid.uuid4().hex
    step = "warehouse"
    drawer = None
    pool: WarmPool | None = None
    ahead: ScanAhead | None = None
    catching_up: threading.Thread | None = None
    paths: list[str] = []
    try:
        paths = sorted(only) if only is not None else store.folder_paths()
        # Both forked before the catch-up's thread starts: a fork beside it could copy a lock
        # it holds. A first run's scan is read by a child while this process builds the
        # tables the pool's workers share (`ScanAhead`).
        if paths and store.pool_ahead(paths):
            from pipelines.store.scanahead import ScanAhead

            ahead = ScanAhead(store, paths, whole_folder=only is None)
            pool = store.warm_pool()
        catching_up = _catch_up_beside(store)
        if not paths:
            catching_up.join()
            store.publish()  # an empty but valid warehouse
            return RunOutcome(True, None, 0)
        step = "articles"
        with phase("scan", None, "documents", stderr=show_progress) as advance:
            scan = ahead.result(advance) if ahead is not None else None
            if scan is None:
                scan = store.scan(paths, advance, whole_folder=only is None)
        step = "extractions"
        # Planned while the catch-up may still run (it took longer than the scan beside it:
        # 1.2-1.4 s against 0.7-0.9 s after a change at 100k articles); planning is Python
        # and DuckDB leaves the GIL free.
        planned = store.plan(scan)
        if show_progress and (note := planned.rederivation_note(store.extractor_version)):
            print(note, file=sys.stderr, flush=True)
        # No fork beside DuckDB's threads: the extraction's pool forks once the catch-up has
        # ended, and the extraction builds its tables and starts in this process meanwhile
        # (`extract_stream`'s fork_after; an edit's catch-up, the previous change adopted,
        # outlasted the scan and plan it ran beside at 100k).
        with phase("extract", len(scan.docs), "documents", stderr=show_progress) as advance:
            batch = store.extract(scan, advance, planned, fork_after=catching_up, pool=pool)
        if pool is not None:
            pool.shutdown()  # (its workers are gone if the extraction took it; if nothing was to extract, now)
        catching_up.join()  # its adoption holds the log's lock, which the append takes
        drawer = _picture_drawer(store, batch.extracted)
        step = "event_log"
        with phase("append", None, "facts", stderr=show_progress) as counted:
            appended = store.append(batch, run_id)
            counted(appended.total)
        if drawer is None:  # a run that withdraws many documents publishes as long
            drawer = _picture_drawer(store, appended.kinds[FactKind.DOCUMENT_WITHDRAWN])
        from pipelines.publish.files import StagedPage, write_picture_beside

        page = StagedPage(store.db)

        def staged(con: duckdb.DuckDBPyConnection) -> None:
            if drawer is not None:
                drawer.draw_staged(con)
            page.read(con)

        step = "warehouse"
        with phase("publish", None, "new log rows", stderr=show_progress) as counted:
            counted(store.publish(run_id, staged=staged).log_rows)

        def warn(line: str) -> None:
            print(f"warning: {line}", file=sys.stderr)

        step = "timeline_page"
        with phase("page", None, "events", stderr=show_progress) as counted:
            counted(page.write()[1])
        step = "timeline_picture"
        with phase("picture", None, stderr=show_progress):
            if drawer is not None:
                drawer.finish(warn)
            else:
                write_picture_beside(store.db, warn=warn)
    except KeyboardInterrupt:
        # what was written before it (whole log segments) stays, and a publish never
        # half-replaces the published file
        line = f"interrupted in step {step}: the published timeline is the last good one; run again to finish"
        return RunOutcome(False, run_id, len(paths), line, traceback.format_exc(), True)
    except Exception as exc:  # noqa: BLE001 - the outcome names the step and the cause
        cause = exc
        while cause.__cause__ is not None:
            cause = cause.__cause__
        line = f"step {step}: {describe(type(cause).__name__, str(cause))}"
        return RunOutcome(False, run_id, len(paths), line, traceback.format_exc())
    finally:
        if ahead is not None:
            ahead.close()  # (when the run stopped before taking its scan)
        if pool is not None:
            pool.shutdown()  # (when the extraction never took it over)
        if catching_up is not None:
            catching_up.join()
        store.release_caught_up()
        if drawer is not None:
            drawer.cancel()
    return RunOutcome(True, run_id, len(paths))


def _catch_up_beside(store: Store) -> threading.Thread:
    """The buffer the publish will write, brought up to the published one in a thread while
    this one plans and scans on one core (DuckDB works without the GIL): at 100k articles
    that adoption is ~2 s of a change's publish. A failure there is the publish's to meet:
    it adopts or copies as it would have."""
    def adopt() -> None:
        with contextlib.suppress(Exception):  # the publish does the same work and reports its errors
            store.catch_up()

    thread = threading.Thread(target=adopt, name="timeline-catch-up")
    thread.start()
    return thread


# A run that extracted (or withdrew) at least this many documents has its picture drawn by a helper
# process that loads matplotlib while the run appends and publishes on the other core,
# and draws while the publish writes its file. Below it the publish is too short to hide
# the helper's start (most of the picture's cost), and drawing in process is as fast.
BACKGROUND_PICTURE_MIN_DOCS = 500
# ... and at most this many: the helper holds 74 MiB beside the publish, which is a large
# run's memory peak (10,000 articles: 903 MiB without it, 997 MiB with it, against a 1 GiB
# target), while the picture's 2 s are a twentieth of such a run.
BACKGROUND_PICTURE_MAX_DOCS = 5_000


def _picture_drawer(store: Store, documents: int) -> PictureDrawer | None:
    if not BACKGROUND_PICTURE_MIN_DOCS <= documents <= BACKGROUND_PICTURE_MAX_DOCS or (os.cpu_count() or 1) < 2:
        return None
    from pipelines.publish.background import PictureDrawer

    return PictureDrawer(store.db)
