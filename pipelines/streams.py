"""Bytes written to a stream arrive whole.

With PYTHONUNBUFFERED set (or `python -u`, as many container images run), sys.stdout.buffer
is the raw file, and a raw write to a pipe returns after part of its bytes when a signal
interrupts it: a stop and continue (Ctrl-Z, then fg), a profiler or debugger attaching.
Nothing writes the rest, and io.TextIOWrapper ignores the count too. The picture's helper lost
the end of its PNG that way under py-spy, and the run failed in its picture step with
"pickle data was truncated". A buffered writer writes again until every byte is taken.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

__all__ = ["whole_writes"]


@contextmanager
def whole_writes(out: BinaryIO) -> Iterator[BinaryIO]:
    """`out`, or a buffered writer over it when it is a raw file, flushed at the end and then
    detached, so `out` stays open for its owner."""
    if not isinstance(out, io.RawIOBase):
        yield out
        out.flush()
        return
    buffered = io.BufferedWriter(out)
    try:
        yield buffered
    finally:
        buffered.flush()
        buffered.detach()
