"""Progress of a run's phases (scan, extract, append, publish, page, picture).

The same milestones go to Dagster's run log and, from the CLI, to stderr: a bar on a
terminal, a line every few seconds when stderr is redirected (a log file, CI), and one
closing line per phase with its count and time.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

LINE_EVERY_SECONDS = 5.0


@contextmanager
def phase(name: str, total: int | None = None, unit: str = "documents", *,
          log: Callable[[str], None] | None = None, stderr: bool = False,
          every: float = LINE_EVERY_SECONDS) -> Iterator[Callable[[int], None]]:
    """Yield `advance(n)`; report while the phase runs and when it ends.

    `log` receives the milestone lines (Dagster's context.log.info); `stderr` adds them
    for a person at the CLI, as a transient bar when stderr is a terminal.
    """
    started = last = time.monotonic()
    done = 0
    bar = None
    if stderr and sys.stderr.isatty() and total:
        from rich.progress import Progress

        bar = Progress(transient=True)
        bar.start()
        task = bar.add_task(name, total=total)

    def say(line: str) -> None:
        if log is not None:
            log(line)
        if stderr and bar is None:
            print(line, file=sys.stderr, flush=True)

    def advance(n: int = 1) -> None:
        nonlocal done, last
        done += n
        if bar is not None:
            bar.advance(task, n)
        now = time.monotonic()
        if now - last >= every:
            last = now
            of = f"/{total:,}" if total else ""
            say(f"{name}: {done:,}{of} {unit} ({now - started:.0f} s)")

    try:
        yield advance
    finally:
        if bar is not None:
            bar.stop()
        # "extract: 0 of 2,000 documents" when the log already had them all.
        of = f" of {total:,}" if total and done != total else ""
        count = f" {done:,}{of} {unit}" if done or total else ""
        line = f"{name}:{count} in {time.monotonic() - started:.1f} s"
        if log is not None:
            log(line)
        if stderr:
            print(line, file=sys.stderr, flush=True)
