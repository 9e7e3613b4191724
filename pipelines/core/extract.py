"""Per-document extraction: time mentions and events, optionally over a process pool."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from pipelines.core.model import Document, Event, TimeMention

EXTRACTOR_VERSION = "0.1.0"
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
    from pipelines.core.events import extract_events
    from pipelines.core.timex import extract_times

    try:
        mentions = extract_times(doc.text, doc.published_at)
    except Exception as exc:  # a crash on one article must not stop the run
        return Extraction(doc, [], [], f"time extraction failed: {type(exc).__name__}: {exc}")
    try:
        events = extract_events(doc, mentions)
    except Exception as exc:
        return Extraction(doc, mentions, [], f"event extraction failed: {type(exc).__name__}: {exc}")
    return Extraction(doc, mentions, events)


def _extract_chunk(docs: list[Document]) -> list[Extraction]:
    return [extract_document(d) for d in docs]


def _chunks(docs: list[Document], size: int) -> Iterator[list[Document]]:
    for i in range(0, len(docs), size):
        yield docs[i : i + size]


def extract_many(
    docs: Iterable[Document],
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Extraction]:
    """Extract a batch, in input order; uses a process pool when the batch is large."""
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
    out: list[Extraction] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for result in pool.map(_extract_chunk, _chunks(docs, chunk)):
            out.extend(result)
            if progress:
                progress(len(result))
    return out
