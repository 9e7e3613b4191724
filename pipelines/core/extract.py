"""Per-document extraction: time mentions and events, optionally over a process pool."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import itertools
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.core.model import Document, Event, TimeMention

_CORE = Path(__file__).resolve().parent


# What the core is made of: its code and its tables. Other files in its folders (bytecode,
# an editor's backup or swap file) must not make a new version: that re-derives a warehouse.
_CORE_KINDS = (".py", ".tsv", ".json")


def extractor_fingerprint(core: Path = _CORE) -> str:
    """A digest of what decides an extraction: the language core's code and its tables
    (every .py, .tsv and .json file under pipelines/core). Part of EXTRACTOR_VERSION, so
    a release whose rules, lexicons, model weights or code differ re-derives the documents
    a warehouse holds: a hand-kept number went unchanged through 268 commits of such
    changes, and a warehouse kept the old extraction's events while reporting nothing to do."""
    digest = hashlib.sha256()
    for path in sorted(p for p in core.rglob("*") if p.suffix in _CORE_KINDS and p.is_file()
                       and "__pycache__" not in p.parts):
        digest.update(path.relative_to(core).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


# The release, bumped by hand for what the digest cannot see (a dependency's upgrade that
# changes what it segments, converts or parses), and the core's digest. A document whose
# facts another version derived is derived again on the next run: DOCUMENT_REDERIVED, its
# old mentions and events retracted and the new ones observed (their ids carry the version).
EXTRACTOR_RELEASE = "0.5"
EXTRACTOR_VERSION = f"{EXTRACTOR_RELEASE}-{extractor_fingerprint()}"  # (a Dagster tag: no "+")
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


# Whether `warm_up_ahead` loaded jieba's tag table for extraction still to come: whatever
# then extracts (the pool, or this process) drops it afterwards, as a pool drops what it
# loaded itself, so the run's later steps do not carry it.
_lexicon_loaded_ahead = False


def warm_up_ahead() -> None:
    """`warm_up` before `extract_stream`, while this process would only wait (a run waiting
    on DuckDB work in another thread, which leaves the GIL free): the pool then forks at
    once. Not while any other thread of this process may run when the pool forks."""
    global _lexicon_loaded_ahead
    from pipelines.core.events.engine import _jieba

    _lexicon_loaded_ahead = _lexicon_loaded_ahead or _jieba.cache_info().currsize == 0
    warm_up()


def _release_lexicon_loaded_ahead(always: bool = False) -> None:
    """Drop jieba's tag table if `warm_up_ahead` loaded it (or `always`: a pool that loaded it)."""
    global _lexicon_loaded_ahead
    if _lexicon_loaded_ahead or always:
        from pipelines.core.events.engine import release_lexicon

        _lexicon_loaded_ahead = False
        release_lexicon()


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


class WarmPool:
    """Extraction workers forked at the start of a run, before this process starts any
    thread (a fork beside a running thread copies whatever lock it holds), with the
    extractors' tables built (`warm_up`) once, here, before the fork: the workers share that
    one copy. Built by each worker instead, beside this process's scan, the tables cost each
    worker ~0.6 CPU s, and the three processes shared cores the workers fill: `timeline run`
    on 3,000 articles on two cores, ten runs of each alternated, took 16.0 -> 14.9 CPU s
    (median), wall 8.73 -> 8.59 s (median) and 7.91 -> 7.58 s (best).
    `extract_stream(pool=...)` takes it over and shuts it down; `shutdown` is for a run
    that never gets there (nothing to extract, or a failure). Either drops jieba's tag table
    from this process afterwards (`warm_up_ahead`)."""

    def __init__(self, workers: int) -> None:
        # A table that fails to build fails each document's extraction with its own message
        # (Extraction.error), in the workers, which try again (`_warm_worker`).
        with contextlib.suppress(Exception):
            warm_up_ahead()
        self.workers = workers
        self.executor = _launched_pool(workers, multiprocessing.get_context("fork"), _warm_worker)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
        _release_lexicon_loaded_ahead()


def _launched_pool(workers: int, context: Any, initializer: Callable[[int], None]) -> ProcessPoolExecutor:
    """A process pool started now by this process, whose extractors' tables are built: forked
    workers share them. Objects that exist now are never collected in the workers, so the
    collector does not write to (and copy) the pages they share with this process."""
    gc.freeze()
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=initializer,
                                   initargs=(os.getpid(),))
        pool.submit(os.getpid)  # a pool starts its workers at its first task (a fork pool all of them)
    finally:
        gc.unfreeze()
    return pool


def _warm_worker(parent_pid: int) -> None:
    die_with_parent(parent_pid)
    # A table that fails to build then fails each document's extraction with its own message
    # (Extraction.error), where a failing initializer would only say the pool broke.
    with contextlib.suppress(Exception):
        warm_up()


def _extract_chunk(docs: list[Document], finish: Callable[[Extraction], Any] | None,
                   pack: Callable[[list[Any]], Any] | None = None) -> Any:
    if finish is None:
        # Only what was found goes back: the parent still holds the documents.
        return [_extract(d) for d in docs]
    finished = [finish(extract_document(d)) for d in docs]
    return finished if pack is None else pack(finished)


