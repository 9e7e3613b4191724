"""Per-document extraction: time mentions and events, optionally over a process pool."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from pipelines.core.model import Document, Event, TimeMention

EXTRACTOR_VERSION = "0.4.0"
# Below this many characters a process pool costs more than it saves.
_POOL_MIN_CHARS = 400_000


@dataclass(slots=True)
class Extraction:
    doc: Document
    mentions: list[TimeMention]
    events: list[Event]
    error: str | None = None  # an extractor bug on this document; the document still lands


def extract_document(doc: Document) -> Extraction:
    """Time mentions of the whole text, then the events of the body. Never raises."""
    mentions, events, error = _extract(doc)
    return Extraction(doc, mentions, events, error)


def _extract(doc: Document) -> tuple[list[TimeMention], list[Event], str | None]:
    from pipelines.core.events import extract_events
    from pipelines.core.timex import extract_times

    try:
        mentions = extract_times(doc.text, doc.published_at)
    except Exception as exc:  # a crash on one article must not stop the run
        return [], [], f"time extraction failed: {type(exc).__name__}: {exc}"
    try:
        events = extract_events(doc, mentions)
    except Exception as exc:
        return mentions, [], f"event extraction failed: {type(exc).__name__}: {exc}"
    return mentions, events, None


def warm_up() -> None:
    """Build the extractors' tables and jieba's tag table in this process (~1 s, ~70 MiB).

    Called before forking a pool, so the workers share one copy of these pages instead of
    each building its own.
    """
    from pipelines.core.events.engine import _jieba
    from pipelines.core.timex import warm_up as warm_timex

    _jieba()
    warm_timex()
    _extract(Document("warm-up", "", "2020年5月1日在北京市召开会议。", "", body_start=0))


# The batch a forked pool works on: workers inherit it with the process image, so
# documents are never pickled to them; a task is a range of indexes.
_BATCH: list[Document] = []


def die_with_parent(parent_pid: int) -> None:
    """Pool initializer: the worker is killed when the process that forked it dies.

    A parent killed with SIGKILL runs no cleanup, so without this its workers (hundreds of
    MiB each) would sleep on forever. Linux only (prctl PR_SET_PDEATHSIG); elsewhere the
    pool's own shutdown is all there is.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def _extract_range(lo: int, hi: int) -> list[tuple[list[TimeMention], list[Event], str | None]]:
    # Only what was found goes back: the parent already holds the documents, and
    # pickling their text back would double it there.
    return [_extract(d) for d in _BATCH[lo:hi]]


def _extract_chunk(docs: list[Document]) -> list[tuple[list[TimeMention], list[Event], str | None]]:
    return [_extract(d) for d in docs]


def extract_many(
    docs: Iterable[Document],
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Extraction]:
    """Extract a batch, in input order; uses a process pool when the batch is large."""
    global _BATCH
    docs = list(docs)
    total_chars = sum(len(d.text) for d in docs)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or total_chars < _POOL_MIN_CHARS or len(docs) < 8:
        out = []
        for d in docs:
            out.append(extract_document(d))
            if progress:
                progress(1)
        return out
    chunk = max(1, min(200, len(docs) // (workers * 8) or 1))
    bounds = [(i, min(i + chunk, len(docs))) for i in range(0, len(docs), chunk)]
    out: list[Extraction] = []
    from pipelines.core.events.engine import _jieba, release_lexicon

    fork = "fork" in multiprocessing.get_all_start_methods()
    had_lexicon = _jieba.cache_info().currsize > 0
    warm_up()
    # Objects that exist now are never collected in the workers, so the collector does
    # not write to (and copy) the pages they share with this process.
    gc.freeze()
    try:
        if fork:
            _BATCH = docs
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                       initializer=die_with_parent, initargs=(os.getpid(),))
            results = pool.map(_extract_range, *zip(*bounds, strict=True))
        else:
            pool = ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent,
                                       initargs=(os.getpid(),))
            results = pool.map(_extract_chunk, (docs[lo:hi] for lo, hi in bounds))
        with pool:
            for (lo, _), found in zip(bounds, results, strict=True):
                out.extend(Extraction(docs[lo + i], *r) for i, r in enumerate(found))
                if progress:
                    progress(len(found))
    finally:
        _BATCH = []
        gc.unfreeze()
        if not had_lexicon:
            release_lexicon()
            gc.collect()
    return out
