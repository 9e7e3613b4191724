"""Bytes written to stdout arrive whole.

With PYTHONUNBUFFERED set (or `python -u`, as many container images run), sys.stdout.buffer
is the raw file, and a raw write to a pipe returns after part of its bytes when a signal
interrupts it: a stop and continue (Ctrl-Z, then fg), a profiler or debugger attaching.
Nothing writes the rest, and io.TextIOWrapper ignores the count too. The picture's helper lost
the end of its PNG that way under py-spy, and the run failed in its picture step with
"pickle data was truncated"; `timeline extract` and `timeline show` write their lines the
same way. `whole_stdout` puts a raw file that writes again until every byte is taken under
sys.stdout, once per process, so every writer of the process is mended and none has to know.
"""

from __future__ import annotations

import io
import sys
from typing import BinaryIO

__all__ = ["WholeWrites", "whole_stdout"]


class WholeWrites(io.RawIOBase):
    """A raw file over another whose write takes every byte it is given, as unbuffered as the
    file under it (nothing waits in a buffer), and which leaves that file open when closed."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            taken = self._raw.write(view[done:])
            if taken is None:  # a non-blocking file that is full: what a raw file says so
                raise BlockingIOError(0, "the file takes no more now", done)
            done += taken
        return done

    def fileno(self) -> int:
        return self._raw.fileno()

    def isatty(self) -> bool:
        return self._raw.isatty()

    def flush(self) -> None:
        self._raw.flush()


_replaced: list[io.TextIOWrapper] = []


def whole_stdout() -> None:
    """Give sys.stdout a raw file that writes whole where it sits on the raw file itself
    (PYTHONUNBUFFERED); a buffered stdout already writes again what a write did not take."""
    text = sys.stdout
    if not isinstance(text, io.TextIOWrapper) or not isinstance(text.buffer, io.RawIOBase) \
            or isinstance(text.buffer, WholeWrites):
        return
    text.flush()
    _replaced.append(text)  # collected, it would close the file the new one writes to
    sys.stdout = io.TextIOWrapper(WholeWrites(text.buffer), encoding=text.encoding, errors=text.errors,
                                  line_buffering=text.line_buffering, write_through=True)
