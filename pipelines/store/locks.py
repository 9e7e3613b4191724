"""The warehouse's run lock, importable without the store's heavy modules (the CLI takes it
before it knows whether anything changed)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def run_lock(log_dir: Path, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """One whole-folder run at a time on a warehouse; a second one waits its turn.

    So two runs started together give the tables of one run after the other (the later
    one's folder is the truth), never a mix where neither withdrew the other's files.
    `waiting` hears, once, whom it waits for. The kernel releases the lock of a killed run.
    """
    log_dir = Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / ".run.lock", "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            if waiting is not None:
                waiting(f"another run (pid {holder}) is writing this warehouse: waiting for it to finish")
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
