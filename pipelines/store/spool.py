"""Extractions between the extract step and the append step, on disk instead of in memory.

Extraction runs outside the log lock (a long extraction must not stop other writers) and
the append inside it, so what one finds must wait for the other somewhere. A run's
extractions are as large as its articles; in memory they made a run's peak grow with the
corpus. The spool is a file of pickled frames, a few hundred extractions each, written as
the pool returns them and read back frame by frame; each frame is deflated at zlib's
fastest level (a third of the bytes, the texts being most of them, for ~0.1 s per 1,000
articles). It lives beside the log (the steps may
run in different processes: Dagster's multiprocess executor) and is never part of it: a
run killed before its append leaves a spool no one reads, removed after a day.
"""

from __future__ import annotations

import os
import pickle
import socket
import struct
import time
import uuid
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from pipelines.store.facts import LoggedExtraction

SPOOL_FOLDER = "spool"
_FRAME = 256  # extractions per pickled frame
_STALE_SECONDS = 24 * 3600


def write_spool(extractions: Iterable[LoggedExtraction], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale(folder)
    path = folder / f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:12]}.spool"
    try:
        with path.open("wb") as out:
            frame: list[LoggedExtraction] = []
            for ex in extractions:
                frame.append(ex)
                if len(frame) >= _FRAME:
                    _write_frame(out, frame)
                    frame = []
            if frame:
                _write_frame(out, frame)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def read_spool(path: Path | None) -> Iterator[LoggedExtraction]:
    if path is None:
        return
    with path.open("rb") as handle:
        while size := handle.read(_LENGTH.size):
            (length,) = _LENGTH.unpack(size)
            yield from pickle.loads(zlib.decompress(handle.read(length)))


_LENGTH = struct.Struct("<Q")


def _write_frame(out: BinaryIO, frame: list[LoggedExtraction]) -> None:
    packed = zlib.compress(pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL), 1)
    out.write(_LENGTH.pack(len(packed)))
    out.write(packed)


def _remove_stale(folder: Path) -> None:
    cutoff = time.time() - _STALE_SECONDS
    for old in folder.glob("*.spool"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            continue  # removed by another run meanwhile
