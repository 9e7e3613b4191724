"""`timeline ...` in this process, killed with SIGKILL at a named point of a run.

    TIMELINE_KILL_AT=append:tmp python tests/robustness/kill_driver.py run --seeds S --db D

The process sends itself SIGKILL, a real kill -9: no finally block, atexit handler or
flush runs, exactly as when the kernel or an operator kills it. The hooks only choose the
moment; they wrap the real functions and change nothing else. Points:

    scan:N            before reading the Nth seed file
    extract:N         before extracting the Nth document
    append:tmp        the log segment is written and fsynced under its temporary name
    append:done       the segment is renamed into the log, nothing published yet
    publish:building  the staging copy of the warehouse has its tables, not yet audited
    publish:staged    the staging copy is audited and complete, not yet moved into place
    publish:done      the new warehouse file is in place; Dagster has not finished the run
"""

from __future__ import annotations

import os
import signal
import sys
from types import ModuleType


def die() -> None:
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


class _OsProxy(ModuleType):
    """The os module with `replace` wrapped, for one module's global name `os`."""

    def __init__(self, before=None, after=None) -> None:
        super().__init__("os")
        self._before, self._after = before, after

    def __getattr__(self, name: str):
        return getattr(os, name)

    def replace(self, src, dst, *args, **kwargs):
        if self._before and self._before(str(src), str(dst)):
            die()
        os.replace(src, dst, *args, **kwargs)
        if self._after and self._after(str(src), str(dst)):
            die()


def _nth(module, name: str, n: int) -> None:
    original = getattr(module, name)
    calls = 0

    def wrapper(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls >= n:
            die()
        return original(*args, **kwargs)

    setattr(module, name, wrapper)


def install(point: str) -> None:
    import pipelines.atomicfile as atomicfile  # every rename into place goes through it
    import pipelines.core.extract as extract
    import pipelines.store.ingest as ingest
    import pipelines.store.warehouse as warehouse

    where, _, arg = point.partition(":")

    def is_segment(src: str, dst: str) -> bool:
        return os.path.basename(src).startswith(".seg-")

    def is_warehouse(src: str, dst: str) -> bool:
        return ".staging-" in os.path.basename(src)

    if where == "scan":
        _nth(ingest, "read_seed_path", int(arg))
    elif where == "extract":
        _nth(extract, "extract_document", int(arg))
    elif point == "append:tmp":
        atomicfile.os = _OsProxy(before=is_segment)
    elif point == "append:done":
        atomicfile.os = _OsProxy(after=is_segment)
    elif point == "publish:building":
        _nth(warehouse, "run_audits", 1)
    elif point == "publish:staged":
        atomicfile.os = _OsProxy(before=is_warehouse)
    elif point == "publish:done":
        atomicfile.os = _OsProxy(after=is_warehouse)
    else:
        raise SystemExit(f"unknown kill point {point!r}")


if __name__ == "__main__":
    if point := os.environ.get("TIMELINE_KILL_AT"):
        install(point)
    from pipelines.cli import main

    sys.argv = ["timeline", *sys.argv[1:]]
    main()
