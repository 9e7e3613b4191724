"""The steps of a run, as plain functions: scan, extract what changed, append to the log.

Dagster assets call these one per step; tests and benchmarks can call them directly.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.core.extract import EXTRACTOR_VERSION, Extraction, extract_many
from pipelines.core.model import Document, Rejection
from pipelines.core.reading import DEFAULT_MAX_BYTES, read_seed_path, seed_entries, seed_name, shown
from pipelines.store.eventlog import EventLog
from pipelines.store.facts import facts_for_extractions, plan_run


@dataclass(slots=True)
class Scan:
    """What a run read from the seeds folder, and which seed paths it covered."""

    seeds_root: str
    scope_paths: set[str]
    docs: list[Document] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def chars(self) -> int:
        return sum(len(d.text) for d in self.docs)


@dataclass(slots=True)
class ExtractionBatch:
    scan: Scan
    extractions: list[Extraction]
    unchanged: int


def seed_paths(seeds_root: Path) -> list[str]:
    """Seed paths relative to the folder, the identities of files and partitions."""
    return list(seed_entries(Path(seeds_root)))


def _listed_where_named(root: Path, rel: str, path: Path) -> bool:
    """`path` is the entry the folder's listing would give `rel`: it exists, its name reads
    back as `rel`, and no folder on the way is a link (the listing does not follow those)."""
    if not os.path.lexists(path) or seed_name(path, root) != rel:
        return False
    return not any((root / parent).is_symlink() for parent in Path(rel).parents if parent != Path("."))


def scan_seeds(
    seeds_root: Path, only: Iterable[str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int], None] | None = None,
) -> Scan:
    """Read the whole seeds folder, or only the given relative paths (deleted ones included).
    `progress(1)` is called per document or rejection read."""
    root = Path(seeds_root)
    listing: dict[str, Path] | None = None if only is not None else seed_entries(root)
    paths = sorted(set(only)) if only is not None else list(listing)
    scan = Scan(str(root), set(paths))
    for rel in paths:
        # A partition names its file: look there before listing the whole folder (one file
        # of twenty thousand is one stat, not a walk); names shown escaped need the listing.
        path = root / rel
        if listing is not None or not _listed_where_named(root, rel, path):
            if listing is None:
                listing = seed_entries(root)
            path = listing.get(rel)
        if path is None:
            continue  # deleted: plan_run withdraws what the log has from it
        try:
            for item in read_seed_path(path, root, max_bytes):
                (scan.docs if isinstance(item, Document) else scan.rejections).append(item)
                if progress:
                    progress(1)
        except Exception as exc:  # a reader bug on one file must not stop the run
            scan.rejections.append(Rejection(rel, shown(f"unreadable: {type(exc).__name__}: {exc}")))
    return scan


def extract_changed(
    scan: Scan, log: EventLog, version: str = EXTRACTOR_VERSION, workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExtractionBatch:
    """Extract only documents whose content hash or extractor version is new to the log."""
    plan = plan_run(scan.docs, scan.rejections, scan.scope_paths, log.read_state(), version)
    return ExtractionBatch(scan, extract_many(plan.to_extract, workers, progress), plan.unchanged)


def append_to_log(batch: ExtractionBatch, log: EventLog, version: str = EXTRACTOR_VERSION,
                  run_id: str | None = None) -> Counter[str]:
    """Append the run's facts under the log lock; returns the number appended per kind."""
    with log.lock():
        # Planned again on the state read under the lock: another run may have appended
        # since extract_changed planned, and facts must be a diff against the log as it is.
        state = log.read_state()
        scan = batch.scan
        plan = plan_run(scan.docs, scan.rejections, scan.scope_paths, state, version)
        pending = {d.doc_id for d in plan.to_extract}
        extractions = [ex for ex in batch.extractions if ex.doc.doc_id in pending]
        active = log.active_entities([ex.doc.doc_id for ex in extractions])
        kinds: Counter[str] = Counter()

        def counted(facts: Iterable[dict]) -> Iterator[dict]:
            for fact in facts:
                kinds[fact["kind"]] += 1
                yield fact

        log.append(counted(itertools.chain(plan.facts, facts_for_extractions(extractions, state, active, version))),
                   run_id, head=state.head_seq)
    return kinds
