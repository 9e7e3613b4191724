"""The steps of a run, as plain functions: scan, extract what changed, append to the log.

A run streams: the scan keeps each document's identity, not its text; extraction reads the
changed documents again one at a time and spools what it finds to disk; the append reads
the spool back a few documents at a time. Memory holds a window of documents, never all.

Dagster assets call these one per step; tests and benchmarks can call them directly.
"""

from __future__ import annotations

import functools
import itertools
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.core.extract import EXTRACTOR_VERSION, WarmPool, extract_stream
from pipelines.core.model import DocRef, Document, Rejection
from pipelines.core.reading import (
    DEFAULT_MAX_BYTES,
    dump_line_record,
    dump_lines,
    is_dump,
    read_seed_path,
    seed_entries,
    seed_name,
    shown,
)
from pipelines.store.eventlog import EventLog
from pipelines.store.fact import Fact, FactKind
from pipelines.store.facts import (
    NewDocuments,
    RunPlan,
    ScanDocs,
    SpooledFrame,
    diff_against_log,
    logged_form,
    plan_run,
)
from pipelines.store.lineindex import (
    DumpScanRecord,
    LineIndex,
    rejections_of_record,
)
from pipelines.store.manifest import SeedDigests
from pipelines.store.spool import SPOOL_FOLDER, SpoolFrame, pack_frame, read_spool, write_spool


@dataclass(slots=True)
class Scan:
    """What a run read from the seeds folder: which documents (their identities, not their
    texts), which refusals, and which seed paths it covered."""

    seeds_root: str
    scope_paths: set[str]
    max_bytes: int = DEFAULT_MAX_BYTES
    # in scan order; a dump not read again keeps its scan record's table (`ScanDocs`)
    docs: ScanDocs = field(default_factory=ScanDocs)
    rejections: list[Rejection] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)  # seed path -> the entry read
    # Seed file digests taken before reading, when the run covers the whole folder: once
    # it has published, they are the manifest that lets an unchanged folder skip a run.
    digests: SeedDigests | None = None
    parsed: int = 0  # documents parsed; the others were lines the line index knew
    known_files: int = 0  # dumps not read: unchanged since a scan recorded what they hold
    chars: int = 0  # characters of the documents parsed
    # A whole-folder run the seed manifest found unchanged: nothing was read, and the
    # documents it did not list are not missing (no file changed or went away), so the
    # next steps extract, append and withdraw nothing.
    unchanged_folder: bool = False
    # Documents the scan parsed, by (seed path, dump line), while their texts add up to at
    # most _KEPT_CHARS: extraction takes these instead of reading and parsing the lines again
    # (0.15-0.2 CPU s of the main process, beside the pool, at 3,000 articles), and the bound
    # caps what they add to a large run's memory. Not pickled: a Dagster step hands its scan
    # on as a file, and the next step reads the texts again.
    kept: dict[tuple[str, int | None], Document] = field(default_factory=dict)
    kept_chars: int = 0

    def keep(self, doc: Document) -> None:
        if self.kept_chars + len(doc.text) <= _KEPT_CHARS:
            self.kept[(doc.path, doc.line)] = doc
            self.kept_chars += len(doc.text)

    def __getstate__(self) -> dict[str, Any]:
        state = {name: getattr(self, name) for name in self.__slots__}
        state.update(kept={}, kept_chars=0)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)


# What a scan keeps of the texts it parsed (Scan.kept): about 20 MiB of Chinese text.
_KEPT_CHARS = 10_000_000


