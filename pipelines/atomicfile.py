"""Writing a file so that readers and crashes see the old version or the new, never half.

Every file the project replaces (log segments, the segment catalog, the published DuckDB
file, the manifest, exports, caches) is written under a temporary name beside its target
and renamed over it. `durable` adds the fsyncs that make the rename survive a power cut:
the file's bytes before the rename, the folder's entry after it.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "fsync_folder", "replace_atomically", "write_bytes_atomically"]


def temporary_name(target: Path) -> Path:
    """Hidden, beside the target (same file system, so the rename is atomic), per process,
    and per machine (processes on machines sharing the folder may have the same pid)."""
    return target.parent / f".{target.name}.{socket.gethostname()}-{os.getpid()}.tmp"


def fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_atomically(tmp: Path, target: Path, durable: bool = True) -> None:
    """Move a finished temporary file over `target` in one step."""
    if durable:
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
    os.replace(tmp, target)
    if durable:
        fsync_folder(target.parent)


@contextmanager
def atomic_path(target: Path, tmp: Path | None = None, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path to write; when the block ends without error, it replaces
    `target`; when it raises, the temporary file is removed and `target` is untouched."""
    target = Path(target)
    tmp = tmp or temporary_name(target)
    try:
        yield tmp
        replace_atomically(tmp, target, durable)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes_atomically(target: Path, data: bytes, durable: bool = True) -> None:
    with atomic_path(target, durable=durable) as tmp:
        tmp.write_bytes(data)