# Documents go to the pool in chunks, with a few chunks per worker in flight: enough to
# keep every worker busy, few enough that a run holds a bounded number of documents.
_CHUNK_DOCS = 32
_IN_FLIGHT_PER_WORKER = 4


def extract_stream(
    docs: Iterable[Document],
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    finish: Callable[[Extraction], Any] | None = None,
    pack: Callable[[list[Any]], Any] | None = None,
    fork_after: threading.Thread | None = None,
    pool: WarmPool | None = None,
) -> Iterator[Any]:
    """Extract documents as they come, in input order, holding only a bounded window of
    them; a process pool does the work once the stream proves large enough to need one.

    Yields Extractions, or what `finish` (a picklable function) makes of each: it runs where
    the document was extracted, so in a pool the workers share that work too, and only its
    result crosses back to this process. With `pack` as well (picklable too), yields what it
    makes of each chunk of up to `_CHUNK_DOCS` finished documents, made in the worker: a
    chunk's results cross back as one object (the spool's frames come back as bytes, so this
    process neither unpickles nor packs them again).

    `fork_after`: a thread of this process that may still be running (DuckDB work beside
    the extraction): no pool forks while it runs, and until it ends the documents are
    extracted here, chunk by chunk, on the core it leaves free (it holds no GIL), rather
    than waited on.

    `pool`: workers forked and warmed up ahead (`WarmPool`): the documents go to them
    whatever their number, and the pool is shut down when the stream ends."""
    if pack is not None and finish is None:
        raise ValueError("pack needs finish: it packs finished documents")
    if pool is not None:
        try:
            yield from _pooled(iter(docs), pool.workers, progress, finish, pack, pool)
        finally:
            _release_lexicon_loaded_ahead()
        return
    # what `warm_up_ahead` loaded for this extraction goes with it, however it ends (a pool
    # drops what it loaded itself)
    try:
        workers = workers if workers is not None else (os.cpu_count() or 1)
        stream = iter(docs)
        head: list[Document] = []
        chars = 0
        if workers > 1:
            for doc in stream:
                head.append(doc)
                chars += len(doc.text)
                if chars >= _POOL_MIN_CHARS and len(head) >= 8:
                    rest = itertools.chain(head, stream)
                    if fork_after is not None and fork_after.is_alive():
                        warm_up_ahead()  # what this process loads for the wait, the pool drops after
                    while fork_after is not None and fork_after.is_alive():
                        if not (chunk := list(itertools.islice(rest, _CHUNK_DOCS))):
                            return
                        yield from _here(chunk, finish, pack)
                        if progress:
                            progress(len(chunk))
                    if fork_after is not None:
                        fork_after.join()
                    yield from _pooled(rest, workers, progress, finish, pack)
                    return
        if pack is not None:
            for chunk in _chunks(itertools.chain(head, stream), _CHUNK_DOCS):
                yield _extract_chunk(chunk, finish, pack)
                if progress:
                    progress(len(chunk))
            return
        for doc in itertools.chain(head, stream):
            ex = extract_document(doc)
            yield ex if finish is None else finish(ex)
            if progress:
                progress(1)
    finally:
        _release_lexicon_loaded_ahead()


def _here(chunk: list[Document], finish: Callable[[Extraction], Any] | None,
          pack: Callable[[list[Any]], Any] | None) -> Iterator[Any]:
    """A chunk extracted in this process, yielded as the pool would yield it."""
    if pack is not None:
        yield _extract_chunk(chunk, finish, pack)
        return
    for doc in chunk:
        ex = extract_document(doc)
        yield ex if finish is None else finish(ex)


def _chunks(docs: Iterator[Document], size: int) -> Iterator[list[Document]]:
    while chunk := list(itertools.islice(docs, size)):
        yield chunk


def _pooled(docs: Iterator[Document], workers: int, progress: Callable[[int], None] | None,
            finish: Callable[[Extraction], Any] | None, pack: Callable[[list[Any]], Any] | None,
            warm: WarmPool | None = None) -> Iterator[Any]:
    from pipelines.core.events.engine import _jieba

    had_lexicon = warm is not None or _jieba.cache_info().currsize > 0 and not _lexicon_loaded_ahead
    if warm is not None:
        pool = warm.executor
    else:
        warm_up()
        context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
        pool = _launched_pool(workers, context, die_with_parent)
    pending: deque[tuple[list[Document], Future]] = deque()

    def collect() -> Iterator[Any]:
        chunk, future = pending.popleft()
        found = future.result()
        if pack is not None:
            yield found
        elif finish is not None:
            yield from found
        else:
            yield from (Extraction(doc, *r) for doc, r in zip(chunk, found, strict=True))
        if progress:
            progress(len(chunk))

    try:
        for chunk in _chunks(docs, _CHUNK_DOCS):
            pending.append((chunk, pool.submit(_extract_chunk, chunk, finish, pack)))
            if len(pending) >= workers * _IN_FLIGHT_PER_WORKER:
                yield from collect()
        while pending:
            yield from collect()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if not had_lexicon:
            _release_lexicon_loaded_ahead(always=True)
            gc.collect()
