"""Extractions between the extract step and the append step, on disk instead of in memory.

Extraction runs outside the log lock (a long extraction must not stop other writers) and
the append inside it, so what one finds must wait for the other somewhere. A run's
extractions are as large as its articles; in memory they made a run's peak grow with the
corpus. The spool is a file of pickled frames, one per chunk of documents the pool extracted,
written as the pool returns them and read back frame by frame; each frame is deflated at
zlib's fastest level (a third of the bytes, the texts being most of them, for ~0.1 s per
1,000 articles). Frames are packed by the pool's workers (`pack_frame`), so the run's
parent, which also reads the documents and feeds the pool, only writes bytes: unpickling
each extraction from the worker and pickling and deflating it again took a sixth of the
extraction's wall time from the workers on two cores. It lives beside the log (the steps may
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
from dataclasses import dataclass
from pathlib import Path

from pipelines.store.facts import LoggedExtraction

SPOOL_FOLDER = "spool"
_STALE_SECONDS = 24 * 3600


@dataclass(slots=True)
class SpoolFrame:
    """Extractions of one chunk of documents, pickled and deflated, with what the run counts."""

    data: bytes
    extracted: int
    mentions: int
    events: int
    errors: list[str]  # "doc_id: what failed"


def pack_frame(extractions: list[LoggedExtraction]) -> SpoolFrame:
    return SpoolFrame(zlib.compress(pickle.dumps(extractions, protocol=pickle.HIGHEST_PROTOCOL), 1),
                      len(extractions), sum(len(ex.mentions) for ex in extractions),
                      sum(len(ex.events) for ex in extractions),
                      [f"{ex.doc.doc_id}: {ex.error}" for ex in extractions if ex.error])


def write_spool(frames: Iterable[SpoolFrame], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale(folder)
    path = folder / f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:12]}.spool"
    try:
        with path.open("wb") as out:
            for frame in frames:
                out.write(_LENGTH.pack(len(frame.data)))
                out.write(frame.data)
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


def _remove_stale(folder: Path) -> None:
    cutoff = time.time() - _STALE_SECONDS
    for old in folder.glob("*.spool"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            continue  # removed by another run meanwhile
