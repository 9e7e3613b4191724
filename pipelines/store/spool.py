"""Extractions between the extract step and the append step, on disk instead of in memory.

Extraction runs outside the log lock (a long extraction must not stop other writers) and
the append inside it, so what one finds must wait for the other somewhere. A run's
extractions are as large as its articles; in memory they made a run's peak grow with the
corpus. The spool is a file of pickled frames, a few hundred extractions each, written as
the pool returns them and read back frame by frame. It lives beside the log (the steps may
run in different processes: Dagster's multiprocess executor) and is never part of it: a
run killed before its append leaves a spool no one reads, removed after a day.
"""

from __future__ import annotations

import os
import pickle
import socket
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

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
                    pickle.dump(frame, out, protocol=pickle.HIGHEST_PROTOCOL)
                    frame = []
            if frame:
                pickle.dump(frame, out, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def read_spool(path: Path | None) -> Iterator[LoggedExtraction]:
    if path is None:
        return
    with path.open("rb") as handle:
        while True:
            try:
                frame = pickle.load(handle)
            except EOFError:
                return
            yield from frame


def _remove_stale(folder: Path) -> None:
    cutoff = time.time() - _STALE_SECONDS
    for old in folder.glob("*.spool"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            continue  # removed by another run meanwhile
