"""A first run's scan read by a forked child while the run builds the extractors' tables.

Before a first run's pool forks, this process builds the tables its workers share
(`Store.warm_pool`, ~0.35 s) while the second core idles; the scan (reading and hashing
the seed files, ~0.25 s at 3,000 articles) does not need those tables, so a child forked
just before reads it on that core and hands it over: the scan object and the texts it
kept (`Scan.kept`, which the scan's pickling leaves out). Whatever goes wrong in the child
(an error, a signal, a scan that cannot be pickled) ends in `result` returning None, and
the run scans in its own process as it would have, meeting the same error there.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from pipelines.core.extract import die_with_parent

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from pipelines.store.api import Store
    from pipelines.store.ingest import Scan

# How often the child reports how many documents it has read, for the run's progress line.
_PROGRESS_EVERY_SECONDS = 0.5
# How long the run waits for the child to exit once it has handed its scan over.
_EXIT_SECONDS = 5.0


class ScanAhead:
    """`store.scan(paths, whole_folder=...)` in a forked child, started now. Fork it before
    this process starts any thread (a fork beside a thread copies whatever lock it holds)."""

    def __init__(self, store: Store, paths: list[str], whole_folder: bool) -> None:
        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        self._child = context.Process(target=_scan_in_child, args=(store, paths, whole_folder, sender, os.getpid()),
                                      name="timeline-scan", daemon=True)
        self._child.start()
        sender.close()

    def result(self, progress: Callable[[int], None] | None = None) -> Scan | None:
        """The child's scan once it has read it (`progress(n)` as it reports), or None if it
        did not finish."""
        try:
            while True:
                message = self._receiver.recv()
                if isinstance(message, int):
                    if progress is not None:
                        progress(message)
                    continue
                if message is None:
                    return None
                scan, kept, kept_chars = message
                scan.kept, scan.kept_chars = kept, kept_chars
                self._child.join(_EXIT_SECONDS)  # (it has nothing left to do but exit)
                return scan
        except (EOFError, OSError):  # the child died without a word
            return None
        finally:
            self.close()

    def close(self) -> None:
        """Stop the child if it still runs (a run that failed or was interrupted meanwhile)."""
        if self._child.is_alive():
            self._child.kill()
        self._child.join()
        self._receiver.close()


def _scan_in_child(store: Store, paths: list[str], whole_folder: bool, sender: Connection, parent_pid: int) -> None:
    die_with_parent(parent_pid)
    # Ctrl-C reaches the whole process group: the run's own handler reports it and stops this
    # child (`close`), which says nothing.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    read, last = 0, time.monotonic()

    def progress(n: int) -> None:
        nonlocal read, last
        read += n
        if (now := time.monotonic()) - last >= _PROGRESS_EVERY_SECONDS:
            sender.send(read)
            read, last = 0, now

    try:
        scan = store.scan(paths, progress, whole_folder=whole_folder)
        if read:
            sender.send(read)
        sender.send((scan, scan.kept, scan.kept_chars))
    except Exception:  # noqa: BLE001 - the run scans again in its own process and meets it there
        with contextlib.suppress(OSError):
            sender.send(None)
    finally:
        sender.close()