@dataclass(slots=True)
class ExtractionBatch:
    """What the extract step found, spooled to disk for the append step."""

    scan: Scan
    spool: Path | None
    unchanged: int
    extracted: int = 0
    mentions: int = 0
    events: int = 0
    errors: list[str] = field(default_factory=list)  # "doc_id: what failed"
    # The plan the extraction followed and the identity of the log state it was made on:
    # the append plans again only when the log changed in between (100k documents take
    # 0.6 s to plan).
    plan: RunPlan | None = None
    planned_on: tuple = ()

    @property
    def rederived(self) -> int:
        """Documents of unchanged content the plan derives again: another extractor derived them."""
        return self.plan.rederived if self.plan is not None else 0

    def rederivation_note(self, version: str) -> str | None:
        """The line a run reports when documents it already held are derived again because
        the extractor changed (the first run of a new release), so nobody wonders why an
        unchanged folder is extracted whole."""
        n = self.rederived
        if not n:
            return None
        what = "document an earlier extractor derived is" if n == 1 else "documents an earlier extractor derived are"
        return f"extractor {version}: {n:,} {what} derived again (the old facts retracted, the new recorded)"


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
    progress: Callable[[int], None] | None = None, index: LineIndex | None = None, reread: bool = False,
) -> Scan:
    """Read the whole seeds folder, or only the given relative paths (deleted ones included).
    Dump lines the `index` knows by their bytes are not parsed, and a dump unchanged since
    its last complete scan is not read (unless `reread`). `progress(1)` is called per
    document or rejection read."""
    root = Path(seeds_root)
    listing: dict[str, Path] | None = None if only is not None else seed_entries(root)
    paths = sorted(set(only)) if only is not None else list(listing)
    scan = Scan(str(root), set(paths), max_bytes)
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
        scan.files[rel] = path
        record = index.scan_record(rel) if index is not None and is_dump(rel) else None
        identity = DumpScanRecord.identity(path, root, max_bytes) if record is not None else None
        if record is not None and not reread and (known := record.load_table(identity)) is not None:
            # the dump is as the last complete scan read it: its documents and refusals
            # again, the documents kept as the record's table (the plan joins it)
            scan.docs.add(known)
            scan.rejections.extend(rejections_of_record(known))
            scan.known_files += 1
            if progress:
                progress(known.num_rows)
            continue
        # the line index is loaded only for a dump that is read
        lines = index.for_dump(rel) if record is not None else None
        docs: list[DocRef] = []
        first_rejection = len(scan.rejections)
        try:
            for item in read_seed_path(path, root, max_bytes, lines.lookup if lines else None):
                if isinstance(item, Rejection):
                    scan.rejections.append(item)
                elif isinstance(item, Document):
                    scan.parsed += 1
                    scan.chars += len(item.text)
                    scan.keep(item)
                    if lines:
                        lines.learn(item)
                    docs.append(item.ref)
                else:
                    docs.append(item)
                if progress:
                    progress(1)
        except Exception as exc:  # a reader bug on one file must not stop the run
            scan.rejections.append(Rejection(rel, shown(f"unreadable: {type(exc).__name__}: {exc}")))
        else:
            if lines:
                lines.save()
            if record is not None:
                record.save(identity, docs, scan.rejections[first_rejection:])
        finally:
            scan.docs.add(docs)
    return scan


def read_documents(scan: Scan, refs: Iterable[DocRef]) -> Iterator[Document]:
    """The documents of `refs`, in scan order: those the scan kept (Scan.kept), the others
    read again from their files one at a time.

    Dump lines other than the wanted ones are not parsed. A document read again whose file
    changed since the scan is left out: the next run sees the change and extracts it then.
    """
    root = Path(scan.seeds_root)
    wanted: dict[str, dict[int | None, DocRef]] = {}
    for ref in refs:
        wanted.setdefault(ref.path, {})[ref.line] = ref
    for rel, by_line in wanted.items():
        path = scan.files.get(rel)
        if path is None:
            continue
        if all((rel, line) in scan.kept for line in by_line):  # none to read again
            for line in sorted(by_line) if is_dump(rel) else by_line:  # (an article file's line is None)
                doc = scan.kept.pop((rel, line))
                if doc.content_hash == by_line[line].content_hash:
                    yield doc
            continue
        if not is_dump(rel):
            for item in read_seed_path(path, root, scan.max_bytes):
                ref = by_line.get(None)
                if isinstance(item, Document) and ref is not None and item.content_hash == ref.content_hash:
                    yield item
            continue
        left = len(by_line)
        for item in dump_lines(path, root, scan.max_bytes):
            if isinstance(item, Rejection) or (ref := by_line.get(item[0])) is None:
                continue
            doc = scan.kept.pop((rel, item[0]), None) or dump_line_record(item[1], rel, item[0])
            if isinstance(doc, Document) and doc.content_hash == ref.content_hash:
                yield doc
            left -= 1
            if not left:
                break


def plan_extraction(scan: Scan, log: EventLog, version: str = EXTRACTOR_VERSION) -> ExtractionBatch:
    """The batch `extract_changed` starts from: the plan on the log state as it is now,
    nothing extracted yet. A run may plan while other work finishes (`local_run`)."""
    if scan.unchanged_folder:
        return ExtractionBatch(scan, None, 0)
    state = log.read_state()
    plan = plan_run(scan.docs, scan.rejections, scan.scope_paths, state, version)
    return ExtractionBatch(scan, None, plan.unchanged, plan=plan, planned_on=state.identity)


def extract_changed(
    scan: Scan, log: EventLog, version: str = EXTRACTOR_VERSION, workers: int | None = None,
    progress: Callable[[int], None] | None = None, planned: ExtractionBatch | None = None,
    fork_after: threading.Thread | None = None, pool: WarmPool | None = None,
) -> ExtractionBatch:
    """Extract only documents whose content hash or extractor version is new to the log,
    streaming them from their files through the extractors into a spool beside the log.
    `planned`: `plan_extraction`'s batch for this scan, used if the log is as it was then.
    `fork_after`, `pool`: see `extract_stream`."""
    if planned is None or planned.scan is not scan or (
            planned.plan is not None and planned.planned_on != log.read_state().identity):
        planned = plan_extraction(scan, log, version)
    batch = planned
    if batch.plan is None or not batch.plan.to_extract:
        return batch
    plan = batch.plan

    def counted(frames: Iterable[SpoolFrame]) -> Iterator[SpoolFrame]:
        for frame in frames:
            batch.extracted += frame.extracted
            batch.mentions += frame.mentions
            batch.events += frame.events
            batch.errors.extend(frame.errors)
            yield frame

    import pyarrow  # noqa: F401 - here, before the pool forks: its workers pack frames with it

    frames = extract_stream(read_documents(scan, plan.to_extract), workers, progress,
                            functools.partial(logged_form, version=version),
                            functools.partial(pack_frame, version=version), fork_after, pool)
    batch.spool = write_spool(counted(frames), log.directory / SPOOL_FOLDER)
    return batch


def _spooled_documents(frames: Iterable[Any], pending: set[str], logged: set[str]
                       ) -> Iterator[NewDocuments | SpooledFrame]:
    """The spool's documents the plan still wants: a frame whose documents the log does not
    know (`logged`: those of `pending` it knows) goes as it is (its facts are those to
    append), the others to be diffed as columns (`diff_against_log`)."""
    for table in frames:
        doc_ids = set(table.column("doc_id").to_pylist())
        if all(doc_id in pending and doc_id not in logged for doc_id in doc_ids):
            yield NewDocuments(table, len(doc_ids))
            continue
        yield SpooledFrame(table, pending)


@dataclass(slots=True)
class Appended:
    kinds: Counter[str]  # facts appended per kind
    covers_log: bool  # the run's seed paths include every one the log had documents from

    @property
    def total(self) -> int:
        return sum(self.kinds.values())


def append_to_log(batch: ExtractionBatch, log: EventLog, version: str = EXTRACTOR_VERSION,
                  run_id: str | None = None) -> Appended:
    """Append the run's facts under the log lock. The spooled extractions are read back a
    few at a time and removed once appended."""
    if batch.scan.unchanged_folder:  # nothing was read, so nothing is new and nothing was deleted
        return Appended(Counter(), covers_log=True)
    with log.lock():
        # Planned again on the state read under the lock: another run may have appended
        # since extract_changed planned, and facts must be a diff against the log as it is.
        state = log.read_state()
        scan = batch.scan
        plan = batch.plan if batch.plan is not None and batch.planned_on == state.identity else \
            plan_run(scan.docs, scan.rejections, scan.scope_paths, state, version)
        pending = {d.doc_id for d in plan.to_extract}
        kinds: Counter[str] = Counter()

        def counted(facts: Iterable[Fact | NewDocuments]) -> Iterator[Fact | NewDocuments]:
            for fact in facts:
                if isinstance(fact, Fact):
                    kinds[fact.kind] += 1
                else:
                    for kind, n in Counter(fact.table.column("kind").to_pylist()).items():
                        kinds[FactKind(kind)] += n
                yield fact

        logged = set(state.lookup(pending)) if pending else set()
        documents = _spooled_documents(read_spool(batch.spool), pending, logged)
        facts = diff_against_log(documents, state, log.active_entities, version)
        if log.append(counted(itertools.chain(plan.facts, facts)), run_id, head=state.head_seq):
            log.checkpoint_state()
        covers_log = state.seed_paths() <= scan.scope_paths
    if batch.spool is not None:
        batch.spool.unlink(missing_ok=True)
    return Appended(kinds, covers_log)
